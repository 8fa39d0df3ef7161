// Fault class: a restore that drops or writes, then fails (issue 11, item 2). A directory with two
// manifests whose second target is refused used to drop the first collection (--drop) or write the first
// file, then stop. Every target is now checked first (names, manifest fields, documents, and read-only
// questions to the server), and only then is anything dropped or written. What can still fail later (a
// write refused by the data already there) is reported with how much was written, and the warning never
// appears when nothing was.
// Against FerretDB, or the server in MONGODB_URI (the FerretDB-only refusals are skipped there).

import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {MongoClient} from 'mongodb'
import {startTestServer, uniqueDbName, type TestServer} from '../../test/harness/mongo.ts'
import {restore, RestoreError} from '../../src/jobs/restore/index.ts'

const CLI = path.resolve(import.meta.dirname, '../../src/cli/index.ts')

let server: TestServer
let client: MongoClient
let work: string

before(async () => {
  server = await startTestServer()
  client = await new MongoClient(server.uri).connect()
  work = await mkdtemp(path.join(os.tmpdir(), 'fault-restore-partial-'))
})

after(async () => {
  await client?.close()
  await server?.stop()
  if (work) await rm(work, {recursive: true, force: true})
})

interface Target {
  /** Subdirectory of the export (one manifest each), e.g. outputs or logs. */
  sub: string
  database: string
  collection: string
  /** One Extended JSON document per line. */
  lines: string[]
}

const docs = (from: number, count: number): string[] =>
  Array.from({length: count}, (_, i) => `{"_id":{"$numberInt":"${from + i}"},"name":"doc ${from + i}"}`)

/** An `export --out`-like directory: <sub>/data.json and <sub>/manifest.json per target. */
async function exportDir(name: string, targets: Target[]): Promise<string> {
  const dir = path.join(work, name)
  for (const target of targets) {
    await mkdir(path.join(dir, target.sub), {recursive: true})
    const bytes = Buffer.from(target.lines.map((l) => `${l}\n`).join(''))
    await writeFile(path.join(dir, target.sub, 'data.json'), bytes)
    const entry = {
      path: 'data.json', database: target.database, collection: target.collection, filter: '{}', documents: target.lines.length,
      bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), jsonFormat: 'canonical'
    }
    const manifest = {tool: 'prancer-db-artifacts', manifestVersion: 1, kind: target.sub === 'logs' ? 'logs' : 'outputs', createdAt: new Date().toISOString(), uriSource: 'test', files: [entry]}
    await writeFile(path.join(dir, target.sub, 'manifest.json'), JSON.stringify(manifest))
  }
  return dir
}

/** A collection holding one document that must survive a refused restore. */
async function withSentinel(database: string, collection: string): Promise<void> {
  await client.db(database).collection(collection).insertOne({_id: 'sentinel' as never, kept: true})
}

async function contents(database: string, collection: string): Promise<unknown[]> {
  return client.db(database).collection(collection).find({}, {sort: {_id: 1}}).toArray()
}

interface Run {
  code: number
  stdout: string
  stderr: string
}

