// Damaged archives are refused, with a message that names the file and the byte offset: archives the real mongodump
// wrote (plain and --gzip), cut short at every kind of place, with a flipped byte in a document, a wrong CRC, a
// broken length, data after a namespace's end, and files that are no archive at all. Where the message gives an
// exact offset, the expected value comes from walking mongodump's bytes by their length prefixes here, not from
// our reader. For the damaged data the real mongorestore is asked too: it refuses the same files.

import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {gzipSync} from 'node:zlib'
import {MongoClient, type Document} from 'mongodb'
import {ArchiveFormatError, readArchive} from '../../src/archive/reader.ts'
import {startTestServer, uniqueDbName, type TestServer} from '../../test/harness/mongo.ts'
import {realToolsMissing, runTool, runToolOk} from './helpers.ts'

const skip = await realToolsMissing()

interface Piece {
  kind: 'magic' | 'header' | 'entry' | 'terminator' | 'namespace' | 'document'
  offset: number
  length: number
  /** For namespace headers: "db.collection" and whether it is an EOF header. */
  ns?: string
  eof?: boolean
}

/** mongodump's archive cut into its pieces by their length prefixes. */
function pieces(bytes: Buffer): Piece[] {
  const out: Piece[] = [{kind: 'magic', offset: 0, length: 4}]
  let at = 4
  const headerLength = bytes.readInt32LE(at)
  out.push({kind: 'header', offset: at, length: headerLength})
  at += headerLength
  while (bytes.readUInt32LE(at) !== 0xffffffff) {
    out.push({kind: 'entry', offset: at, length: bytes.readInt32LE(at)})
    at += bytes.readInt32LE(at)
  }
  out.push({kind: 'terminator', offset: at, length: 4})
  at += 4
  let expectHeader = true
  while (at < bytes.length) {
    if (bytes.readUInt32LE(at) === 0xffffffff) {
      out.push({kind: 'terminator', offset: at, length: 4})
      at += 4
      expectHeader = true
      continue
    }
    const length = bytes.readInt32LE(at)
    if (expectHeader) {
      const text = bytes.subarray(at, at + length).toString('latin1')
      const db = /\x02db\x00....([^\x00]*)\x00/s.exec(text)![1]
      const collection = /\x02collection\x00....([^\x00]*)\x00/s.exec(text)![1]
      const eof = text.includes('\x08EOF\x00\x01')
      out.push({kind: 'namespace', offset: at, length, ns: `${db}.${collection}`, eof})
      expectHeader = false
    } else {
      out.push({kind: 'document', offset: at, length})
    }
    at += length
  }
  return out
}

async function readAll(file: string): Promise<number> {
  let events = 0
  for await (const _ of readArchive(file)) events++
  return events
}

/** Reading fails with an ArchiveFormatError naming the file; returns it. */
async function refused(file: string, pattern: RegExp, offset?: number): Promise<ArchiveFormatError> {
  try {
    await readAll(file)
  } catch (error) {
    assert.ok(error instanceof ArchiveFormatError, `not an ArchiveFormatError: ${String(error)}`)
    assert.ok(error.message.includes(file), `the message names the file: ${error.message}`)
    assert.match(error.message, /at byte offset \d+/)
    assert.match(error.message, pattern)
    if (offset !== undefined) assert.equal(error.offset, offset, error.message)
    assert.ok(error.message.includes(`at byte offset ${error.offset}`), error.message)
    return error
  }
  assert.fail(`${file} was read without an error`)
}

