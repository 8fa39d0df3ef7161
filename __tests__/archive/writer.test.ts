// The archive writer on its own (no server): write errors reject with a message naming the file and the cause and
// leave no temporary file (a directory that does not exist, a full tmpfs when this process may mount one, a rename
// onto a directory, an abort); a caller's mistakes (unknown namespace, a malformed document, writing after the
// end, too many namespaces open at once) are refused without spoiling the archive; calls made concurrently are
// applied in order; documents larger than the writer's chunks; time-series and view namespaces filed as mongodump
// files them (common/intents: DataCollection — system.buckets.<name> before server 8.3). The resulting archives
// are read back with our reader; their acceptance by the real mongorestore is what restore.test.ts and
// mongodump.test.ts check.

import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {gunzipSync} from 'node:zlib'
import {BSON, Binary} from 'bson'
import {readArchive} from '../../src/archive/reader.ts'
import {createArchiveWriter, type ArchiveNamespace, type ArchiveWriterOptions} from '../../src/archive/writer.ts'

const META = '{"indexes":[{"v":{"$numberInt":"2"},"key":{"_id":{"$numberInt":"1"}},"name":"_id_"}],"collectionName":"c","type":"collection"}'
const ns = (collection: string, type?: ArchiveNamespace['type']): ArchiveNamespace => ({db: 'd', collection, metadata: META, ...(type ? {type} : {})})
const options = (namespaces: ArchiveNamespace[], extra: Partial<ArchiveWriterOptions> = {}): ArchiveWriterOptions => ({
  gzip: false,
  namespaces,
  serverVersion: '7.0.42',
  toolVersion: 'test',
  ...extra
})
const doc = (fields: Record<string, unknown>): Buffer => Buffer.from(BSON.serialize(fields))
/** A document of about `bytes` random (incompressible) bytes. */
const noise = (n: number, bytes: number): Buffer => doc({_id: n, noise: new Binary(randomBytes(bytes))})

async function readBack(file: string): Promise<{namespaces: string[]; docs: Map<string, Buffer[]>; ends: string[]}> {
  const docs = new Map<string, Buffer[]>()
  const ends: string[] = []
  let namespaces: string[] = []
  for await (const event of readArchive(file)) {
    if (event.type === 'prelude') {
      namespaces = event.namespaces.map(n => `${n.db}.${n.collection}`)
      for (const n of namespaces) docs.set(n, [])
    } else if (event.type === 'documents') {
      docs.get(`${event.db}.${event.collection}`)!.push(...event.documents.map(d => Buffer.from(d)))
    } else {
      ends.push(`${event.db}.${event.collection}`)
    }
  }
  return {namespaces, docs, ends}
}