function cli(args: string[]): Promise<Run> {
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

async function refused(opts: Parameters<typeof restore>[0], message: RegExp): Promise<RestoreError> {
  let caught: unknown
  try {
    await restore(opts)
  } catch (error) {
    caught = error
  }
  assert.ok(caught instanceof RestoreError, `expected a RestoreError, got ${String(caught)}`)
  assert.match(caught.message, message)
  assert.equal(caught.partial, false, 'a refusal before writing must not count as a partial restore')
  assert.equal(caught.partialWarning, undefined)
  return caught
}

describe('every target is checked before the first drop or write', () => {
  test('a second manifest naming an invalid database (bad.db): the first collection is neither dropped nor written', async () => {
    const good = uniqueDbName('fault_first')
    const dir = await exportDir('invalid-db', [
      {sub: 'logs', database: 'bad.db', collection: 'logs', lines: docs(100, 3)},
      {sub: 'outputs', database: good, collection: 'outputs', lines: docs(1, 5)}
    ])
    await withSentinel(good, 'outputs')
    for (const drop of [true, false]) {
      await refused(
        {source: dir, uri: server.uri, drop},
        /logs\/data\.json: its manifest .*logs\/manifest\.json names the database "bad\.db", which cannot be a database name: a database name cannot contain "\."/
      )
      assert.deepEqual(await contents(good, 'outputs'), [{_id: 'sentinel', kept: true}], `drop: ${drop}`)
    }
  })

  test('invalid names of every kind are refused before reading any data', async () => {
    const cases: Array<[database: string, collection: string, expected: RegExp]> = [
      ['', 'c', /has no manifest naming its database: pass --db/],
      ['a'.repeat(64), 'c', /it is 64 bytes long; a database name has at most 63/],
      ['a b', 'c', /cannot contain a space/],
      ['a\u0000b', 'c', /names the database "a\\u0000b", which cannot be a database name: a database name cannot contain NUL/],
      ['x/y', 'c', /cannot contain "\/"/],
      ['ok', 'a$b', /collection "a\$b", which cannot be a collection name: a collection name cannot contain "\$"/],
      ['ok', '.hidden', /cannot start with "\."/],
      ['ok', 'c'.repeat(260), /would be \d+ bytes long; MongoDB allows at most 255/],
      ['ok', '\ud800', /it is not valid Unicode/]
    ]
    for (const [database, collection, expected] of cases) {
      const dir = await exportDir(`names-${createHash('sha1').update(database + collection).digest('hex').slice(0, 8)}`, [{sub: 'outputs', database, collection, lines: docs(1, 1)}])
      await refused({source: dir, uri: server.uri}, expected)
    }
    // --db and --collection are checked the same way, before the source is even opened.
    await refused({source: path.join(work, 'does-not-matter'), uri: server.uri, database: 'a.b'}, /^--db "a\.b" cannot be a database name: a database name cannot contain "\."/)
    await refused({source: path.join(work, 'does-not-matter'), uri: server.uri, collection: 'x$'}, /^--collection "x\$" cannot be a collection name/)
  })

  test('a database the server refuses (FerretDB: a+b): found by the pre-check, nothing dropped or written; the CLI prints no partial warning', async (t) => {
    if (server.kind !== 'ferretdb') return t.skip('only FerretDB refuses "a+b"')
    const good = uniqueDbName('fault_server_db')
    const dir = await exportDir('server-db', [
      {sub: 'logs', database: 'a+b', collection: 'logs', lines: docs(100, 3)},
      {sub: 'outputs', database: good, collection: 'outputs', lines: docs(1, 5)}
    ])
    await withSentinel(good, 'outputs')
    for (const drop of [true, false]) {
      await refused({source: dir, uri: server.uri, drop}, /The server refuses the database "a\+b" \(the target of .*logs\/data\.json\): .*Invalid namespace.*Nothing was written; pass --db NAME/)
      assert.deepEqual(await contents(good, 'outputs'), [{_id: 'sentinel', kept: true}], `drop: ${drop}`)
    }
    const run = await cli(['restore', dir, '--uri', server.uri, '--drop'])
    assert.equal(run.code, 1, run.stderr)
    assert.match(run.stderr, /error: The server refuses the database "a\+b"/)
    assert.doesNotMatch(run.stderr, /warning: the restore stopped/)
    assert.doesNotMatch(run.stderr, /dropping/)
    assert.deepEqual(await contents(good, 'outputs'), [{_id: 'sentinel', kept: true}])
  })

  test('a collection name the server refuses (FerretDB: _ferretdb_x) is found by the pre-check', async (t) => {
    if (server.kind !== 'ferretdb') return t.skip('only FerretDB refuses "_ferretdb_" names')
    const good = uniqueDbName('fault_server_coll')
    const dir = await exportDir('server-coll', [
      {sub: 'logs', database: good, collection: '_ferretdb_x', lines: docs(100, 3)},
      {sub: 'outputs', database: good, collection: 'outputs', lines: docs(1, 5)}
    ])
    await withSentinel(good, 'outputs')
    await refused({source: dir, uri: server.uri, drop: true}, /The server refuses the collection "_ferretdb_x" in fault_server_coll_\w+ \(the target of .*logs\/data\.json\): .*Nothing was written; pass --collection NAME/)
    assert.deepEqual(await contents(good, 'outputs'), [{_id: 'sentinel', kept: true}])
  })

  test('a document the server refuses (an array or regex _id) in the last file: nothing written', async () => {
    const good = uniqueDbName('fault_bad_id')
    for (const [label, bad, expected] of [
      ['array', '{"_id":[1,2],"name":"x"}', /line 3: its _id is an array, which MongoDB refuses as an _id/],
      ['regex', '{"_id":{"$regularExpression":{"pattern":"a","options":""}}}', /line 3: its _id is a regular expression/]
    ] as const) {
      const dir = await exportDir(`bad-id-${label}`, [
        {sub: 'logs', database: good, collection: 'logs', lines: [...docs(100, 2), bad]},
        {sub: 'outputs', database: good, collection: 'outputs', lines: docs(1, 5)}
      ])
      await refused({source: dir, uri: server.uri}, expected)
    }
    assert.deepEqual(await client.db(good).listCollections().toArray(), [])
  })
})

describe('a write refused half-way says how much was written', () => {
  test('insert mode stopping at a duplicate in the second file: documents, files and collections in the warning', async () => {
    const db = uniqueDbName('fault_midway')
    // The second file's 4th document collides with what the collection already holds.
    await client.db(db).collection('second').insertOne({_id: 13 as never, name: 'already here'})
    const dir = await exportDir('midway', [
      {sub: 'a', database: db, collection: 'first', lines: docs(1, 5)},
      {sub: 'b', database: db, collection: 'second', lines: docs(10, 6)}
    ])
    let caught: unknown
    try {
      await restore({source: dir, uri: server.uri, mode: 'insert', stopOnError: true})
    } catch (error) {
      caught = error
    }
    assert.ok(caught instanceof RestoreError)
    assert.match(caught.message, /b\/data\.json: line 4: write error 11000: .*3 document\(s\) of this file were written before it\./)
    assert.equal(caught.partial, true)
    assert.deepEqual(caught.written, {mode: 'insert', documents: 8, uncertain: 0, filesComplete: 1, fileCount: 2, collections: [`${db}.first`, `${db}.second`], dropped: []})
    assert.equal(
      caught.partialWarning,
      `the restore stopped after writing part of the data: 8 document(s) written into ${db}.first, ${db}.second; 1 of 2 file(s) complete. ` +
        'When the cause of the error is fixed, insert mode would add the written documents a second time: run it again with --drop (or with --mode upsert).'
    )

    // The CLI prints it as a warning, with the error.
    const again = uniqueDbName('fault_midway_cli')
    await client.db(again).collection('second').insertOne({_id: 13 as never, name: 'already here'})
    await client.db(again).collection('first').insertOne({_id: 'old' as never})
    const cliDir = await exportDir('midway-cli', [
      {sub: 'a', database: again, collection: 'first', lines: docs(1, 5)},
      {sub: 'b', database: again, collection: 'second', lines: docs(10, 6)}
    ])
    const run = await cli(['restore', cliDir, '--uri', server.uri, '--mode', 'insert', '--stop-on-error'])
    assert.equal(run.code, 1, run.stderr)
    assert.match(run.stderr, new RegExp(`warning: the restore stopped after writing part of the data: 8 document\\(s\\) written into ${again}\\.first, ${again}\\.second; 1 of 2 file\\(s\\) complete\\.`))
    assert.match(run.stderr, /error: .*b\/data\.json: line 4: write error 11000/)
  })

  test('with --drop: only collections that existed count as dropped', async () => {
    const db = uniqueDbName('fault_midway_drop')
    await withSentinel(db, 'first')
    // The second file repeats an _id: insert mode with --stop-on-error stops there (after dropping).
    const dir = await exportDir('midway-drop', [
      {sub: 'a', database: db, collection: 'first', lines: docs(1, 5)},
      {sub: 'b', database: db, collection: 'second', lines: [...docs(10, 2), ...docs(10, 1)]},
      {sub: 'c', database: db, collection: 'third', lines: docs(30, 1)}
    ])
    let caught: unknown
    try {
      await restore({source: dir, uri: server.uri, mode: 'insert', stopOnError: true, drop: true})
    } catch (error) {
      caught = error
    }
    assert.ok(caught instanceof RestoreError, String(caught))
    assert.deepEqual(caught.written, {mode: 'insert', documents: 7, uncertain: 0, filesComplete: 1, fileCount: 3, collections: [`${db}.first`, `${db}.second`], dropped: [`${db}.first`]})
    assert.match(caught.partialWarning ?? '', new RegExp(`; dropped first \\(--drop\\): ${db}\\.first\\. When the cause of the error is fixed, insert mode would add`))
  })

  test('upsert stopped by a unique index: re-running is safe, says the warning', async () => {
    const db = uniqueDbName('fault_midway_upsert')
    await client.db(db).collection('second').createIndex({name: 1}, {unique: true})
    await client.db(db).collection('second').insertOne({_id: 'other' as never, name: 'doc 12'})
    const dir = await exportDir('midway-upsert', [
      {sub: 'a', database: db, collection: 'first', lines: docs(1, 5)},
      {sub: 'b', database: db, collection: 'second', lines: docs(10, 6)}
    ])
    let caught: unknown
    try {
      await restore({source: dir, uri: server.uri})
    } catch (error) {
      caught = error
    }
    assert.ok(caught instanceof RestoreError, String(caught))
    // mongod stops at line 3 (after 2 upserts); FerretDB v1.24 reports the error at line 1 and writes none.
    assert.match(caught.message, /b\/data\.json: line \d: write error 11000/)
    const written = caught.written?.documents ?? 0
    assert.ok(written === 5 || written === 7, String(written))
    assert.equal(
      caught.partialWarning,
      `the restore stopped after writing part of the data: ${written} document(s) written into ${db}.first${written === 7 ? `, ${db}.second` : ''}; 1 of 2 file(s) complete. ` +
        'When the cause of the error is fixed, run the same command again: upsert mode replaces documents by _id, so nothing is duplicated.'
    )
  })
})
