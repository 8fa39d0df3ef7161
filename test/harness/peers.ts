// Builds the Go peers the integration tests run against, once per source version, into a cache outside the repository:
// - ferretdb      FerretDB v1.24.2 with its SQLite backend (tools/peers), the MongoDB-compatible test server;
// - ejson-oracle  the Go driver's Extended JSON writer and parser in batch (tools/mongo-oracle/cmd/ejson-oracle);
// - the real MongoDB Database Tools (mongoexport, mongoimport, mongodump, mongorestore), the oracle for every file
//   and archive format, in this order of preference:
//     1. MONGO_TOOLS_BIN=<dir> holding them (e.g. on GitHub CI);
//     2. built offline from the source tarball in ../shared/peers (or MONGO_TOOLS_SRC=<tarball>) with its
//        build-mongo-tools.sh, cached by the tarball's sha256 and `go version`; the tarball is never copied here;
//     3. only where neither exists: the Go driver stand-ins of mongoexport/mongoimport (tools/mongo-oracle/cmd/*),
//        on the same driver calls the tools make (no mongodump/mongorestore then).
//   Every test run prints which tools it used and their version.
//
// Cache: ${XDG_CACHE_HOME:-~/.cache}/prancer-db-artifacts/peers/<key>/, where the key hashes the Go sources, go.mod,
// go.sum and `go version` (the real tools: tools-<key> hashing the tarball and `go version`). The normal GOCACHE and
// GOMODCACHE are reused. Builds go to a temporary directory that is renamed into place, under a lock file, so
// concurrent test processes neither build twice nor see half a cache entry.

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
  /** The real mongodump/mongorestore; null when only the stand-ins exist. */
  mongodump: string | null
  mongorestore: string | null
  ejsonOracle: string
  /** Directory of the Go-built helpers (ferretdb, ejson-oracle, replay-peer, ...). */
  dir: string
  /** 'real' for the Database Tools (MONGO_TOOLS_BIN or built from the tarball); otherwise the Go driver stand-ins. */
  toolsKind: 'real' | 'driver-standin'
  /** First line of `mongoexport --version`, e.g. "mongoexport version: 100.18.0". */
  toolsVersion: string
  /** Where the tools came from, for the test log. */
  toolsSource: string
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

  const helpers = {ferretdb: path.join(dir, 'ferretdb'), ejsonOracle: path.join(dir, 'ejson-oracle'), dir}
  const real = (await realToolsFromEnv()) ?? (await realToolsFromSource(cacheRoot, goVersion))
  if (real) {
    const toolsVersion = await firstVersionLine(real.bin.mongoexport)
    log(`using the real Database Tools (${toolsVersion}) from ${real.source}`)
    return {...helpers, ...real.bin, toolsKind: 'real', toolsVersion, toolsSource: real.source}
  }
  const mongoexport = path.join(dir, 'mongoexport')
  log('using the Go driver stand-ins for mongoexport/mongoimport: neither MONGO_TOOLS_BIN nor the tarball in ../shared/peers is there')
  return {
    ...helpers,
    mongoexport,
    mongoimport: path.join(dir, 'mongoimport'),
    mongodump: null,
    mongorestore: null,
    toolsKind: 'driver-standin',
    toolsVersion: 'mongoexport stand-in on the Go driver (not the Database Tools)',
    toolsSource: dir
  }
}

const TOOL_NAMES = ['mongoexport', 'mongoimport', 'mongodump', 'mongorestore'] as const
type RealTools = {bin: Record<(typeof TOOL_NAMES)[number], string>; source: string}

function toolPaths(binDir: string): RealTools['bin'] {
  return Object.fromEntries(TOOL_NAMES.map(name => [name, path.join(binDir, name)])) as RealTools['bin']
}

async function realToolsFromEnv(): Promise<RealTools | undefined> {
  const binDir = process.env.MONGO_TOOLS_BIN
  if (!binDir) return undefined
  const bin = toolPaths(binDir)
  for (const tool of Object.values(bin)) {
    if (!(await isExecutable(tool))) {
      log(`MONGO_TOOLS_BIN=${binDir} has no executable ${path.basename(tool)}; ignoring it`)
      return undefined
    }
  }
  return {bin, source: `MONGO_TOOLS_BIN=${binDir}`}
}

/** The tarball of ../shared/peers (or MONGO_TOOLS_SRC), built once per tarball and Go version. */
async function realToolsFromSource(cacheRoot: string, goVersion: string): Promise<RealTools | undefined> {
  const sharedPeers = path.resolve(repoRoot, '..', 'shared', 'peers')
  let tarball = process.env.MONGO_TOOLS_SRC
  if (!tarball) {
    const names = await readdir(sharedPeers).catch(() => [] as string[])
    const found = names.filter(name => /^mongo-tools-.*-src\.tar(\.(xz|gz))?$/.test(name)).sort().at(-1)
    if (!found) return undefined
    tarball = path.join(sharedPeers, found)
  }
  const script = process.env.MONGO_TOOLS_BUILD_SCRIPT ?? path.join(path.dirname(tarball), 'build-mongo-tools.sh')
  if (!(await exists(script))) {
    log(`${tarball} is there but ${script} is not; cannot build the real tools`)
    return undefined
  }
  const tarballHash = createHash('sha256').update(await readFile(tarball)).digest('hex')
  const key = createHash('sha256').update(`${tarballHash}\0${goVersion}\0${await readFile(script, 'utf8')}`).digest('hex').slice(0, 16)
  const dir = path.join(cacheRoot, `tools-${key}`)
  const source = `${tarball} (sha256 ${tarballHash.slice(0, 12)}…, built into ${dir})`
  if (await exists(dir)) return {bin: toolPaths(dir), source}
  await mkdir(cacheRoot, {recursive: true})
  await withLock(`${dir}.lock`, async () => {
    if (await exists(dir)) return
    const started = performance.now()
    log(`building the real Database Tools from ${tarball} with ${goVersion} (about 100 CPU-seconds cold) ...`)
    const staging = `${dir}.tmp-${process.pid}`
    await rm(staging, {recursive: true, force: true})
    try {
      await run('bash', [script, tarball!, staging], {maxBuffer: 16 * 1024 * 1024})
      await rename(staging, dir)
    } catch (error) {
      const stderr = (error as {stderr?: string}).stderr ?? ''
      throw new Error(`Building the real Database Tools from ${tarball} failed:\n${stderr || String(error)}`)
    } finally {
      await rm(staging, {recursive: true, force: true})
    }
    log(`built the real Database Tools into ${dir} in ${elapsed(started)}`)
  })
  return {bin: toolPaths(dir), source}
}

async function firstVersionLine(tool: string): Promise<string> {
  try {
    const {stdout} = await run(tool, ['--version'])
    return stdout.split('\n')[0]!.trim()
  } catch (error) {
    throw new Error(`${tool} --version failed: ${String(error)}`)
  }
}

async function isExecutable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(
    () => true,
    () => false
  )
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
export async function withLock(lockPath: string, fn: () => Promise<void>): Promise<void> {
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

export async function exists(file: string): Promise<boolean> {
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
