// The real-Prancer tier: unmodified prancer-basic 3.1.1 (test/harness/prancer.ts) writes real runs into the test
// server, in every mode a team uses: FULL (crawl + compliance), FULL --compliance, SNAPSHOT, FULL --crawler and a FULL
// run with DBLOG_NAME. After each, dist/index.js runs as the Actions runner runs it (since: auto) against the local
// artifact service. Checked after each step, against the real mongoexport and against what Prancer really wrote:
// - every file is byte-identical to mongoexport with the filter (and sort) its manifest records;
// - every log written by the Prancer process whose outputs were exported is in that step's logs artifact (the logs a
//   process wrote are the ones that appeared in the database while it ran: the runs are sequential);
// - over the whole chain every output document is exported exactly once;
// - a SNAPSHOT run's output is reported as SNAPSHOT mode, not as unfinished;
// - the last outputs artifact restores (CLI, from the zip) to the same documents.
// Against FerretDB, Prancer runs with the documented shim (test/prancer/shim); against MONGODB_URI, unmodified.

import assert from 'node:assert/strict'
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'
import {MongoClient} from 'mongodb'
import type {Document} from 'mongodb'
import {ROOT, readZip, runAction, warningAnnotations} from '../../test/action-runner.ts'
import type {ActionRun} from '../../test/action-runner.ts'
import {assertLikeMongoexport, exportedIds, runNode} from '../../test/export-checks.ts'
import {startArtifactService} from '../../test/harness/artifact-service.ts'
import type {ArtifactService} from '../../test/harness/artifact-service.ts'
import {startTestServer, uniqueDbName} from '../../test/harness/mongo.ts'
import type {TestServer} from '../../test/harness/mongo.ts'
import {runMongoExport} from '../../test/harness/mongo-tools.ts'
import {ensurePeers} from '../../test/harness/peers.ts'
import {ensurePrancer, prepareScenario} from '../../test/harness/prancer.ts'
import {seedPrancerRun} from '../../test/prancer-run.ts'
import type {Scenario} from '../../test/harness/prancer.ts'
import type {Manifest} from '../../src/artifact/manifest.ts'

const REPOSITORY = 'octo-org/prancer-real'
let server: TestServer
let service: ArtifactService
let scenario: Scenario
let client: MongoClient
const database = uniqueDbName('validator')
const logsDatabase = uniqueDbName('prancerlogs')
let nextRunId = 9_100_000_001

before(async () => {
  const [peers, prancer] = await Promise.all([ensurePeers(), ensurePrancer()])
  console.log(`# prancer-basic ${prancer.version} (OPA ${prancer.opa}); ${peers.toolsVersion}`)
  ;[server, service] = await Promise.all([startTestServer(), startArtifactService()])
  scenario = await prepareScenario({uri: server.uri, serverKind: server.kind, database, logsDatabase})
  client = new MongoClient(server.uri)
})

after(async () => {
  await client?.close()
  await scenario?.remove()
  await service?.stop()
  await server?.stop()
})

async function logNames(): Promise<Set<string>> {
  return new Set((await client.db(logsDatabase).collection('logs').distinct('name')) as string[])
}

interface ChainStep {
  label: string
  run: ActionRun
  outputs: Map<string, Buffer>
  logs: Map<string, Buffer>
  outputsManifest: Manifest
  /** Logs that appeared while this step's prancer ran. */
  written: string[]
  exportedIds: string[]
}

const steps: ChainStep[] = []

/** One prancer invocation, then one workflow run of the action. */
async function prancerThenAction(label: string, args: string[], env?: Record<string, string>): Promise<ChainStep> {
  const before = await logNames()
  const prancer = await scenario.prancer(args, env)
  const written = [...(await logNames())].filter(name => !before.has(name)).sort()
  assert.ok(written.length > 0, `prancer ${args.join(' ')} wrote no log:\n${prancer.output.slice(-3000)}`)

  const runId = nextRunId++
  const runEnv = service.env({runId, repository: REPOSITORY})
  await mkdir(path.join(runEnv.GITHUB_WORKSPACE, 'prancer'), {recursive: true})
  await writeFile(path.join(runEnv.GITHUB_WORKSPACE, 'prancer', 'config.ini'), await readFile(scenario.configPath, 'utf8'))
  const run = await runAction({...runEnv, ...env}, {'mongodb-uri': server.uri, config: 'prancer/config.ini', 'if-no-documents': 'warn'})
  assert.equal(run.code, 0, `${label}: the action failed\n${run.stdout}\n${run.stderr}`)

  const stored = service.storedArtifacts().filter(a => a.repository === REPOSITORY && a.runId === String(runId) && !a.deleted)
  const outputsArtifact = stored.find(a => a.name.startsWith('prancer-outputs-'))
  const logsArtifact = stored.find(a => a.name.startsWith('prancer-logs-'))
  assert.ok(outputsArtifact, `${label}: no outputs artifact`)
  const outputs = await readZip(outputsArtifact.zip)
  const logs = logsArtifact ? await readZip(logsArtifact.zip) : new Map<string, Buffer>()
  const outputsManifest = await assertLikeMongoexport(outputs, server.uri)
  if (logsArtifact) await assertLikeMongoexport(logs, server.uri)
  const step: ChainStep = {label, run, outputs, logs, outputsManifest, written, exportedIds: exportedIds(outputs.get(outputsManifest.files[0]!.path)!)}
  steps.push(step)
  return step
}

