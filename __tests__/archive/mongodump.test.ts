// Our archive format against the real mongodump 100.18.0 on the same database (the oracle throughout: its
// --archive output, its --out directory of <coll>.bson and <coll>.metadata.json files, its --version):
// - namespaceMetadata() gives each collection's metadata.json text, byte for byte, and collectionsMongodumpDumps()
//   the collections mongodump dumps, in the order `mongodump -j 1` dumps them;
// - our reader reads `mongodump --archive` and `mongodump --archive --gzip`: the header, the namespaces and their
//   metadata, and per namespace the documents whose concatenation is mongodump's <coll>.bson file;
// - our archive written with mongodump's own header values has the same header bytes, the same prelude entries
//   (bytes) and, after the prelude, the same bytes as `mongodump --archive -j 1`, and decompressed, as
//   `mongodump --archive --gzip -j 1`.
//
// Every difference that remains between our archive and mongodump's of the same database:
// 1. Header `tool_version`: ours says what the caller passes ("prancer-db-artifacts 0.1.0"), mongodump "100.18.0".
// 2. Header `concurrent_collections`: ours is the writer's concurrentCollections (default 4, the most namespaces
//    it lets be open at once), mongodump's its -j (default 4). mongorestore raises its own parallelism to it.
// 3. Header `server_version`: equal when the caller passes buildInfo.version, as the backup does (mongodump asks
//    the server the same way).
// 4. Order of the prelude entries: mongodump's is random — it lists its intents by ranging over a Go map
//    (intents.Manager.Intents()), so two runs on the same database differ; ours is the caller's order (the backup
//    passes listCollections order). mongorestore does not depend on it. The entries themselves are the same bytes.
// 5. Order of the data: mongodump -j 1 dumps in listCollections order, as we do; mongodump -j N (N > 1, default 4)
//    dumps the largest collections first (estimated counts), N at a time, switching between them every 16 MiB of a
//    namespace's data; ours switches namespace whenever the caller interleaves. Block boundaries differ
//    accordingly; each namespace's documents and their order (natural order) are the same.
// 6. gzip: the compressed bytes differ (Go's compress/flate against zlib, both at level 6); decompressed, the
//    streams differ only as in (1)-(5).
// Nothing else: magic, prelude entries (size 0 and type included), namespace headers, terminators, EOF blocks and
// CRCs are the same bytes.

import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {gunzipSync} from 'node:zlib'
import {MongoClient, type Db} from 'mongodb'
import {collectionsMongodumpDumps, namespaceMetadata, parseCollectionInfo} from '../../src/archive/metadata.ts'
import {readArchive, type ArchiveEvent} from '../../src/archive/reader.ts'
import {seedFromEnv} from '../../test/harness/bson-gen.ts'
import {startTestServer, uniqueDbName, type TestServer} from '../../test/harness/mongo.ts'
import {firstDifference, realToolsMissing, runTool, runToolOk, seedDatabases, writeOurArchive} from './helpers.ts'

const seed = seedFromEnv()
const skip = await realToolsMissing()

interface ReadBack {
  events: ArchiveEvent[]
  prelude: Extract<ArchiveEvent, {type: 'prelude'}>
  /** Per namespace (db.collection): the documents concatenated, in order. */
  data: Map<string, Buffer>
  ends: string[]
}

/** An archive's bytes cut at the prelude's documents by their length prefixes (format.ts; independent of our reader). */
function splitArchive(bytes: Buffer): {magic: Buffer; header: Buffer; entries: Buffer[]; body: Buffer} {
  let at = 4
  const header = bytes.subarray(at, at + bytes.readInt32LE(at))
  at += header.length
  const entries: Buffer[] = []
  while (bytes.readUInt32LE(at) !== 0xffffffff) {
    const entry = bytes.subarray(at, at + bytes.readInt32LE(at))
    entries.push(entry)
    at += entry.length
  }
  return {magic: bytes.subarray(0, 4), header, entries, body: bytes.subarray(at)}
}

