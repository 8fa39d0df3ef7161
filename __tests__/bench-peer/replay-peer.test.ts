// The replay peer (tools/mongo-oracle/cmd/replay-peer, the floor of `npm run bench`) must not change what is measured:
// mongoexport gives the byte-identical file from the replay peer and from the test server (FerretDB, or MONGODB_URI)
// for the same documents, relaxed and canonical, also for the incremental window filter the export job sends; our
// exporter gives mongoexport's file from the peer, including documents near the 16 MiB limit (batches split by size);
// and a filter the peer cannot evaluate is refused instead of answered with the wrong documents.

import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {BSON, EJSON} from 'bson'
import {MongoClient, type Document} from 'mongodb'
import {exportCollection, type ExportOptions, type FindSpec} from '../../src/mongo/export/index.ts'
import {canonicalFilter, andFilters, excludeIdsFilter} from '../../src/prancer/query.ts'
import {planWindow, windowFilter, documentId, usableTimestamp} from '../../src/prancer/incremental.ts'
import {createRng, encodeDocument, generateDocument, prancerOutputDocument, seedFromEnv} from '../../test/harness/bson-gen.ts'
import {startTestServer, uniqueDbName, type TestServer} from '../../test/harness/mongo.ts'
import {runMongoExport} from '../../test/harness/mongo-tools.ts'
import {startReplayPeer, writeBsonFile, type ReplayPeer} from '../../bench/replay-peer.ts'

const seed = seedFromEnv()
const PRANCER_DOCS = 400
const MIXED_DOCS = 300
const BASE_TIMESTAMP = 1793491200000
// Prancer outputs with this many results are about 15.1 MiB of BSON: a batch holds one of them, never two.
const LARGE_RESULTS = 16_000
const LARGE_DOCS = 3

const FORMATS: ReadonlyArray<{name: string; args: string[]; opts: ExportOptions}> = [
  {name: 'relaxed', args: [], opts: {format: 'relaxed'}},
  {name: 'canonical', args: ['--jsonFormat=canonical'], opts: {format: 'canonical'}}
]

const toDriverDocument = (bytes: Uint8Array): Document => BSON.deserialize(bytes, {promoteValues: false, bsonRegExp: true})

function assertSameBytes(actual: Buffer, expected: Buffer, what: string): void {
  if (actual.equals(expected)) return
  let at = 0
  while (at < actual.length && actual[at] === expected[at]) at++
  assert.fail(
    `${what}: differs at byte ${at} (${actual.length} vs ${expected.length} bytes)\n` +
      `  got:      ${JSON.stringify(actual.subarray(Math.max(0, at - 80), at + 80).toString('utf8'))}\n` +
      `  expected: ${JSON.stringify(expected.subarray(Math.max(0, at - 80), at + 80).toString('utf8'))}`
  )
}

