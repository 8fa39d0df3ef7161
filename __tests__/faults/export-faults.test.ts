// Fault injection on the export side, one test per class of issue 11, each through what users run: the CLI bundle
// (dist/cli/index.js) or the action bundle (dist/index.js) run as the runner runs it, against a real server (a
// FerretDB of this file's own, which can be crashed and restarted over its data), the local artifact service and the
// real @actions/artifact client. After each: the exit code, the message, no partial or temporary file left, earlier
// exports intact, and the next run exports exactly what was missed.
// Mocked: nothing. The full disk is a real tmpfs (mounting needs root, as CI has; the test says so when it cannot).

import assert from 'node:assert/strict'
import {spawn, execFileSync, type ChildProcess} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync} from 'node:fs'
import {mkdir, mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'
import {Long, MongoClient, ObjectId} from 'mongodb'
import type {Document} from 'mongodb'
import {ROOT, errorAnnotations, leaks, readZip, runAction, warningAnnotations, workflowCommands} from '../../test/action-runner.ts'
import type {ActionRun} from '../../test/action-runner.ts'
import {exportedIds} from '../../test/export-checks.ts'
import {startArtifactService} from '../../test/harness/artifact-service.ts'
import type {ArtifactService, RunEnv} from '../../test/harness/artifact-service.ts'
import {startTestServer, uniqueDbName} from '../../test/harness/mongo.ts'
import type {TestServer} from '../../test/harness/mongo.ts'
import {fixtureDocuments, prancerConfigIni, seedPrancerRun} from '../../test/prancer-run.ts'

// CLI_DIST runs another CLI bundle (e.g. an older one, to see these tests fail on it).
// Every run gets a connection string with a password it must never print (registered as a secret, unused: the
// explicit --uri / mongodb-uri wins), so the secret scan covers every fault path.
const PASSWORD = 'F4ult:P@ss/w0rd%x'
const SECRET_DBURL = `mongodb://prancer:${encodeURIComponent(PASSWORD)}@db.internal.example:27017/validator`
const CLI = process.env.CLI_DIST ? path.resolve(process.env.CLI_DIST) : path.join(ROOT, 'dist', 'cli', 'index.js')
const T = Date.now() - 3_600_000

let server: TestServer
let service: ArtifactService
let work: string
let nextRunId = 7_900_000_001

before(async () => {
  ;[server, service] = await Promise.all([startTestServer(), startArtifactService()])
  work = await mkdtemp(path.join(os.tmpdir(), 'export-faults-'))
})

after(async () => {
  await service?.stop()
  await server?.stop()
  if (work) await rm(work, {recursive: true, force: true})
})

/** `count` output documents shaped like the real one, timestamps T + offset + i. */
async function seedOutputs(uri: string, database: string, count: number, offset = 0): Promise<string[]> {
  const template = fixtureDocuments('full.outputs.json')[1]!
  const client = new MongoClient(uri)
  const ids: string[] = []
  try {
    for (let start = 0; start < count; start += 1000) {
      const batch: Document[] = []
      for (let i = start; i < Math.min(count, start + 1000); i++) {
        const _id = new ObjectId()
        ids.push(_id.toHexString())
        batch.push({...template, _id, timestamp: Long.fromNumber(T + offset + i)})
      }
      await client.db(database).collection('outputs').insertMany(batch)
    }
  } finally {
    await client.close()
  }
  return ids
}

/** Every file below `dir` with its sha256 (hidden staging directories included). */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const entry of await readdir(dir, {recursive: true, withFileTypes: true})) {
    if (!entry.isFile()) continue
    const file = path.join(entry.parentPath, entry.name)
    out[path.relative(dir, file)] = createHash('sha256').update(await readFile(file)).digest('hex')
  }
  return out
}

