// `restore ARCHIVE`: our restore of a mongodump archive against the real tools 100.18.0.
// - An archive written by the REAL `mongodump --archive` (plain and --gzip) of seeded databases (Prancer runs, secondary
//   indexes: unique, compound, sparse; a capped collection; documents over 1 MiB) is restored by us (--ns-from/--ns-to)
//   and by the REAL `mongorestore --archive --nsFrom/--nsTo` into other databases: the same collections, every
//   document byte-equal as raw BSON (sorted by _id), the same options, and the count mongorestore reports. Indexes:
//   ours compared with the source's (on FerretDB mongorestore cannot restore them: it sends the `ns` option, so it
//   runs with --noIndexRestore); with MONGODB_URI (a real mongod) with mongorestore's too.
// - Our own backup (runBackupJob, gzip) restores with our restore (a `backup --out` directory as the source).
// - A corrupt archive (truncated, a flipped document byte, a bad CRC) writes nothing, and --drop drops nothing then.
// - A system namespace in an archive is refused unless named; --dry-run (the CLI) prints the plan and writes nothing.

import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {readFile, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {BSON} from 'bson'
import {MongoClient} from 'mongodb'
import {createArchiveWriter} from '../../../src/archive/writer.ts'
import {runBackupJob} from '../../../src/jobs/backup/backup-job.ts'
import type {Logger} from '../../../src/common/log.ts'
import {silentLogger} from '../../../src/common/log.ts'
import {isArchiveFile, restoreArchive, RestoreError} from '../../../src/jobs/restore/index.ts'
import {seedFromEnv} from '../../../test/harness/bson-gen.ts'
import {startTestServer, uniqueDbName, type TestServer} from '../../../test/harness/mongo.ts'
import {collectionIndexes, collectionOptions, firstDifference, rawDocuments, realToolsMissing, runToolOk, seedDatabases} from '../../archive/helpers.ts'

const seed = seedFromEnv()
const skip = await realToolsMissing()
const CLI = path.resolve(import.meta.dirname, '../../../src/cli/index.ts')

function capture(): Logger & {lines: string[]} {
  const lines: string[] = []
  return {...silentLogger, lines, info: (m: string) => lines.push(m), notice: (m: string) => lines.push(`notice: ${m}`), warning: (m: string) => lines.push(`warning: ${m}`)}
}

async function collectionNames(client: MongoClient, db: string): Promise<string[]> {
  return (await client.db(db).listCollections({}, {nameOnly: true}).toArray()).map(c => String(c.name)).sort()
}

/** Documents (raw, by _id) and options of every collection of `b` equal to `a`'s. */
async function assertSameData(client: MongoClient, a: string, b: string): Promise<void> {
  const names = await collectionNames(client, a)
  assert.deepEqual(await collectionNames(client, b), names, `collections of ${b} vs ${a}`)
  const optionsA = await collectionOptions(client.db(a))
  const optionsB = await collectionOptions(client.db(b))
  for (const name of names) {
    assert.equal(optionsB.get(name), optionsA.get(name), `options of ${name}`)
    const docsA = await rawDocuments(client.db(a), name)
    const docsB = await rawDocuments(client.db(b), name)
    assert.equal(docsB.length, docsA.length, `documents of ${name}`)
    for (let i = 0; i < docsA.length; i++) {
      if (!docsA[i]!.equals(docsB[i]!)) assert.fail(`${name}: document ${i}: ${firstDifference(docsA[i]!, docsB[i]!)}`)
    }
  }
}

async function assertSameIndexes(client: MongoClient, a: string, b: string): Promise<void> {
  for (const name of await collectionNames(client, a)) {
    assert.deepEqual(Object.fromEntries(await collectionIndexes(client.db(b), name)), Object.fromEntries(await collectionIndexes(client.db(a), name)), `indexes of ${name}`)
  }
}

function runCli(args: string[]): Promise<{code: number | null; stdout: string; stderr: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, NO_COLOR: '1'}})
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    child.on('error', reject)
    child.on('close', code => resolve({code, stdout, stderr}))
  })
}