describe(`replay peer vs the test server (seed ${seed}, replay with TEST_SEED=${seed})`, () => {
  let server: TestServer
  let peer: ReplayPeer
  let serverClient: MongoClient
  let peerClient: MongoClient
  let dbName: string
  let dir: string
  let prancer: Uint8Array[]
  let large: Uint8Array[]

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'replay-peer-test-'))
    dbName = uniqueDbName('replay_peer')
    const rng = createRng(seed)
    prancer = Array.from({length: PRANCER_DOCS}, (_, i) => encodeDocument(prancerOutputDocument(rng, i, {baseTimestamp: BASE_TIMESTAMP})))
    const mixed = Array.from({length: MIXED_DOCS}, () => encodeDocument(generateDocument(rng, {profile: 'ferretdb'})))
    large = Array.from({length: LARGE_DOCS}, (_, i) => encodeDocument(prancerOutputDocument(rng, i, {results: LARGE_RESULTS - i})))
    await writeBsonFile(path.join(dir, 'outputs.bson'), prancer)
    await writeBsonFile(path.join(dir, 'mixed.bson'), mixed)
    await writeBsonFile(path.join(dir, 'large.bson'), large)
    peer = await startReplayPeer([
      {db: dbName, collection: 'outputs', file: path.join(dir, 'outputs.bson')},
      {db: dbName, collection: 'mixed', file: path.join(dir, 'mixed.bson')},
      {db: dbName, collection: 'large', file: path.join(dir, 'large.bson')}
    ])
    peerClient = await new MongoClient(peer.uri).connect()
    server = await startTestServer()
    serverClient = await new MongoClient(server.uri).connect()
    const db = serverClient.db(dbName)
    await db.collection('outputs').insertMany(prancer.map(toDriverDocument))
    await db.collection('mixed').insertMany(mixed.map(toDriverDocument))
  })

  after(async () => {
    await peerClient?.close()
    await serverClient?.close()
    await peer?.stop()
    await server?.stop()
    if (dir !== undefined) rmSync(dir, {recursive: true, force: true})
  })

  async function mongoexport(uri: string, collection: string, args: string[]): Promise<Buffer> {
    const run = await runMongoExport(['--uri', uri, '--db', dbName, '--collection', collection, '--quiet', ...args])
    assert.equal(run.code, 0, `mongoexport failed: ${run.stderr}`)
    return run.stdout
  }

  async function ours(client: MongoClient, collection: string, find: FindSpec, opts: ExportOptions): Promise<Buffer> {
    const file = path.join(dir, `ours-${collection}-${Math.random().toString(36).slice(2)}.json`)
    await exportCollection(client.db(dbName), collection, find, file, opts)
    const bytes = readFileSync(file)
    rmSync(file)
    return bytes
  }

  for (const collection of ['outputs', 'mixed']) {
    for (const format of FORMATS) {
      test(`${collection}, ${format.name}: mongoexport from the peer = mongoexport from the server = ours from the peer`, async () => {
        const fromServer = await mongoexport(server.uri, collection, format.args)
        const fromPeer = await mongoexport(peer.uri, collection, format.args)
        assert.equal(fromPeer.toString('utf8').split('\n').length - 1, collection === 'outputs' ? PRANCER_DOCS : MIXED_DOCS)
        assertSameBytes(fromPeer, fromServer, 'mongoexport from the peer vs from the server')
        assertSameBytes(await ours(peerClient, collection, {}, format.opts), fromPeer, 'ours from the peer vs mongoexport from the peer')
      })
    }
  }

  test('the incremental window with a seen list selects the same documents on the peer as on the server', async () => {
    // A chained export: watermark in the middle of the corpus, lookback 60 s, the documents just below it already seen.
    const timestamps = prancer.map(doc => usableTimestamp(doc)!).sort((a, b) => a - b)
    const watermark = timestamps[Math.floor(PRANCER_DOCS / 2)]!
    const lookbackMs = 60_000
    const seen = prancer.filter(doc => usableTimestamp(doc)! >= watermark - lookbackMs && usableTimestamp(doc)! <= watermark).map(doc => ({id: documentId(doc), ts: usableTimestamp(doc)!}))
    assert.ok(seen.length > 0, 'the seen list must not be empty')
    const previous = {kind: 'outputs', watermark: {field: 'timestamp', value: watermark, lookbackMs, seen}} as unknown as Parameters<typeof planWindow>[1]
    const plan = planWindow({kind: 'auto'} as Parameters<typeof planWindow>[0], previous, lookbackMs, watermark + 1)
    assert.equal(plan.kind, 'chained')
    const filter = andFilters([windowFilter(plan), excludeIdsFilter(plan.seen.map(s => s.id)), {'json.status': 'Completed'}])
    const query = canonicalFilter(filter)
    for (const format of FORMATS) {
      const fromServer = await ours(serverClient, 'outputs', {filter}, format.opts)
      const fromPeer = await ours(peerClient, 'outputs', {filter}, format.opts)
      const lines = fromPeer.toString('utf8').split('\n').length - 1
      assert.ok(lines > 0 && lines < PRANCER_DOCS, `${lines} documents in the window`)
      assertSameBytes(fromPeer, fromServer, `${format.name}: ours with the window filter, from the peer vs from the server`)
      assertSameBytes(await mongoexport(peer.uri, 'outputs', [...format.args, '--query', query]), fromPeer, `${format.name}: mongoexport --query from the peer vs ours`)
    }
    // The same window sorted by timestamp (what a sorted export sends), against the server's order.
    const sorted = {filter, sort: {timestamp: 1, _id: 1}}
    assertSameBytes(await ours(peerClient, 'outputs', sorted, {format: 'canonical'}), await ours(serverClient, 'outputs', sorted, {format: 'canonical'}), 'sorted window')
  })

  test('documents near 16 MiB (batches split by size): ours from the peer = mongoexport from the peer', async () => {
    for (const doc of large) assert.ok(doc.length > 15 * 1024 * 1024 && doc.length < 16 * 1024 * 1024, `${doc.length} bytes`)
    for (const format of FORMATS) {
      const theirs = await mongoexport(peer.uri, 'large', format.args)
      assert.equal(theirs.toString('utf8').split('\n').length - 1, LARGE_DOCS)
      assertSameBytes(await ours(peerClient, 'large', {}, format.opts), theirs, `${format.name}: large documents`)
    }
  })

  test('counts and the catalog answer like a server', async () => {
    const db = peerClient.db(dbName)
    assert.equal(await db.collection('outputs').estimatedDocumentCount(), PRANCER_DOCS)
    assert.equal(await db.collection('outputs').countDocuments({'json.status': 'Completed'}), await serverClient.db(dbName).collection('outputs').countDocuments({'json.status': 'Completed'}))
    const names = (await db.listCollections({}, {nameOnly: true}).toArray()).map(c => c.name).sort()
    assert.deepEqual(names, ['large', 'mixed', 'outputs'])
    assert.deepEqual(await db.listCollections({name: 'nope'}).toArray(), [])
    const indexes = await db.collection('outputs').indexes()
    assert.deepEqual(indexes.map(i => i.name), ['_id_'])
    // Top-level projections (what the restore's pre-flight check sends), raw, against the server's bytes.
    for (const projection of [{_id: 1}, {name: 1, timestamp: 1}, {json: 0, _id: 0}]) {
      const raw = (client: MongoClient): Promise<Buffer[]> =>
        client.db(dbName).collection('outputs').find<Buffer>({}, {projection, raw: true, limit: 50}).toArray()
      assert.deepEqual((await raw(peerClient)).map(b => b.toString('hex')), (await raw(serverClient)).map(b => b.toString('hex')), JSON.stringify(projection))
    }
  })

  test('a filter the peer cannot evaluate is refused, not answered', async () => {
    const coll = peerClient.db(dbName).collection('outputs')
    await assert.rejects(coll.find({name: {$regex: '^Compliance'}}).toArray(), /replay-peer cannot evaluate this: the operator \$regex/)
    await assert.rejects(coll.find({$expr: {$gt: ['$timestamp', 0]}}).toArray(), /replay-peer cannot evaluate this/)
    await assert.rejects(coll.find({}, {projection: {'json.results': {$slice: 1}}}).toArray(), /replay-peer cannot evaluate this: the projection/)
    // The tools get the same refusal as an error, not an empty file.
    const run = await runMongoExport(['--uri', peer.uri, '--db', dbName, '--collection', 'outputs', '--query', EJSON.stringify({name: {$regex: 'x'}})])
    assert.notEqual(run.code, 0)
    assert.match(run.stderr, /cannot evaluate/)
  })
})
