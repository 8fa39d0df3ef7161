// End to end: dist/index.js (as committed) run as the Actions runner runs it, against FerretDB (or
// MONGODB_URI), the local artifact service and the unmodified @actions/artifact client. Data files
// are checked against mongoexport's output for the same query, digests against the step outputs,
// and every run is scanned for the connection strings' password.

import assert from 'node:assert/strict'
import {existsSync} from 'node:fs'
import {mkdir, mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'
import {MongoClient} from 'mongodb'
import {THREADED_PARSE_MIN_BYTES} from '../../src/jobs/restore/json.ts'
import {DIST, ROOT, errorAnnotations, leaks, maskedBefore, readZip, runAction, warningAnnotations} from '../../test/action-runner.ts'
import type {ActionRun} from '../../test/action-runner.ts'
import {startArtifactService} from '../../test/harness/artifact-service.ts'
import type {ArtifactService, RunEnv, StoredArtifact} from '../../test/harness/artifact-service.ts'
import {startTestServer, uniqueDbName} from '../../test/harness/mongo.ts'
import {runMongoExport, runMongoImport} from '../../test/harness/mongo-tools.ts'
import {ensurePeers} from '../../test/harness/peers.ts'
import {assertLikeMongoexport as assertLikeMongoexportAt, exportedIds, runNode, sha256} from '../../test/export-checks.ts'
import {prancerConfigIni, seedPrancerRun} from '../../test/prancer-run.ts'
import type {SeededRun} from '../../test/prancer-run.ts'
import type {Manifest} from '../../src/artifact/manifest.ts'

// Distinctive, with characters that must be percent-encoded in a URI.
const PASSWORD = 'Pr4ncer:T0p/S3cret@x%y'
const ENCODED = encodeURIComponent(PASSWORD)
// Registered as secrets but never used to connect (the mongodb-uri input wins), so they work with any server.
const DBURL = `mongodb://prancer:${ENCODED}@db.internal.example:27017/validator?authSource=admin`
const CONFIG_DBURL = `mongodb://legacy:${ENCODED}@10.0.0.9:27017/validator`

const CLI = path.join(ROOT, 'src', 'cli', 'index.ts')

let server: {uri: string; kind: string; stop(): Promise<void>}
let service: ArtifactService
let nextRunId = 7_300_000_001

before(async () => {
  assert.ok(existsSync(DIST), `${DIST} is missing: run npm run bundle`)
  const peers = await ensurePeers()
  console.log(`# mongo tools: ${peers.toolsKind}`)
  ;[server, service] = await Promise.all([startTestServer(), startArtifactService()])
})

after(async () => {
  await service?.stop()
  await server?.stop()
})

interface Scenario {
  repository: string
  database: string
  logsDatabase: string
  /** config.ini text; default: Prancer's shipped file for these databases, with a legacy dburl. */
  config?: string
}

function scenario(name: string): Scenario {
  return {repository: `octo-org/${name}`, database: uniqueDbName('validator'), logsDatabase: uniqueDbName('whitekite')}
}

function defaultConfig(sc: Scenario): string {
  return sc.config ?? prancerConfigIni({database: sc.database, outputCollection: 'outputs', logsDatabase: sc.logsDatabase, dburl: CONFIG_DBURL})
}

async function seed(sc: Scenario, startMs: number, container = 'aws-prod'): Promise<SeededRun> {
  return seedPrancerRun(server.uri, {database: sc.database, outputCollection: 'outputs', logsDatabase: sc.logsDatabase, container, startMs, results: 12})
}

interface Step {
  run: ActionRun
  env: RunEnv
  runId: number
}

/** One workflow step using the action: config.ini in the workspace, DBURL in the job env. */
async function step(sc: Scenario, inputs: Record<string, string> = {}, options: {runId?: number; runAttempt?: number} = {}): Promise<Step> {
  const runId = options.runId ?? nextRunId++
  const env = service.env({runId, runAttempt: options.runAttempt, repository: sc.repository})
  await mkdir(path.join(env.GITHUB_WORKSPACE, 'prancer'), {recursive: true})
  await writeFile(path.join(env.GITHUB_WORKSPACE, 'prancer', 'config.ini'), defaultConfig(sc))
  const run = await runAction({...env, DBURL}, {'mongodb-uri': server.uri, config: 'prancer/config.ini', ...inputs})
  return {run, env, runId}
}

function live(sc: Scenario): StoredArtifact[] {
  return service.storedArtifacts().filter(a => a.repository === sc.repository && !a.deleted)
}

function defaultName(kind: 'outputs' | 'logs', sc: Scenario, runId: number, attempt = 1, container = 'all'): string {
  return `prancer-${kind}-${sc.database}-outputs-${container}-export-${runId}-${attempt}`
}

/** Fails with every place the password shows up: logs, outputs, summary, artifact contents, requests seen by the service. */
async function assertNoLeak(step: Step): Promise<void> {
  const extra: Array<[string, string | Buffer]> = []
  for (const a of service.storedArtifacts()) {
    for (const [name, data] of await readZip(a.zip)) extra.push([`artifact ${a.name}: ${name}`, data])
  }
  for (const r of service.requestLog()) extra.push([`request ${r.method} ${r.url}`, `${r.url}\n${r.body}`])
  assert.deepEqual(leaks(PASSWORD, step.run, extra), [])
}

/** The step failed cleanly: exit code, annotation, nothing uploaded, no watermark, failure summary. */
async function assertFailed(step: Step, sc: Scenario, message: RegExp): Promise<void> {
  assert.equal(step.run.code, 1, step.run.stdout)
  const errors = errorAnnotations(step.run)
  assert.equal(errors.length, 1, step.run.stdout)
  assert.match(errors[0]!, message)
  assert.deepEqual(live(sc).filter(a => a.runId === String(step.runId)), [], 'an artifact of the failed run is still uploaded')
  assert.equal(step.run.outputs.watermark, undefined)
  assert.match(step.run.summary, /## ❌ Prancer export failed/)
  assert.deepEqual(await readdir(step.env.RUNNER_TEMP), [], 'temporary files left behind')
  await assertNoLeak(step)
}

/** Downloads an artifact through the client (its own unzip), checking the digest the step output gave. */
async function download(env: RunEnv, id: number, digestHex: string): Promise<Map<string, Buffer>> {
  Object.assign(process.env, env)
  const {DefaultArtifactClient} = await import('@actions/artifact')
  const dir = await mkdtemp(path.join(os.tmpdir(), 'download-'))
  try {
    const result = await new DefaultArtifactClient().downloadArtifact(id, {path: dir, expectedHash: `sha256:${digestHex}`})
    assert.equal(result.digestMismatch, false)
    const files = new Map<string, Buffer>()
    for (const entry of await readdir(dir, {recursive: true, withFileTypes: true})) {
      if (entry.isFile()) files.set(path.relative(dir, path.join(entry.parentPath, entry.name)), await readFile(path.join(entry.parentPath, entry.name)))
    }
    return files
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}

async function assertLikeMongoexport(files: Map<string, Buffer>): Promise<Manifest> {
  return assertLikeMongoexportAt(files, server.uri)
}

async function closedPort(): Promise<number> {
  const probe = net.createServer()
  await new Promise<void>(resolve => probe.listen(0, '127.0.0.1', () => resolve()))
  const port = (probe.address() as net.AddressInfo).port
  await new Promise(resolve => probe.close(resolve))
  return port
}

describe('dist/index.js: export and upload', () => {
  const sc = scenario('e2e-main')
  let first: Step
  let firstRun: SeededRun
  let lastWatermark = ''

  it('uploads the outputs and the logs; the files equal mongoexport output and the digests the outputs', async () => {
    firstRun = await seed(sc, Date.now() - 3_600_000)
    first = await step(sc)
    const {run} = first
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`)

    const artifacts = live(sc)
    assert.deepEqual(artifacts.map(a => a.name).sort(), [defaultName('logs', sc, first.runId), defaultName('outputs', sc, first.runId)])
    const outputsArtifact = artifacts.find(a => a.name.startsWith('prancer-outputs-'))!
    const logsArtifact = artifacts.find(a => a.name.startsWith('prancer-logs-'))!
    assert.equal(run.outputs['output-artifact-id'], String(outputsArtifact.id))
    assert.equal(`sha256:${run.outputs['output-artifact-digest']}`, outputsArtifact.digest)
    assert.equal(run.outputs['output-artifact-url'], `https://github.com/${sc.repository}/actions/runs/${first.runId}/artifacts/${outputsArtifact.id}`)
    assert.equal(run.outputs['logs-artifact-id'], String(logsArtifact.id))
    assert.equal(`sha256:${run.outputs['logs-artifact-digest']}`, logsArtifact.digest)
    assert.equal(run.outputs.documents, '2')
    assert.equal(run.outputs.watermark, String(firstRun.timestamps[1]))
    assert.deepEqual(JSON.parse(run.outputs['log-runs']!).sort(), [firstRun.complianceLog, firstRun.crawlerLog].sort())

    const outputsFiles = await download(first.env, outputsArtifact.id, run.outputs['output-artifact-digest']!)
    const logsFiles = await download(first.env, logsArtifact.id, run.outputs['logs-artifact-digest']!)
    const outputsManifest = await assertLikeMongoexport(outputsFiles)
    const logsManifest = await assertLikeMongoexport(logsFiles)
    assert.deepEqual(exportedIds(outputsFiles.get(outputsManifest.files[0]!.path)!).sort(), firstRun.outputIds.map(id => id.toHexString()).sort())
    assert.equal(logsManifest.files.reduce((n, f) => n + f.documents, 0), 3)

    // The stored zips, read independently of the client's unzip, hold the same files.
    for (const [artifact, files] of [
      [outputsArtifact, outputsFiles],
      [logsArtifact, logsFiles]
    ] as const) {
      assert.deepEqual(await readZip(artifact.zip), files)
    }

    const listed = JSON.parse(run.outputs.files!) as Array<{kind: string; path: string; artifact: string; sha256: string; documents: number}>
    assert.deepEqual(
      listed.map(f => [f.kind, f.artifact, f.sha256]).sort(),
      [
        ...outputsManifest.files.map(f => ['outputs', outputsArtifact.name, f.sha256]),
        ...logsManifest.files.map(f => ['logs', logsArtifact.name, f.sha256])
      ].sort()
    )

    assert.match(run.summary, /## Prancer results exported: 2 documents/)
    assert.match(run.summary, new RegExp(`\\*\\*${firstRun.failed} failed\\*\\* · ${firstRun.passed} passed${firstRun.skipped > 0 ? ` · ${firstRun.skipped} skipped` : ''}\\n`))
    assert.ok(run.summary.includes(`(${run.outputs['output-artifact-url']})`))
    // One log group per phase.
    const groups = run.stdout.split('\n').filter(l => l.startsWith('::group::'))
    for (const g of ['Configuration', 'Connect', 'Export outputs', 'Export logs', 'Upload artifacts']) assert.ok(groups.includes(`::group::${g}`), groups.join(', '))
    assert.deepEqual(await readdir(first.env.RUNNER_TEMP), [])
    await assertNoLeak(first)
    // Both unused connection strings were masked before anything else was printed.
    for (const secret of [DBURL, ENCODED, PASSWORD]) assert.deepEqual(maskedBefore(run, secret), {masked: true, linesBefore: 0}, secret)
  })

  it('the outputs artifact zip restores with the CLI into an empty database, identical to what was exported', {skip: existsSync(CLI) ? false : `${CLI} does not exist yet`}, async () => {
    assert.ok(first, 'needs the first test')
    const stored = service.storedArtifacts().find(a => a.id === Number(first.run.outputs['output-artifact-id']))!
    const dir = await mkdtemp(path.join(os.tmpdir(), 'restore-'))
    try {
      const zipPath = path.join(dir, 'outputs.zip')
      await writeFile(zipPath, stored.zip)
      const target = uniqueDbName('restored')
      const restore = await runNode([CLI, 'restore', zipPath, '--uri', server.uri, '--db', target])
      assert.equal(restore.code, 0, restore.output)
      const files = await readZip(stored.zip)
      const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as Manifest
      const exported = files.get(manifest.files[0]!.path)!
      const again = await runMongoExport(['--uri', server.uri, '--db', target, '--collection', 'outputs'])
      assert.equal(again.code, 0, again.stderr)
      const lines = (b: Buffer) => b.toString('utf8').split('\n').filter(l => l !== '').sort()
      assert.deepEqual(lines(again.stdout), lines(exported))
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  })

  it('since: auto — the next run uploads only the documents added since', async () => {
    assert.ok(first, 'needs the first test')
    const secondRun = await seed(sc, Date.now() - 600_000)
    const second = await step(sc)
    const {run} = second
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`)
    assert.equal(run.outputs.documents, '2')
    assert.equal(run.outputs.watermark, String(secondRun.timestamps[1]))
    lastWatermark = run.outputs.watermark!
    assert.deepEqual(JSON.parse(run.outputs['log-runs']!).sort(), [secondRun.complianceLog, secondRun.crawlerLog].sort())
    assert.match(run.stdout, new RegExp(`Previous export: artifact "${defaultName('outputs', sc, first.runId)}"`))
    // the summary makes names inert Markdown (an underscore is written &#95;, a quote &#34;)
    assert.match(run.summary, new RegExp(`since&#58; auto; manifest of artifact &#34;${defaultName('outputs', sc, first.runId).replace(/_/g, '&#95;')}&#34; from run ${first.runId}`))

    const files = await download(second.env, Number(run.outputs['output-artifact-id']), run.outputs['output-artifact-digest']!)
    const manifest = await assertLikeMongoexport(files)
    const ids = exportedIds(files.get(manifest.files[0]!.path)!)
    assert.deepEqual(ids.sort(), secondRun.outputIds.map(id => id.toHexString()).sort())
    // Together the two artifacts hold the collection, each document once.
    const all = await runMongoExport(['--uri', server.uri, '--db', sc.database, '--collection', 'outputs'])
    assert.deepEqual([...firstRun.outputIds, ...secondRun.outputIds].map(id => id.toHexString()).sort(), exportedIds(all.stdout).sort())
    await assertNoLeak(second)
  })

  it('since: auto with no document added uploads an empty export that keeps the watermark', async () => {
    assert.ok(lastWatermark, 'needs the previous test')
    const third = await step(sc, {'if-no-documents': 'warn'})
    assert.equal(third.run.code, 0, third.run.stdout)
    assert.equal(third.run.outputs.documents, '0')
    assert.ok(warningAnnotations(third.run).some(w => /No output documents to export/.test(w)), third.run.stdout)
    assert.equal(third.run.outputs.watermark, lastWatermark)
    assert.equal(third.run.outputs['output-artifact-id'] !== '', true)
  })

  it('upload: false keeps canonical files under path, filtered by container and query, and uploads nothing', async () => {
    const s = scenario('e2e-no-upload')
    const wanted = await seed(s, Date.now() - 120_000, 'aws-prod')
    await seed(s, Date.now() - 60_000, 'azure-prod')
    const kept = await step(s, {upload: 'false', path: 'export', since: 'all', 'json-format': 'canonical', container: 'aws-prod', query: '{"type": "output"}'})
    assert.equal(kept.run.code, 0, kept.run.stdout)
    assert.deepEqual(live(s), [])
    assert.equal(kept.run.outputs['output-artifact-id'], '')
    assert.equal(kept.run.outputs.documents, '1')
    const dir = path.join(kept.env.GITHUB_WORKSPACE, 'export', 'outputs')
    const files = new Map<string, Buffer>()
    for (const name of await readdir(dir)) files.set(name, await readFile(path.join(dir, name)))
    const manifest = await assertLikeMongoexport(files)
    assert.equal(manifest.files[0]!.jsonFormat, 'canonical')
    assert.deepEqual(exportedIds(files.get(manifest.files[0]!.path)!), [wanted.outputIds[1]!.toHexString()])
    const listed = JSON.parse(kept.run.outputs.files!) as Array<{localPath: string; sha256: string}>
    for (const f of listed) {
      assert.ok(f.localPath.startsWith(path.join(kept.env.GITHUB_WORKSPACE, 'export')), f.localPath)
      assert.equal(sha256(await readFile(f.localPath)), f.sha256)
    }
    assert.match(kept.run.summary, /not uploaded; files in <code>.*\/export\/outputs<\/code>/)
    await assertNoLeak(kept)
  })

  it('since: auto without permission to read artifacts falls back to a full export with a notice', async () => {
    const s = scenario('e2e-no-permission')
    await seed(s, Date.now() - 60_000)
    await step(s)
    service.setActionsPermission(false)
    try {
      const again = await step(s)
      assert.equal(again.run.code, 0, again.run.stdout)
      assert.match(again.run.stdout, /::notice::since: auto could not list this repository's artifacts \(HTTP 403\); the job token needs 'actions: read'/)
      assert.equal(again.run.outputs.documents, '2')
    } finally {
      service.setActionsPermission(true)
    }
  })
  it('since: auto with an unusable earlier artifact fails and says how to start over', async () => {
    const sc = scenario('e2e-bad-previous')
    await seed(sc, Date.now() - 60_000)
    // An earlier run uploaded an artifact of the same name family whose manifest is not ours.
    const earlierRun = nextRunId++
    const earlierEnv = service.env({runId: earlierRun, repository: sc.repository})
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bad-previous-'))
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify({tool: 'mongodump', files: []}))
    Object.assign(process.env, earlierEnv)
    const {DefaultArtifactClient} = await import('@actions/artifact')
    await new DefaultArtifactClient().uploadArtifact(defaultName('outputs', sc, earlierRun), [path.join(dir, 'manifest.json')], dir)
    await rm(dir, {recursive: true, force: true})

    const s = await step(sc)
    await assertFailed(
      s,
      sc,
      new RegExp(`The previous artifact "${defaultName('outputs', sc, earlierRun)}" \\(run ${earlierRun}\\) cannot be used: .*is not a prancer-db-artifacts manifest\\. Set 'since: all' or a time`)
    )
    // since: all starts a new chain regardless.
    const restart = await step(sc, {since: 'all'})
    assert.equal(restart.run.code, 0, restart.run.stdout)
  })
})

describe('dist/index.js: failures', () => {
  it('unreachable server: fails with the host, uploads nothing, leaks no password', async () => {
    const sc = scenario('e2e-unreachable')
    const port = await closedPort()
    const s = await step(sc, {'mongodb-uri': `mongodb://admin:${ENCODED}@127.0.0.1:${port}/validator?authSource=admin`})
    await assertFailed(s, sc, new RegExp(`Cannot connect to MongoDB at 127\\.0\\.0\\.1:${port} \\(connection string from input mongodb-uri\\)`))
    assert.deepEqual(maskedBefore(s.run, ENCODED), {masked: true, linesBefore: 0})
  })

  it('missing config.ini', async () => {
    const sc = scenario('e2e-no-config')
    const s = await step(sc, {config: 'nowhere/config.ini'})
    await assertFailed(s, sc, /config\.ini not found\. Tried: .*nowhere\/config\.ini/)
  })

  it('config.ini without [MONGODB] OUTPUT', async () => {
    const sc = scenario('e2e-no-output-key')
    sc.config = defaultConfig(sc).replace(/^OUTPUT = outputs\n/m, '')
    const s = await step(sc)
    await assertFailed(s, sc, /config\.ini: section \[MONGODB\] has no OUTPUT value/)
  })

  it('invalid input: fails before connecting, naming the input', async () => {
    const sc = scenario('e2e-bad-input')
    const s = await step(sc, {'if-no-documents': 'fail', 'mongodb-uri': `mongodb://admin:${ENCODED}@127.0.0.1:1/`})
    await assertFailed(s, sc, /^Input 'if-no-documents': "fail" is not accepted; accepted: warn, error, ignore$/)
    assert.doesNotMatch(s.run.stdout, /::group::Connect/)
  })

  for (const mode of ['warn', 'ignore', 'error'] as const) {
    it(`empty collection with if-no-documents: ${mode}`, async () => {
      const sc = scenario(`e2e-empty-${mode}`)
      const client = new MongoClient(server.uri)
      try {
        await client.db(sc.database).createCollection('outputs')
      } finally {
        await client.close()
      }
      const s = await step(sc, {'if-no-documents': mode})
      const warned = warningAnnotations(s.run).some(w => /No output documents to export/.test(w))
      if (mode === 'error') {
        await assertFailed(s, sc, /No output documents to export from .*\.outputs in this window \(if-no-documents: error\)\. Nothing was uploaded\./)
        return
      }
      assert.equal(s.run.code, 0, s.run.stdout)
      assert.equal(warned, mode === 'warn')
      assert.equal(s.run.outputs.documents, '0')
      // The manifest is uploaded so the next run continues the chain; there are no logs to upload.
      assert.deepEqual(live(sc).map(a => a.name), [defaultName('outputs', sc, s.runId)])
      await assertNoLeak(s)
    })
  }

  it('name conflict: the message names the input; found before any upload, so nothing of the step is uploaded', async () => {
    const sc = scenario('e2e-conflict')
    await seed(sc, Date.now() - 60_000)
    const names = {'output-artifact-name': 'results-{job}', 'logs-artifact-name': 'logs-{job}-{run_id}'}
    const first = await step(sc, names)
    assert.equal(first.run.code, 0, first.run.stdout)
    const before = live(sc).map(a => a.id)

    // A second step of the same job: its logs name is free, its outputs name is taken.
    const second = await step(sc, {...names, 'logs-artifact-name': 'logs-{job}-{run_id}-again', since: 'all'}, {runId: first.runId})
    assert.equal(second.run.code, 1)
    assert.match(
      errorAnnotations(second.run)[0]!,
      /An artifact named "results-export" already exists in this workflow run\. Give this job its own name with the input 'output-artifact-name' \(for example add \{job\} or \{container\}\), or set 'overwrite: true' to replace it\./
    )
    assert.deepEqual(live(sc).map(a => a.id), before, 'the second step left an artifact behind')
    // the names were checked against the run's artifacts first: its logs artifact was never uploaded
    assert.ok(!service.storedArtifacts().some(a => a.name === `logs-export-${first.runId}-again`))
    await assertNoLeak(second)

    // overwrite: true replaces both.
    const third = await step(sc, {...names, overwrite: 'true', since: 'all'}, {runId: first.runId})
    assert.equal(third.run.code, 0, third.run.stdout)
    const after = live(sc)
    assert.deepEqual(after.map(a => a.name).sort(), [`logs-export-${first.runId}`, 'results-export'])
    assert.ok(after.every(a => !before.includes(a.id)))
    assert.equal(third.run.outputs['output-artifact-id'], String(after.find(a => a.name === 'results-export')!.id))
    await assertNoLeak(third)
  })

  it('artifact service errors: a refused CreateArtifact or FinalizeArtifact uploads nothing', async () => {
    const sc = scenario('e2e-service-errors')
    await seed(sc, Date.now() - 60_000)
    service.failNext({method: 'CreateArtifact', status: 400, body: {code: 'invalid_argument', msg: 'storage quota exceeded'}})
    const create = await step(sc)
    await assertFailed(create, sc, /Uploading the artifact "prancer-logs-.*" failed: .*\(400\) Bad Request: storage quota exceeded/)

    service.failNext({method: 'FinalizeArtifact', status: 400, body: {code: 'invalid_argument', msg: 'hash mismatch'}})
    const finalize = await step(sc)
    await assertFailed(finalize, sc, /Uploading the artifact "prancer-logs-.*" failed: .*hash mismatch/)
  })

  it('retention-days above the repository limit is lowered with a warning', async () => {
    const sc = scenario('e2e-retention')
    await seed(sc, Date.now() - 60_000)
    const s = await step(sc, {'retention-days': '30'}, {})
    assert.equal(s.run.code, 0, s.run.stdout)
    // env() sets GITHUB_RETENTION_DAYS=90: 30 is kept
    assert.deepEqual(warningAnnotations(s.run).filter(w => w.includes('retention')), [])
    const env = service.env({runId: nextRunId++, repository: sc.repository, retentionDays: 5})
    await mkdir(path.join(env.GITHUB_WORKSPACE, 'prancer'), {recursive: true})
    await writeFile(path.join(env.GITHUB_WORKSPACE, 'prancer', 'config.ini'), defaultConfig(sc))
    const clamped = await runAction(env, {'mongodb-uri': server.uri, config: 'prancer/config.ini', 'retention-days': '30', since: 'all'})
    assert.equal(clamped.code, 0, clamped.stdout)
    assert.ok(warningAnnotations(clamped).includes(`Input 'retention-days' (30) is above this repository's artifact retention limit; using 5 days.`), clamped.stdout)
    const expires = live(sc).filter(a => a.runId === env.GITHUB_RUN_ID).map(a => a.expiresAt.getTime() - a.createdAt.getTime())
    assert.equal(expires.length, 2)
    for (const ms of expires) assert.ok(Math.abs(ms - 5 * 86_400_000) < 2 * 86_400_000, `expires after ${ms} ms`)
  })
})

describe('dist/index.js: kept files, names, missing collection', () => {
  const escapeRe = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')

  it('path: a directory this action did not write is never replaced; the step fails naming it and the input', async () => {
    const sc = scenario('e2e-foreign-path')
    await seed(sc, Date.now() - 60_000)
    const target = await mkdtemp(path.join(os.tmpdir(), 'foreign-path-'))
    try {
      await mkdir(path.join(target, 'outputs'))
      await writeFile(path.join(target, 'outputs', 'notes.txt'), 'mine')
      const s = await step(sc, {upload: 'false', path: target, since: 'all'})
      assert.equal(s.run.code, 1, s.run.stdout)
      assert.match(errorAnnotations(s.run)[0]!, new RegExp(`^Input 'path': ${escapeRe(path.join(target, 'outputs'))} already exists and was not written by prancer-db-artifacts`))
      assert.equal(await readFile(path.join(target, 'outputs', 'notes.txt'), 'utf8'), 'mine')
      assert.deepEqual(await readdir(target), ['outputs'])
      assert.doesNotMatch(s.run.stdout, /::group::Connect/)
    } finally {
      await rm(target, {recursive: true, force: true})
    }
  })

  it('path with upload: a failed upload puts path back as it was, so it keeps no watermark that was not uploaded', async () => {
    const sc = scenario('e2e-kept-rollback')
    await seed(sc, Date.now() - 120_000)
    const target = await mkdtemp(path.join(os.tmpdir(), 'kept-rollback-'))
    try {
      const names = {'output-artifact-name': 'kept-{job}', 'logs-artifact-name': 'kept-logs-{job}-{run_id}', path: target}
      const first = await step(sc, names)
      assert.equal(first.run.code, 0, first.run.stdout)
      const kept = await readFile(path.join(target, 'outputs', 'manifest.json'))
      await seed(sc, Date.now() - 60_000)
      // Same run, same outputs name: the outputs upload fails after the files were kept.
      const second = await step(sc, {...names, 'logs-artifact-name': 'kept-logs-{job}-{run_id}-again', since: 'all'}, {runId: first.runId})
      assert.equal(second.run.code, 1, second.run.stdout)
      assert.match(errorAnnotations(second.run)[0]!, /An artifact named "kept-export" already exists/)
      assert.ok((await readFile(path.join(target, 'outputs', 'manifest.json'))).equals(kept), 'the kept manifest changed although the upload failed')
      assert.deepEqual((await readdir(target)).sort(), ['logs', 'outputs'])
      assert.match(second.run.summary, /Nothing from this run is uploaded and the watermark did not advance/)
      assert.deepEqual(live(sc).map(a => a.name).sort(), ['kept-export', `kept-logs-export-${first.runId}`])
    } finally {
      await rm(target, {recursive: true, force: true})
    }
  })

  it('artifact names that expand to the same name are refused before connecting', async () => {
    const sc = scenario('e2e-same-names')
    const s = await step(sc, {'output-artifact-name': 'same-{container}', 'logs-artifact-name': 'same-all'})
    await assertFailed(s, sc, /^Input 'logs-artifact-name': expands to "same-all", the same name as output-artifact-name/)
    assert.doesNotMatch(s.run.stdout, /::group::Connect/)
  })

  it('if-no-documents: ignore with a missing collection gives a notice, not a warning', async () => {
    const sc = scenario('e2e-missing-ignore')
    const s = await step(sc, {'if-no-documents': 'ignore', since: 'all'})
    assert.equal(s.run.code, 0, s.run.stdout)
    assert.deepEqual(warningAnnotations(s.run), [])
    assert.match(s.run.stdout, /::notice::The collection .*\.outputs does not exist/)
    const warned = await step(sc, {'if-no-documents': 'warn', since: 'all'})
    assert.ok(warningAnnotations(warned.run).some(w => /^The collection .*\.outputs does not exist/.test(w)), warned.run.stdout)
  })
})

describe('dist/index.js: a large export', () => {
  it('outputs of several MiB go through the worker threads (dist/workers) and still equal mongoexport output', async () => {
    const sc = scenario('e2e-large')
    // Four runs, each with an output of 1,500 results (~1.2 MB of JSON): the first MiB is converted on the main
    // thread, the documents after it by the converter threads.
    for (let i = 0; i < 4; i++) {
      await seedPrancerRun(server.uri, {database: sc.database, outputCollection: 'outputs', logsDatabase: sc.logsDatabase, container: `aws-prod-${i}`, startMs: Date.now() - 3_600_000 + i * 60_000, results: 1500})
    }
    const large = await step(sc)
    assert.equal(large.run.code, 0, `${large.run.stdout}\n${large.run.stderr}`)
    const artifact = live(sc).find(a => a.name.startsWith('prancer-outputs-'))!
    const files = await download(large.env, artifact.id, large.run.outputs['output-artifact-digest']!)
    const manifest = await assertLikeMongoexport(files)
    assert.ok(manifest.files[0]!.bytes > 3 << 20, `the export is ${manifest.files[0]!.bytes} bytes, too small to reach the threads`)
    assert.deepEqual(await readdir(large.env.RUNNER_TEMP), [])
    await assertNoLeak(large)

    // The bundled CLI restores it with its parser thread (dist/workers too), to the same documents as mongoimport.
    assert.ok(manifest.files[0]!.bytes >= THREADED_PARSE_MIN_BYTES, `${manifest.files[0]!.bytes} bytes do not reach the restore's parser thread`)
    const dir = await mkdtemp(path.join(os.tmpdir(), 'restore-large-'))
    try {
      const file = path.join(dir, 'outputs.json')
      await writeFile(file, files.get(manifest.files[0]!.path)!)
      const ours = uniqueDbName('restored_large')
      const tool = uniqueDbName('restored_large_tool')
      const restored = await runNode([path.join(ROOT, 'dist', 'cli', 'index.js'), 'restore', file, '--uri', server.uri, '--db', ours, '--collection', 'outputs', '--mode', 'insert'])
      assert.equal(restored.code, 0, restored.output)
      const imported = await runMongoImport(['--uri', server.uri, '--db', tool, '--collection', 'outputs', '--mode', 'insert', '--file', file])
      assert.equal(imported.code, 0, imported.stderr)
      const client = await new MongoClient(server.uri).connect()
      try {
        const raw = async (db: string): Promise<string[]> =>
          (await client.db(db).collection('outputs').find({}, {raw: true, sort: {_id: 1}}).toArray()).map(d => Buffer.from(d as unknown as Uint8Array).toString('hex'))
        const restoredDocs = await raw(ours)
        assert.equal(restoredDocs.length, manifest.files[0]!.documents)
        assert.deepEqual(restoredDocs, await raw(tool))
      } finally {
        await client.close()
      }
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  })
})