function runCli(args: string[], env: NodeJS.ProcessEnv = {}, onSpawn?: (child: ChildProcess) => void): Promise<{code: number | null; stdout: string; stderr: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {env: {PATH: process.env.PATH, HOME: process.env.HOME, DBURL: SECRET_DBURL, ...env}, stdio: ['ignore', 'pipe', 'pipe']})
    onSpawn?.(child)
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.once('error', reject)
    child.once('close', code => {
      for (const form of [PASSWORD, encodeURIComponent(PASSWORD)]) {
        if (stdout.includes(form) || stderr.includes(form)) reject(new Error(`the CLI printed the password: ${args.join(' ')}`))
      }
      resolve({code, stdout, stderr})
    })
  })
}

async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 5))
  }
}

/** A temporary export file is being written somewhere below `dir`. */
async function exportInProgress(dir: string): Promise<boolean> {
  const entries = await readdir(dir, {recursive: true}).catch(() => [] as string[])
  return entries.some(e => e.endsWith('.tmp'))
}

function stagingDirs(files: Record<string, string> | string[]): string[] {
  return (Array.isArray(files) ? files : Object.keys(files)).filter(f => f.startsWith('.prancer-db-artifacts-'))
}

async function config(database: string, logsDatabase: string | null = null): Promise<string> {
  const file = path.join(work, `${database}.ini`)
  await writeFile(file, prancerConfigIni({database, outputCollection: 'outputs', logsDatabase}))
  return file
}