describe('archive writer: errors, cleanup, misuse, ordering', () => {
  let dir: string

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'archive-writer-'))
  })

  after(() => {
    if (dir !== undefined) rmSync(dir, {recursive: true, force: true})
  })

  test('a path in a directory that does not exist: rejected, naming the file and the cause, nothing created', async () => {
    const file = path.join(dir, 'missing', 'sub', 'backup.archive')
    const before = readdirSync(dir)
    await assert.rejects(createArchiveWriter(file, options([ns('c')])), (error: Error) => {
      assert.ok(error.message.includes(file), error.message)
      assert.match(error.message, /no such file or directory \(ENOENT/)
      return true
    })
    assert.deepEqual(readdirSync(dir), before)
  })

  test('invalid options are refused before any file exists', async () => {
    const file = path.join(dir, 'invalid.archive')
    const cases: Array<[Partial<ArchiveWriterOptions>, RegExp]> = [
      [{serverVersion: 'unknown'}, /the server version "unknown" is not of the form X\.Y\.Z/],
      [{namespaces: [ns('c'), ns('c')]}, /the namespace d\.c is listed twice/],
      [{namespaces: [{db: 'd', collection: 'c', metadata: '{not json'}]}, /the metadata of d\.c is not JSON/],
      [{namespaces: [{db: '', collection: 'c', metadata: ''}]}, /has no database name/],
      [{namespaces: [{db: 'd', collection: '', metadata: ''}]}, /has no collection name/],
      [{namespaces: [ns('ts', 'timeseries'), ns('system.buckets.ts')]}, /would both file their documents under d\.system\.buckets\.ts/],
      [{concurrentCollections: 0}, /concurrentCollections must be a positive integer/]
    ]
    for (const [extra, pattern] of cases) {
      await assert.rejects(createArchiveWriter(file, options([ns('c')], extra)), (error: Error) => {
        assert.match(error.message, pattern)
        assert.ok(error.message.includes(file), error.message)
        return true
      })
    }
    assert.deepEqual(readdirSync(dir).filter(name => name.includes('invalid')), [])
  })

  for (const gzip of [false, true]) {
    test(`a full disk (tmpfs of 1 MiB)${gzip ? ', gzip' : ''}: rejected naming the file and the cause, no temporary file left`, async t => {
      const mount = path.join(dir, `tmpfs-${gzip ? 'gz' : 'plain'}`)
      mkdirSync(mount)
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mount], {stdio: 'ignore'})
      } catch (error) {
        t.skip(`cannot mount a tmpfs here (${(error as Error).message.split('\n')[0]}); needs root with CAP_SYS_ADMIN`)
        return
      }
      const unhandled: unknown[] = []
      const onUnhandled = (reason: unknown): void => {
        unhandled.push(reason)
      }
      process.on('unhandledRejection', onUnhandled)
      try {
        const file = path.join(mount, 'backup.archive')
        const writer = await createArchiveWriter(file, options([ns('c')], {gzip}))
        let failure: Error | undefined
        try {
          for (let i = 0; i < 40 && failure === undefined; i++) {
            await writer.writeDocuments(ns('c'), Array.from({length: 4}, (_, j) => noise(i * 4 + j, 64 * 1024))).catch((error: Error) => {
              failure = error
            })
          }
          if (failure === undefined) await writer.finish().catch((error: Error) => (failure = error))
        } finally {
          await writer.abort()
        }
        assert.ok(failure !== undefined, 'writing 10 MiB to a 1 MiB tmpfs did not fail')
        assert.ok(failure.message.includes(file), failure.message)
        assert.match(failure.message, /the disk is full \(ENOSPC/)
        t.diagnostic(failure.message)
        // Every later call reports the same failure.
        await assert.rejects(writer.writeDocuments(ns('c'), [doc({x: 1})]), /the disk is full|aborted/)
        await assert.rejects(writer.finish())
        assert.deepEqual(readdirSync(mount), [], 'nothing left on the full file system')
        await new Promise(resolve => setImmediate(resolve))
        assert.deepEqual(unhandled, [], 'no unhandled rejection')
      } finally {
        process.off('unhandledRejection', onUnhandled)
        execFileSync('umount', [mount])
      }
    })
  }

  test('a rename that fails (the target is a directory): rejected naming the file, no temporary file left', async () => {
    const target = path.join(dir, 'occupied.archive')
    mkdirSync(target)
    writeFileSync(path.join(target, 'keep'), 'x')
    const writer = await createArchiveWriter(target, options([ns('c')]))
    await writer.writeDocuments(ns('c'), [doc({_id: 1})])
    await assert.rejects(writer.finish(), (error: Error) => {
      assert.ok(error.message.includes(target), error.message)
      assert.match(error.message, /EISDIR|ENOTEMPTY|EEXIST/)
      return true
    })
    await writer.abort()
    assert.deepEqual(readdirSync(dir).filter(name => name.startsWith('.occupied.archive')), [])
    assert.deepEqual(readdirSync(target), ['keep'])
  })

  test('abort() removes the temporary file; later calls are refused', async () => {
    const file = path.join(dir, 'aborted.archive')
    const writer = await createArchiveWriter(file, options([ns('c'), ns('e')], {gzip: true}))
    await writer.writeDocuments(ns('c'), Array.from({length: 50}, (_, i) => noise(i, 30_000)))
    assert.equal(readdirSync(dir).filter(name => name.startsWith('.aborted.archive.')).length, 1, 'the temporary file exists while writing')
    await writer.abort()
    await writer.abort()
    assert.deepEqual(readdirSync(dir).filter(name => name.includes('aborted')), [])
    await assert.rejects(writer.writeDocuments(ns('c'), [doc({x: 1})]), /was aborted/)
    await assert.rejects(writer.finish(), /was aborted/)
  })

  test('a caller\'s mistakes are refused and leave the archive intact', async () => {
    const file = path.join(dir, 'misuse.archive')
    const writer = await createArchiveWriter(file, options([ns('a'), ns('b'), ns('c')], {concurrentCollections: 2}))
    const good = [doc({_id: 1, v: 'a'}), doc({_id: 2, v: 'a'})]
    await writer.writeDocuments(ns('a'), [good[0]!])
    await assert.rejects(writer.writeDocuments(ns('zzz'), [good[0]!]), /Cannot write documents of d\.zzz .* not one of the namespaces/)
    const badLength = Buffer.from(good[1]!)
    badLength.writeInt32LE(badLength.length + 1, 0)
    await assert.rejects(writer.writeDocuments(ns('a'), [good[1]!, badLength]), /document #3 of d\.a .* its length prefix says/)
    const noNul = Buffer.from(good[1]!)
    noNul[noNul.length - 1] = 1
    await assert.rejects(writer.writeDocuments(ns('a'), [noNul]), /does not end with a NUL byte/)
    await assert.rejects(writer.writeDocuments(ns('a'), [Buffer.from([1, 2])]), /too short for BSON/)
    await writer.writeDocuments(ns('b'), [doc({_id: 1, v: 'b'})])
    await assert.rejects(writer.writeDocuments(ns('c'), [doc({_id: 1})]), /2 namespaces are already open.*concurrentCollections 2/)
    await writer.writeDocuments(ns('a'), [good[1]!])
    await writer.endNamespace(ns('a'))
    await assert.rejects(writer.writeDocuments(ns('a'), [good[0]!]), /already been ended/)
    await assert.rejects(writer.endNamespace(ns('a')), /already been ended/)
    await writer.writeDocuments(ns('c'), [doc({_id: 1, v: 'c'})])
    const result = await writer.finish()
    await assert.rejects(writer.writeDocuments(ns('c'), [good[0]!]), /already finished/)

    const back = await readBack(file)
    assert.deepEqual(back.docs.get('d.a'), good)
    assert.deepEqual(back.docs.get('d.b'), [doc({_id: 1, v: 'b'})])
    assert.deepEqual(back.docs.get('d.c'), [doc({_id: 1, v: 'c'})])
    assert.deepEqual(back.ends, ['d.a', 'd.b', 'd.c'])
    assert.deepEqual(result.namespaces.map(n => [n.collection, n.documents, n.bytes]), [
      ['a', 2, good[0]!.length + good[1]!.length],
      ['b', 1, doc({_id: 1, v: 'b'}).length],
      ['c', 1, doc({_id: 1, v: 'c'}).length]
    ])
    assert.equal(result.bytes, readFileSync(file).length)
  })

  test('concurrent calls are applied in call order; chunks cross documents of any size', async () => {
    for (const gzip of [false, true]) {
      const file = path.join(dir, `concurrent-${gzip}.archive`)
      const names = ['p', 'q', 'r']
      const writer = await createArchiveWriter(file, options(names.map(n => ns(n)), {gzip, gzipLevel: 1}))
      const expected = new Map<string, Buffer[]>(names.map(n => [`d.${n}`, []]))
      const calls: Promise<void>[] = []
      for (let round = 0; round < 20; round++) {
        for (const name of names) {
          // Mostly small documents, now and then one larger than a chunk (2 MiB) or just under it.
          const size = round % 11 === 3 ? 2 * 1024 * 1024 : round % 7 === 5 ? 1024 * 1024 - 40 : 700
          const docs = Array.from({length: 2}, (_, i) => noise(round * 10 + i, size))
          expected.get(`d.${name}`)!.push(...docs)
          calls.push(writer.writeDocuments(ns(name), docs))
        }
      }
      calls.push(...names.map(name => writer.endNamespace(ns(name))))
      await Promise.all(calls)
      const result = await writer.finish()
      const back = await readBack(file)
      for (const [name, docs] of expected) {
        const got = back.docs.get(name)!
        assert.equal(got.length, docs.length, name)
        assert.ok(got.every((d, i) => d.equals(docs[i]!)), `${name}: documents differ`)
      }
      const bytes = readFileSync(file)
      assert.equal(result.bytes, bytes.length)
      if (gzip) assert.ok(gunzipSync(bytes).length > bytes.length / 2)
    }
  })

  test('time-series data is filed under system.buckets.<name> before 8.3 and under <name> from 8.3; a view gets an empty block', async () => {
    for (const [serverVersion, dataName] of [['7.0.42', 'system.buckets.ts'], ['8.3.0', 'ts'], ['8.0.4-ent', 'system.buckets.ts']] as const) {
      const file = path.join(dir, `ts-${serverVersion}.archive`)
      const writer = await createArchiveWriter(file, options([ns('ts', 'timeseries'), ns('v', 'view')], {serverVersion}))
      await writer.writeDocuments(ns('ts'), [doc({_id: 1, control: {version: 1}})])
      const result = await writer.finish()
      const bytes = readFileSync(file)
      // Namespace headers: {db: "d", collection: <data name>, EOF, CRC}, in BSON.
      const header = (collection: string, eof: boolean): Buffer => {
        const built = Buffer.from(BSON.serialize({db: 'd', collection, EOF: eof}))
        return built.subarray(4, built.length - 1) // the elements, without length and final NUL
      }
      assert.ok(bytes.includes(header(dataName, false)), `${serverVersion}: a block of d.${dataName}`)
      assert.ok(bytes.includes(header(dataName, true)), `${serverVersion}: the end of d.${dataName}`)
      if (dataName !== 'ts') assert.ok(!bytes.includes(header('ts', false)), `${serverVersion}: no block of d.ts`)
      assert.ok(bytes.includes(header('v', false)) && bytes.includes(header('v', true)), 'the view: an empty block and its end')
      assert.deepEqual(result.namespaces.map(n => [n.collection, n.documents]), [['ts', 1], ['v', 0]])
      const back = await readBack(file)
      assert.equal(back.docs.get('d.ts')!.length, 1)
      assert.deepEqual(back.ends, ['d.ts', 'd.v'])
    }
  })

  test('documents larger than a chunk wait for the output thread like chunks do: memory stays bounded when gzip is slower than the caller', async () => {
    // 150 documents of 2 MiB of noise through gzip, far slower than copying them: sent without waiting they would
    // pile up to ~300 MB. Waiting bounds them to a few chunks, plus what the garbage collector has not freed yet.
    const file = path.join(dir, 'big-docs.archive.gz')
    const writer = await createArchiveWriter(file, options([ns('big')], {gzip: true, gzipLevel: 1}))
    const big = noise(7, 2 * 1024 * 1024)
    const before = process.memoryUsage().rss
    let peak = before
    for (let i = 0; i < 75; i++) {
      await writer.writeDocuments(ns('big'), [big, big])
      peak = Math.max(peak, process.memoryUsage().rss)
    }
    await writer.endNamespace(ns('big'))
    const result = await writer.finish()
    assert.equal(result.namespaces[0]!.documents, 150)
    assert.ok(peak - before < 160e6, `RSS grew by ${Math.round((peak - before) / 1e6)} MB while writing`)
    const back = await readBack(file)
    assert.equal(back.docs.get('d.big')!.length, 150)
  })
})
