// Fault class: a manifest decides where restore writes (issue 11, item 4). A hostile or mistaken manifest
// naming admin / local / config or a system.* collection used to be written into like any other target.
// Those are refused unless the user names them on the command line (--db, --collection), and every
// target (file → db.collection, documents) is printed before anything is written, in a dry run too.
// Against FerretDB, or the server in MONGODB_URI.

import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {MongoClient} from 'mongodb'
import {startTestServer, uniqueDbName, type TestServer} from '../../test/harness/mongo.ts'
import type {Logger} from '../../src/common/log.ts'
import {restore, RestoreError} from '../../src/jobs/restore/index.ts'

const CLI = path.resolve(import.meta.dirname, '../../src/cli/index.ts')
const DATA = '{"_id":{"$numberInt":"1"},"a":1}\n{"_id":{"$numberInt":"2"},"a":2}\n{"_id":{"$numberInt":"3"},"a":3}\n'

let server: TestServer
let client: MongoClient
let work: string

before(async () => {
  server = await startTestServer()
  client = await new MongoClient(server.uri).connect()
  work = await mkdtemp(path.join(os.tmpdir(), 'fault-restore-system-'))
})

after(async () => {
  await client?.close()
  await server?.stop()
  if (work) await rm(work, {recursive: true, force: true})
})

/** A directory with data.json and a manifest sending it to database.collection. */
async function exportDir(database: string, collection: string): Promise<string> {
  const dir = path.join(work, createHash('sha1').update(`${database}\0${collection}`).digest('hex').slice(0, 10))
  await mkdir(dir, {recursive: true})
  const bytes = Buffer.from(DATA)
  const entry = {path: 'data.json', database, collection, filter: '{}', documents: 3, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), jsonFormat: 'canonical'}
  await writeFile(path.join(dir, 'data.json'), bytes)
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify({tool: 'prancer-db-artifacts', manifestVersion: 1, kind: 'outputs', createdAt: new Date().toISOString(), uriSource: 'test', files: [entry]}))
  return dir
}

async function exists(database: string, collection: string): Promise<boolean> {
  return (await client.db(database).listCollections({name: collection}, {nameOnly: true}).toArray()).length > 0
}

/** Records info lines and progress events in the order they happen. */
function recorder(): {logger: Logger; events: string[]} {
  const events: string[] = []
  const logger: Logger = {
    debug() {},
    info: (m) => events.push(`info: ${m}`),
    notice: (m) => events.push(`notice: ${m}`),
    warning: (m) => events.push(`warning: ${m}`),
    group: (_name, fn) => fn(),
    secret() {}
  }
  return {logger, events}
}

function cli(args: string[]): Promise<{code: number; stdout: string; stderr: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {env: {PATH: process.env.PATH ?? '', HOME: os.tmpdir()}})
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    child.on('error', reject)
    child.on('close', (code) => resolve({code: code ?? -1, stdout, stderr}))
  })
}

