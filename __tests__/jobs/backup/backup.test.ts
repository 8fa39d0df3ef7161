// `prancer-db-artifacts backup` (dist/cli/index.js) on the databases real Prancer 3.1.1 filled (outputs, structures,
// master snapshots and tests, snapshots, the resource collection, logs), checked against the real Database Tools:
// - the real `mongorestore --archive --gzip` restores the archive into renamed databases with every document
//   byte-equal (raw BSON, by _id) and the same collections and options; on FerretDB with --noIndexRestore (it refuses
//   the `ns` index option mongorestore sends), on a real mongod (MONGODB_URI) with indexes, compared too;
// - the manifest's per-collection sha256 is that of the .bson file the real `mongodump --out` writes;
// - a backup that fails (server gone) leaves no archive and no directory behind.

import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync} from 'node:fs'
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'
import {promisify} from 'node:util'
import {MongoClient} from 'mongodb'
import type {Document} from 'mongodb'
import {ROOT} from '../../../test/action-runner.ts'
import {runNode} from '../../../test/export-checks.ts'
import {startTestServer, uniqueDbName} from '../../../test/harness/mongo.ts'
import type {TestServer} from '../../../test/harness/mongo.ts'
import {ensurePeers} from '../../../test/harness/peers.ts'
import {prepareScenario} from '../../../test/harness/prancer.ts'
import type {Scenario} from '../../../test/harness/prancer.ts'

const run = promisify(execFile)
const CLI = process.env.CLI_DIST ? path.resolve(process.env.CLI_DIST) : path.join(ROOT, 'dist', 'cli', 'index.js')
let server: TestServer
let scenario: Scenario
let client: MongoClient
let work: string
const database = uniqueDbName('validator')
const logsDatabase = uniqueDbName('prancerlogs')

before(async () => {
  server = await startTestServer()
  scenario = await prepareScenario({uri: server.uri, serverKind: server.kind, database, logsDatabase})
  await scenario.prancer(['--db', 'FULL', scenario.container])
  client = new MongoClient(server.uri)
  work = await mkdtemp(path.join(os.tmpdir(), 'backup-'))
})

after(async () => {
  await client?.close()
  await scenario?.remove()
  await server?.stop()
  if (work) await rm(work, {recursive: true, force: true})
})

async function collectionsOf(db: string): Promise<string[]> {
  return (await client.db(db).listCollections({}, {nameOnly: true}).toArray()).map(c => c.name).sort()
}

/** Every document as raw BSON (hex), by _id. */
async function rawDocuments(db: string, collection: string): Promise<string[]> {
  const docs = await client.db(db).collection(collection).find({}, {raw: true, sort: {_id: 1}}).toArray()
  return (docs as unknown as Uint8Array[]).map(d => Buffer.from(d).toString('hex'))
}

describe('backup: a mongodump archive of the Prancer databases', {concurrency: false}, () => {
  it('the real mongorestore --archive --gzip restores it byte for byte; the manifest matches mongodump --out', async () => {
    const out = path.join(work, 'nightly')
    const backup = await runNode([CLI, 'backup', '--out', out, '--config', scenario.configPath, '--uri', server.uri, '--gzip'])
    assert.equal(backup.code, 0, backup.output)
    const manifest = JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')) as Document
    assert.equal(manifest.kind, 'backup')
    assert.equal(manifest.archive.file, 'prancer.archive.gz')
    assert.equal(manifest.archive.sha256, createHash('sha256').update(await readFile(path.join(out, 'prancer.archive.gz'))).digest('hex'))
    assert.match(manifest.consistency.description, server.kind === 'ferretdb' ? /each collection was read once, at its own time/ : /./)

    // every collection Prancer wrote is in it, with its count
    const source = [...(await collectionsOf(database)).map(c => `${database}.${c}`), ...(await collectionsOf(logsDatabase)).map(c => `${logsDatabase}.${c}`)].sort()
    assert.ok(source.length >= 7, source.join(', '))
    assert.deepEqual((manifest.collections as Document[]).map(c => `${c.db}.${c.collection}`).sort(), source)
    for (const c of manifest.collections as Document[]) assert.equal(c.documents, await client.db(c.db).collection(c.collection).countDocuments(), `${c.db}.${c.collection}`)

    const {mongorestore, mongodump} = await ensurePeers()
    assert.ok(mongorestore && mongodump, 'the real mongorestore and mongodump are needed (../shared/peers or MONGO_TOOLS_BIN)')
    // the per-collection sha256 is the digest of mongodump's own .bson file of that collection
    const dumped = path.join(work, 'mongodump-out')
    for (const db of [database, logsDatabase]) await run(mongodump, ['--uri', server.uri, '--db', db, '--out', dumped, '--quiet'])
    for (const c of manifest.collections as Document[]) {
      const bson = await readFile(path.join(dumped, c.db, `${c.collection}.bson`))
      assert.equal(c.sha256, createHash('sha256').update(bson).digest('hex'), `${c.db}.${c.collection}`)
    }

    const suffix = `r${process.pid}`
    const args = ['--uri', server.uri, `--archive=${path.join(out, 'prancer.archive.gz')}`, '--gzip', '--quiet', '--nsFrom', '$db$.$coll$', '--nsTo', `$db$_${suffix}.$coll$`]
    // FerretDB refuses the `ns` index option mongorestore always sends: restore the data, indexes checked on mongod
    if (server.kind === 'ferretdb') args.push('--noIndexRestore')
    const restored = await run(mongorestore, args).catch((error: {stderr?: string}) => assert.fail(`mongorestore failed: ${error.stderr}`))
    void restored
    for (const db of [database, logsDatabase]) {
      assert.deepEqual(await collectionsOf(`${db}_${suffix}`), await collectionsOf(db))
      for (const collection of await collectionsOf(db)) {
        assert.deepEqual(await rawDocuments(`${db}_${suffix}`, collection), await rawDocuments(db, collection), `${db}.${collection}`)
        if (server.kind !== 'ferretdb') {
          const indexes = async (name: string) => (await client.db(name).collection(collection).indexes()).map(i => JSON.stringify({key: i.key, unique: i.unique ?? false, name: i.name})).sort()
          assert.deepEqual(await indexes(`${db}_${suffix}`), await indexes(db), `indexes of ${db}.${collection}`)
        }
      }
    }
  })

  it('--out that is not empty is refused; a backup that fails leaves nothing behind', async () => {
    const used = path.join(work, 'nightly')
    const refused = await runNode([CLI, 'backup', '--out', used, '--config', scenario.configPath, '--uri', server.uri])
    assert.equal(refused.code, 1)
    assert.match(refused.output, /--out: .* is not empty; a backup goes into a new or empty directory/)
    const gone = path.join(work, 'unreachable')
    const failed = await runNode([CLI, 'backup', '--out', gone, '--config', scenario.configPath, '--uri', 'mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=500'])
    assert.equal(failed.code, 1)
    assert.match(failed.output, /Cannot connect to MongoDB at 127\.0\.0\.1:1/)
    assert.equal(existsSync(gone), false)
  })
})

