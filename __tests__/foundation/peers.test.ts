// Smoke tests of the real peers every integration test stands on: the test server (FerretDB, or MONGODB_URI), the
// mongoexport/mongoimport pair (real tools with MONGO_TOOLS_BIN, else the Go driver stand-ins) and the ejson-oracle.

import assert from 'node:assert/strict'
import {after, before, describe, test} from 'node:test'
import {Binary, BSONRegExp, Decimal128, Double, Int32, Long, ObjectId, serialize, Timestamp} from 'bson'
import {MongoClient} from 'mongodb'
import type {Document} from 'mongodb'
import {startTestServer, uniqueDbName} from '../../test/harness/mongo.ts'
import type {TestServer} from '../../test/harness/mongo.ts'
import {runMongoExport, runMongoImport} from '../../test/harness/mongo-tools.ts'
import {marshalExtJson, unmarshalExtJson} from '../../test/harness/oracle.ts'
import {ensurePeers} from '../../test/harness/peers.ts'

const peers = await ensurePeers()
const serverName = process.env.MONGODB_URI ? 'the MONGODB_URI server' : 'FerretDB v1.24.2'
const toolsName =
  peers.toolsKind === 'real' ? 'real mongoexport/mongoimport' : 'Go driver stand-ins of mongoexport/mongoimport (real tools unavailable)'

/** A document whose _id is a number (stored as Int32 when it fits, as the driver encodes it). */
type NumberedDocument = Document & {_id: number}

/** Documents using only the 13 BSON types FerretDB stores (mongo-tools-format.md §5.1); numeric _ids are Int32. */
function serverSafeDocuments(): Document[] {
  return [
    {
      _id: 1,
      double: new Double(1.5),
      string: 'héllo\u2028',
      doc: {nested: new Int32(7), list: [new Int32(1), 'two']},
      binary: new Binary(Buffer.from('payload'), 0x80),
      uuid: new Binary(Buffer.alloc(16, 0xab), Binary.SUBTYPE_UUID),
      oid: new ObjectId('5f0c1d2e3a4b5c6d7e8f9a0b'),
      flag: true,
      date: new Date(Date.UTC(2020, 0, 1, 0, 0, 0, 120)),
      none: null,
      regex: new BSONRegExp('a.c', 'is'),
      timestamp: new Timestamp({t: 1_700_000_000, i: 3}),
      long: Long.fromString('9223372036854775807')
    },
    {_id: 2, double: new Double(100000), long: Long.fromNumber(5), empty: {}, emptyList: []},
    {_id: 3, string: 'third'}
  ]
}

describe(`test server: ${serverName}`, () => {
  let server: TestServer
  let client: MongoClient

  before(async () => {
    server = await startTestServer()
    client = new MongoClient(server.uri)
  })
  after(async () => {
    await client?.close()
    await server?.stop()
  })

  async function rawDocuments(dbName: string, collection: string): Promise<Buffer[]> {
    const cursor = client.db(dbName).collection(collection).find({}, {sort: {_id: 1}, raw: true})
    return (await cursor.toArray()) as unknown as Buffer[]
  }

  test(`the Node driver inserts and finds documents on ${serverName}`, async () => {
    const dbName = uniqueDbName('driver')
    const docs = serverSafeDocuments()
    await client.db(dbName).collection('smoke').insertMany(docs)
    // The stored bytes must be what the driver sent: js-bson's encoding of the same documents.
    assert.deepEqual(await rawDocuments(dbName, 'smoke'), docs.map(doc => Buffer.from(serialize(doc))))
  })

  test(`${toolsName}: mongoexport exports a collection and mongoimport --mode upsert re-imports it unchanged`, async () => {
    const sourceDb = uniqueDbName('export_src')
    const targetDb = uniqueDbName('import_dst')
    const docs = serverSafeDocuments()
    await client.db(sourceDb).collection('results').insertMany(docs)
    // A stale copy of document 1 that the upsert must replace.
    await client.db(targetDb).collection<NumberedDocument>('copy').insertOne({_id: 1, string: 'stale'})

    const exported = await runMongoExport([`--uri=${server.uri}`, `--db=${sourceDb}`, '--collection=results', '--jsonFormat=canonical'])
    assert.equal(exported.code, 0, exported.stderr)
    assert.match(exported.stderr, /\texported 3 records\n$/)
    const lines = exported.stdout.toString('utf8').split('\n')
    assert.equal(lines.pop(), '', 'the export ends with a newline')
    assert.equal(lines.length, docs.length)

    const imported = await runMongoImport(
      [`--uri=${server.uri}`, `--db=${targetDb}`, '--collection=copy', '--mode=upsert'],
      exported.stdout
    )
    assert.equal(imported.code, 0, imported.stderr)
    assert.match(imported.stderr, /\t3 document\(s\) imported successfully\. 0 document\(s\) failed to import\.\n$/)

    assert.deepEqual(await rawDocuments(targetDb, 'copy'), await rawDocuments(sourceDb, 'results'))
  })

  test(`${toolsName}: mongoexport framing of empty and missing collections and of --jsonArray --pretty`, async () => {
    const dbName = uniqueDbName('framing')
    await client.db(dbName).createCollection('empty')
    await client.db(dbName).collection<NumberedDocument>('two').insertMany([{_id: 1, a: {}}, {_id: 2}])
    const exportOf = async (collection: string, ...flags: string[]): Promise<string> => {
      const result = await runMongoExport([`--uri=${server.uri}`, `--db=${dbName}`, `--collection=${collection}`, ...flags])
      assert.equal(result.code, 0, result.stderr)
      return result.stdout.toString('utf8')
    }
    // Expected bytes: the table of mongo-tools-format.md §1.2.
    assert.equal(await exportOf('empty'), '')
    assert.equal(await exportOf('empty', '--jsonArray'), '[]\n')
    assert.equal(await exportOf('empty', '--pretty'), '\n')
    assert.equal(await exportOf('missing', '--jsonArray'), '')
    assert.equal(await exportOf('two', '--jsonArray'), '[{"_id":1,"a":{}},{"_id":2}]\n')
    assert.equal(await exportOf('two', '--jsonArray', '--pretty'), '[{\n\t"_id": 1,\n\t"a": {}\n},\n{\n\t"_id": 2\n}]\n\n')

    const asserted = await runMongoExport([`--uri=${server.uri}`, `--db=${dbName}`, '--collection=missing', '--assertExists'])
    assert.equal(asserted.code, 1)
    assert.match(asserted.stderr, /Failed: collection .missing. does not exist/)
  })
})

