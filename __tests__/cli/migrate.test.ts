// Migration from Prancer's manual backup recipe: a user who exported the outputs with plain mongoexport (no manifest
// of ours) continues from that file; documents sharing its last timestamp millisecond are neither lost nor exported
// twice. The plain file is written by the real mongoexport, as the guide's recipe does.
import assert from 'node:assert/strict'
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {after, before, test} from 'node:test'
import {Long, MongoClient, ObjectId} from 'mongodb'
import {exportedIds, runNode} from '../../test/export-checks.ts'
import {startTestServer, uniqueDbName} from '../../test/harness/mongo.ts'
import type {TestServer} from '../../test/harness/mongo.ts'
import {runMongoExport} from '../../test/harness/mongo-tools.ts'

const CLI = path.resolve(import.meta.dirname, '../../src/cli/index.ts')
let server: TestServer
let work: string

before(async () => {
  server = await startTestServer()
  work = await mkdtemp(path.join(os.tmpdir(), 'migrate-'))
})

after(async () => {
  await server?.stop()
  if (work) await rm(work, {recursive: true, force: true})
})

test('export --previous-manifest <a plain mongoexport file> continues exactly once after its highest timestamp', async () => {
  const database = uniqueDbName('validator')
  const T = 1_772_000_000_000
  const client = new MongoClient(server.uri)
  const doc = (ts: number) => ({_id: new ObjectId(), timestamp: Long.fromNumber(ts), json: {status: 'Completed'}})
  try {
    const outputs = client.db(database).collection('outputs')
    await outputs.insertMany([doc(T), doc(T + 10), doc(T + 20), doc(T + 20)])
    // the manual recipe: mongoexport of the collection into a file
    const plain = await runMongoExport(['--uri', server.uri, '--db', database, '--collection', 'outputs'])
    assert.equal(plain.code, 0, plain.stderr)
    const plainFile = path.join(work, 'outputs-backup.json')
    await writeFile(plainFile, plain.stdout)
    // later: one more on the boundary millisecond (the guide's $gt would lose it), and newer ones
    const later = [doc(T + 20), doc(T + 30), doc(T + 40)]
    await outputs.insertMany(later)
    await writeFile(path.join(work, 'config.ini'), `[MONGODB]\ndbname = ${database}\nOUTPUT = outputs\n`)
    const run = await runNode([CLI, 'export', '--out', path.join(work, 'run1'), '--config', path.join(work, 'config.ini'), '--uri', server.uri, '--logs', 'none', '--previous-manifest', plainFile])
    assert.equal(run.code, 0, run.output)
    assert.match(run.output, /is a plain mongoexport file \(4 documents\): continuing after its highest timestamp 1772000000020, with the 4 ids within the lookback below it excluded/)
    const manifest = JSON.parse(await readFile(path.join(work, 'run1', 'outputs', 'manifest.json'), 'utf8'))
    const ids = exportedIds(await readFile(path.join(work, 'run1', 'outputs', manifest.files[0].path)))
    assert.deepEqual(ids.sort(), later.map(d => d._id.toHexString()).sort())
    // and the plain file plus this export hold the collection, each document once
    const all = exportedIds(plain.stdout).concat(ids)
    assert.equal(new Set(all).size, 7)
  } finally {
    await client.close()
  }
})
