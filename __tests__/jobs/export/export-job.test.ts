// runExportJob on a real server (FerretDB, or MONGODB_URI) seeded like a Prancer FULL run: outputs and
// crawler outputs, logs in both layouts with chunked `index` documents. Files are compared byte for byte
// with mongoexport run on the same filter.
import {after, before, test} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Double, Int32, Long, ObjectId} from 'bson'
import {MongoClient} from 'mongodb'
import type {Document} from 'mongodb'
import {runExportJob} from '../../../src/jobs/export/export-job.ts'
import type {ExportJobOptions} from '../../../src/jobs/export/types.ts'
import type {Logger} from '../../../src/common/log.ts'
import {startTestServer, uniqueDbName} from '../../../test/harness/mongo.ts'
import type {TestServer} from '../../../test/harness/mongo.ts'
import {runMongoExport} from '../../../test/harness/mongo-tools.ts'
import type {Manifest} from '../../../src/artifact/manifest.ts'
import type {LogsSpec} from '../../../src/prancer/logs-spec.ts'
import type {SinceSpec} from '../../../src/prancer/since.ts'

let server: TestServer
let client: MongoClient
let work: string
const dbName = uniqueDbName('prancerjob')
const logsDbName = uniqueDbName('prancerlogs')

function logger(): Logger & {lines: string[]; secrets: string[]; firstLogAfterSecrets: boolean} {
  const lines: string[] = []
  const secrets: string[] = []
  return {
    lines,
    secrets,
    // true while every call so far was secret(): becomes false at the first log line
    firstLogAfterSecrets: true,
    debug: m => void lines.push(`debug ${m}`),
    info: m => void lines.push(`info ${m}`),
    notice: m => void lines.push(`notice ${m}`),
    warning: m => void lines.push(`warning ${m}`),
    secret(value) {
      if (lines.length > 0) this.firstLogAfterSecrets = false
      secrets.push(value)
    },
    group: (name, fn) => {
      lines.push(`group ${name}`)
      return fn()
    }
  }
}

const T0 = 1_772_355_615_000 // 2026-03-01T09:00:15Z
function outputDoc(i: number, extra: Document = {}): Document {
  return {
    _id: new ObjectId(),
    checksum: '99914b932bd37a50b983c5e7c90ae93b',
    collection: 'outputs',
    container: i % 2 === 0 ? 'azure-prod' : 'aws-dev',
    json: {
      cloud_type: 'azure',
      container: i % 2 === 0 ? 'azure-prod' : 'aws-dev',
      contentVersion: '1.0.0.0',
      fileType: 'output',
      log: 'logs_20260301090015_COMPLIANCE',
      remote_run: false,
      results: [
        {eval: 'data.rule.a', result: 'passed', severity: 'High', tags: [{cloud: 'azure', compliance: ['CIS'], service: ['vm']}]},
        {eval: 'data.rule.b', result: i % 3 === 0 ? 'failed' : 'passed', severity: 'Low'},
        {eval: 'data.rule.c', result: 'skipped', severity: 'Medium'}
      ],
      session_id: `session_${T0}`,
      status: 'Completed',
      test: `Compliancetest_${i}`,
      timestamp: Long.fromNumber(T0 + i - 1)
    },
    name: `Compliancetest_${i}`,
    timestamp: Long.fromNumber(T0 + i),
    type: 'output',
    ...extra
  }
}

function logRecords(from: number, count: number): Document[] {
  return Array.from({length: count}, (_, k) => ({
    asctime: '2026-03-01 09:00:15,123',
    level: 'INFO',
    line: new Int32(100 + k),
    log_type: 'DEFAULT',
    module: 'cli_validator',
    msg: `2026-03-01 09:00:15,123 - record ${from + k}`,
    timestamp: Long.fromNumber(T0 + from + k)
  }))
}