// ---------------------------------------------------------------------------------------------------------------
// A document with all 21 BSON element types, written byte by byte (js-bson cannot build DBPointer, Undefined or an
// old-binary subtype 2 with its inner length).

function int32(value: number): Buffer {
  const bytes = Buffer.alloc(4)
  bytes.writeInt32LE(value)
  return bytes
}
function cstring(text: string): Buffer {
  return Buffer.concat([Buffer.from(text, 'utf8'), Buffer.of(0)])
}
function bsonString(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8')
  return Buffer.concat([int32(bytes.length + 1), bytes, Buffer.of(0)])
}
function element(type: number, key: string, value: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([Buffer.of(type), cstring(key), value])
}
function documentOf(elements: Buffer[]): Buffer {
  const body = Buffer.concat([...elements, Buffer.of(0)])
  return Buffer.concat([int32(body.length + 4), body])
}
function binary(subtype: number, data: Buffer): Buffer {
  return Buffer.concat([int32(data.length), Buffer.of(subtype), data])
}
function double(value: number): Buffer {
  const bytes = Buffer.alloc(8)
  bytes.writeDoubleLE(value)
  return bytes
}
function int64(value: bigint): Buffer {
  const bytes = Buffer.alloc(8)
  bytes.writeBigInt64LE(value)
  return bytes
}

function everyTypeDocument(): Buffer {
  const oid = Buffer.from('5f0c1d2e3a4b5c6d7e8f9a0b', 'hex')
  const oldBinaryData = Buffer.from('old')
  return documentOf([
    element(0x07, '_id', oid),
    element(0x01, 'double', double(1234567.5)),
    element(0x01, 'negativeZero', double(-0)),
    element(0x02, 'string', bsonString('ctl\u0001\u007f\u2028<&>é"\\\n')),
    element(0x03, 'document', documentOf([element(0x10, 'x', int32(1)), element(0x10, 'x', int32(2))])),
    element(0x04, 'array', documentOf([element(0x02, '0', bsonString('a')), element(0x04, '1', documentOf([]))])),
    element(0x05, 'binaryGeneric', binary(0x00, Buffer.from('hello'))),
    element(0x05, 'binaryFunction', binary(0x01, Buffer.from('fn'))),
    element(0x05, 'binaryOld', binary(0x02, Buffer.concat([int32(oldBinaryData.length), oldBinaryData]))),
    element(0x05, 'binaryUuidOld', binary(0x03, Buffer.alloc(16, 0x11))),
    element(0x05, 'binaryUuid', binary(0x04, Buffer.alloc(16, 0x22))),
    element(0x05, 'binaryMd5', binary(0x05, Buffer.alloc(16, 0x33))),
    element(0x05, 'binaryEncrypted', binary(0x06, Buffer.from('enc'))),
    element(0x05, 'binaryColumn', binary(0x07, Buffer.from('col'))),
    element(0x05, 'binarySensitive', binary(0x08, Buffer.from('secret'))),
    element(0x05, 'binaryUser', binary(0x80, Buffer.from('user'))),
    element(0x06, 'undefined'),
    element(0x07, 'objectId', oid),
    element(0x08, 'boolean', Buffer.of(1)),
    element(0x09, 'date', int64(-62_135_596_800_000n)),
    element(0x0a, 'null'),
    element(0x0b, 'regex', Buffer.concat([cstring('^a.c$'), cstring('imsx')])),
    element(0x0c, 'dbPointer', Buffer.concat([bsonString('db.coll'), oid])),
    element(0x0d, 'javascript', bsonString('function () { return 1 }')),
    element(0x0e, 'symbol', bsonString('sym')),
    element(0x0f, 'codeWithScope', (() => {
      const body = Buffer.concat([bsonString('x + y'), documentOf([element(0x10, 'y', int32(1))])])
      return Buffer.concat([int32(body.length + 4), body])
    })()),
    element(0x10, 'int32', int32(-7)),
    element(0x11, 'timestamp', Buffer.concat([int32(2), int32(1)])),
    element(0x12, 'int64', int64(-9_223_372_036_854_775_808n)),
    element(0x13, 'decimal128', Buffer.from(Decimal128.fromString('1.0E+3').bytes)),
    element(0xff, 'minKey'),
    element(0x7f, 'maxKey')
  ])
}

