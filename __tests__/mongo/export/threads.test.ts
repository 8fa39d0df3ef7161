// Exports larger than one chunk go through worker threads (src/mongo/export/threads.ts): the main thread packs documents,
// one or more converters frame them, and a writer puts their output in order on disk. Against the real mongoexport on
// the same collection, every framing, with 1 and 3 converters (3 on a 2-core machine makes the converters finish out
// of order, which the writer must undo), including documents larger than a pack. Then the failure paths: a malformed
// document in a late pack, a cursor that dies after the hand-over, and a destination that fills up, each leaving
// nothing behind and no thread running.

import assert from 'node:assert/strict'
import {createHash} from 'node:crypto'
import {closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {BSON} from 'bson'
import {MongoClient, type Db} from 'mongodb'
import {exportCollection, writeExportFile, type ExportOptions, type ExportProgress} from '../../../src/mongo/export/index.ts'
import {ExportThreads} from '../../../src/mongo/export/threads.ts'
import {createRng, encodeDocument, generateDocument, prancerOutputDocument, seedFromEnv} from '../../../test/harness/bson-gen.ts'
import {startTestServer, uniqueDbName, type TestServer} from '../../../test/harness/mongo.ts'
import {runMongoExport} from '../../../test/harness/mongo-tools.ts'
import {marshalExtJson} from '../../../test/harness/oracle.ts'
import {threadCount} from '../../../test/harness/threads.ts'

const seed = seedFromEnv()
const PRANCER_DOCS = 2500 // ~3.7 MB of JSON: the first MiB on the main thread, the rest through the threads
const LARGE_EVERY = 800 // every 800th document is ~650 KB of BSON, more than a pack (512 KiB)
const MIXED_DOCS = 6000

const FRAMINGS: ReadonlyArray<{name: string; args: string[]; opts: ExportOptions}> = [
  {name: 'default', args: [], opts: {format: 'relaxed'}},
  {name: '--jsonArray', args: ['--jsonArray'], opts: {format: 'relaxed', jsonArray: true}},
  {name: '--pretty', args: ['--pretty'], opts: {format: 'relaxed', pretty: true}},
  {name: '--jsonFormat=canonical --jsonArray --pretty', args: ['--jsonFormat=canonical', '--jsonArray', '--pretty'], opts: {format: 'canonical', jsonArray: true, pretty: true}}
]

const toDriverDocument = (bytes: Uint8Array) => BSON.deserialize(bytes, {promoteValues: false, bsonRegExp: true})


describe(`exports through the worker threads (seed ${seed}, replay with TEST_SEED=${seed})`, () => {
  let server: TestServer
  let client: MongoClient
  let db: Db
  let dbName: string
  let dir: string

  before(async () => {
    server = await startTestServer()
    client = await new MongoClient(server.uri).connect()
    dbName = uniqueDbName('export_threads')
    db = client.db(dbName)
    dir = mkdtempSync(path.join(os.tmpdir(), 'export-threads-'))
    const rng = createRng(seed)
    const prancer = Array.from({length: PRANCER_DOCS}, (_, i) =>
      toDriverDocument(encodeDocument(prancerOutputDocument(rng, i, {results: i % LARGE_EVERY === 7 ? 700 : 1})))
    )
    for (let i = 0; i < prancer.length; i += 500) await db.collection('outputs').insertMany(prancer.slice(i, i + 500))
    const mixed = Array.from({length: MIXED_DOCS}, () => toDriverDocument(encodeDocument(generateDocument(rng, {profile: 'ferretdb'}))))
    await db.collection('mixed').insertMany(mixed)
  })

  after(async () => {
    await client?.close()
    await server?.stop()
    if (dir !== undefined) rmSync(dir, {recursive: true, force: true})
  })

  for (const collection of ['outputs', 'mixed']) {
    for (const framing of FRAMINGS) {
      test(`${collection}, ${framing.name}, 1 and 3 converters: byte for byte mongoexport's file`, async () => {
        const theirs = await runMongoExport(['--uri', server.uri, '--db', dbName, '--collection', collection, '--quiet', ...framing.args])
        assert.equal(theirs.code, 0, `mongoexport failed: ${theirs.stderr}`)
        assert.ok(theirs.stdout.length > 3 << 20, `the export must outgrow its first chunk by several packs (${theirs.stdout.length} bytes)`)
        for (const converterThreads of [1, 3]) {
          const file = path.join(dir, `${collection}.json`)
          const reports: ExportProgress[] = []
          const result = await exportCollection(db, collection, {}, file, {...framing.opts, converterThreads, onProgress: p => reports.push(p), progressIntervalMs: 5})
          const ours = readFileSync(file)
          if (!ours.equals(theirs.stdout)) {
            let at = 0
            while (at < ours.length && ours[at] === theirs.stdout[at]) at++
            assert.fail(`${converterThreads} converter(s): differs from mongoexport at byte ${at} (ours ${ours.length} bytes, theirs ${theirs.stdout.length}): ${JSON.stringify(ours.subarray(Math.max(0, at - 60), at + 60).toString())}`)
          }
          assert.equal(result.documents, collection === 'outputs' ? PRANCER_DOCS : MIXED_DOCS)
          assert.equal(result.bytes, ours.length)
          assert.equal(result.sha256, createHash('sha256').update(ours).digest('hex'))
          assert.equal(reports.at(-1)!.bytes, ours.length, 'the last progress report counts every byte')
          for (let i = 1; i < reports.length; i++) assert.ok(reports[i]!.bytes >= reports[i - 1]!.bytes, 'progress never goes back')
          rmSync(file)
        }
      })
    }
  }
})

describe('failures after the hand-over to the threads', () => {
  let dir: string
  const rng = createRng(5)
  const docs = Array.from({length: 6000}, (_, i) => encodeDocument(prancerOutputDocument(rng, i, {results: 1}))) // ~9 MB of JSON

  async function* source(list: Uint8Array[], failAt?: number): AsyncGenerator<readonly Uint8Array[]> {
    for (let i = 0; i < list.length; i += 101) {
      if (failAt !== undefined && i >= failAt) throw new Error('the cursor died')
      yield list.slice(i, i + 101)
      await new Promise(resolve => setImmediate(resolve))
    }
  }

  let baseline = 0

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'export-threads-fail-'))
    await readFile(import.meta.filename) // start libuv's thread pool first, so it does not count as a leftover thread
    baseline = threadCount()
  })
  after(() => rmSync(dir, {recursive: true, force: true}))

  test('converters that finish out of order: the writer still writes the output in document order (the oracle\'s lines)', async () => {
    // A ~6 MB document alone in a pack takes a converter far longer than the ordinary packs the next converters get,
    // so their output reaches the writer first. The source is in memory, so the main thread is never the bottleneck.
    const big = encodeDocument(prancerOutputDocument(createRng(9), 0, {results: 6000}))
    assert.ok(big.length > 5 << 20)
    const list = [...docs.slice(0, 1500), big, ...docs.slice(1500, 4000), big, ...docs.slice(4000)]
    const destination = path.join(dir, 'ordered.json')
    const result = await writeExportFile(source(list) as AsyncIterable<never>, destination, {format: 'relaxed', converterThreads: 3})
    const expected = (await marshalExtJson(list, 'relaxed')).map(line => line + '\n').join('')
    const bytes = readFileSync(destination)
    assert.equal(result.bytes, bytes.length)
    assert.ok(bytes.toString('utf8') === expected, 'the file is the oracle\'s lines in document order')
    rmSync(destination)
  })

  test('a malformed document in a late pack names the document and leaves the previous file untouched', async () => {
    const destination = path.join(dir, 'previous.json')
    writeFileSync(destination, 'previous export\n')
    const broken = docs.slice()
    const bad = broken[5100]!.slice()
    bad[bad.length - 1] = 7 // no terminator
    broken[5100] = bad
    await assert.rejects(
      writeExportFile(source(broken) as AsyncIterable<never>, destination, {format: 'canonical', converterThreads: 3}),
      /previous\.json: document #5101 cannot be converted: Malformed BSON at byte \d+: document is missing its 0x00 terminator/
    )
    assert.equal(readFileSync(destination, 'utf8'), 'previous export\n')
    assert.deepEqual(readdirSync(dir), ['previous.json'])
    assert.ok(threadCount() <= baseline, `no thread is left running (${threadCount()} threads, ${baseline} before)`)
    rmSync(destination)
  })

  test('with several converters, the error names the first malformed document, whichever converter fails first', async () => {
    // Every document from #5001 on is malformed, so several packs fail at once on different converters; the one
    // reported must be that of the earliest pack, as a single thread would report it.
    const broken = docs.map((doc, i) => {
      if (i < 5000) return doc
      const bad = doc.slice()
      bad[bad.length - 1] = 7
      return bad
    })
    for (let round = 0; round < 5; round++) {
      const destination = path.join(dir, 'first-error.json')
      await assert.rejects(
        writeExportFile(source(broken) as AsyncIterable<never>, destination, {format: 'relaxed', converterThreads: 3}),
        /document #5001 cannot be converted/
      )
      assert.deepEqual(readdirSync(dir), [])
    }
    assert.ok(threadCount() <= baseline, `no thread is left running (${threadCount()} threads, ${baseline} before)`)
  })

  test('a cursor that dies after the hand-over leaves no file and no thread', async () => {
    const destination = path.join(dir, 'died.json')
    await assert.rejects(writeExportFile(source(docs, 4000) as AsyncIterable<never>, destination, {format: 'relaxed', converterThreads: 2}), /the cursor died/)
    assert.equal(existsSync(destination), false)
    assert.deepEqual(readdirSync(dir), [])
    assert.ok(threadCount() <= baseline, `no thread is left running (${threadCount()} threads, ${baseline} before)`)
  })

  test('a write error in the writer thread (ENOSPC from /dev/full) reaches the caller with its code, and every thread stops', {skip: process.platform !== 'linux' && 'needs /dev/full'}, async () => {
    // /dev/full accepts the open and fails every write with ENOSPC; the export faults test does the same through a full tmpfs and the action.
    const fd = openSync('/dev/full', 'w')
    const threads = new ExportThreads({fd, framing: {format: 'relaxed', jsonArray: false, pretty: false}, converterThreads: 2, chunkBytes: 1 << 20, outputBufferBytes: 5 << 18, head: Buffer.from('{"a":1}\n'), documents: 1})
    try {
      await assert.rejects(
        (async () => {
          for (const doc of docs) await threads.add(doc)
          await threads.finish(Buffer.alloc(0))
        })(),
        (error: NodeJS.ErrnoException) => error.code === 'ENOSPC'
      )
    } finally {
      await threads.close()
      closeSync(fd)
    }
    assert.ok(threadCount() <= baseline, `no thread is left running (${threadCount()} threads, ${baseline} before)`)
  })
})