describe('the action, mode: backup', () => {
  it('uploads the archive and its manifest as one artifact; the real mongorestore restores it from the downloaded zip', async () => {
    const {startArtifactService} = await import('../../../test/harness/artifact-service.ts')
    const {readZip, runAction, leaks} = await import('../../../test/action-runner.ts')
    const {mkdir, writeFile} = await import('node:fs/promises')
    const service = await startArtifactService()
    try {
      const env = service.env({runId: 9_300_000_001, repository: 'octo-org/backup', job: 'nightly'})
      await mkdir(path.join(env.GITHUB_WORKSPACE, 'prancer'), {recursive: true})
      await writeFile(path.join(env.GITHUB_WORKSPACE, 'prancer', 'config.ini'), await readFile(scenario.configPath, 'utf8'))
      const password = 'B4ckup:S3cret/pw'
      const dburl = `mongodb://prancer:${encodeURIComponent(password)}@db.internal.example:27017/validator`
      const run = await runAction({...env, DBURL: dburl}, {'mongodb-uri': server.uri, config: 'prancer/config.ini', mode: 'backup', 'retention-days': '30'})
      assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`)
      const stored = service.storedArtifacts().filter(a => a.repository === 'octo-org/backup' && !a.deleted)
      assert.deepEqual(stored.map(a => a.name), [`prancer-backup-${database}-nightly-9300000001-1`])
      assert.equal(run.outputs['backup-artifact-id'], String(stored[0]!.id))
      const files = await readZip(stored[0]!.zip)
      assert.deepEqual([...files.keys()].sort(), ['manifest.json', 'prancer.archive.gz'])
      const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as Document
      assert.equal(run.outputs.collections, String((manifest.collections as Document[]).length))
      assert.match(run.summary, /## Prancer backup: \d+ collections, \d+ documents of/)
      assert.deepEqual(leaks(password, run), [])

      const archive = path.join(work, 'downloaded.archive.gz')
      await writeFile(archive, files.get('prancer.archive.gz')!)
      const {mongorestore} = await ensurePeers()
      const suffix = `a${process.pid}`
      const args = ['--uri', server.uri, `--archive=${archive}`, '--gzip', '--quiet', '--nsFrom', '$db$.$coll$', '--nsTo', `$db$_${suffix}.$coll$`]
      if (server.kind === 'ferretdb') args.push('--noIndexRestore')
      await run_(mongorestore!, args)
      for (const c of manifest.collections as Document[]) {
        assert.deepEqual(await rawDocuments(`${c.db}_${suffix}`, c.collection), await rawDocuments(c.db, c.collection), `${c.db}.${c.collection}`)
      }
    } finally {
      await service.stop()
    }
  })
})

async function run_(file: string, args: string[]): Promise<void> {
  await run(file, args).catch((error: {stderr?: string}) => assert.fail(`${path.basename(file)} failed: ${error.stderr}`))
}