describe('CLI export: nothing lost, nothing half-done', {concurrency: false}, () => {
  it('--out that already holds an export is refused without --replace, and left as it was', async () => {
    const database = uniqueDbName('refuse')
    await seedOutputs(server.uri, database, 5)
    const ini = await config(database)
    const out = path.join(work, 'refuse')
    const first = await runCli(['export', '--out', out, '--config', ini, '--uri', server.uri, '--logs', 'none'])
    assert.equal(first.code, 0, first.stderr)
    const before = await snapshot(out)
    const again = await runCli(['export', '--out', out, '--config', ini, '--uri', server.uri, '--logs', 'none'])
    assert.equal(again.code, 1)
    assert.match(again.stderr, /--out: .* already holds an export \(outputs, logs\), which a restore of the chain needs; it is not replaced\. Write this export to a new directory .*--previous-manifest .*or pass --replace/)
    assert.deepEqual(await snapshot(out), before)
  })

  it('a server killed mid-export leaves the earlier export exactly as it was, and the next run exports exactly what was missed', {skip: process.env.MONGODB_URI ? 'needs a FerretDB of its own to crash (MONGODB_URI is set)' : false}, async () => {
    if (!server.crash || !server.restart) return
    const database = uniqueDbName('crash')
    const firstIds = await seedOutputs(server.uri, database, 50)
    const ini = await config(database)
    const out = path.join(work, 'crash')
    const first = await runCli(['export', '--out', out, '--config', ini, '--uri', server.uri, '--logs', 'none'])
    assert.equal(first.code, 0, first.stderr)
    const before = await snapshot(out)
    const laterIds = await seedOutputs(server.uri, database, 3000, 100_000)

    const killed = await runCli(['export', '--out', out, '--config', ini, '--uri', server.uri, '--logs', 'none', '--replace'], {}, () => {
      void waitFor(() => exportInProgress(out), 'the export to start writing').then(() => server.crash!())
    })
    assert.equal(killed.code, 1, killed.stderr)
    assert.match(killed.stderr, new RegExp(`The export stopped while reading ${database}\\.outputs: .*Nothing of this export was kept, earlier exports are as they were`))
    assert.deepEqual(await snapshot(out), before, 'the earlier export changed, or a temporary file stayed')

    await server.restart()
    const next = path.join(work, 'crash-next')
    const resumed = await runCli(['export', '--out', next, '--config', ini, '--uri', server.uri, '--logs', 'none', '--previous-manifest', out])
    assert.equal(resumed.code, 0, resumed.stderr)
    const manifest = JSON.parse(await readFile(path.join(next, 'outputs', 'manifest.json'), 'utf8'))
    const ids = exportedIds(await readFile(path.join(next, 'outputs', manifest.files[0].path)))
    const extra = ids.filter(id => !laterIds.includes(id))
    assert.deepEqual(ids.sort(), [...laterIds].sort(), `the next run did not export exactly the documents the crashed one missed: ${ids.length} exported, ${laterIds.length} expected, ${extra.length} unexpected (${extra.filter(id => firstIds.includes(id)).length} of the first export); manifest window ${JSON.stringify(manifest.window)}, excluded ${manifest.excludedIds}`)
    assert.equal(new Set([...firstIds, ...ids]).size, firstIds.length + laterIds.length)
  })

  it('two exports continuing from the same previous export at once: the second is refused', async () => {
    const database = uniqueDbName('twice')
    await seedOutputs(server.uri, database, 3000)
    const ini = await config(database)
    const base = path.join(work, 'twice')
    assert.equal((await runCli(['export', '--out', base, '--config', ini, '--uri', server.uri, '--logs', 'none', '--query', '{"timestamp": {"$lt": 0}}'])).code, 0)
    const started = runCli(['export', '--out', path.join(work, 'twice-a'), '--config', ini, '--uri', server.uri, '--logs', 'none', '--previous-manifest', base])
    await waitFor(() => exportInProgress(path.join(work, 'twice-a')), 'the first continuation to start')
    const second = await runCli(['export', '--out', path.join(work, 'twice-b'), '--config', ini, '--uri', server.uri, '--logs', 'none', '--previous-manifest', base])
    assert.equal(second.code, 1, second.stderr)
    assert.match(second.stderr, /Another export \(pid \d+\) is continuing from .*manifest\.json right now; two exports continuing from the same previous export would export the same documents/)
    assert.equal((await started).code, 0)
    assert.equal(existsSync(path.join(work, 'twice-b', 'outputs')), false)
  })

  it('a full disk: the message names the file and the cause, nothing is left behind, the earlier export stays', async t => {
    const disk = path.join(work, 'small-disk')
    mkdirSync(disk)
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', disk], {stdio: 'ignore'})
    } catch {
      t.skip('mounting a small tmpfs needs root (CI runs as root); not tested here')
      return
    }
    try {
      const database = uniqueDbName('full')
      await seedOutputs(server.uri, database, 10)
      await seedOutputs(server.uri, database, 400, 50_000)
      const ini = await config(database)
      const out = path.join(disk, 'export')
      const small = await runCli(['export', '--out', out, '--config', ini, '--uri', server.uri, '--logs', 'none', '--query', `{"timestamp": {"$lt": ${T + 10}}}`])
      assert.equal(small.code, 0, small.stderr)
      const before = await snapshot(out)
      const full = await runCli(['export', '--out', out, '--config', ini, '--uri', server.uri, '--logs', 'none', '--since', 'all', '--replace'])
      assert.equal(full.code, 1, full.stderr)
      assert.match(full.stderr, /Writing the export file .*\.outputs\.json failed \(ENOSPC\): the disk is full; free space on it or write the export elsewhere/)
      assert.doesNotMatch(full.stderr, /^\s+at /m, 'a stack trace instead of a message')
      assert.deepEqual(await snapshot(out), before)

      // the action: `path` on the full disk fails the step with an annotation and a summary, and leaves nothing
      const env = service.env({runId: nextRunId++, repository: 'octo-org/full-disk'})
      await mkdir(path.join(env.GITHUB_WORKSPACE, 'prancer'), {recursive: true})
      await writeFile(path.join(env.GITHUB_WORKSPACE, 'prancer', 'config.ini'), await readFile(ini, 'utf8'))
      const run = await runAction(env, {'mongodb-uri': server.uri, config: 'prancer/config.ini', logs: 'none', path: path.join(disk, 'kept')})
      assert.equal(run.code, 1, run.stdout)
      assert.match(errorAnnotations(run)[0] ?? '', /\(ENOSPC\): the disk is full/)
      assert.match(run.summary, /## ❌ Prancer export failed/)
      assert.deepEqual(service.storedArtifacts().filter(a => a.repository === 'octo-org/full-disk'), [])
      assert.deepEqual(await readdir(env.RUNNER_TEMP), [])
      assert.deepEqual(stagingDirs(await readdir(path.join(disk, 'kept'))), [])
    } finally {
      execFileSync('umount', [disk])
    }
  })
})

