// Entry point of dist/index.js: everything happens in run(), which reports its own failures.
import {run} from './main.ts'

await run()
