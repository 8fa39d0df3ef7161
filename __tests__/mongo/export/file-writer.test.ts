// The export file writer without a server: nothing partial is ever left behind (temporary file + rename), the result's
// count/bytes/sha256 describe the file written, progress and onDocument are reported, and the framing of each
// document is the oracle's MarshalExtJSON output.

import assert from 'node:assert/strict'
import {createHash} from 'node:crypto'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {writeExportFile, type ExportProgress} from '../../../src/mongo/export/index.ts'
import {createRng, encodeDocument, generateDocuments, prancerOutputDocument} from '../../../test/harness/bson-gen.ts'
import {marshalExtJson} from '../../../test/harness/oracle.ts'

async function* fromArray(docs: Uint8Array[], failAfter?: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < docs.length; i++) {
    if (i === failAfter) throw new Error('cursor died mid-stream')
    yield docs[i]!
    if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve))
  }
}

describe('writeExportFile', () => {
  let dir: string
  // About 2.5 MiB of JSON, so a failure after the first documents happens after a chunk reached the temporary file.
  const rng = createRng(11)
  const docs = Array.from({ length: 2000 }, (_, i) => encodeDocument(prancerOutputDocument(rng, i, { results: 1 })))

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'export-writer-'))
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  test('an error mid-stream leaves neither the destination nor a temporary file', async () => {
    const destination = path.join(dir, 'midstream.json')
    await assert.rejects(writeExportFile(fromArray(docs, 1500), destination, { format: 'relaxed' }), /cursor died mid-stream/)
    assert.equal(existsSync(destination), false)
    assert.deepEqual(readdirSync(dir), [])
  })

  test('a malformed document fails the export, names the document, and leaves an existing destination untouched', async () => {
    const destination = path.join(dir, 'existing.json')
    writeFileSync(destination, 'previous export\n')
    const broken = docs.slice(0, 1200)
    const bad = broken[1100]!.slice()
    bad[bad.length - 1] = 7 // no terminator
    broken[1100] = bad
    await assert.rejects(
      writeExportFile(fromArray(broken), destination, { format: 'canonical', pretty: true }),
      /existing\.json: document #1101 cannot be converted: Malformed BSON at byte \d+: document is missing its 0x00 terminator/
    )
    assert.equal(readFileSync(destination, 'utf8'), 'previous export\n')
    assert.deepEqual(readdirSync(dir), ['existing.json'])
    rmSync(destination)
  })

  test('an exception from onDocument aborts cleanly too', async () => {
    const destination = path.join(dir, 'callback.json')
    const onDocument = (doc: Uint8Array) => {
      if (doc === docs[10]) throw new Error('inspection failed')
    }
    await assert.rejects(writeExportFile(fromArray(docs), destination, { format: 'relaxed', onDocument }), /inspection failed/)
    assert.deepEqual(readdirSync(dir), [])
  })

  test('result, onDocument and progress describe exactly what was written; lines are the oracle output', async () => {
    const destination = path.join(dir, 'complete.json')
    const seen: Uint8Array[] = []
    const reports: ExportProgress[] = []
    const result = await writeExportFile(fromArray(docs), destination, {
      format: 'relaxed',
      onDocument: (doc) => seen.push(doc),
      onProgress: (p) => reports.push(p),
      progressIntervalMs: 1
    })
    const bytes = readFileSync(destination)
    assert.deepEqual(readdirSync(dir), ['complete.json'])
    assert.equal(result.documents, docs.length)
    assert.equal(result.bytes, bytes.length)
    assert.equal(result.sha256, createHash('sha256').update(bytes).digest('hex'))
    assert.equal(result.collectionExists, true)
    assert.equal(seen.length, docs.length)
    assert.ok(seen.every((doc, i) => doc === docs[i]))
    const expected = (await marshalExtJson(docs, 'relaxed')).map((line) => line + '\n').join('')
    assert.equal(bytes.toString('utf8'), expected)
    assert.ok(reports.length >= 1, 'at least the final progress report')
    const last = reports.at(-1)!
    assert.equal(last.documents, docs.length)
    assert.equal(last.bytes, bytes.length)
    for (let i = 1; i < reports.length; i++) assert.ok(reports[i]!.documents >= reports[i - 1]!.documents)
    rmSync(destination)
  })

  test('--jsonArray framing around the oracle output, every BSON type', async () => {
    const mixed = generateDocuments(5, 50)
    const destination = path.join(dir, 'array.json')
    await writeExportFile(fromArray(mixed), destination, { format: 'canonical', jsonArray: true })
    const lines = await marshalExtJson(mixed, 'canonical')
    assert.equal(readFileSync(destination, 'utf8'), `[${lines.join(',')}]\n`)
    rmSync(destination)
  })

  test('a missing collection (null source) gives an empty file whatever the framing', async () => {
    const destination = path.join(dir, 'missing.json')
    const result = await writeExportFile(null, destination, { format: 'relaxed', jsonArray: true, pretty: true })
    assert.equal(readFileSync(destination).length, 0)
    assert.equal(result.collectionExists, false)
    assert.equal(result.sha256, createHash('sha256').digest('hex'))
    rmSync(destination)
  })

  test('a destination directory that does not exist is reported with the path', async () => {
    const destination = path.join(dir, 'no', 'such', 'dir', 'x.json')
    await assert.rejects(writeExportFile(fromArray([]), destination, { format: 'relaxed' }), /Cannot create the temporary export file .*x\.json/)
  })
})