function assertSameArchive(ours: Buffer, theirs: Buffer, what: string): void {
  const a = splitArchive(ours)
  const b = splitArchive(theirs)
  assert.ok(a.magic.equals(b.magic), `${what}: magic`)
  if (!a.header.equals(b.header)) assert.fail(`${what}: header ${firstDifference(a.header, b.header)}`)
  const hex = (entries: Buffer[]) => entries.map(e => e.toString('hex')).sort()
  assert.deepEqual(hex(a.entries), hex(b.entries), `${what}: prelude entries (in any order)`)
  if (!a.body.equals(b.body)) assert.fail(`${what}: after the prelude, ${firstDifference(a.body, b.body)}`)
}

async function readBack(file: string): Promise<ReadBack> {
  const events: ArchiveEvent[] = []
  const parts = new Map<string, Buffer[]>()
  const ends: string[] = []
  let prelude: ReadBack['prelude'] | undefined
  for await (const event of readArchive(file)) {
    events.push(event)
    if (event.type === 'prelude') {
      prelude = event
      for (const ns of event.namespaces) parts.set(`${ns.db}.${ns.collection}`, [])
    } else if (event.type === 'documents') {
      parts.get(`${event.db}.${event.collection}`)!.push(...event.documents.map(d => Buffer.from(d)))
    } else {
      ends.push(`${event.db}.${event.collection}`)
    }
  }
  assert.ok(prelude !== undefined, 'no prelude event')
  return {events, prelude, data: new Map([...parts].map(([ns, docs]) => [ns, Buffer.concat(docs)])), ends}
}

