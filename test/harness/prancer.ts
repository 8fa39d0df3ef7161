// Real Prancer for the tests: prancer-basic 3.1.1 from PyPI in a venv, and OPA (for Prancer's rego tests) built from
// the Go module proxy, both cached outside the repository like the Go peers:
//   ${XDG_CACHE_HOME:-~/.cache}/prancer-db-artifacts/prancer-3.1.1-py<major.minor>/venv   (about 2-5 min cold)
//   ${XDG_CACHE_HOME:-~/.cache}/prancer-db-artifacts/opa-v1.22.3-<go version hash>/opa        (about 1-2 min cold)
// A venv cannot be moved once made, so it is built in place under a lock and marked complete by a file written last.
//
// runPrancerScenario() lays the scenario of test/prancer/scenario (a container `webapp` with a filesystem connector
// over Terraform templates, rego and Prancer-language master tests at three severities) into a fresh directory,
// loads its configuration into MongoDB with Prancer's own `populate_json`, as FULL mode needs, and runs `prancer`.
//
// FerretDB 1.24 refuses two things Prancer does; against FerretDB (never against MONGODB_URI) Prancer runs with the
// shim in test/prancer/shim/sitecustomize.py, which says exactly what it changes (nothing in outputs or logs).

import {execFile, spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {cp, mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'
import {exists, withLock} from './peers.ts'

const run = promisify(execFile)
const repoRoot = path.resolve(import.meta.dirname, '..', '..')
const scenarioDir = path.join(repoRoot, 'test', 'prancer', 'scenario')
const shimDir = path.join(repoRoot, 'test', 'prancer', 'shim')

export const PRANCER_VERSION = '3.1.1'
export const OPA_MODULE = 'github.com/open-policy-agent/opa'
export const OPA_VERSION = 'v1.22.3'

export interface PrancerInstall {
  /** The venv's bin directory (prancer, populate_json). */
  bin: string
  version: string
  opa: string
}

let installPromise: Promise<PrancerInstall> | undefined

export function ensurePrancer(): Promise<PrancerInstall> {
  installPromise ??= (async () => {
    const [bin, opa] = await Promise.all([ensureVenv(), ensureOpa()])
    const {stdout} = await run(path.join(bin, 'python'), ['-c', 'import importlib.metadata as m; print(m.version("prancer-basic"))'])
    return {bin, opa, version: stdout.trim()}
  })()
  return installPromise
}

function cacheRoot(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'prancer-db-artifacts')
}

async function ensureVenv(): Promise<string> {
  const python = process.env.PRANCER_PYTHON || 'python3'
  const {stdout} = await run(python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'])
  const dir = path.join(cacheRoot(), `prancer-${PRANCER_VERSION}-py${stdout.trim()}`)
  const venv = path.join(dir, 'venv')
  const marker = path.join(dir, 'complete')
  if (await exists(marker)) return path.join(venv, 'bin')
  await mkdir(dir, {recursive: true})
  await withLock(`${dir}.lock`, async () => {
    if (await exists(marker)) return
    const started = performance.now()
    log(`installing prancer-basic==${PRANCER_VERSION} into ${venv} (a few minutes cold, about one from pip's cache) ...`)
    await rm(venv, {recursive: true, force: true})
    await runLoud(python, ['-m', 'venv', venv])
    await runLoud(path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `prancer-basic==${PRANCER_VERSION}`])
    await writeFile(marker, new Date().toISOString())
    log(`installed prancer-basic ${PRANCER_VERSION} in ${elapsed(started)}`)
  })
  return path.join(venv, 'bin')
}

async function ensureOpa(): Promise<string> {
  const {stdout: goVersion} = await run('go', ['version'])
  const key = createHash('sha256').update(`${OPA_VERSION}\0${goVersion.trim()}`).digest('hex').slice(0, 12)
  const dir = path.join(cacheRoot(), `opa-${OPA_VERSION}-${key}`)
  const opa = path.join(dir, 'opa')
  if (await exists(opa)) return opa
  await mkdir(cacheRoot(), {recursive: true})
  await withLock(`${dir}.lock`, async () => {
    if (await exists(opa)) return
    const started = performance.now()
    log(`building OPA ${OPA_VERSION} from the Go module proxy (Prancer runs rego tests with it; about 1-2 min cold) ...`)
    const staging = `${dir}.tmp-${process.pid}`
    await rm(staging, {recursive: true, force: true})
    const work = await mkdtemp(path.join(os.tmpdir(), 'opa-build-'))
    try {
      // `go install module@version` builds outside any module, so our go.mod files play no part.
      await runLoud('go', ['install', `${OPA_MODULE}@${OPA_VERSION}`], {cwd: work, env: {...process.env, GOBIN: staging, CGO_ENABLED: '0', GOFLAGS: '-mod=mod'}})
      await rename(staging, dir)
    } finally {
      await rm(staging, {recursive: true, force: true})
      await rm(work, {recursive: true, force: true})
    }
    log(`built OPA in ${elapsed(started)}`)
  })
  return opa
}

export interface ScenarioOptions {
  uri: string
  /** 'ferretdb' turns on the FerretDB shim; 'external' (a real mongod) runs Prancer unmodified. */
  serverKind: 'ferretdb' | 'external'
  database: string
  logsDatabase: string
  /** Extra environment, e.g. DBLOG_NAME. */
  env?: Record<string, string>
}

export interface Scenario {
  dir: string
  configPath: string
  container: string
  /** Runs `prancer <args>` in the scenario (e.g. ['--db', 'FULL', 'webapp', '--compliance']). */
  prancer(args: string[], env?: Record<string, string>): Promise<PrancerRun>
  /** Changes an IaC template (relative to iac/) before the next run. */
  writeTemplate(file: string, text: string): Promise<void>
  remove(): Promise<void>
}

export interface PrancerRun {
  code: number
  output: string
  ms: number
}

export const SCENARIO_CONTAINER = 'webapp'

/** Copies the scenario, points it at the given databases and loads its configuration with populate_json. */
export async function prepareScenario(o: ScenarioOptions): Promise<Scenario> {
  const install = await ensurePrancer()
  const dir = await mkdtemp(path.join(os.tmpdir(), 'prancer-scenario-'))
  await cp(scenarioDir, dir, {recursive: true})
  const containerDir = path.join(dir, 'validation', SCENARIO_CONTAINER)
  await substitute(path.join(containerDir, 'fsConnector.json'), {'@IAC_DIR@': path.join(dir, 'iac')})
  await substitute(path.join(dir, 'config.ini'), {'@OPA_EXE@': install.opa, '@DATABASE@': o.database, '@LOGS_DATABASE@': o.logsDatabase})

  const baseEnv = (extra?: Record<string, string>): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = {...process.env, DBURL: o.uri, FRAMEWORKDIR: dir, ...o.env, ...extra}
    delete env.DBLOG_NAME
    if (extra?.DBLOG_NAME ?? o.env?.DBLOG_NAME) env.DBLOG_NAME = extra?.DBLOG_NAME ?? o.env?.DBLOG_NAME
    if (o.serverKind === 'ferretdb') {
      env.PRANCER_FERRETDB_SHIM = '1'
      env.PYTHONPATH = shimDir
      // Python would otherwise write test/prancer/shim/__pycache__ into the repository.
      env.PYTHONDONTWRITEBYTECODE = '1'
    }
    return env
  }
  // Prancer makes temporary folders (tempfile.mkdtemp, prancer_*) it never removes: each process gets a TMPDIR of its
  // own, removed when the process has ended, however it ended.
  const runIn = async (cwd: string, command: string, args: string[], extra?: Record<string, string>): Promise<PrancerRun> => {
    const started = performance.now()
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'prancer-tmp-'))
    try {
      const {code, output} = await capture(path.join(install.bin, command), args, {cwd, env: {...baseEnv(extra), TMPDIR: tmp, TEMP: tmp, TMP: tmp}})
      return {code, output, ms: performance.now() - started}
    } finally {
      await rm(tmp, {recursive: true, force: true})
    }
  }
  // FULL mode reads the container's configuration from MongoDB: populate_json stores each file, run from the container folder.
  for (const file of ['fsConnector.json', 'master-snapshot.json', 'master-test.json', 'webapp.rego']) {
    const loaded = await runIn(containerDir, 'populate_json', [SCENARIO_CONTAINER, '--file', file])
    if (loaded.code !== 0) throw new Error(`populate_json ${file} exited ${loaded.code}:\n${loaded.output.slice(-4000)}`)
  }
  return {
    dir,
    configPath: path.join(dir, 'config.ini'),
    container: SCENARIO_CONTAINER,
    async prancer(args, env) {
      const result = await runIn(dir, 'prancer', args, env)
      // Prancer exits 1 when a test failed (the scenario has failing tests on purpose); 2 is an error.
      if (result.code !== 0 && result.code !== 1) throw new Error(`prancer ${args.join(' ')} exited ${result.code}:\n${result.output.slice(-6000)}`)
      return result
    },
    async writeTemplate(file, text) {
      await writeFile(path.join(dir, 'iac', file), text)
    },
    remove: () => rm(dir, {recursive: true, force: true})
  }
}