before(async () => {
  server = await startTestServer()
  client = await MongoClient.connect(server.uri)
  work = mkdtempSync(join(tmpdir(), 'prancer-job-'))
  writeFileSync(join(work, 'config.ini'), `[LOGGING]\nlogFolder = log\ndbname = ${logsDbName}\n\n[MONGODB]\ndbname = ${dbName}\nOUTPUT = outputs\nSNAPSHOT = snapshots\n`)
  const outputs = client.db(dbName).collection('outputs')
  await outputs.insertMany([
    ...Array.from({length: 12}, (_, i) => outputDoc(i)),
    outputDoc(12, {json: {...outputDoc(12).json, status: 'Running', log: 'logs_20260301090500_COMPLIANCE', results: []}, name: 'Compliancetest_running'}),
    {
      _id: new ObjectId(),
      checksum: 'x',
      collection: 'outputs',
      container: 'azure-prod',
      name: 'Crawlertest_azure-prod',
      timestamp: Long.fromNumber(T0 - 60_000),
      type: 'crawlerOutput',
      json: {container: 'azure-prod', log: 'logs_20260301085915_CRAWLER', output_type: 'crawlerrun', results: [], status: 'Completed', master_test_list: [{id: 'a1', name: 'mt'}]}
    }
  ])
  const logsDb = client.db(logsDbName)
  // current layout, chunks inserted out of order so that only the sort gives index order
  await logsDb.collection('logs').insertMany([
    {name: 'logs_20260301090015_COMPLIANCE', index: new Int32(1), logs: logRecords(100, 3)},
    {name: 'logs_20260301085915_CRAWLER', index: new Int32(0), logs: logRecords(0, 4)},
    {name: 'logs_20260301090015_COMPLIANCE', index: new Int32(0), logs: logRecords(50, 5)},
    {name: 'logs_20260301090015_COMPLIANCE', index: new Int32(2), logs: logRecords(200, 2)},
    {name: 'logs_ci7_CRAWLER', index: new Int32(0), logs: logRecords(300, 1)},
    {name: 'logs_ci7_COMPLIANCE', index: new Int32(0), logs: logRecords(310, 1)},
    {name: 'logs_20260301090500_COMPLIANCE', index: new Int32(0), logs: logRecords(400, 2)}
  ])
  // legacy layout: one collection per run, one document per record
  await logsDb.collection('logs_20190508150809').insertMany(logRecords(500, 6))
})

after(async () => {
  await client?.close()
  await server?.stop()
  if (work) rmSync(work, {recursive: true, force: true})
})

let runCounter = 0
async function run(overrides: Partial<ExportJobOptions> & {since?: SinceSpec; logs?: LogsSpec}) {
  const log = logger()
  const outDir = join(work, `out-${++runCounter}`)
  const result = await runExportJob({since: {kind: 'all'}, logs: {kind: 'auto'}, jsonFormat: 'relaxed', outDir, env: {DBURL: server.uri}, cwd: work, logger: log, ...overrides})
  return {result, log, outDir}
}

async function mongoexportBytes(db: string, collection: string, filter: string, format: string, sort?: string): Promise<Buffer> {
  const args = ['--uri', server.uri, '--db', db, '--collection', collection, '--query', filter, '--jsonFormat', format, '--quiet']
  if (sort) args.push('--sort', sort)
  const out = await runMongoExport(args)
  assert.equal(out.code, 0, out.stderr)
  return out.stdout
}