describe(`our archives against mongodump's (seed ${seed}, replay with TEST_SEED=${seed})`, {skip}, () => {
  let server: TestServer
  let client: MongoClient
  let dir: string
  let main: string
  let logs: string
  let db: Db
  let serverVersion: string
  let toolVersion: string
  const extras: string[] = []

  before(async () => {
    server = await startTestServer()
    client = new MongoClient(server.uri)
    await client.connect()
    dir = mkdtempSync(path.join(os.tmpdir(), 'archive-mongodump-'))
    main = uniqueDbName('arc_dump')
    logs = uniqueDbName('arc_dlogs')
    await seedDatabases(client, server.uri, main, logs, seed)
    db = client.db(main)
    // Options and index kinds a real mongod has and FerretDB 1.24 mostly refuses: each one the server accepts is
    // compared too (FerretDB takes the wildcard, descending-named and clustered ones).
    const tries: Array<[string, () => Promise<unknown>]> = [
      ['validator', () => db.createCollection('validated', {validator: {$jsonSchema: {bsonType: 'object', required: ['a']}}, validationLevel: 'moderate'})],
      ['collation', () => db.createCollection('collated', {collation: {locale: 'fr', strength: 2}})],
      ['clustered', () => db.createCollection('clustered', {clusteredIndex: {key: {_id: 1}, unique: true}})],
      ['ttl', () => db.collection('extras').createIndex({at: 1}, {expireAfterSeconds: 3600})],
      ['partial', () => db.collection('extras').createIndex({p: 1}, {partialFilterExpression: {p: {$exists: true}}})],
      ['hashed', () => db.collection('extras').createIndex({h: 'hashed'})],
      ['text', () => db.collection('extras').createIndex({t: 'text'}, {weights: {t: 3}, default_language: 'english'})],
      ['2dsphere', () => db.collection('extras').createIndex({loc: '2dsphere'})],
      ['wildcard', () => db.collection('extras').createIndex({'w.$**': 1})],
      ['hidden', () => db.collection('extras').createIndex({hid: 1}, {hidden: true})],
      ['named', () => db.collection('extras').createIndex({d: -1}, {name: 'descending d'})]
    ]
    for (const [name, create] of tries) {
      try {
        await create()
        extras.push(name)
      } catch {
        // not supported by this server
      }
    }
    await db.collection('extras').insertOne({a: 1, w: {x: 1}, d: 2}).catch(() => undefined)
    serverVersion = String((await client.db('admin').command({buildInfo: 1})).version)
    const version = await runToolOk('mongodump', ['--version'])
    toolVersion = /mongodump version: (\S+)/.exec(version.stdout.toString('utf8'))![1]!
    await runToolOk('mongodump', ['--uri', server.uri, '--db', main, `--archive=${path.join(dir, 'theirs.archive')}`, '-j', '1'])
    await runToolOk('mongodump', ['--uri', server.uri, '--db', main, `--archive=${path.join(dir, 'theirs-j1.archive.gz')}`, '--gzip', '-j', '1'])
    await runToolOk('mongodump', ['--uri', server.uri, '--db', main, `--archive=${path.join(dir, 'theirs-j4.archive.gz')}`, '--gzip'])
    await runToolOk('mongodump', ['--uri', server.uri, '--db', main, `--out=${path.join(dir, 'out')}`])
  })

  after(async () => {
    if (server?.kind === 'external') for (const name of [main, logs]) await client?.db(name).dropDatabase().catch(() => undefined)
    await client?.close()
    await server?.stop()
    if (dir !== undefined) rmSync(dir, {recursive: true, force: true})
  })

  /** mongodump --out's files for a collection (names here need no escaping). */
  const outFile = (collection: string, ext: 'bson' | 'metadata.json'): Buffer => readFileSync(path.join(dir, 'out', main, `${collection}.${ext}`))

  test('metadata: the text of mongodump --out\'s <coll>.metadata.json, for every collection mongodump dumps', async t => {
    t.diagnostic(`extra options and indexes this server accepted: ${extras.join(', ') || 'none'}`)
    const infos = await collectionsMongodumpDumps(db)
    const theirs = await readBack(path.join(dir, 'theirs.archive'))
    // mongodump -j 1 dumps in listCollections order (its prelude's order is random, see above).
    assert.deepEqual(
      infos.map(info => `${main}.${parseCollectionInfo(info).name}`),
      theirs.ends,
      'collections and the order mongodump -j 1 dumps them in'
    )
    for (const info of infos) {
      const ns = await namespaceMetadata(db, info)
      assert.equal(ns.metadata, outFile(ns.collection, 'metadata.json').toString('utf8'), `metadata of ${ns.collection}`)
      // Given a deserialized listCollections entry instead of raw BSON, it reads the entry again, raw: same text.
      const again = await namespaceMetadata(db, {name: ns.collection})
      assert.equal(again.metadata, ns.metadata)
    }
  })

  for (const [label, file] of [
    ['mongodump --archive -j 1', 'theirs.archive'],
    ['mongodump --archive --gzip (-j 4, its default)', 'theirs-j4.archive.gz']
  ] as const) {
    test(`our reader reads ${label}: header, namespaces, metadata, documents`, async () => {
      const theirs = await readBack(path.join(dir, file))
      assert.equal(theirs.prelude.gzip, file.endsWith('.gz'))
      assert.deepEqual(theirs.prelude.header, {
        concurrentCollections: file.includes('j4') ? 4 : 1,
        version: '0.1',
        serverVersion,
        toolVersion
      })
      const names = theirs.prelude.namespaces.map(ns => ns.collection)
      assert.deepEqual([...names].sort(), (await collectionsMongodumpDumps(db)).map(info => parseCollectionInfo(info).name).sort())
      assert.deepEqual([...theirs.ends].sort(), names.map(n => `${main}.${n}`).sort(), 'every namespace ends once')
      for (const ns of theirs.prelude.namespaces) {
        assert.equal(ns.db, main)
        assert.equal(ns.type, 'collection')
        assert.equal(ns.size, 0)
        assert.equal(ns.metadata, outFile(ns.collection, 'metadata.json').toString('utf8'), `metadata of ${ns.collection}`)
        const data = theirs.data.get(`${ns.db}.${ns.collection}`)!
        const bson = outFile(ns.collection, 'bson')
        if (!data.equals(bson)) assert.fail(`${ns.collection}: ${firstDifference(data, bson)}`)
      }
      // Totals of the end events agree with the documents handed out.
      for (const event of theirs.events) {
        if (event.type !== 'namespaceEnd') continue
        const bson = outFile(event.collection, 'bson')
        assert.equal(event.bytes, bson.length)
        let count = 0
        for (let at = 0; at < bson.length; at += bson.readInt32LE(at)) count++
        assert.equal(event.documents, count, `${event.collection} documents`)
      }
    })
  }

  test('our archive with mongodump\'s header values has mongodump -j 1\'s bytes (prelude entries in any order)', async () => {
    const ours = path.join(dir, 'ours-as-mongodump.archive')
    await writeOurArchive(client, [main], ours, {toolVersion, concurrentCollections: 1, serverVersion, batch: 101})
    const plain = readFileSync(ours)
    assertSameArchive(plain, readFileSync(path.join(dir, 'theirs.archive')), 'plain')

    const oursGz = path.join(dir, 'ours-as-mongodump.archive.gz')
    await writeOurArchive(client, [main], oursGz, {toolVersion, concurrentCollections: 1, serverVersion, gzip: true, batch: 7})
    const unzipped = gunzipSync(readFileSync(oursGz))
    assertSameArchive(unzipped, gunzipSync(readFileSync(path.join(dir, 'theirs-j1.archive.gz'))), 'gzip, decompressed')
    if (!unzipped.equals(plain)) assert.fail(`our gzip archive decompressed against our plain one: ${firstDifference(unzipped, plain)}`)
  })

  test('with our own header values, only the header document differs (and the prelude order)', async () => {
    const ours = path.join(dir, 'ours.archive')
    await writeOurArchive(client, [main], ours)
    const a = splitArchive(readFileSync(ours))
    const b = splitArchive(readFileSync(path.join(dir, 'theirs.archive')))
    assert.ok(!a.header.equals(b.header))
    assert.ok(a.magic.equals(b.magic), 'magic')
    assert.deepEqual(a.entries.map(e => e.toString('hex')).sort(), b.entries.map(e => e.toString('hex')).sort(), 'prelude entries')
    if (!a.body.equals(b.body)) assert.fail(`after the prelude: ${firstDifference(a.body, b.body)}`)
    const {prelude} = await readBack(ours)
    assert.deepEqual(prelude.header, {concurrentCollections: 4, version: '0.1', serverVersion, toolVersion: 'prancer-db-artifacts 0.1.0'})
  })

  test('interleaved, ours and mongodump -j 4 hold the same namespaces, metadata and documents', async () => {
    const ours = path.join(dir, 'ours-interleaved.archive.gz')
    await writeOurArchive(client, [main], ours, {gzip: true, interleave: true, batch: 13})
    const a = await readBack(ours)
    const b = await readBack(path.join(dir, 'theirs-j4.archive.gz'))
    const byName = (x: ReadBack) => [...x.prelude.namespaces].sort((p, q) => (p.collection < q.collection ? -1 : 1))
    assert.deepEqual(byName(a), byName(b))
    assert.deepEqual([...a.data.keys()].sort(), [...b.data.keys()].sort())
    for (const [ns, data] of a.data) if (!data.equals(b.data.get(ns)!)) assert.fail(`${ns}: ${firstDifference(data, b.data.get(ns)!)}`)
    // Ours switched namespaces more often than there are namespaces: the blocks really interleave.
    const switches = a.events.filter((e, i) => e.type === 'documents' && a.events[i - 1]?.type === 'documents' && (a.events[i - 1] as {collection: string}).collection !== e.collection)
    assert.ok(switches.length > a.prelude.namespaces.length, `switches: ${switches.length}`)
  })

  test('mongorestore --dryRun reads our two-database archive: header fields and every namespace', async () => {
    const ours = path.join(dir, 'ours-two-dbs.archive')
    const {namespaces} = await writeOurArchive(client, [main, logs], ours)
    const run = await runTool('mongorestore', ['--uri', server.uri, `--archive=${ours}`, '--dryRun', '-vvvvv'])
    assert.equal(run.code, 0, run.stderr)
    assert.match(run.stderr, /archive format version `0\.1`/)
    assert.match(run.stderr, new RegExp(`archive server version \`${serverVersion.replaceAll('.', '\\.')}\``))
    assert.match(run.stderr, /archive tool version `prancer-db-artifacts 0\.1\.0`/)
    for (const ns of namespaces) assert.ok(run.stderr.includes(`adding intent for \`${ns.db}.${ns.collection}\``), `${ns.db}.${ns.collection}`)
  })
})
