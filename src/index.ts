// Entry point of dist/index.js: everything happens in run(), which reports its own failures.
import {keepYoungGenerationSmall} from './heap.ts'
import {run} from './main.ts'

keepYoungGenerationSmall()
await run()
