// Fault class: one long line (issue 11, item 7). Reading a document that spans many chunks used to join
// every new chunk to the whole unfinished value, so time grew with the square of the line length (8 MiB
// 1.2 s, 48 MiB 23 s, 200 MB never finished), and nothing refused a document no server would take.
// Checked deterministically, without timing: the bytes the splitter copies (linear in the input), how
// far into an endless line the refusal comes (bounded memory), and the 16 MiB BSON limit to the byte.

import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {MAX_DOCUMENT_TEXT_BYTES} from '../../src/ejson/limits.ts'
import * as reader from '../../src/ejson/reader.ts'
import {restore, RestoreError} from '../../src/jobs/restore/index.ts'

const {readExtJsonDocuments} = reader
const MiB = 1024 * 1024
/** MongoDB's maxBsonObjectSize; defined here so the test does not take the limit from the code it checks. */
const MAX_BSON = 16 * MiB
const CHUNK = 64 * 1024
const CLI = path.resolve(import.meta.dirname, '../../src/cli/index.ts')

/** `{"_id":<id>,"s":"xxx…"}` whose BSON is exactly `bsonSize` bytes (4 + 1+4+4 _id + 1+2+4+len+1 + 1). */
function stringDocText(id: number, bsonSize: number): {head: string; length: number; tail: string} {
  const length = bsonSize - (4 + (1 + 4 + 4) + (1 + 2 + 4 + 1) + 1)
  return {head: `{"_id":${id},"s":"`, length, tail: '"}'}
}

/** A stream of `lines`, where a long string body is produced chunk by chunk from one reused buffer. */
async function* stream(parts: Array<string | {repeat: number}>, chunk = CHUNK, counter?: {pulled: number}): AsyncGenerator<Uint8Array> {
  const body = Buffer.alloc(chunk, 'x')
  for (const part of parts) {
    if (typeof part === 'string') {
      if (counter) counter.pulled += Buffer.byteLength(part)
      yield Buffer.from(part)
      continue
    }
    for (let left = part.repeat; left > 0; ) {
      const n = Math.min(left, chunk)
      left -= n
      if (counter) counter.pulled += n
      yield body.subarray(0, n)
    }
  }
}

async function readAll(source: AsyncIterable<Uint8Array>, opts: Record<string, unknown> = {}): Promise<reader.ExtJsonDocument[]> {
  const docs: reader.ExtJsonDocument[] = []
  for await (const doc of readExtJsonDocuments(source, opts)) docs.push(doc)
  return docs
}