function exportedLogNames(step: ChainStep): string[] {
  const manifest = step.logs.get('manifest.json')
  if (!manifest) return []
  return ((JSON.parse(manifest.toString('utf8')) as Manifest).logs ?? []).map(l => l.name).sort()
}

/** Every log the step's prancer process wrote is in the step's logs artifact. */
function assertWholeRunLogged(step: ChainStep): void {
  const exported = exportedLogNames(step)
  for (const name of step.written) assert.ok(exported.includes(name), `${step.label}: the log ${name} that this Prancer run wrote is missing from the logs artifact (exported: ${exported.join(', ')})`)
}

describe('real Prancer 3.1.1, every mode, each followed by the action (since: auto)', {concurrency: false}, () => {
  it('FULL (crawl + compliance): outputs and both logs of the run', async () => {
    const step = await prancerThenAction('FULL', ['--db', 'FULL', scenario.container])
    assert.equal(step.exportedIds.length, 2, 'a crawlerOutput and an output document')
    assert.deepEqual(step.written.map(n => n.replace(/^logs_\d{14}_/, '')).sort(), ['COMPLIANCE', 'CRAWLER'])
    assertWholeRunLogged(step)
    // The compliance results are in the _CRAWLER log (Prancer keeps its start-up logger), and that log is exported.
    const crawler = step.written.find(n => n.endsWith('_CRAWLER'))!
    const crawlerFile = [...step.logs.entries()].find(([name]) => name.startsWith(crawler))![1].toString('utf8')
    assert.match(crawlerFile, /RESULT: failed/)
  })

  it('FULL --compliance: the _CRAWLER log that holds the results is exported though no output names it', async () => {
    const step = await prancerThenAction('FULL --compliance', ['--db', 'FULL', scenario.container, '--compliance'])
    assert.equal(step.exportedIds.length, 1)
    const referenced = step.outputs.get(step.outputsManifest.files[0]!.path)!.toString('utf8')
    const crawler = step.written.find(n => n.endsWith('_CRAWLER'))!
    assert.ok(!referenced.includes(crawler), 'the output document itself does not name the _CRAWLER log')
    assertWholeRunLogged(step)
  })

  it('SNAPSHOT: its output stays "Running" for good; reported as SNAPSHOT mode, not as unfinished', async () => {
    const step = await prancerThenAction('SNAPSHOT', ['--db', 'SNAPSHOT', scenario.container])
    assert.equal(step.exportedIds.length, 1)
    assertWholeRunLogged(step)
    const running = step.outputsManifest.running as Array<{state: string}>
    assert.deepEqual(running.map(r => r.state), ['snapshot-mode'])
    assert.ok(!warningAnnotations(step.run).some(w => /still "Running"/.test(w)), step.run.stdout)
    assert.match(step.run.stdout, /::notice::1 exported outputs come from finished prancer --db SNAPSHOT runs/)
  })

  it('FULL --crawler: the crawler output and its log', async () => {
    const step = await prancerThenAction('FULL --crawler', ['--db', 'FULL', scenario.container, '--crawler'])
    assert.equal(step.exportedIds.length, 1)
    assertWholeRunLogged(step)
  })

  it('FULL --compliance with DBLOG_NAME: <name>_CRAWLER (the results) and <name>_COMPLIANCE', async () => {
    const step = await prancerThenAction('FULL --compliance with DBLOG_NAME', ['--db', 'FULL', scenario.container, '--compliance'], {DBLOG_NAME: `nightly_${process.pid}`})
    assert.deepEqual(step.written, [`nightly_${process.pid}_COMPLIANCE`, `nightly_${process.pid}_CRAWLER`])
    assertWholeRunLogged(step)
  })

  it('over the chain every output document was exported exactly once', async () => {
    assert.equal(steps.length, 5, 'needs the five runs above')
    const all = await runMongoExport(['--uri', server.uri, '--db', database, '--collection', 'outputs'])
    assert.equal(all.code, 0, all.stderr)
    const exported = steps.flatMap(s => s.exportedIds)
    assert.equal(new Set(exported).size, exported.length, 'a document was exported twice')
    assert.deepEqual([...exported].sort(), exportedIds(all.stdout).sort())
  })

  it('the last outputs artifact restores with the CLI to the same documents', async () => {
    const last = steps.at(-1)!
    const dir = await mkdtemp(path.join(os.tmpdir(), 'real-restore-'))
    try {
      const zip = path.join(dir, 'outputs.zip')
      const stored = service.storedArtifacts().find(a => a.id === Number(last.run.outputs['output-artifact-id']))!
      await writeFile(zip, stored.zip)
      const target = uniqueDbName('restored')
      const restored = await runNode([path.join(ROOT, 'dist', 'cli', 'index.js'), 'restore', zip, '--uri', server.uri, '--db', target])
      assert.equal(restored.code, 0, restored.output)
      const again = await runMongoExport(['--uri', server.uri, '--db', target, '--collection', 'outputs', '--sort', '{"_id": 1}'])
      const original = await runMongoExport(['--uri', server.uri, '--db', database, '--collection', 'outputs', '--query', last.outputsManifest.files[0]!.filter, '--sort', '{"_id": 1}'])
      assert.equal(again.stdout.toString('utf8'), original.stdout.toString('utf8'))
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  })
})


/**
 * The shape of a document: key order and BSON type of every field, arrays by the set of their elements' shapes.
 * Values that differ from run to run (ids, times, counts) do not count; names and types do.
 */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return ['array', [...new Set(value.map(v => JSON.stringify(shape(v))))].sort()]
  if (value !== null && typeof value === 'object') {
    const bsontype = (value as {_bsontype?: string})._bsontype
    if (bsontype) return bsontype
    return Object.entries(value as Document).map(([k, v]) => [k, shape(v)])
  }
  return typeof value
}

