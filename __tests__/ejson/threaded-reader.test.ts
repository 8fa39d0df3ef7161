// A large file's restore parses on a worker thread (src/ejson/threaded-reader.ts). Its documents are checked against
// the Go parser (mongoimport's) line by line, its refusals against the main-thread reader's (itself checked against
// Go in reader-oracle.test.ts), across random chunk sizes, documents larger than a pack, refused documents between
// good ones and a document over the 16 MiB limit. Then what must hold around it: a structural error leaves the rest
// of the input unread for the caller to drain, a read error reaches the caller as it was, a slow consumer holds the
// input back (memory stays bounded), and no thread outlives the iteration.

import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {createRng, encodeDocument, generateDocuments, prancerOutputDocument, seedFromEnv, type Rng} from '../../test/harness/bson-gen.ts'
import {marshalExtJson, unmarshalExtJson} from '../../test/harness/oracle.ts'
import {threadCount} from '../../test/harness/threads.ts'
import {DocumentTooLargeError, ExtJsonSyntaxError} from '../../src/ejson/errors.ts'
import {readExtJsonDocuments, type ExtJsonDocument} from '../../src/ejson/reader.ts'
import {readExtJsonDocumentsInThread} from '../../src/ejson/threaded-reader.ts'

const seed = seedFromEnv()


async function* chunked(rng: Rng, bytes: Buffer): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; ) {
    const size = rng.pick([1, 7, 1000, 65536, 300_000, 1_500_000])
    yield bytes.subarray(at, at + size)
    at += size
  }
}

async function collect(docs: AsyncIterable<ExtJsonDocument>): Promise<ExtJsonDocument[]> {
  const all: ExtJsonDocument[] = []
  for await (const doc of docs) all.push(doc)
  return all
}

/** A byte source whose iterator has no return() (as restore's metered stream), counting what was taken from it. */
function countedSource(bytes: Buffer, chunkSize: number): AsyncIterable<Uint8Array> & {taken: number; rest(): number} {
  let at = 0
  const source = {
    taken: 0,
    [Symbol.asyncIterator]: () => ({
      next: async (): Promise<IteratorResult<Uint8Array>> => {
        if (at >= bytes.length) return {done: true, value: undefined}
        const chunk = bytes.subarray(at, at + chunkSize)
        at += chunk.length
        source.taken += chunk.length
        return {done: false, value: chunk}
      }
    }),
    rest: () => bytes.length - at
  }
  return source
}