describe('the reader', () => {
  test('a 48 MiB line: refused by its line number as over 16 MiB, the next documents still read, buffer copies linear', async () => {
    const line = 48 * MiB
    const stats = {bufferedBytes: 0}
    const docs = await readAll(stream(['{"_id":1}\n{"_id":2,"s":"', {repeat: line}, '"}\n{"_id":3}\n']), {stats})
    assert.deepEqual(docs.map((d) => [d.line, d.error === undefined]), [[1, true], [2, false], [3, true]])
    assert.match(docs[1].error?.message ?? '', /^line 2: the document is larger than 16777216 bytes \(16 MiB\) as BSON/)
    // Every byte of the long value is copied into the splitter's buffer a bounded number of times
    // (appends, at most one move, doublings): linear. Joining each chunk to the whole value copied
    // about line²/(2·chunk) bytes: 18 GiB here.
    assert.ok(stats.bufferedBytes > 0, 'the reader reports no buffer statistics')
    assert.ok(stats.bufferedBytes <= 3 * line, `the splitter copied ${stats.bufferedBytes} bytes for a ${line}-byte line`)
  })

  test('copies stay linear with tiny chunks and many long values in a row', async () => {
    const stats = {bufferedBytes: 0}
    const parts: Array<string | {repeat: number}> = []
    let total = 0
    for (let i = 0; i < 20; i++) {
      const size = 200_000 + i * 37_000
      parts.push(`{"_id":${i},"s":"`, {repeat: size}, '"}\n')
      total += size + 30
    }
    const docs = await readAll(stream(parts, 1000), {stats})
    assert.equal(docs.length, 20)
    assert.ok(docs.every((d) => d.bson !== undefined))
    assert.ok(stats.bufferedBytes > 0, 'the reader reports no buffer statistics')
    assert.ok(stats.bufferedBytes <= 4 * total, `copied ${stats.bufferedBytes} bytes for ${total} bytes of input`)
  })

  test('the 16 MiB limit to the byte: a document of exactly 16 MiB of BSON is read, one byte more is refused', async () => {
    for (const [size, ok] of [[MAX_BSON, true], [MAX_BSON + 1, false]] as const) {
      const {head, length, tail} = stringDocText(7, size)
      const docs = await readAll(stream([head, {repeat: length}, tail, '\n']))
      assert.equal(docs.length, 1)
      if (ok) assert.equal(docs[0].bson?.length, size, docs[0].error?.message)
      else assert.match(docs[0].error?.message ?? '', /^line 1: the document is larger than 16777216 bytes/)
    }
    // An array ending exactly at the limit: its index keys are written one by one, each checked exactly.
    const elementBytes = (i: number): number => 1 + String(i).length + 1 + 4 // type, key, NUL, int32
    // {"k…": [1, 1, …]}: document header, type, key, NUL, array (length, elements, NUL), NUL.
    const sizeWith = (elements: number, keyLength: number): number => 4 + 1 + keyLength + 1 + 4 + elements + 1 + 1
    let count = 0
    let elements = 0
    while (sizeWith(elements + elementBytes(count), 1) <= MAX_BSON) elements += elementBytes(count++)
    const keyLength = 1 + MAX_BSON - sizeWith(elements, 1)
    assert.equal(sizeWith(elements, keyLength), MAX_BSON)
    const array = `[${'1,'.repeat(count - 1)}1]`
    const [exact] = await readAll(stream([`{"${'k'.repeat(keyLength)}":${array}}`]))
    assert.equal(exact.bson?.length, MAX_BSON, exact.error?.message)
    const [over] = await readAll(stream([`{"${'k'.repeat(keyLength + 1)}":${array}}`]))
    assert.match(over.error?.message ?? '', /larger than 16777216 bytes/)
  })

  test('an endless line is refused once the text cap is passed: memory stays bounded', async () => {
    const counter = {pulled: 0}
    const cap = 4 * MiB
    // 1 GiB that would never end: the reader must stop long before.
    const docs = await readAll(stream(['{"_id":1}\n{"s":"', {repeat: 1024 * MiB}], CHUNK, counter), {maxDocumentTextBytes: cap})
    assert.equal(docs.length, 2)
    assert.match(docs[1].error?.message ?? '', /^line 2: the document starting here is more than 4 MiB of text/)
    assert.ok(counter.pulled <= cap + 2 * CHUNK, `read ${counter.pulled} bytes before refusing`)
    // The same for a bare scalar that never ends.
    const scalar = {pulled: 0}
    const bare = await readAll(stream(['tru', {repeat: 1024 * MiB}], CHUNK, scalar), {maxDocumentTextBytes: cap})
    assert.match(bare.at(-1)?.error?.message ?? '', /^line 1: the document starting here is more than 4 MiB/)
    assert.ok(scalar.pulled <= cap + 2 * CHUNK)
  })

  test('the default text cap leaves room for any exportable document (16 × 16 MiB)', () => {
    assert.equal(MAX_DOCUMENT_TEXT_BYTES, 16 * MAX_BSON)
  })
})

describe('restore', () => {
  let work: string
  let file: string

  before(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'fault-long-line-'))
    file = path.join(work, 'long.json')
    const {head, length, tail} = stringDocText(2, 48 * MiB)
    await writeFile(file, `{"_id":1}\n${head}${'x'.repeat(length)}${tail}\n{"_id":3}\n`)
  })

  after(async () => {
    if (work) await rm(work, {recursive: true, force: true})
  })

  test('a file with a 48 MiB line is refused with the file and line named, before anything is written', async () => {
    await assert.rejects(restore({source: file, database: 'unused', dryRun: true}), (error: Error) => {
      assert.ok(error instanceof RestoreError)
      assert.match(error.message, /long\.json: line 2: the document is larger than 16777216 bytes \(16 MiB\) as BSON.*remove or shorten that document.*Nothing was written\./)
      assert.equal(error.partial, false)
      return true
    })
  })

  test('the CLI: exit 1, the message, no stack trace', async () => {
    const run = await new Promise<{code: number; stderr: string}>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, 'restore', file, '--db', 'unused', '--dry-run'], {env: {PATH: process.env.PATH ?? '', HOME: os.tmpdir()}})
      let stderr = ''
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
      child.on('error', reject)
      child.on('close', (code) => resolve({code: code ?? -1, stderr}))
    })
    assert.equal(run.code, 1, run.stderr)
    assert.match(run.stderr, /error: .*long\.json: line 2: the document is larger than 16777216 bytes/)
    assert.doesNotMatch(run.stderr, /\n\s+at .+:\d+:\d+/)
  })
})