describe('the seeded fixtures of the other tests have the shapes real Prancer writes', () => {
  it('outputs and logs of test/prancer-run.ts equal a fresh real FULL run in key order and BSON types', async () => {
    const realDb = uniqueDbName('validator')
    const realLogs = uniqueDbName('prancerlogs')
    const fresh = await prepareScenario({uri: server.uri, serverKind: server.kind, database: realDb, logsDatabase: realLogs})
    const seededDb = uniqueDbName('seeded')
    const seededLogs = uniqueDbName('seededlogs')
    try {
      await fresh.prancer(['--db', 'FULL', fresh.container])
      await seedPrancerRun(server.uri, {database: seededDb, outputCollection: 'outputs', logsDatabase: seededLogs, container: fresh.container, startMs: Date.now() - 60_000, results: 7})
      const read = async (db: string, collection: string, sort: Document) =>
        client.db(db).collection(collection).find({}, {sort, promoteValues: false, promoteLongs: false}).toArray()
      const [realOutputs, seededOutputs] = await Promise.all([read(realDb, 'outputs', {timestamp: 1}), read(seededDb, 'outputs', {timestamp: 1})])
      assert.deepEqual(seededOutputs.map(shape), realOutputs.map(shape))
      const byKind = (docs: Document[]) => Object.fromEntries(['CRAWLER', 'COMPLIANCE'].map(kind => [kind, JSON.stringify(docs.filter(d => String(d.name).endsWith(kind)).map(shape)[0])]))
      const [realLogDocs, seededLogDocs] = await Promise.all([read(realLogs, 'logs', {name: 1, index: 1}), read(seededLogs, 'logs', {name: 1, index: 1})])
      assert.deepEqual(byKind(seededLogDocs), byKind(realLogDocs))
      // Where the results are logged: the _CRAWLER log, as in the real run.
      const crawlerText = (docs: Document[]) => JSON.stringify(docs.filter(d => String(d.name).endsWith('_CRAWLER')))
      assert.match(crawlerText(realLogDocs), /RESULT: failed/)
      assert.match(crawlerText(seededLogDocs), /RESULT: failed/)
    } finally {
      await fresh.remove()
    }
  })
})