describe('system namespaces need the user\'s own --db / --collection', () => {
  const collection = `fault_${process.pid}_target`

  for (const database of ['admin', 'local', 'config', 'Admin']) {
    test(`a manifest naming the database ${database} is refused, with and without --drop and in a dry run`, async () => {
      const dir = await exportDir(database, collection)
      for (const extra of [{}, {drop: true}, {dryRun: true}]) {
        await assert.rejects(restore({source: dir, uri: server.uri, ...extra}), (error: Error) => {
          assert.ok(error instanceof RestoreError)
          assert.match(
            error.message,
            new RegExp(
              `data\\.json: its manifest .*manifest\\.json names the database "${database}", one of MongoDB's system databases \\(admin, local, config\\)\\. ` +
                `Nothing was written: restore writes there only when you name it yourself, with --db ${database}; or pass --db NAME to restore elsewhere\\.`
            )
          )
          assert.equal(error.partial, false)
          return true
        })
      }
      assert.equal(await exists(database.toLowerCase(), collection), false, `${database}.${collection} was created`)
    })
  }

  for (const systemCollection of ['system.users', 'system.js', 'system.views', 'system.profile']) {
    test(`a manifest naming the collection ${systemCollection} is refused`, async () => {
      const db = uniqueDbName('fault_syscoll')
      const dir = await exportDir(db, systemCollection)
      await assert.rejects(
        restore({source: dir, uri: server.uri, drop: true}),
        new RegExp(`names the collection "${systemCollection.replace('.', '\\.')}", a system collection of MongoDB \\(system\\.\\*\\)\\. Nothing was written: restore writes there only when you name it yourself, with --collection ${systemCollection.replace('.', '\\.')}`)
      )
      // --db alone does not allow a system collection from the manifest.
      await assert.rejects(restore({source: dir, uri: server.uri, database: uniqueDbName('fault_other'), dryRun: true}), /a system collection of MongoDB/)
      assert.deepEqual(await client.db(db).listCollections().toArray(), [])
    })
  }

  test('the CLI: exit 1 before connecting, the message, no stack trace, no password', async () => {
    const password = 'Sys-Pa55word-q7'
    const dir = await exportDir('admin', collection)
    const run = await cli(['restore', dir, '--uri', `mongodb://restorer:${password}@127.0.0.1:9/?serverSelectionTimeoutMS=300`])
    assert.equal(run.code, 1, run.stderr)
    assert.match(run.stderr, /error: .*names the database "admin", one of MongoDB's system databases/)
    assert.doesNotMatch(run.stderr, /\n\s+at .+:\d+:\d+|Cannot connect/)
    assert.ok(!run.stderr.includes(password) && !run.stdout.includes(password), run.stderr)
  })

  test('a file without manifest whose name makes a system collection (system.users.json) is refused too', async () => {
    const file = path.join(work, 'system.users.json')
    await writeFile(file, DATA)
    await assert.rejects(restore({source: file, uri: server.uri, database: uniqueDbName('fault_sysfile'), dryRun: true}), /system\.users\.json: its file name names the collection "system\.users", a system collection/)
  })

  test('named on the command line they are allowed (dry run), and the target is printed', async () => {
    const dir = await exportDir('admin', 'system.js')
    const {logger, events} = recorder()
    const result = await restore({source: dir, uri: server.uri, database: 'admin', collection: 'system.js', dryRun: true, logger})
    assert.equal(result.documents, 3)
    assert.deepEqual(events, ['info: dry run: a restore would write 3 document(s) into 1 collection(s):', `info:   ${path.join(dir, 'data.json')} → admin.system.js: 3 document(s)`])
  })
})

describe('every target is printed before anything is written', () => {
  test('the plan comes after the checks and before the first drop or write', async () => {
    const db = uniqueDbName('fault_plan')
    const dir = await exportDir(db, 'outputs')
    const {logger, events} = recorder()
    await restore({source: dir, uri: server.uri, drop: true, logger, onProgress: (p) => events.push(`progress: ${p.phase}`)})
    const plan = events.indexOf('info: restoring 3 document(s) into 1 collection(s), each dropped first (--drop):')
    assert.ok(plan >= 0, events.join('\n'))
    assert.equal(events[plan + 1], `info:   ${path.join(dir, 'data.json')} → ${db}.outputs: 3 document(s)`)
    assert.ok(events.slice(0, plan).every((e) => e === 'progress: verify'), 'something other than checking happened before the plan')
    assert.equal(events[plan + 2], `info: dropping ${db}.outputs`)
    assert.ok(events.indexOf('progress: write') > plan + 2)
  })

  test('the CLI prints it on stderr (not with --quiet), in a dry run too', async () => {
    const db = uniqueDbName('fault_plan_cli')
    const dir = await exportDir(db, 'outputs')
    const dry = await cli(['restore', dir, '--uri', server.uri, '--dry-run'])
    assert.equal(dry.code, 0, dry.stderr)
    assert.match(dry.stderr, new RegExp(`dry run: a restore would write 3 document\\(s\\) into 1 collection\\(s\\):\\n {2}.*data\\.json → ${db}\\.outputs: 3 document\\(s\\)`))
    const run = await cli(['restore', dir, '--uri', server.uri])
    assert.equal(run.code, 0, run.stderr)
    assert.match(run.stderr, new RegExp(`restoring 3 document\\(s\\) into 1 collection\\(s\\):\\n {2}.*data\\.json → ${db}\\.outputs: 3 document\\(s\\)`))
    const quiet = await cli(['restore', dir, '--uri', server.uri, '--quiet'])
    assert.equal(quiet.stderr, '')
  })
})
