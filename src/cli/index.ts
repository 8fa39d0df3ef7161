#!/usr/bin/env node
// Entry point of the `prancer-db-artifacts` command (bundled to dist/cli/index.js).
import {main} from './main.ts'
import {stderrTerminal} from './output.ts'

const code = await main(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: (text) => void process.stdout.write(text),
  stderr: stderrTerminal()
})
process.exitCode = code