describe(`restore of a mongodump archive (seed ${seed}, replay with TEST_SEED=${seed})`, {skip, concurrency: false}, () => {
  let server: TestServer
  let client: MongoClient
  let dir: string
  let main: string
  let logs: string
  const created: string[] = []
  const fresh = (prefix: string): string => {
    const name = uniqueDbName(prefix)
    created.push(name)
    return name
  }

  before(async () => {
    server = await startTestServer()
    client = new MongoClient(server.uri)
    await client.connect()
    dir = mkdtempSync(path.join(os.tmpdir(), 'archive-restore-ours-'))
    main = fresh('ar_main')
    logs = fresh('ar_logs')
    await seedDatabases(client, server.uri, main, logs, seed)
  })

  after(async () => {
    if (server?.kind === 'external') for (const name of created) await client?.db(name).dropDatabase().catch(() => undefined)
    await client?.close()
    await server?.stop()
    if (dir !== undefined) rmSync(dir, {recursive: true, force: true})
  })

  for (const gzip of [false, true]) {
    test(`the real mongodump --archive${gzip ? ' --gzip' : ''}: our restore gives what the real mongorestore gives`, async () => {
      const file = path.join(dir, `mongodump${gzip ? '.gz' : ''}.bin`)
      await runToolOk('mongodump', ['--uri', server.uri, '--db', main, `--archive=${file}`, ...(gzip ? ['--gzip'] : [])])
      assert.equal(await isArchiveFile(file), true)

      const theirs = fresh('ar_theirs')
      const args = ['--uri', server.uri, `--archive=${file}`, `--nsFrom=${main}.*`, `--nsTo=${theirs}.*`]
      if (gzip) args.push('--gzip')
      if (server.kind === 'ferretdb') args.push('--noIndexRestore')
      const run = await runToolOk('mongorestore', args)
      const restored = /(\d+) document\(s\) restored successfully\. 0 document\(s\) failed to restore\./.exec(run.stderr)
      assert.ok(restored, run.stderr)

      const ours = fresh('ar_ours')
      const logger = capture()
      const result = await restoreArchive({source: file, uri: server.uri, nsFrom: [`${main}.$coll$`], nsTo: [`${ours}.$coll$`], logger})
      assert.equal(result.gzip, gzip)
      assert.equal(result.imported, Number(restored[1]), 'documents restored, as mongorestore counts them')
      assert.equal(result.failed, 0)
      assert.deepEqual(result.warnings, [])
      assert.match(logger.lines[0]!, new RegExp(`^restoring ${restored[1]} document\\(s\\) into \\d+ collection\\(s\\) from the archive .*, insert mode:`))
      assert.ok(logger.lines.includes(`  ${main}.outputs → ${ours}.outputs: ${result.namespaces.find(n => n.collection === 'outputs')!.documents} document(s), 2 index(es)`), logger.lines.join('\n'))

      await assertSameData(client, theirs, ours)
      await assertSameData(client, main, ours)
      await assertSameIndexes(client, main, ours)
      if (server.kind === 'external') await assertSameIndexes(client, theirs, ours)

      // --drop, and --db for a single-database archive: the same again over what is there.
      await client.db(ours).collection('outputs').insertOne({extra: true})
      const again = await restoreArchive({source: file, uri: server.uri, database: ours, drop: true})
      assert.equal(again.imported, Number(restored[1]))
      await assertSameData(client, main, ours)
    })
  }

  test('our own backup (runBackupJob, gzip) restores with our restore', async () => {
    const out = path.join(dir, 'backup')
    const backup = await runBackupJob({databases: [main, logs], gzip: true, outDir: out, mongodbUri: server.uri, mongodbUriSource: '--uri', env: {FRAMEWORKDIR: undefined}, cwd: dir, logger: silentLogger, configPath: await writeConfig()})
    assert.equal(await isArchiveFile(backup.archivePath), true)
    const [m, l] = [fresh('ar_bmain'), fresh('ar_blogs')]
    const result = await restoreArchive({source: out, uri: server.uri, nsFrom: [`${main}.*`, `${logs}.*`], nsTo: [`${m}.*`, `${l}.*`]})
    assert.equal(result.imported, backup.collections.reduce((sum, c) => sum + c.documents, 0))
    await assertSameData(client, main, m)
    await assertSameData(client, logs, l)
    await assertSameIndexes(client, main, m)
    await assertSameIndexes(client, logs, l)
  })

  async function writeConfig(): Promise<string> {
    const file = path.join(dir, 'config.ini')
    await writeFile(file, `[MONGODB]\ndburl = ${server.uri}\ndbname = ${main}\nOUTPUT = outputs\n`)
    return file
  }

  test('a corrupt archive (truncated, a flipped document byte, a bad CRC) writes nothing; --drop drops nothing', async () => {
    const file = path.join(dir, 'mongodump-for-corruption.bin')
    await runToolOk('mongodump', ['--uri', server.uri, '--db', main, `--archive=${file}`])
    const bytes = await readFile(file)
    const target = fresh('ar_corrupt')
    await client.db(target).collection('outputs').insertOne({marker: 1})

    const flipped = Buffer.from(bytes)
    // Inside the 3 MiB string of a document of `big`.
    const payload = flipped.indexOf('x'.repeat(4096))
    assert.ok(payload > 0)
    flipped[payload + 1000] ^= 0x01
    const badCrc = Buffer.from(bytes)
    // The EOF header of the last namespace: {db, collection, EOF: true, CRC: int64}.
    const eof = badCrc.lastIndexOf(Buffer.from('\x08EOF\x00\x01\x12CRC\x00', 'latin1'))
    assert.ok(eof > 0)
    badCrc[eof + 11] ^= 0x01
    const cases = [
      {name: 'truncated', data: bytes.subarray(0, bytes.length - 300), message: /is truncated/},
      {name: 'flipped', data: flipped, message: /fails its CRC check for namespace .*\.big/},
      {name: 'bad-crc', data: badCrc, message: /fails its CRC check/}
    ]
    for (const c of cases) {
      const damaged = path.join(dir, `damaged-${c.name}.archive`)
      await writeFile(damaged, c.data)
      await assert.rejects(
        restoreArchive({source: damaged, uri: server.uri, database: target, drop: true}),
        (error: unknown) => {
          assert.ok(error instanceof RestoreError)
          assert.match(error.message, c.message)
          assert.match(error.message, /Nothing was written/)
          assert.equal(error.partial, false)
          assert.equal(error.partialWarning, undefined)
          return true
        },
        c.name
      )
      assert.deepEqual(await collectionNames(client, target), ['outputs'], c.name)
      assert.equal(await client.db(target).collection('outputs').countDocuments(), 1, c.name)
    }
  })

  test('a system namespace in an archive is refused unless named; --dry-run (CLI) prints the plan and writes nothing', async () => {
    const file = path.join(dir, 'system.archive')
    const namespaces = [
      {db: 'admin', collection: 'settings', metadata: '{"indexes":[],"collectionName":"settings"}', type: 'collection' as const},
      {db: 'app', collection: 'system.js', metadata: '{"indexes":[],"collectionName":"system.js"}', type: 'collection' as const}
    ]
    const writer = await createArchiveWriter(file, {gzip: false, namespaces, serverVersion: '7.0.0', toolVersion: 'test'})
    for (const ns of namespaces) await writer.endNamespace(ns)
    await writer.finish()
    await assert.rejects(restoreArchive({source: file, dryRun: true}), /would go to the database "admin", one of MongoDB's system databases .*Nothing was written/)
    await assert.rejects(
      restoreArchive({source: file, dryRun: true, nsFrom: ['admin.$c$'], nsTo: ['admin.$c$']}),
      /would go to "app\.system\.js", a system collection of MongoDB \(system\.\*\)\. Nothing was written/
    )
    await assert.rejects(restoreArchive({source: file, dryRun: true, nsFrom: ['admin.$c$', 'app.$c$'], nsTo: ['admin.$c$', 'other.$c$']}), /a system collection/)
    const named = await restoreArchive({source: file, dryRun: true, nsFrom: ['admin.$c$', 'app.system.js'], nsTo: ['admin.$c$', 'other.system.js']})
    assert.deepEqual(named.namespaces.map(n => `${n.database}.${n.collection}`), ['admin.settings', 'other.system.js'])

    const dump = path.join(dir, 'mongodump.bin')
    const target = fresh('ar_dry')
    const run = await runCli(['restore', dump, '--uri', server.uri, '--ns-from', `${main}.*`, '--ns-to', `${target}.*`, '--dry-run'])
    assert.equal(run.code, 0, run.stderr)
    assert.match(run.stderr, new RegExp(`dry run: a restore would write \\d+ document\\(s\\) into \\d+ collection\\(s\\) from the archive`))
    assert.match(run.stderr, new RegExp(`${main}\\.resources → ${target}\\.resources: 120 document\\(s\\), 3 index\\(es\\)`))
    assert.match(run.stdout, /dry run: \d+ document\(s\) checked, nothing written\.\n$/)
    assert.deepEqual(await collectionNames(client, target), [])
  })

  test('a write error in one namespace stops the others at once (--stop-on-error), and the error says what was written', async () => {
    // A and B interleave in the archive: A's first 1,100 documents (a duplicate _id as the 11th), then all of B's,
    // then A's end. A's first batch is sent when its 1,001st document arrives and fails; B's first batch must not
    // follow it to the server.
    const file = path.join(dir, 'interleaved.archive')
    const source = fresh('ar_interleaved_src')
    const namespaces = [
      {db: source, collection: 'a', metadata: '', type: 'collection' as const},
      {db: source, collection: 'b', metadata: '', type: 'collection' as const}
    ]
    const writer = await createArchiveWriter(file, {gzip: false, namespaces, serverVersion: '7.0.0', toolVersion: 'test'})
    const docs = (n: number, id: (i: number) => number) => Array.from({length: n}, (_, i) => BSON.serialize({_id: id(i), pad: 'x'.repeat(50)}))
    await writer.writeDocuments(namespaces[0]!, docs(1100, i => (i === 10 ? 0 : i)))
    await writer.writeDocuments(namespaces[1]!, docs(3000, i => i))
    await writer.endNamespace(namespaces[1]!)
    await writer.endNamespace(namespaces[0]!)
    await writer.finish()

    const target = fresh('ar_interleaved')
    const error = await restoreArchive({source: file, uri: server.uri, nsFrom: [`${source}.*`], nsTo: [`${target}.*`], mode: 'insert', stopOnError: true}).then(
      () => assert.fail('the duplicate _id must stop the restore'),
      (e: unknown) => e as RestoreError
    )
    assert.ok(error instanceof RestoreError, String(error))
    assert.match(error.message, /\.a \(the archive's .*\): document 11: write error 11000/)
    const inA = await client.db(target).collection('a').countDocuments()
    const inB = await client.db(target).collection('b').countDocuments()
    assert.equal(inB, 0, "B's documents were sent after A's batch failed")
    // A real mongod stops the ordered batch at the duplicate (10 written); FerretDB 1.24 writes its 100-document
    // slices up to the failing one (110).
    assert.ok(inA >= 10 && inA < 1000, `${inA} documents of A`)
    assert.ok(error.written!.created !== undefined, "the archive's summary (namespaces, and the collections it created), not a file restore's")
    assert.equal(error.written!.documents, inA + inB, 'what the error says was written is what the server holds')
  })
})