describe('damaged archives are refused, naming the file and the offset', {skip}, () => {
  let server: TestServer
  let client: MongoClient
  let dir: string
  let source: string
  let plain: Buffer
  let parts: Piece[]

  before(async () => {
    server = await startTestServer()
    client = new MongoClient(server.uri)
    await client.connect()
    dir = mkdtempSync(path.join(os.tmpdir(), 'archive-corrupt-'))
    source = uniqueDbName('arc_bad')
    const db = client.db(source)
    await db.collection('outputs').insertMany(Array.from({length: 60}, (_, i): Document => ({n: i, text: `document ${i} `.repeat(20)})))
    await db.collection('logs').insertMany(Array.from({length: 40}, (_, i): Document => ({n: i, line: `line ${i}`})))
    await db.createCollection('empty')
    await runToolOk('mongodump', ['--uri', server.uri, '--db', source, `--archive=${path.join(dir, 'good.archive')}`, '-j', '1'])
    await runToolOk('mongodump', ['--uri', server.uri, '--db', source, `--archive=${path.join(dir, 'good.archive.gz')}`, '--gzip'])
    plain = readFileSync(path.join(dir, 'good.archive'))
    parts = pieces(plain)
  })

  after(async () => {
    if (server?.kind === 'external') await client?.db(source).dropDatabase().catch(() => undefined)
    await client?.close()
    await server?.stop()
    if (dir !== undefined) rmSync(dir, {recursive: true, force: true})
  })

  const save = (name: string, bytes: Uint8Array): string => {
    const file = path.join(dir, name)
    writeFileSync(file, bytes)
    return file
  }

  /** The real mongorestore on the file (into a scratch database): does it refuse it too? */
  const mongorestoreRefuses = async (file: string, gzip = false): Promise<boolean> => {
    const target = uniqueDbName('arc_badr')
    const args = ['--uri', server.uri, `--archive=${file}`, `--nsFrom=${source}.*`, `--nsTo=${target}.*`, '--noIndexRestore']
    if (gzip) args.push('--gzip')
    const run = await runTool('mongorestore', args)
    await client.db(target).dropDatabase().catch(() => undefined)
    return run.code !== 0
  }

  test('the untouched archives read, and mongorestore restores them (the baseline)', async () => {
    assert.ok((await readAll(path.join(dir, 'good.archive'))) > 3)
    assert.ok((await readAll(path.join(dir, 'good.archive.gz'))) > 3)
    assert.equal(await mongorestoreRefuses(path.join(dir, 'good.archive')), false)
    assert.equal(await mongorestoreRefuses(path.join(dir, 'good.archive.gz'), true), false)
  })

  test('not an archive: empty, JSON, BSON without the magic number, random bytes, a gzip of JSON', async () => {
    await refused(save('empty.archive', new Uint8Array()), /is empty: not a mongodump archive/, 0)
    await refused(save('json.archive', Buffer.from('{"_id":1}\n')), /is not a mongodump archive: it does not begin with the archive magic number 6d e2 99 81 \(found 7b 22 5f 69\)/, 0)
    await refused(save('bson.archive', plain.subarray(4)), /is not a mongodump archive/, 0)
    await refused(save('random.archive', Buffer.from('9f3ac1d2e4b5a6978877665544332211', 'hex')), /is not a mongodump archive/, 0)
    await refused(save('json.archive.gz', gzipSync(Buffer.from('{"_id":1}\n'))), /is not a mongodump archive.*of the decompressed archive/, 0)
    await refused(save('short.archive', plain.subarray(0, 2)), /is not a mongodump archive/, 0)
  })

  test('truncated at every kind of place', async () => {
    const header = parts.find(p => p.kind === 'header')!
    const entry = parts.find(p => p.kind === 'entry')!
    const firstBlock = parts.find(p => p.kind === 'namespace')!
    const doc = parts.find(p => p.kind === 'document')!
    const firstEof = parts.find(p => p.kind === 'namespace' && p.eof)!
    const afterFirstEof = parts[parts.indexOf(firstEof) + 1]!
    const cuts: Array<[string, number, RegExp, number | undefined]> = [
      ['after the magic number', 4, /is truncated: it ends after the magic number/, 4],
      ['inside the header', header.offset + 10, /is truncated: it ends inside the archive header/, header.offset],
      ['inside a prelude entry', entry.offset + entry.length - 1, /is truncated: it ends inside a prelude entry/, entry.offset],
      ['after the prelude entries, before the terminator', parts.find(p => p.kind === 'terminator')!.offset, /is truncated: it ends inside the prelude/, undefined],
      ['inside a namespace header', firstBlock.offset + 3, /is truncated: it ends inside the length of a namespace header/, undefined],
      ['inside a document', doc.offset + doc.length - 7, /is truncated: it ends inside a document of .* of \d+ bytes/, doc.offset],
      ['between two documents', doc.offset + doc.length, /is truncated: it ends inside a block of .* \(no terminator\)/, undefined],
      ['after an EOF header, before its terminator', firstEof.offset + firstEof.length, /is truncated: it ends after the end \(EOF header\)/, undefined],
      ['at a block boundary, with namespaces not yet ended', afterFirstEof.offset + 4, /is truncated: it ends before the end of namespaces? /, undefined],
      ['one byte short', plain.length - 1, /is truncated/, undefined]
    ]
    for (const [what, length, pattern, offset] of cuts) {
      await test(what, async () => {
        const file = save(`cut-${length}.archive`, plain.subarray(0, length))
        await refused(file, pattern, offset)
      })
    }
    // mongorestore refuses a cut inside a document and one at a block boundary as well.
    assert.equal(await mongorestoreRefuses(save('cut-doc.archive', plain.subarray(0, doc.offset + 9))), true)
    assert.equal(await mongorestoreRefuses(save('cut-boundary.archive', plain.subarray(0, afterFirstEof.offset + 4))), true)
  })

  test('a flipped byte in a document: the CRC check of its namespace fails (mongorestore refuses it too)', async () => {
    const doc = parts.filter(p => p.kind === 'document')[5]!
    const damaged = Buffer.from(plain)
    damaged[doc.offset + Math.floor(doc.length / 2)] ^= 0x20
    const file = save('flipped.archive', damaged)
    // The namespace the document belongs to, and where its EOF header is.
    const block = parts.slice(0, parts.indexOf(doc)).reverse().find(p => p.kind === 'namespace')!
    const eof = parts.find(p => p.kind === 'namespace' && p.eof && p.ns === block.ns)!
    await refused(file, new RegExp(`fails its CRC check for namespace ${block.ns!.replace('.', '\\.')}: the archive says \\d+, its \\d+ documents? \\(\\d+ bytes\\) give \\d+`), eof.offset)
    assert.equal(await mongorestoreRefuses(file), true)
  })

  test('a wrong CRC in an EOF header (mongorestore refuses it too)', async () => {
    const eof = parts.find(p => p.kind === 'namespace' && p.eof && plain.readBigUInt64LE(p.offset + p.length - 9) !== 0n)!
    const damaged = Buffer.from(plain)
    // The CRC is the header's last element: its eight bytes end just before the document's final NUL.
    damaged[eof.offset + eof.length - 9 + 3] ^= 0x01
    const file = save('crc.archive', damaged)
    await refused(file, new RegExp(`fails its CRC check for namespace ${eof.ns!.replace('.', '\\.')}`), eof.offset)
    assert.equal(await mongorestoreRefuses(file), true)
  })

  test('a broken length, a terminator where a header belongs, data after an EOF header', async () => {
    const doc = parts.filter(p => p.kind === 'document')[3]!
    const huge = Buffer.from(plain)
    huge.writeInt32LE(0x7ffffff0, doc.offset)
    await refused(save('huge.archive', huge), /is neither a BSON length \(5 bytes to 16 MiB\) nor a terminator/, doc.offset)

    const tiny = Buffer.from(plain)
    tiny.writeInt32LE(3, doc.offset)
    await refused(save('tiny.archive', tiny), /is neither a BSON length/, doc.offset)

    const noNul = Buffer.from(plain)
    noNul[doc.offset + doc.length - 1] = 0x41
    await refused(save('nonul.archive', noNul), /does not end with a NUL byte/, doc.offset)

    // Two terminators in a row after the prelude: an empty, headerless block.
    const preludeEnd = parts.find(p => p.kind === 'terminator')!
    const doubled = Buffer.concat([plain.subarray(0, preludeEnd.offset + 4), Buffer.from([0xff, 0xff, 0xff, 0xff]), plain.subarray(preludeEnd.offset + 4)])
    await refused(save('doubled.archive', doubled), /a terminator where a namespace header should be/, preludeEnd.offset + 4)

    // A document slipped in right after an EOF header.
    const eof = parts.find(p => p.kind === 'namespace' && p.eof)!
    const slipped = Buffer.concat([plain.subarray(0, eof.offset + eof.length), plain.subarray(doc.offset, doc.offset + doc.length), plain.subarray(eof.offset + eof.length)])
    await refused(save('slipped.archive', slipped), /data after the end \(EOF header\)/, eof.offset + eof.length)

    // The whole archive followed by a second copy of its first block: a namespace continued after its end.
    const firstBlock = parts.find(p => p.kind === 'namespace')!
    const nextTerminator = parts.find(p => p.kind === 'terminator' && p.offset > firstBlock.offset)!
    const again = Buffer.concat([plain, plain.subarray(firstBlock.offset, nextTerminator.offset + 4)])
    await refused(save('again.archive', again), /a block of .* after that namespace's end \(EOF\)/, plain.length)
  })

  test('gzip: a truncated .gz and a damaged one (mongorestore --gzip refuses them too)', async () => {
    const gz = readFileSync(path.join(dir, 'good.archive.gz'))
    const cut = save('cut.archive.gz', gz.subarray(0, Math.floor(gz.length * 0.6)))
    await refused(cut, /is not a readable gzip stream: .* \(a damaged or truncated \.gz file\) \(at byte offset \d+ of the decompressed archive\)/)
    assert.equal(await mongorestoreRefuses(cut, true), true)

    const damaged = Buffer.from(gz)
    for (let i = 40; i < damaged.length - 20; i += 97) damaged[i] ^= 0x55
    const file = save('damaged.archive.gz', damaged)
    await refused(file, /is not a readable gzip stream|is damaged|fails its CRC check/)
    assert.equal(await mongorestoreRefuses(file, true), true)
  })
})