test('full export: outputs and the referenced runs\' logs, byte-identical to mongoexport, manifests written last', async () => {
  const {result, outDir, log} = await run({jsonFormat: 'canonical'})
  const outputsManifest = JSON.parse(readFileSync(join(outDir, 'outputs', 'manifest.json'), 'utf8')) as Manifest
  assert.deepEqual(outputsManifest, result.outputs.manifest)
  const file = result.outputs.files[0]!
  assert.equal(file.documents, 14)
  const ours = readFileSync(join(outDir, 'outputs', file.path))
  assert.ok(ours.equals(await mongoexportBytes(dbName, 'outputs', file.filter, 'canonical')), 'outputs file differs from mongoexport')
  assert.deepEqual(result.outputs.results, {passed: 12 + 8, failed: 4, skipped: 12, other: 0})
  assert.deepEqual(result.outputs.running.map(r => [r.name, r.container]), [['Compliancetest_running', 'azure-prod']])
  assert.ok(log.lines.some(l => l.startsWith('warning 1 exported outputs are still "Running"')))
  // every json.log that exists is exported, in order of first reference, each _COMPLIANCE log followed by the _CRAWLER
  // log its Prancer process opened before it (where that process logged the results)
  assert.deepEqual(result.logs.runs.map(r => [r.name, r.layout, r.documents]), [
    ['logs_20260301090015_COMPLIANCE', 'documents', 3],
    ['logs_20260301085915_CRAWLER', 'documents', 1],
    ['logs_20260301090500_COMPLIANCE', 'documents', 1]
  ])
  for (const f of result.logs.files) {
    const name = (f.filter.match(/"name":"([^"]+)"/) ?? [])[1]!
    const want = await mongoexportBytes(logsDbName, 'logs', f.filter, 'canonical', '{"index": 1}')
    assert.ok(readFileSync(join(outDir, 'logs', f.path)).equals(want), `log ${name} differs from mongoexport --sort {index:1}`)
  }
  const chunks = readFileSync(join(outDir, 'logs', 'logs_20260301090015_COMPLIANCE.json'), 'utf8').trim().split('\n')
  assert.deepEqual(chunks.map(l => JSON.parse(l).index.$numberInt), ['0', '1', '2'])
  const logsManifest = JSON.parse(readFileSync(join(outDir, 'logs', 'manifest.json'), 'utf8')) as Manifest
  assert.equal(logsManifest.kind, 'logs')
  assert.deepEqual(outputsManifest.logRuns, {exported: result.logs.runs.map(r => r.name), newest: 'logs_20260301090500_COMPLIANCE'})
  assert.ok(!JSON.stringify(outputsManifest).includes(server.uri) && !JSON.stringify(logsManifest).includes(server.uri))
  assert.equal(outputsManifest.uriSource, 'env DBURL')
  // nothing else in the directories (no temporary files left)
  assert.deepEqual(readdirSync(join(outDir, 'outputs')).sort(), [file.path, 'manifest.json'].sort())
})

test('log selection on the server: latest, new, names, none, DBLOG_NAME, and the legacy collection layout', async () => {
  const latest = await run({logs: {kind: 'latest'}, container: 'nothing-here'})
  assert.deepEqual(latest.result.logs.runs.map(r => r.name), ['logs_20260301090500_COMPLIANCE'])

  const previous = latest.result.outputs.manifest
  const fresh = await run({logs: {kind: 'new'}, since: {kind: 'auto'}, previousManifest: {...previous, logRuns: {exported: [], newest: 'logs_20260301085915_CRAWLER'}}})
  assert.deepEqual(fresh.result.logs.runs.map(r => r.name), ['logs_20260301090015_COMPLIANCE', 'logs_20260301090500_COMPLIANCE'])

  const legacy = await run({logs: {kind: 'names', names: ['logs_20190508150809', 'logs_ci7']}, container: 'nothing-here'})
  assert.deepEqual(legacy.result.logs.runs.map(r => [r.name, r.layout]), [['logs_20190508150809', 'collection'], ['logs_ci7_CRAWLER', 'documents'], ['logs_ci7_COMPLIANCE', 'documents']])
  const legacyFile = legacy.result.logs.files[0]!
  assert.equal(legacyFile.collection, 'logs_20190508150809')
  assert.ok(readFileSync(join(legacy.outDir, 'logs', legacyFile.path)).equals(await mongoexportBytes(logsDbName, 'logs_20190508150809', '{}', 'relaxed')))

  const dblog = await run({logs: {kind: 'auto'}, container: 'nothing-here', env: {DBURL: server.uri, DBLOG_NAME: 'logs_ci7'}})
  assert.deepEqual(dblog.result.logs.runs.map(r => r.name), ['logs_ci7_CRAWLER', 'logs_ci7_COMPLIANCE'])

  const none = await run({logs: {kind: 'none'}})
  assert.deepEqual([none.result.logs.runs, none.result.logs.reason], [[], 'logs: none'])
  assert.deepEqual(readdirSync(join(none.outDir, 'logs')), ['manifest.json'])
})

