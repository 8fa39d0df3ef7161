// The bench's child processes run tsc's output (lib/), as the bundles run plain JavaScript: built once per bench run.
import {execFileSync} from 'node:child_process'
import path from 'node:path'

let built = false

export function buildLib(): void {
  if (built) return
  const root = path.join(import.meta.dirname, '..')
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.build.json')], {stdio: 'inherit'})
  built = true
}
