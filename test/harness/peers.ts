// Builds the Go peers the integration tests run against, once per source version, into a cache outside the repository:
// - ferretdb      FerretDB v1.24.2 with its SQLite backend (tools/peers), the MongoDB-compatible test server;
// - ejson-oracle  the Go driver's Extended JSON writer and parser in batch (tools/mongo-oracle/cmd/ejson-oracle);
// - mongoexport / mongoimport  stand-ins on the same Go driver calls as the Database Tools (tools/mongo-oracle/cmd/*),
//   because the Go module proxy refuses github.com/mongodb/mongo-tools. MONGO_TOOLS_BIN=<dir> holding the real
//   mongoexport and mongoimport (e.g. on GitHub CI) makes the harness use those instead.
//
// Cache: ${XDG_CACHE_HOME:-~/.cache}/prancer-db-artifacts/peers/<key>/, where the key hashes the Go sources, go.mod,
// go.sum and `go version`. The normal GOCACHE and GOMODCACHE are reused. Builds go to a temporary directory that is
// renamed into place, under a lock file, so concurrent test processes neither build twice nor see half a cache entry.

import {createHash} from 'node:crypto'
import {execFile} from 'node:child_process'
import {access, constants, mkdir, open, readFile, readdir, rename, rm} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'

export interface Peers {
  ferretdb: string
  mongoexport: string
  mongoimport: string
  ejsonOracle: string
  /** 'real' when MONGO_TOOLS_BIN supplied the Database Tools; otherwise the Go driver stand-ins. */
  toolsKind: 'real' | 'driver-standin'
}

const run = promisify(execFile)
const repoRoot = path.resolve(import.meta.dirname, '..', '..')
const goModules = ['tools/peers', 'tools/mongo-oracle']
const lockWaitMs = 15 * 60 * 1000

let peersPromise: Promise<Peers> | undefined

/** Paths of the peer binaries, built on first use (in this process and, through the cache, across runs). */
export function ensurePeers(): Promise<Peers> {
  peersPromise ??= buildOrReuse()
  return peersPromise
}

async function buildOrReuse(): Promise<Peers> {
  const started = performance.now()
  const goVersion = await goVersionLine()
  const key = await cacheKey(goVersion)
  const cacheRoot = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'prancer-db-artifacts', 'peers')
  const dir = path.join(cacheRoot, key)

  if (await exists(dir)) {
    log(`reusing ${dir} (${elapsed(started)})`)
  } else {
    await mkdir(cacheRoot, {recursive: true})
    await withLock(`${dir}.lock`, async () => {
      if (await exists(dir)) {
        log(`reusing ${dir}, built by another process (${elapsed(started)})`)
        return
      }
      log(`building FerretDB, ejson-oracle, mongoexport and mongoimport with ${goVersion} ...`)
      const staging = `${dir}.tmp-${process.pid}`
      await rm(staging, {recursive: true, force: true})
      try {
        await goBuild('tools/peers', ['-o', path.join(staging, 'ferretdb'), './cmd/ferretdb'])
        await goBuild('tools/mongo-oracle', ['-o', staging + path.sep, './cmd/...'])
        await rename(staging, dir)
      } finally {
        await rm(staging, {recursive: true, force: true})
      }
      log(`built ${dir} in ${elapsed(started)}`)
    })
  }

  const standins: Peers = {
    ferretdb: path.join(dir, 'ferretdb'),
    ejsonOracle: path.join(dir, 'ejson-oracle'),
    mongoexport: path.join(dir, 'mongoexport'),
    mongoimport: path.join(dir, 'mongoimport'),
    toolsKind: 'driver-standin'
  }
  const realTools = await realToolsFromEnv()
  if (realTools) {
    log(`using the real Database Tools from MONGO_TOOLS_BIN=${process.env.MONGO_TOOLS_BIN}`)
    return {...standins, ...realTools, toolsKind: 'real'}
  }
  log('using the Go driver stand-ins for mongoexport/mongoimport (set MONGO_TOOLS_BIN to use the real tools)')
  return standins
}

async function realToolsFromEnv(): Promise<{mongoexport: string; mongoimport: string} | undefined> {
  const binDir = process.env.MONGO_TOOLS_BIN
  if (!binDir) return undefined
  const tools = {mongoexport: path.join(binDir, 'mongoexport'), mongoimport: path.join(binDir, 'mongoimport')}
  for (const tool of Object.values(tools)) {
    try {
      await access(tool, constants.X_OK)
    } catch {
      log(`MONGO_TOOLS_BIN=${binDir} has no executable ${path.basename(tool)}; falling back to the stand-ins`)
      return undefined
    }
  }
  return tools
}

async function goVersionLine(): Promise<string> {
  try {
    const {stdout} = await run('go', ['version'])
    return stdout.trim()
  } catch (error) {
    throw new Error(`The test peers are built with Go (>= 1.25), but \`go version\` failed: ${String(error)}`)
  }
}

/** Hash of every file that decides the binaries: Go sources, go.mod and go.sum of both modules, and the toolchain. */
async function cacheKey(goVersion: string): Promise<string> {
  const hash = createHash('sha256').update(goVersion).update('\0')
  for (const module of goModules) {
    const root = path.join(repoRoot, module)
    const files = (await readdir(root, {recursive: true}))
      .filter(file => file.endsWith('.go') || file === 'go.mod' || file === 'go.sum')
      .sort()
    for (const file of files) {
      hash.update(`${module}/${file}\0`).update(await readFile(path.join(root, file))).update('\0')
    }
  }
  return hash.digest('hex').slice(0, 16)
}

async function goBuild(module: string, args: string[]): Promise<void> {
  try {
    await run('go', ['build', '-mod=readonly', ...args], {
      cwd: path.join(repoRoot, module),
      env: {...process.env, CGO_ENABLED: '0'},
      maxBuffer: 16 * 1024 * 1024
    })
  } catch (error) {
    const stderr = (error as {stderr?: string}).stderr ?? ''
    throw new Error(`go build ${args.join(' ')} failed in ${module}:\n${stderr || String(error)}`)
  }
}

/** Runs fn while holding an exclusive lock file; a lock left by a dead process is taken over. */
async function withLock(lockPath: string, fn: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + lockWaitMs
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx')
      await handle.writeFile(String(process.pid))
      await handle.close()
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const holder = Number(await readFile(lockPath, 'utf8').catch(() => ''))
    if (holder > 0 && !isAlive(holder)) {
      await rm(lockPath, {force: true})
      continue
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${lockPath} (held by pid ${holder || 'unknown'}); delete it if no build is running`)
    }
    await new Promise(resolve => setTimeout(resolve, 500))
  }
  try {
    await fn()
  } finally {
    await rm(lockPath, {force: true})
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false
  )
}

function elapsed(started: number): string {
  const ms = performance.now() - started
  return ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(1)} s`
}

function log(message: string): void {
  process.stderr.write(`peers: ${message}\n`)
}