describe('the action: cancellation, ambiguous uploads, hostile data, secrets equal to other values', {concurrency: false}, () => {
  interface Scenario {
    repository: string
    database: string
    logsDatabase: string
  }
  const scenario = (name: string): Scenario => ({repository: `octo-org/${name}`, database: uniqueDbName('validator'), logsDatabase: uniqueDbName('logs')})

  async function step(sc: Scenario, inputs: Record<string, string> = {}, extraEnv: Record<string, string> = {}, onSpawn?: (child: ChildProcess) => void): Promise<{run: ActionRun; env: RunEnv; runId: number}> {
    const runId = nextRunId++
    const env = service.env({runId, repository: sc.repository})
    await mkdir(path.join(env.GITHUB_WORKSPACE, 'prancer'), {recursive: true})
    await writeFile(path.join(env.GITHUB_WORKSPACE, 'prancer', 'config.ini'), prancerConfigIni({database: sc.database, outputCollection: 'outputs', logsDatabase: sc.logsDatabase}))
    const run = await runAction({DBURL: SECRET_DBURL, ...env, ...extraEnv}, {'mongodb-uri': server.uri, config: 'prancer/config.ini', ...inputs}, onSpawn ? {onSpawn} : {})
    // the secret scan: logs, outputs, summary, every stored artifact and every request the service saw
    const extra: Array<[string, string | Buffer]> = []
    for (const a of service.storedArtifacts().filter(x => x.repository === sc.repository)) for (const [name, data] of await readZip(a.zip)) extra.push([`artifact ${a.name}: ${name}`, data])
    for (const r of service.requestLog()) extra.push([`request ${r.method} ${r.url}`, `${r.url}\n${r.body}`])
    if (!(extraEnv.DBURL ?? '').includes(sc.database)) assert.deepEqual(leaks(PASSWORD, run, extra), [], 'the password leaked')
    return {run, env, runId}
  }
  const live = (sc: Scenario, runId?: number) => service.storedArtifacts().filter(a => a.repository === sc.repository && !a.deleted && (runId === undefined || a.runId === String(runId)))

  /** Waits for the n-th FinalizeArtifact request of this repository's runs since `from`. */
  const finalizeSeen = (from: number, n: number) => async () => service.requestLog().slice(from).filter(r => r.url.endsWith('/FinalizeArtifact')).length >= n

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} during the upload: path put back, the logs artifact taken back, a summary written, no stash left`, async () => {
      const sc = scenario(`cancel-${signal.toLowerCase()}`)
      await seedPrancerRun(server.uri, {database: sc.database, outputCollection: 'outputs', logsDatabase: sc.logsDatabase, container: 'aws', startMs: T, results: 5})
      const kept = path.join(work, `kept-${signal}`)
      const first = await step(sc, {path: kept})
      assert.equal(first.run.code, 0, first.run.stdout)
      const before = await snapshot(kept)
      await seedPrancerRun(server.uri, {database: sc.database, outputCollection: 'outputs', logsDatabase: sc.logsDatabase, container: 'aws', startMs: T + 600_000, results: 5})
      // the outputs artifact's Finalize (the run's second) hangs until the step is cancelled
      service.failNext({method: 'FinalizeArtifact', after: 1, delayMs: 15_000, status: 503})
      const from = service.requestLog().length
      const cancelled = await step(sc, {path: kept}, {}, child => {
        void waitFor(finalizeSeen(from, 2), 'the outputs Finalize').then(() => child.kill(signal))
      })
      assert.equal(cancelled.run.code, 1, cancelled.run.stdout)
      assert.match(cancelled.run.summary, /## ❌ Prancer export cancelled/)
      assert.match(errorAnnotations(cancelled.run)[0] ?? '', new RegExp(`The step was cancelled \\(${signal}\\)`))
      assert.deepEqual(live(sc, cancelled.runId), [], 'an artifact of the cancelled run stayed uploaded')
      assert.deepEqual(await snapshot(kept), before, 'path was not put back as it was')
      // the next run exports what the cancelled one did not upload
      const next = await step(sc, {path: kept})
      assert.equal(next.run.code, 0, next.run.stdout)
      assert.equal(next.run.outputs.documents, '2')
    })
  }

  it('SIGKILL during the upload: the next run puts path back first and exports what was missed', async () => {
    const sc = scenario('killed')
    await seedPrancerRun(server.uri, {database: sc.database, outputCollection: 'outputs', logsDatabase: sc.logsDatabase, container: 'aws', startMs: T, results: 5})
    const kept = path.join(work, 'kept-kill')
    assert.equal((await step(sc, {path: kept})).run.code, 0)
    const before = await snapshot(kept)
    await seedPrancerRun(server.uri, {database: sc.database, outputCollection: 'outputs', logsDatabase: sc.logsDatabase, container: 'aws', startMs: T + 600_000, results: 5})
    service.failNext({method: 'FinalizeArtifact', after: 1, delayMs: 15_000, status: 503})
    const from = service.requestLog().length
    const killed = await step(sc, {path: kept}, {}, child => {
      void waitFor(finalizeSeen(from, 2), 'the outputs Finalize').then(() => child.kill('SIGKILL'))
    })
    assert.equal(killed.run.code, null, 'the step was not killed')
    assert.ok(stagingDirs(await readdir(kept)).length > 0, 'a killed step leaves its staging directory (nothing can run after SIGKILL)')
    // the logs artifact of the killed run stays (nothing could take it back); the outputs artifact never existed
    assert.deepEqual(live(sc, killed.runId).map(a => a.name.split('-')[1]), ['logs'])
    const next = await step(sc, {path: kept})
    assert.equal(next.run.code, 0, next.run.stdout)
    assert.ok(workflowCommands(next.run.stdout).some(c => c.name === 'notice' && /Put back the earlier export in .*outputs: an export that was killed \(pid \d+\) had replaced it/.test(c.message)), next.run.stdout)
    assert.equal(next.run.outputs.documents, '2', 'the next run must export the documents the killed one never uploaded')
    assert.deepEqual(stagingDirs(await readdir(kept)), [])
    assert.notDeepEqual(await snapshot(kept), before)
  })

  for (const [label, status] of [
    ['a 400 the client does not retry', 400],
    ['a 502 the client retries, and the retry answers "already exists"', 502]
  ] as const) {
    it(`an ambiguous Finalize (committed, then ${label}): the artifact is kept with its logs, the summary says so, the next run continues after it`, async () => {
      const sc = scenario(`ambiguous-${status}`)
      await seedPrancerRun(server.uri, {database: sc.database, outputCollection: 'outputs', logsDatabase: sc.logsDatabase, container: 'aws', startMs: T, results: 5})
      service.failNext({method: 'FinalizeArtifact', after: 1, mode: 'after-handling', status})
      const failed = await step(sc)
      assert.equal(failed.run.code, 1, failed.run.stdout)
      const names = live(sc, failed.runId).map(a => a.name.split('-')[1]).sort()
      assert.deepEqual(names, ['logs', 'outputs'], 'the committed outputs artifact and its logs exist')
      assert.match(failed.run.summary, /The outputs artifact <code>[^<]+<\/code> exists: it is complete and carries this run's watermark[^\n]*\*\*Keep it\*\*/)
      assert.doesNotMatch(failed.run.summary, /delete (it|them) by hand|Nothing from this run is uploaded/)
      assert.ok(warningAnnotations(failed.run).some(w => /reported an error, but the artifact exists/.test(w)))
      // following the advice: nothing lost, nothing exported twice
      const next = await step(sc, {'if-no-documents': 'ignore'})
      assert.equal(next.run.code, 0, next.run.stdout)
      assert.equal(next.run.outputs.documents, '0')
      assert.match(next.run.stdout, new RegExp(`Previous export: artifact "[^"]+-${failed.runId}-1"`))
    })
  }

  it('a name another job of the run already uploaded is refused before any upload; that artifact is never deleted', async () => {
    const sc = scenario('taken')
    await seedPrancerRun(server.uri, {database: sc.database, outputCollection: 'outputs', logsDatabase: sc.logsDatabase, container: 'aws', startMs: T, results: 5})
    const runId = nextRunId++
    // two matrix legs of one run: the logs template lacks {container}, so both legs name their logs alike
    const leg = async (container: string) => {
      const env = service.env({runId, repository: sc.repository, job: 'scan'})
      await mkdir(path.join(env.GITHUB_WORKSPACE, 'prancer'), {recursive: true})
      await writeFile(path.join(env.GITHUB_WORKSPACE, 'prancer', 'config.ini'), prancerConfigIni({database: sc.database, outputCollection: 'outputs', logsDatabase: sc.logsDatabase}))
      return runAction({...env, DBURL: SECRET_DBURL}, {'mongodb-uri': server.uri, config: 'prancer/config.ini', container, 'output-artifact-name': 'out-{container}-{run_id}', 'logs-artifact-name': 'logs-{run_id}'})
    }
    const first = await leg('aws')
    assert.equal(first.code, 0, first.stdout)
    const second = await leg('azure')
    assert.equal(second.code, 1, second.stdout)
    assert.match(errorAnnotations(second)[0] ?? '', /An artifact named "logs-\d+" already exists in this workflow run\. Give this job its own name with the input 'logs-artifact-name'/)
    const stored = live(sc, runId).map(a => a.name).sort()
    assert.deepEqual(stored, [`logs-${runId}`, `out-aws-${runId}`], 'the first leg lost an artifact')
  })

  it('a cancel while the outputs Finalize is committing: the handler waits for it, keeps what was committed, and says so', async () => {
    const sc = scenario('cancel-commit')
    await seedPrancerRun(server.uri, {database: sc.database, outputCollection: 'outputs', logsDatabase: sc.logsDatabase, container: 'aws', startMs: T, results: 5})
    const kept = path.join(work, 'kept-commit')
    service.failNext({method: 'FinalizeArtifact', after: 1, delayMs: 2000, mode: 'delay-only', status: 200})
    const from = service.requestLog().length
    const cancelled = await step(sc, {path: kept}, {}, child => {
      void waitFor(finalizeSeen(from, 2), 'the outputs Finalize').then(() => child.kill('SIGINT'))
    })
    assert.equal(cancelled.run.code, 1, cancelled.run.stdout)
    assert.deepEqual(live(sc, cancelled.runId).map(a => a.name.split('-')[1]).sort(), ['logs', 'outputs'])
    assert.match(cancelled.run.summary, /## ❌ Prancer export cancelled[\s\S]*\*\*Keep it\*\*/)
    // path holds the export whose watermark was uploaded
    const manifest = JSON.parse(await readFile(path.join(kept, 'outputs', 'manifest.json'), 'utf8'))
    assert.equal(manifest.counts.documents, 2)
    const next = await step(sc, {path: kept, 'if-no-documents': 'ignore'})
    assert.equal(next.run.code, 0, next.run.stdout)
    assert.equal(next.run.outputs.documents, '0')
  })

  it('hostile log names: a workflow command in a name stays text; a 300-character name gets a bounded file name', async () => {
    const sc = scenario('hostile')
    const seeded = await seedPrancerRun(server.uri, {database: sc.database, outputCollection: 'outputs', logsDatabase: sc.logsDatabase, container: 'aws', startMs: T, results: 5})
    const injected = 'logs_20990101000000_CRAWLER\n::error title=Owned::pwned\n##[error]pwned too'
    const long = `logs_${'x'.repeat(300)}`
    const client = new MongoClient(server.uri)
    try {
      await client.db(sc.logsDatabase).collection('logs').insertMany([
        {name: injected, index: 0, logs: [{msg: '::warning::from a record'}]},
        {name: long, index: 0, logs: []}
      ])
    } finally {
      await client.close()
    }
    const first = await step(sc, {logs: `${seeded.complianceLog},${long}`})
    assert.equal(first.run.code, 0, first.run.stdout)
    const second = await step(sc, {logs: 'new', since: 'all'})
    assert.equal(second.run.code, 0, second.run.stdout)
    for (const r of [first.run, second.run]) {
      assert.deepEqual(workflowCommands(r.stdout).filter(c => /pwned|from a record/.test(c.message + c.properties)), [], 'text from the database became a workflow command')
      // the names are table text: no line of the summary can start a command, and no HTML comes through
      assert.ok(!r.summary.split('\n').some(l => /^\s*(::|##\[)/.test(l)), r.summary)
      assert.doesNotMatch(r.summary, /<script/)
    }
    const logsManifest = async (runId: number) => {
      const logs = live(sc, runId).find(a => a.name.startsWith('prancer-logs-'))!
      const files = await readZip(logs.zip)
      return {files, manifest: JSON.parse(files.get('manifest.json')!.toString('utf8')) as {logs: Array<{name: string; file: string}>}}
    }
    const one = await logsManifest(first.runId)
    const longEntry = one.manifest.logs.find(l => l.name === long)!
    assert.ok(longEntry.file.length <= 130, longEntry.file)
    assert.ok(one.files.has(longEntry.file))
    const two = await logsManifest(second.runId)
    const injectedEntry = two.manifest.logs.find(l => l.name === injected)!
    assert.match(injectedEntry.file, /^[A-Za-z0-9._-]+$/)
    assert.ok(two.files.has(injectedEntry.file))
  })

  for (const [label, password] of [
    ['null', 'null'],
    ['the database name', 'DBNAME']
  ] as const) {
    it(`a password equal to ${label}: outputs stay valid and intact, the connection string never shows`, async () => {
      const sc = scenario(`password-${label.replace(/ /g, '-')}`)
      const secret = password === 'DBNAME' ? sc.database : password
      await seedPrancerRun(server.uri, {database: sc.database, outputCollection: 'outputs', logsDatabase: sc.logsDatabase, container: 'aws', startMs: T, results: 5})
      const dburl = `mongodb://prancer:${encodeURIComponent(secret)}@db.internal.example:27017/validator`
      const {run} = await step(sc, {path: path.join(work, `kept-${label.replace(/ /g, '-')}`)}, {DBURL: dburl})
      assert.equal(run.code, 0, run.stdout)
      const files = JSON.parse(run.outputs.files!) as Array<{database: string; artifact: string; localPath: string}>
      assert.ok(files.every(f => f.database === sc.database || f.database === sc.logsDatabase), run.outputs.files)
      assert.ok(files.every(f => f.artifact.includes(sc.database)), 'artifact names were masked')
      assert.ok(run.outputs['output-artifact-url']!.startsWith(`https://github.com/${sc.repository}/`))
      assert.match(run.summary, new RegExp(sc.database.replace(/_/g, '&#95;')))
      assert.deepEqual(leaks(dburl, run), [])
    })
  }
})