/** The element type bytes at the top level of a document. */
function topLevelTypes(doc: Buffer): Set<number> {
  const types = new Set<number>()
  let offset = 4
  while (doc[offset] !== 0) {
    const type = doc[offset]!
    types.add(type)
    offset = doc.indexOf(0, offset + 1) + 1 // past the key
    offset += elementValueLength(doc, type, offset)
  }
  return types
}

function elementValueLength(doc: Buffer, type: number, offset: number): number {
  switch (type) {
    case 0x01: case 0x09: case 0x11: case 0x12: return 8
    case 0x02: case 0x0d: case 0x0e: return 4 + doc.readInt32LE(offset)
    case 0x03: case 0x04: case 0x0f: return doc.readInt32LE(offset)
    case 0x05: return 5 + doc.readInt32LE(offset)
    case 0x06: case 0x0a: case 0xff: case 0x7f: return 0
    case 0x07: return 12
    case 0x08: return 1
    case 0x0b: {
      const patternEnd = doc.indexOf(0, offset)
      return doc.indexOf(0, patternEnd + 1) + 1 - offset
    }
    case 0x0c: return 4 + doc.readInt32LE(offset) + 12
    case 0x10: return 4
    case 0x13: return 16
    default: throw new Error(`unexpected element type 0x${type.toString(16)}`)
  }
}

describe('ejson-oracle (Go driver bson.MarshalExtJSON / UnmarshalExtJSON)', () => {
  test('round-trips a document with every one of the 21 BSON element types: BSON → canonical EJSON → identical BSON', async () => {
    const doc = everyTypeDocument()
    assert.equal(topLevelTypes(doc).size, 21, 'the fixture holds all 21 element types')

    const [canonical] = await marshalExtJson([doc], 'canonical')
    // Spot checks that the Go writer, not a pass-through, produced the text (mongo-tools-format.md §1.3).
    assert.match(canonical!, /"undefined":\{"\$undefined":true\}/)
    assert.match(canonical!, /"dbPointer":\{"\$dbPointer":\{"\$ref":"db\.coll","\$id":\{"\$oid":"5f0c1d2e3a4b5c6d7e8f9a0b"\}\}\}/)
    assert.match(canonical!, /"binaryOld":\{"\$binary":\{"base64":"b2xk","subType":"02"\}\}/)
    assert.match(canonical!, /"document":\{"x":\{"\$numberInt":"1"\},"x":\{"\$numberInt":"2"\}\}/)

    const [back] = await unmarshalExtJson([canonical!])
    assert.ok(back && 'bson' in back, `the oracle could not parse its own output: ${JSON.stringify(back)}`)
    assert.deepEqual(Buffer.from(back.bson), doc)
  })

  test('marshals in batch and reports parse errors per line', async () => {
    const docs = Array.from({length: 2000}, (_, i) => documentOf([element(0x10, 'i', int32(i))]))
    const relaxed = await marshalExtJson(docs, 'relaxed')
    assert.deepEqual(relaxed, docs.map((_, i) => `{"i":${i}}`))

    const results = await unmarshalExtJson(['{"a":1.0}', '{a:1}', '{}'])
    assert.deepEqual(results[0], {bson: documentOf([element(0x01, 'a', double(1))])})
    assert.ok('error' in results[1]! && results[1].error.length > 0)
    assert.deepEqual(results[2], {bson: documentOf([])})
  })
})