describe(`the parser thread (seed ${seed}, replay with TEST_SEED=${seed})`, () => {
  test('same documents as the Go parser and the same refusals as the main-thread reader, in order, from random chunks', async () => {
    const rng = createRng(seed)
    const docs = [
      ...generateDocuments(seed, 1500, {profile: 'full', maxElements: 6}),
      ...Array.from({length: 3000}, (_, i) => encodeDocument(prancerOutputDocument(rng, i, {results: i % 1000 === 3 ? 500 : 1})))
    ]
    const lines = await marshalExtJson(docs, 'canonical')
    // Refused documents between good ones: the reader reports them and goes on.
    const bad = ['{"a": 1,}', '{"n": {"$numberLong": "twelve"}}', '{"d": {"$date": {"$numberLong": "1"}, "x": 1}}']
    for (let i = 0; i < 30; i++) lines.splice(rng.int(0, lines.length), 0, rng.pick(bad))
    const expected = await unmarshalExtJson(lines)
    const text = Buffer.from(lines.join('\n') + '\n')
    assert.ok(text.length > 4 * 1024 * 1024, 'the file spans many input chunks and output packs')
    const baseline = threadCount()

    const threaded = await collect(readExtJsonDocumentsInThread(chunked(rng, text)))
    const direct = await collect(readExtJsonDocuments([text]))

    assert.equal(threaded.length, lines.length)
    let refused = 0
    threaded.forEach((doc, i) => {
      assert.equal(doc.line, i + 1, `document #${i} starts on line ${i + 1}`)
      const oracle = expected[i]!
      if ('bson' in oracle) {
        assert.equal(doc.error, undefined, `line ${i + 1}: ${doc.error?.message}`)
        assert.ok(Buffer.from(doc.bson!).equals(oracle.bson), `line ${i + 1}: the same BSON as the Go parser`)
      } else {
        refused++
        assert.ok(doc.error instanceof ExtJsonSyntaxError, `line ${i + 1} is refused, as Go refuses it (${oracle.error})`)
        assert.equal(doc.error.message, direct[i]!.error!.message)
        assert.equal((doc.error as ExtJsonSyntaxError).column, (direct[i]!.error as ExtJsonSyntaxError).column)
      }
    })
    assert.ok(refused >= 30, `${refused} refused`)
    assert.ok(threadCount() <= baseline, `no thread is left running (${threadCount()} threads, ${baseline} before)`)
  })

  test('a document over 16 MiB of BSON is a DocumentTooLargeError, and the documents after it still come', async () => {
    const big = `{"s": "${'x'.repeat(16 * 1024 * 1024)}"}`
    const text = Buffer.from(`{"a": 1}\n${big}\n{"b": 2}\n`)
    const threaded = await collect(readExtJsonDocumentsInThread(chunked(createRng(seed), text)))
    const direct = await collect(readExtJsonDocuments([text]))
    assert.equal(threaded.length, 3)
    assert.ok(threaded[1]!.error instanceof DocumentTooLargeError)
    assert.equal(threaded[1]!.error.message, direct[1]!.error!.message)
    assert.deepEqual([threaded[0]!.bson, threaded[2]!.bson].map(b => Buffer.from(b!).toString('hex')), [direct[0]!.bson, direct[2]!.bson].map(b => Buffer.from(b!).toString('hex')))
  })

  test('a structural error ends the documents and leaves the rest of the input unread, for the caller to drain', async () => {
    const lines = await marshalExtJson(generateDocuments(seed, 3000, {profile: 'full', maxElements: 6}), 'relaxed')
    // A value longer than the cap is a structural error: reading stops there.
    const after = Array.from({length: 10}, () => lines).flat()
    const text = Buffer.from([...lines.slice(0, 2000), `{"long": "${'y'.repeat(300_000)}"}`, ...after].join('\n') + '\n')
    const source = countedSource(text, 64 * 1024)
    const baseline = threadCount()
    const threaded = await collect(readExtJsonDocumentsInThread(source, {maxDocumentTextBytes: 100_000}))
    const direct = await collect(readExtJsonDocuments([text], {maxDocumentTextBytes: 100_000}))
    assert.equal(threaded.length, direct.length)
    assert.equal(threaded.length, 2001)
    assert.equal(threaded.at(-1)!.error!.message, direct.at(-1)!.error!.message)
    assert.ok(source.rest() > 0, 'the input after the structural error is left for the caller')
    // Draining what is left gives every byte exactly once (restore hashes the whole file this way).
    let drained = 0
    for await (const chunk of source) drained += chunk.length
    assert.equal(source.taken, text.length)
    assert.ok(drained > 0)
    assert.ok(threadCount() <= baseline, `no thread is left running (${threadCount()} threads, ${baseline} before)`)
  })

  test('a read error reaches the caller as it was (its code kept), after the documents before it', async () => {
    const lines = await marshalExtJson(generateDocuments(seed, 2000, {profile: 'full', maxElements: 6}), 'relaxed')
    const text = Buffer.from(Array.from({length: 4}, () => lines.join('\n')).join('\n') + '\n')
    // The read fails a few bytes before the end of a line: inside a document.
    const cut = text.indexOf('\n', 1_000_000) - 5
    const failing = async function* (): AsyncGenerator<Uint8Array> {
      yield text.subarray(0, cut)
      throw Object.assign(new Error('EIO: i/o error, read'), {code: 'EIO', syscall: 'read'})
    }
    const baseline = threadCount()
    const seen: ExtJsonDocument[] = []
    await assert.rejects(
      async () => {
        for await (const doc of readExtJsonDocumentsInThread(failing())) seen.push(doc)
      },
      (error: NodeJS.ErrnoException) => error.code === 'EIO' && error.syscall === 'read'
    )
    // The main-thread reader on the same bytes: the same documents, then the cut one as unterminated, which the
    // thread must not report (the input did not end: it failed).
    const before = await collect(readExtJsonDocuments([text.subarray(0, cut)]))
    assert.ok(before.at(-1)!.error instanceof ExtJsonSyntaxError)
    assert.deepEqual(seen.map(d => d.line), before.slice(0, -1).map(d => d.line))
    assert.ok(threadCount() <= baseline, `no thread is left running (${threadCount()} threads, ${baseline} before)`)
  })

  test('a consumer that waits holds the input back; one that stops early stops the thread', async () => {
    const rng = createRng(seed)
    const docs = Array.from({length: 30_000}, (_, i) => encodeDocument(prancerOutputDocument(rng, i)))
    const text = Buffer.from((await marshalExtJson(docs, 'relaxed')).join('\n') + '\n')
    assert.ok(text.length > 40 * 1024 * 1024)
    const source = countedSource(text, 64 * 1024)
    const baseline = threadCount()
    let n = 0
    for await (const doc of readExtJsonDocumentsInThread(source)) {
      assert.equal(doc.error, undefined)
      if (++n === 1) await new Promise(resolve => setTimeout(resolve, 1500))
      if (n === 10) break
    }
    // Four 256 KiB chunks on their way, four 512 KiB packs, the reader's own buffer: a few MiB, not the whole file.
    assert.ok(source.taken < 8 * 1024 * 1024, `${source.taken} bytes read ahead of a consumer that waited`)
    assert.ok(threadCount() <= baseline, `no thread is left running (${threadCount()} threads, ${baseline} before)`)
  })

  test('refused documents take credits as packs do: a file of bad lines is not read ahead of a consumer that waits', async () => {
    const text = Buffer.from(`{"a": "${'z'.repeat(100)}",}\n`.repeat(100_000))
    const source = countedSource(text, 64 * 1024)
    const baseline = threadCount()
    let n = 0
    for await (const doc of readExtJsonDocumentsInThread(source)) {
      assert.ok(doc.error instanceof ExtJsonSyntaxError)
      if (++n === 1) await new Promise(resolve => setTimeout(resolve, 1500))
      if (n === 10) break
    }
    assert.ok(source.taken < 4 * 1024 * 1024, `${source.taken} of ${text.length} bytes read ahead of a consumer that waited`)
    assert.ok(threadCount() <= baseline, `no thread is left running (${threadCount()} threads, ${baseline} before)`)
  })

  test('nesting is refused at the same depth as on the main thread, whatever the stacks', async () => {
    const nested = (depth: number): string => `{"a": ${'['.repeat(depth)}${']'.repeat(depth)}}`
    const lines = ['{"ok": 1}', nested(999), nested(1500), nested(3000), '{"ok": 2}']
    const text = Buffer.from(lines.join('\n') + '\n')
    const threaded = await collect(readExtJsonDocumentsInThread((async function* () {
      yield text
    })()))
    const direct = await collect(readExtJsonDocuments([text]))
    assert.deepEqual(threaded.map(d => d.error?.message ?? 'ok'), direct.map(d => d.error?.message ?? 'ok'))
    assert.deepEqual(threaded.map(d => d.error === undefined), [true, true, false, false, true])
    assert.match(threaded[2]!.error!.message, /nesting deeper than 1000 levels/)
  })
})