test('timestamps of type int64, double and Date all count; int32 (epoch seconds at best) is an outlier exported once; other types only in full exports', async () => {
  const coll = 'typed'
  const T = 1_772_000_000_000 // a plausible Prancer time; an int32 can never hold one
  writeFileSync(join(work, 'typed.ini'), `[MONGODB]\ndbname = ${dbName}\nOUTPUT = ${coll}\n`)
  const docs = [
    {_id: 'int32', timestamp: new Int32(2000)},
    {_id: 'int64', timestamp: Long.fromNumber(T + 3000)},
    {_id: 'double', timestamp: new Double(T + 2500.5)},
    {_id: 'date', timestamp: new Date(T + 3500)},
    {_id: 'string', timestamp: '4000'},
    {_id: 'missing'},
    {_id: 'hugeLong', timestamp: Long.fromString('9000000000000000')}
  ]
  await client.db(dbName).collection(coll).insertMany(docs as Document[])
  const ids = async (r: Awaited<ReturnType<typeof run>>) =>
    readFileSync(join(r.outDir, 'outputs', r.result.outputs.files[0]!.path), 'utf8').trim().split('\n').filter(Boolean).map(l => JSON.parse(l)._id as string).sort()

  // run right after each export, before the collection changes
  const sameAsMongoexport = async (r: Awaited<ReturnType<typeof run>>) => {
    const f = r.result.outputs.files[0]!
    assert.equal(readFileSync(join(r.outDir, 'outputs', f.path), 'utf8'), (await mongoexportBytes(dbName, coll, f.filter, 'relaxed')).toString(), f.filter)
  }
  const full = await run({configPath: 'typed.ini', lookbackMs: 1000})
  assert.deepEqual(await ids(full), docs.map(d => d._id).sort())
  assert.equal(full.result.outputs.watermark.value, T + 3500)
  // seen keeps ts >= W - 1000; the int32 at 2000 never moves W and is kept out of later windows as an outlier
  assert.deepEqual(full.result.outputs.watermark.seen.map(s => [s.id, s.ts]).sort(), [['"date"', T + 3500], ['"double"', T + 2500.5], ['"int64"', T + 3000]])
  assert.deepEqual(full.result.outputs.watermark.outliers, [{id: '"int32"', ts: 2000}])
  assert.ok(full.log.lines.some(l => l.startsWith('warning 1 exported documents have a timestamp Prancer cannot have written') && l.includes('_id "int32" timestamp 2000')))
  assert.ok(full.log.lines.some(l => l.startsWith('warning 3 exported documents have no usable timestamp')))

  // explicit time: strictly after T + 2500.5 ms
  const after = await run({configPath: 'typed.ini', since: {kind: 'time', ms: T + 2500.5}})
  assert.deepEqual(await ids(after), ['date', 'int64'])
  await sameAsMongoexport(after)
  assert.ok(after.log.lines.some(l => l.startsWith('warning 3 documents of')))

  // chained after the full export: nothing new, then one new document of each type at the boundary or above
  const again = await run({configPath: 'typed.ini', since: {kind: 'auto'}, previousManifest: full.result.outputs.manifest, lookbackMs: 1000})
  assert.deepEqual(await ids(again), [])
  await sameAsMongoexport(again)
  await client.db(dbName).collection(coll).insertMany([
    {_id: 'int32b', timestamp: new Int32(2500)},
    {_id: 'dateb', timestamp: new Date(T + 3500)},
    {_id: 'doubleb', timestamp: new Double(T + 2499.5)}
  ] as Document[])
  const next = await run({configPath: 'typed.ini', since: {kind: 'auto'}, previousManifest: again.result.outputs.manifest, lookbackMs: 1000})
  // W - L = T + 2500: the Date at W is in, T + 2499.5 is below the window (older than the lookback); the new int32 is a
  // new outlier, selected by the look below 1e12 that every chained window has, while the earlier one stays excluded
  assert.deepEqual(await ids(next), ['dateb', 'int32b'])
  // the recorded filter ($or over numbers and Dates, $nin of the seen ids) reproduces each file with mongoexport
  await sameAsMongoexport(next)
  assert.match(next.result.outputs.files[0]!.filter, /"\$nin":\[/)
})

test('every connection string is registered as a secret before the first log line, and never printed', async () => {
  const {log, result} = await run({mongodbUri: server.uri, env: {DBURL: 'mongodb://prancer:dbur1-pass%21@elsewhere:27017/x'}, logs: {kind: 'none'}})
  assert.equal(result.settings.uriSource, 'input mongodb-uri')
  assert.ok(log.firstLogAfterSecrets)
  for (const s of ['mongodb://prancer:dbur1-pass%21@elsewhere:27017/x', 'dbur1-pass%21', 'dbur1-pass!']) assert.ok(log.secrets.includes(s), s)
  // a connection string with no password is no secret: masking it would hide which host was used
  if (!/:[^/@]*@/.test(server.uri)) assert.ok(!log.secrets.includes(server.uri), server.uri)
  assert.ok(!log.lines.some(l => l.includes('dbur1')))
})

test('a failure in the middle of the export removes every file it wrote and writes no manifest', async () => {
  const outDir = join(work, 'midway')
  // accepted by our validation (no JavaScript), refused by the server once the find() runs
  await assert.rejects(runExportJob({since: {kind: 'all'}, logs: {kind: 'auto'}, query: '{"$bogusOperator": 1}', jsonFormat: 'relaxed', outDir, env: {DBURL: server.uri}, cwd: work, logger: logger()}))
  assert.equal(existsSync(outDir), false)
  // an output directory that existed before keeps what it had, and only that
  const before = readdirSync(work).sort()
  await assert.rejects(runExportJob({since: {kind: 'all'}, logs: {kind: 'auto'}, query: '{"$bogusOperator": 1}', jsonFormat: 'relaxed', outDir: work, env: {DBURL: server.uri}, cwd: work, logger: logger()}))
  assert.deepEqual(readdirSync(work).sort(), before)
})

test('an unreachable server fails with the host and the source, never the password, and leaves no files', async () => {
  const outDir = join(work, 'unreachable')
  await assert.rejects(
    runExportJob({since: {kind: 'all'}, logs: {kind: 'auto'}, jsonFormat: 'relaxed', outDir, env: {DBURL: 'mongodb://admin:s3cr%40t-pw@127.0.0.1:9/db'}, cwd: work, logger: logger(), connectTimeoutMs: 300}),
    (error: Error) => {
      assert.match(error.message, /^Cannot connect to MongoDB at 127\.0\.0\.1:9 \(connection string from env DBURL\) within 300 ms: .*set the mongodb-uri input \(CLI: --uri\) or env DBURL/s)
      assert.ok(!error.message.includes('s3cr'), error.message)
      return true
    }
  )
  assert.equal(existsSync(outDir), false)
})

test('array timestamps are never selected by a window: a chain does not re-export them, mongoexport agrees', async () => {
  const coll = 'arrays'
  const T = 1_772_000_000_000
  writeFileSync(join(work, 'arrays.ini'), `[MONGODB]\ndbname = ${dbName}\nOUTPUT = ${coll}\n`)
  await client.db(dbName).collection(coll).insertMany([
    {_id: 'plain', timestamp: Long.fromNumber(T + 3000)},
    {_id: 'numbers', timestamp: [Long.fromNumber(T + 3000), Long.fromNumber(T + 5000)]},
    {_id: 'dates', timestamp: [new Date(T + 3000)]}
  ] as Document[])
  const ids = (r: Awaited<ReturnType<typeof run>>) =>
    readFileSync(join(r.outDir, 'outputs', r.result.outputs.files[0]!.path), 'utf8').trim().split('\n').filter(Boolean).map(l => JSON.parse(l)._id as string).sort()
  const full = await run({configPath: 'arrays.ini', lookbackMs: 1000, logs: {kind: 'none'}})
  assert.deepEqual(ids(full), ['dates', 'numbers', 'plain'])
  assert.equal(full.result.outputs.watermark.value, T + 3000)
  // before the $type guard, both arrays matched the window through an element and came back every run
  const again = await run({configPath: 'arrays.ini', since: {kind: 'auto'}, previousManifest: full.result.outputs.manifest, lookbackMs: 1000, logs: {kind: 'none'}})
  assert.deepEqual(ids(again), [])
  const f = again.result.outputs.files[0]!
  assert.equal((await mongoexportBytes(dbName, coll, f.filter, 'relaxed')).toString(), '')
  assert.ok(again.log.lines.some(l => l.startsWith('warning 2 documents of')), again.log.lines.join('\n'))
  const after = await run({configPath: 'arrays.ini', since: {kind: 'time', ms: 0}, logs: {kind: 'none'}})
  assert.deepEqual(ids(after), ['plain'])
})

test('a previous manifest of another container, query or deployment starts a new chain with a notice', async () => {
  const first = await run({container: 'aws-dev', logs: {kind: 'none'}, lookbackMs: 1000})
  const manifest = first.result.outputs.manifest
  assert.match(String(manifest.hostsSha256), /^[0-9a-f]{64}$/)
  assert.ok(!JSON.stringify(manifest).includes(server.uri))
  const chained = await run({since: {kind: 'auto'}, previousManifest: manifest, container: 'aws-dev', logs: {kind: 'none'}, lookbackMs: 1000})
  assert.equal(chained.result.outputs.manifest.windowKind, 'chained')
  assert.equal(chained.result.outputs.documents, 0)
  const cases: Array<[Partial<ExportJobOptions>, RegExp]> = [
    [{container: 'azure-prod'}, /its container was "aws-dev", now "azure-prod"/],
    [{container: 'aws-dev', query: '{"type": "output"}'}, /its query was null, now \{"type":"output"\}/],
    [{container: 'aws-dev', previousManifest: {...manifest, hostsSha256: 'f'.repeat(64)}}, /other MongoDB hosts/]
  ]
  for (const [overrides, why] of cases) {
    const r = await run({since: {kind: 'auto'}, previousManifest: manifest, logs: {kind: 'none'}, lookbackMs: 1000, ...overrides})
    assert.equal(r.result.outputs.manifest.windowKind, 'all', String(why))
    assert.ok(r.result.outputs.documents > 0)
    assert.ok(r.log.lines.some(l => l.startsWith('notice The previous export does not continue this one') && why.test(l)), r.log.lines.join('\n'))
  }
})

test('a previous watermark in the future is ignored with a warning and a new chain starts', async () => {
  const first = await run({logs: {kind: 'none'}, lookbackMs: 1000})
  const future = Date.now() + 86_400_000
  const manifest = {...first.result.outputs.manifest, watermark: {field: 'timestamp' as const, value: future, lookbackMs: 1000, seen: []}}
  const r = await run({since: {kind: 'auto'}, previousManifest: manifest, logs: {kind: 'none'}, lookbackMs: 1000})
  assert.equal(r.result.outputs.manifest.windowKind, 'all')
  assert.equal(r.result.outputs.documents, first.result.outputs.documents)
  assert.ok(r.log.lines.some(l => l.startsWith(`warning The previous watermark ${future}`) && l.includes('lies in the future')), r.log.lines.join('\n'))
})

test('a connection string the driver cannot parse says so (not "cannot connect"), names its source, shows no password', async () => {
  const uri = 'mongodb://reader:S3cretPass@db.example:notaport/validator'
  const log = logger()
  await assert.rejects(runExportJob({since: {kind: 'all'}, logs: {kind: 'none'}, jsonFormat: 'relaxed', outDir: join(work, 'badparse'), mongodbUri: uri, mongodbUriSource: '--uri', env: {DBURL: server.uri}, cwd: work, logger: log}), (error: Error) => {
    assert.match(error.message, /^The connection string from --uri cannot be used: .*Its form is mongodb:\/\/user:password@host:port\/database\?options/)
    assert.doesNotMatch(error.message, /S3cretPass|cannot connect/i)
    return true
  })
})

test('more timestamped collections (a resource collection, another database\'s): each its own exactly-once chain, files mongoexport reproduces', async () => {
  const T = 1_772_000_000_000
  const otherDb = uniqueDbName('snapdb')
  const sg = client.db(dbName).collection('security_groups')
  const snaps = client.db(otherDb).collection('snapshots')
  await sg.insertMany([{_id: 'sg1', timestamp: Long.fromNumber(T), json: {name: 'web'}}, {_id: 'sg2', timestamp: Long.fromNumber(T + 5), json: {name: 'db'}}] as Document[])
  await snaps.insertMany([{_id: new ObjectId(), timestamp: Long.fromNumber(T + 1), snapshotId: 'TF_1'}] as Document[])
  const collections = ['security_groups', `${otherDb}.snapshots`]
  const ids = (r: Awaited<ReturnType<typeof run>>, ns: string) => {
    const f = r.result.outputs.files.find(x => `${x.database}.${x.collection}` === ns)!
    return readFileSync(join(r.outDir, 'outputs', f.path), 'utf8').trim().split('\n').filter(Boolean).map(l => JSON.stringify(JSON.parse(l)._id)).sort()
  }
  const sameAsMongoexport = async (r: Awaited<ReturnType<typeof run>>) => {
    for (const f of r.result.outputs.files) {
      assert.equal(readFileSync(join(r.outDir, 'outputs', f.path), 'utf8'), (await mongoexportBytes(f.database, f.collection, f.filter, f.jsonFormat)).toString(), `${f.database}.${f.collection}`)
    }
  }
  const first = await run({collections, logs: {kind: 'none'}})
  assert.deepEqual(ids(first, `${dbName}.security_groups`), ['"sg1"', '"sg2"'])
  assert.equal(ids(first, `${otherDb}.snapshots`).length, 1)
  await sameAsMongoexport(first)
  const marks = first.result.outputs.manifest.collectionWatermarks as Record<string, {value: number}>
  assert.equal(marks[`${dbName}.security_groups`]!.value, T + 5)
  assert.equal(marks[`${otherDb}.snapshots`]!.value, T + 1)

  // later: one new document at the boundary millisecond, one older than the lookback (never selected), one newer
  await sg.insertMany([{_id: 'sg3', timestamp: Long.fromNumber(T + 5)}, {_id: 'sg4', timestamp: Long.fromNumber(T + 9)}] as Document[])
  const second = await run({collections, logs: {kind: 'none'}, since: {kind: 'auto'}, previousManifest: first.result.outputs.manifest})
  assert.deepEqual(ids(second, `${dbName}.security_groups`), ['"sg3"', '"sg4"'])
  assert.deepEqual(ids(second, `${otherDb}.snapshots`), [])
  await sameAsMongoexport(second)
  // a collection added to the list later starts its own chain with a full export, the others continue
  const third = await run({collections: [...collections, 'mastertests'], logs: {kind: 'none'}, since: {kind: 'auto'}, previousManifest: second.result.outputs.manifest})
  assert.deepEqual(ids(third, `${dbName}.security_groups`), [])
  assert.ok(third.log.lines.some(l => l.startsWith(`notice ${dbName}.mastertests: since: auto has no previous export manifest`)), third.log.lines.join('\n'))
})

test('full-every: a chain that began longer ago than full-every restarts with a full export; a younger one continues', async () => {
  const first = await run({logs: {kind: 'none'}})
  assert.equal(first.result.outputs.manifest.windowKind, 'all')
  const started = Date.parse(String(first.result.outputs.manifest.chainStartedAt))
  assert.ok(Math.abs(started - Date.now()) < 60_000)
  const day = 86_400_000
  const aged = (days: number) => ({...first.result.outputs.manifest, chainStartedAt: new Date(Date.now() - days * day).toISOString()})
  const young = await run({logs: {kind: 'none'}, since: {kind: 'auto'}, previousManifest: aged(6), fullEveryMs: 7 * day})
  assert.equal(young.result.outputs.manifest.windowKind, 'chained')
  // the chain's start is carried forward, not reset by each export
  assert.ok(Math.abs(Date.parse(String(young.result.outputs.manifest.chainStartedAt)) - (Date.now() - 6 * day)) < 60_000)
  const old = await run({logs: {kind: 'none'}, since: {kind: 'auto'}, previousManifest: aged(8), fullEveryMs: 7 * day})
  assert.equal(old.result.outputs.manifest.windowKind, 'all')
  assert.ok(old.log.lines.some(l => /^notice The chain of the previous export started .* which is full-every or more: starting a new chain with a full export\.$/.test(l)), old.log.lines.join('\n'))
})