async function substitute(file: string, values: Record<string, string>): Promise<void> {
  let text = await readFile(file, 'utf8')
  for (const [from, to] of Object.entries(values)) text = text.replaceAll(from, to)
  await writeFile(file, text)
}

function capture(command: string, args: string[], options: {cwd: string; env: NodeJS.ProcessEnv}): Promise<{code: number; output: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {...options, stdio: ['ignore', 'pipe', 'pipe']})
    let output = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
    child.on('error', reject)
    child.on('close', code => resolve({code: code ?? 1, output}))
  })
}

async function runLoud(command: string, args: string[], options: {cwd?: string; env?: NodeJS.ProcessEnv} = {}): Promise<void> {
  const {code, output} = await capture(command, args, {cwd: options.cwd ?? process.cwd(), env: options.env ?? process.env})
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code}:\n${output.slice(-6000)}`)
}

function elapsed(started: number): string {
  return `${((performance.now() - started) / 1000).toFixed(1)} s`
}

function log(message: string): void {
  process.stderr.write(`prancer: ${message}\n`)
}

/** Names of the files of the scenario's IaC tree (relative), for tests that check result paths. */
export async function scenarioTemplates(): Promise<string[]> {
  return (await readdir(path.join(scenarioDir, 'iac'), {recursive: true})).filter(f => f.endsWith('.tf')).sort()
}
