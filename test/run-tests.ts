// `npm test`: check the architecture (npm run deps: no circles, no upward imports), make sure the real peers
// (FerretDB, the Go-built tools and oracle) exist, then run every test file with node:test. Building first keeps
// parallel test files from racing to build the same binaries.
import {spawn, spawnSync} from 'node:child_process'
import {statSync} from 'node:fs'
import {ensurePeers} from './harness/peers.ts'

const major = Number(process.versions.node.split('.')[0])
if (major < 24) {
  console.error(`Tests need Node 24 (the runtime action.yml declares); this is ${process.version}. Run them through npm (npm test), which puts node_modules/.bin/node (Node 24) first on PATH.`)
  process.exit(2)
}

// The whole suite only: a run of named test files is a developer's quick check.
if (process.argv.length <= 2) {
  const deps = spawnSync('npm', ['run', '--silent', 'deps'], {stdio: 'inherit'})
  if (deps.status !== 0) {
    console.error('npm run deps found dependency violations (listed above): the layers of docs/architecture.md only point down.')
    process.exit(1)
  }
}

const peers = await ensurePeers()
console.log(`node ${process.version}; server: ${process.env.MONGODB_URI ? 'MONGODB_URI' : 'FerretDB'}; mongo tools: ${peers.toolsKind} from ${peers.toolsSource}`)
console.log(peers.toolsVersion)

// Test files may be named on the command line (npm test -- __tests__/export); default: all of them. node --test takes
// files and globs, so a folder stands for the test files under it.
const patterns = process.argv.slice(2).length > 0 ? process.argv.slice(2).map(p => (isDirectory(p) ? `${p.replace(/\/+$/, '')}/**/*.test.ts` : p)) : ['__tests__/**/*.test.ts']
const args = ['--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=900000', ...patterns]
const child = spawn(process.execPath, args, {stdio: 'inherit'})
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))

function isDirectory(p: string): boolean {
  return statSync(p, {throwIfNoEntry: false})?.isDirectory() ?? false
}
