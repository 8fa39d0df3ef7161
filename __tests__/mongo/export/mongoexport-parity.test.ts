// Our exporter against mongoexport on the same server and the same collections, byte for byte: a Prancer-shaped
// output collection (prancer-db.md §5.1) and a mixed-types collection (the 13 types FerretDB stores), for every
// framing mongoexport has, for an incremental query, and for empty and missing collections. Then the round trip:
// mongoimport --mode upsert loads our canonical file into an empty database, and exporting that again gives the
// same bytes.

import assert from 'node:assert/strict'
import {createHash} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {BSON, Long} from 'bson'
import {MongoClient, type Db} from 'mongodb'
import {exportCollection, type ExportOptions, type FindSpec} from '../../../src/mongo/export/index.ts'
import {createRng, encodeDocument, generateDocument, prancerOutputDocument, seedFromEnv} from '../../../test/harness/bson-gen.ts'
import {startTestServer, uniqueDbName, type TestServer} from '../../../test/harness/mongo.ts'
import {runMongoExport, runMongoImport} from '../../../test/harness/mongo-tools.ts'

const seed = seedFromEnv()
const PRANCER_DOCS = 300
const MIXED_DOCS = 400
const BASE_TIMESTAMP = 1793491200000

const FRAMINGS: ReadonlyArray<{ name: string; args: string[]; opts: ExportOptions }> = [
  { name: 'default', args: [], opts: { format: 'relaxed' } },
  { name: '--jsonArray', args: ['--jsonArray'], opts: { format: 'relaxed', jsonArray: true } },
  { name: '--pretty', args: ['--pretty'], opts: { format: 'relaxed', pretty: true } },
  { name: '--jsonArray --pretty', args: ['--jsonArray', '--pretty'], opts: { format: 'relaxed', jsonArray: true, pretty: true } },
  { name: '--jsonFormat=canonical', args: ['--jsonFormat=canonical'], opts: { format: 'canonical' } },
  {
    name: '--jsonFormat=canonical --jsonArray --pretty',
    args: ['--jsonFormat=canonical', '--jsonArray', '--pretty'],
    opts: { format: 'canonical', jsonArray: true, pretty: true }
  }
]

// Inserting through the driver: keep every BSON type as generated (Int32 stays Int32, Int64 stays Long, ...).
const toDriverDocument = (bytes: Uint8Array) => BSON.deserialize(bytes, { promoteValues: false, bsonRegExp: true })

describe(`export parity with mongoexport (seed ${seed}, replay with TEST_SEED=${seed})`, () => {
  let server: TestServer
  let client: MongoClient
  let db: Db
  let dbName: string
  let dir: string

  before(async () => {
    server = await startTestServer()
    client = new MongoClient(server.uri)
    await client.connect()
    dbName = uniqueDbName('export_parity')
    db = client.db(dbName)
    dir = mkdtempSync(path.join(os.tmpdir(), 'export-parity-'))
    const rng = createRng(seed)
    const prancer = Array.from({ length: PRANCER_DOCS }, (_, i) =>
      toDriverDocument(encodeDocument(prancerOutputDocument(rng, i, { baseTimestamp: BASE_TIMESTAMP })))
    )
    await db.collection('outputs').insertMany(prancer)
    const mixed = Array.from({ length: MIXED_DOCS }, () => toDriverDocument(encodeDocument(generateDocument(rng, { profile: 'ferretdb' }))))
    await db.collection('mixed').insertMany(mixed)
    await db.createCollection('empty')
  })

  after(async () => {
    await client?.close()
    await server?.stop()
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  })

  async function compare(collection: string, args: string[], opts: ExportOptions, find: FindSpec = {}, extraArgs: string[] = []) {
    const theirs = await runMongoExport(['--uri', server.uri, '--db', dbName, '--collection', collection, '--quiet', ...args, ...extraArgs])
    assert.equal(theirs.code, 0, `mongoexport failed: ${theirs.stderr}`)
    const file = path.join(dir, `${collection}-${createHash('md5').update(args.join(' ') + extraArgs.join(' ')).digest('hex')}.json`)
    const result = await exportCollection(db, collection, find, file, opts)
    const ours = readFileSync(file)
    if (!ours.equals(theirs.stdout)) {
      let at = 0
      while (at < ours.length && ours[at] === theirs.stdout[at]) at++
      assert.fail(
        `${collection} ${args.join(' ')}: our file differs from mongoexport's at byte ${at} (ours ${ours.length} bytes, theirs ${theirs.stdout.length})\n` +
          `  ours:   ${JSON.stringify(ours.subarray(Math.max(0, at - 80), at + 80).toString('utf8'))}\n` +
          `  theirs: ${JSON.stringify(theirs.stdout.subarray(Math.max(0, at - 80), at + 80).toString('utf8'))}`
      )
    }
    assert.equal(result.bytes, ours.length)
    assert.equal(result.sha256, createHash('sha256').update(ours).digest('hex'))
    return { result, bytes: ours }
  }

  for (const collection of ['outputs', 'mixed']) {
    for (const framing of FRAMINGS) {
      test(`${collection}: ${framing.name}`, async () => {
        const { result } = await compare(collection, framing.args, framing.opts)
        assert.equal(result.documents, collection === 'outputs' ? PRANCER_DOCS : MIXED_DOCS)
        assert.equal(result.collectionExists, true)
      })
    }
  }

  test('outputs: incremental query on the int64 timestamp, sorted', async () => {
    const watermark = BASE_TIMESTAMP + 100 * 1000
    const { result } = await compare(
      'outputs',
      ['--jsonFormat=canonical'],
      { format: 'canonical' },
      { filter: { timestamp: { $gt: Long.fromNumber(watermark) } }, sort: { timestamp: 1 } },
      ['--query', `{"timestamp":{"$gt":{"$numberLong":"${watermark}"}}}`, '--sort', '{"timestamp":1}']
    )
    assert.ok(result.documents > 0 && result.documents < PRANCER_DOCS, `${result.documents} documents after the watermark`)
  })

  for (const framing of FRAMINGS) {
    test(`empty collection: ${framing.name}`, async () => {
      const { result, bytes } = await compare('empty', framing.args, framing.opts)
      assert.equal(result.documents, 0)
      assert.ok(bytes.length <= 4, 'only framing bytes')
    })
    test(`missing collection: ${framing.name}`, async () => {
      const { result, bytes } = await compare('does_not_exist', framing.args, framing.opts)
      assert.equal(bytes.length, 0)
      assert.equal(result.collectionExists, false)
    })
  }

  for (const collection of ['outputs', 'mixed']) {
    test(`round trip: mongoimport --mode upsert accepts our canonical ${collection} file and re-export is identical`, async () => {
      const first = path.join(dir, `${collection}-roundtrip-1.json`)
      await exportCollection(db, collection, {}, first, { format: 'canonical' })
      const targetName = uniqueDbName('export_roundtrip')
      const imported = await runMongoImport([
        '--uri', server.uri, '--db', targetName, '--collection', collection, '--mode', 'upsert', '--file', first
      ])
      assert.equal(imported.code, 0, `mongoimport failed: ${imported.stderr}`)
      const second = path.join(dir, `${collection}-roundtrip-2.json`)
      const again = await exportCollection(client.db(targetName), collection, {}, second, { format: 'canonical' })
      assert.equal(again.documents, collection === 'outputs' ? PRANCER_DOCS : MIXED_DOCS)
      assert.ok(readFileSync(second).equals(readFileSync(first)), `re-exported ${collection} differs from the imported file`)
    })
  }
})
