// End to end against real software only: real Prancer 3.1.1 writes runs into the test server; our CLI and action
// (dist/, as the runner runs them) export and back up to a real S3 server (versitygw v1.7.0); then:
// - a second export with since: auto continues from the watermark it finds in S3 (no document twice, none missing);
// - the action with `store` set continues that chain from S3 too;
// - `restore --from s3://…` restores the backup and the export after it into an empty server, and the documents
//   are those the source holds (compared canonically, sorted by _id);
// - the backup archive, downloaded by boto3 (a client that is not ours), restores with the real mongorestore 100.18.0.
import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'
import {after, before, describe, it} from 'node:test'
import {EJSON} from 'bson'
import {MongoClient} from 'mongodb'
import {ROOT, runAction} from '../../test/action-runner.ts'
import {exportedIds, runNode} from '../../test/export-checks.ts'
import {startTestServer, uniqueDbName, type TestServer} from '../../test/harness/mongo.ts'
import {ensurePeers} from '../../test/harness/peers.ts'
import {ensurePrancer, prepareScenario, type Scenario} from '../../test/harness/prancer.ts'
import {ensureBoto3, startVersitygw, type S3Server} from '../../test/harness/storage-servers.ts'

const run = promisify(execFile)
const CLI = path.join(ROOT, 'dist', 'cli', 'index.js')
const BUCKET = 'prancer-evidence'
let server: TestServer
let s3: S3Server
let scenario: Scenario
let client: MongoClient
let work: string
const database = uniqueDbName('validator')
const logsDatabase = uniqueDbName('prancerlogs')
const url = `s3://${BUCKET}/team a/prancer`

before(async () => {
  await Promise.all([ensurePeers(), ensurePrancer(), ensureBoto3()])
  ;[server, s3] = await Promise.all([startTestServer(), startVersitygw()])
  await s3.createBucket(BUCKET)
  scenario = await prepareScenario({uri: server.uri, serverKind: server.kind, database, logsDatabase})
  client = new MongoClient(server.uri)
  work = await mkdtemp(path.join(os.tmpdir(), 's3-e2e-'))
})

after(async () => {
  await client?.close()
  await scenario?.remove()
  await s3?.stop()
  await server?.stop()
  if (work) await rm(work, {recursive: true, force: true})
})

const cliEnv = (): NodeJS.ProcessEnv => ({PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: os.tmpdir(), ...s3.env})

async function boto(script: string, ...args: string[]): Promise<string> {
  const python = await ensureBoto3()
  const {stdout} = await run(python, ['-c', script, s3.endpoint, s3.accessKey, s3.secretKey, BUCKET, ...args], {maxBuffer: 64 << 20})
  return stdout
}
const BOTO_CLIENT = `import sys, boto3, botocore
c = boto3.client('s3', endpoint_url=sys.argv[1], aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3], region_name='us-east-1', config=botocore.config.Config(s3={'addressing_style': 'path'}))
`

async function storedKeys(): Promise<string[]> {
  const out = await boto(`${BOTO_CLIENT}p = c.get_paginator('list_objects_v2')
for page in p.paginate(Bucket=sys.argv[4]):
    for o in page.get('Contents', []): print(o['Key'])`)
  return out.split('\n').filter(Boolean)
}

async function canonical(uri: string, db: string, collection: string): Promise<string[]> {
  const c = new MongoClient(uri)
  try {
    return (await c.db(db).collection(collection).find({}, {sort: {_id: 1}}).toArray()).map(d => EJSON.stringify(d, {relaxed: false}))
  } finally {
    await c.close()
  }
}

async function countIn(uri: string, db: string, collection: string): Promise<number> {
  const c = new MongoClient(uri)
  try {
    return await c.db(db).collection(collection).countDocuments()
  } finally {
    await c.close()
  }
}

/** The documents of db.collection at `uri` are the source's, canonically (short message: the first difference). */
async function assertSame(uri: string, db: string, collection: string, sourceDb = db): Promise<void> {
  const [got, want] = [await canonical(uri, db, collection), await canonical(server.uri, sourceDb, collection)]
  const first = want.findIndex((w, i) => got[i] !== w)
  assert.ok(got.length === want.length && first < 0, `${db}.${collection}: ${got.length} documents against ${want.length} at the source; first difference at ${first}: ${String(got[first]).slice(0, 300)}`)
}

async function sourceCollections(): Promise<[string, string][]> {
  const out: [string, string][] = []
  for (const db of [database, logsDatabase]) {
    for (const c of await client.db(db).listCollections({}, {nameOnly: true}).toArray()) if (!c.name.startsWith('system.')) out.push([db, c.name])
  }
  return out.sort()
}

async function outputsIdsInStore(): Promise<string[][]> {
  const keys = (await storedKeys()).filter(k => k.includes('/prancer-outputs/outputs/') && k.endsWith(`/${database}.outputs.json`)).sort()
  const ids: string[][] = []
  for (const key of keys) {
    const body = await boto(`${BOTO_CLIENT}sys.stdout.write(c.get_object(Bucket=sys.argv[4], Key=sys.argv[5])['Body'].read().decode('utf-8'))`, key)
    ids.push(exportedIds(Buffer.from(body)))
  }
  return ids
}

describe('real Prancer → S3 (versitygw) → restore, with clients that are not ours reading back', {concurrency: false}, () => {
  it('export --to s3://…, a second run continues from the watermark found in S3', async () => {
    await scenario.prancer(['--db', 'FULL', scenario.container])
    const first = await runNode([CLI, 'export', '--to', url, '--config', scenario.configPath, '--uri', server.uri], cliEnv())
    assert.equal(first.code, 0, first.output)
    assert.match(first.output, /Store s3:\/\/prancer-evidence\/team a\/prancer: listed and written with the environment \(AWS_ACCESS_KEY_ID\)/)
    assert.match(first.output, /store: outputs → s3:\/\/prancer-evidence\/team a\/prancer\/prancer-outputs\/outputs\/\d{8}T\d{6}\.\d{3}Z-0\//)
    await scenario.prancer(['--db', 'FULL', scenario.container, '--compliance'])
    const second = await runNode([CLI, 'export', '--to', url, '--config', scenario.configPath, '--uri', server.uri], cliEnv())
    assert.equal(second.code, 0, second.output)
    assert.match(second.output, /continuing from s3:\/\/prancer-evidence\/team a\/prancer\/prancer-outputs\/outputs\//)
    const [a, b] = await outputsIdsInStore()
    assert.equal(a!.length, 2, 'FULL writes a crawler output and an output')
    assert.equal(b!.length, 1, 'the second export holds only the new output')
    const all = (await client.db(database).collection('outputs').find({}, {projection: {_id: 1}}).toArray()).map(d => String(d._id)).sort()
    assert.deepEqual([...a!, ...b!].sort(), all, 'every output document exactly once across the two exports')
    // Manifests last: every set folder holds one, and a listing by boto3 shows no probe object left behind.
    const keys = await storedKeys()
    assert.ok(!keys.some(k => k.includes('.prancer-db-artifacts-probe')), keys.join('\n'))
    const folders = new Set(keys.map(k => k.split('/').slice(0, -1).join('/')))
    for (const folder of folders) assert.ok(keys.includes(`${folder}/manifest.json`), `${folder} has no manifest`)
  })

  it('the action with store set continues the chain from S3 (upload: false)', async () => {
    await scenario.prancer(['--db', 'FULL', scenario.container, '--compliance'])
    const workspace = path.join(work, 'workspace')
    await mkdir(path.join(workspace, 'prancer'), {recursive: true})
    await writeFile(path.join(workspace, 'prancer', 'config.ini'), await readFile(scenario.configPath, 'utf8'))
    const action = await runAction(
      {GITHUB_ACTIONS: 'true', GITHUB_EVENT_NAME: 'push', GITHUB_REF_NAME: 'main', GITHUB_REPOSITORY: 'octo-org/evidence', GITHUB_WORKSPACE: workspace, GITHUB_RUN_ID: '4242', GITHUB_RUN_ATTEMPT: '1', GITHUB_JOB: 'scan', RUNNER_TEMP: work, ...s3.env},
      {'mongodb-uri': server.uri, config: 'prancer/config.ini', store: url, upload: 'false', 'output-artifact-name': 'prancer-outputs', 'logs-artifact-name': 'prancer-logs'}
    )
    assert.equal(action.code, 0, `${action.stdout}\n${action.stderr}`)
    assert.match(action.outputs['store-outputs'] ?? '', /^s3:\/\/prancer-evidence\/team a\/prancer\/prancer-outputs\/outputs\/\d{8}T\d{6}\.\d{3}Z-4242\/$/)
    assert.match(action.stdout, /Previous export: "prancer-outputs"/)
    const ids = await outputsIdsInStore()
    assert.equal(ids.length, 3)
    assert.equal(ids[2]!.length, 1, 'only the new output')
    assert.equal(new Set(ids.flat()).size, ids.flat().length, 'no document twice')
    const summary = action.summary
    assert.match(summary, /Outputs in the store/)
    for (const where of [action.stdout, action.stderr, summary, JSON.stringify(action.outputs)]) assert.ok(!where.includes(s3.secretKey), 'the S3 secret leaked')
  })

  it('a pull request compares with the base branch results found in the store (the manifest says which branch)', async () => {
    await scenario.prancer(['--db', 'FULL', scenario.container, '--compliance'])
    const workspace = path.join(work, 'workspace')
    const action = await runAction(
      {GITHUB_ACTIONS: 'true', GITHUB_EVENT_NAME: 'pull_request', GITHUB_REF_NAME: '7/merge', GITHUB_HEAD_REF: 'feature', GITHUB_BASE_REF: 'main', GITHUB_REPOSITORY: 'octo-org/evidence', GITHUB_WORKSPACE: workspace, GITHUB_RUN_ID: '4243', GITHUB_RUN_ATTEMPT: '1', GITHUB_JOB: 'scan', RUNNER_TEMP: work, ...s3.env},
      {'mongodb-uri': server.uri, config: 'prancer/config.ini', store: url, upload: 'false', 'output-artifact-name': 'prancer-outputs', 'logs-artifact-name': 'prancer-logs'}
    )
    assert.equal(action.code, 0, `${action.stdout}\n${action.stderr}`)
    assert.match(action.stdout, /baseline: s3:\/\/prancer-evidence\/team a\/prancer\/prancer-outputs\/outputs\/\d{8}T\d{6}\.\d{3}Z-4242\/ from run 4242 on main, \d+ results/)
    assert.notEqual(action.outputs['new-failures'], '', 'a comparison was made')
    // The set this run committed says it came from the pull request's branch.
    const manifestKey = (await storedKeys()).filter(k => k.includes('-4243/') && k.includes('/prancer-outputs/outputs/') && k.endsWith('manifest.json'))[0]!
    const manifest = JSON.parse(await boto(`${BOTO_CLIENT}sys.stdout.write(c.get_object(Bucket=sys.argv[4], Key=sys.argv[5])['Body'].read().decode())`, manifestKey))
    assert.deepEqual({branch: manifest.github.branch, runId: manifest.github.runId, event: manifest.github.event}, {branch: 'feature', runId: 4243, event: 'pull_request'})
  })

  it('backup --to s3://…, one more export, then restore --from s3://… into an empty server gives the source documents', async t => {
    const backup = await runNode([CLI, 'backup', '--to', url, '--config', scenario.configPath, '--uri', server.uri, '--gzip'], cliEnv())
    assert.equal(backup.code, 0, backup.output)
    assert.match(backup.output, /store: s3:\/\/prancer-evidence\/team a\/prancer\/prancer-backup\/backup\//)
    await scenario.prancer(['--db', 'FULL', scenario.container, '--compliance'])
    const after = await runNode([CLI, 'export', '--to', url, '--config', scenario.configPath, '--uri', server.uri], cliEnv())
    assert.equal(after.code, 0, after.output)

    if (server.kind !== 'ferretdb') {
      t.skip('an empty second server is started only with FerretDB (MONGODB_URI names one server)')
      return
    }
    const empty = await startTestServer()
    try {
      const restored = await runNode([CLI, 'restore', '--from', url, '--uri', empty.uri], cliEnv())
      assert.equal(restored.code, 0, restored.output)
      assert.match(restored.output, /chain of 2 restored/)
      // The outputs collection is the backup plus the export after it: all of it. The other collections are as the
      // backup holds them: equal to the source wherever the last Prancer run left a collection's count unchanged.
      await assertSame(empty.uri, database, 'outputs')
      const all = await sourceCollections()
      assert.ok(all.length >= 4, JSON.stringify(all))
      let compared = 0
      for (const [db, collection] of all) {
        if (collection === 'outputs' || collection === 'logs') continue
        if ((await countIn(empty.uri, db, collection)) !== (await client.db(db).collection(collection).countDocuments())) continue
        await assertSame(empty.uri, db, collection)
        compared++
      }
      assert.ok(compared >= 2, `only ${compared} collections compared`)
    } finally {
      await empty.stop()
    }
  })

  it('the backup archive, downloaded by boto3, restores with the real mongorestore', async () => {
    const {mongorestore} = await ensurePeers()
    assert.ok(mongorestore, 'the real mongorestore is needed (../shared/peers or MONGO_TOOLS_BIN)')
    const key = (await storedKeys()).find(k => /\/prancer-backup\/backup\/[^/]+\/prancer\.archive\.gz$/.test(k))
    assert.ok(key, 'a backup archive in the bucket')
    const file = path.join(work, 'downloaded.archive.gz')
    await boto(`${BOTO_CLIENT}c.download_file(sys.argv[4], sys.argv[5], sys.argv[6])`, key, file)
    const manifest = JSON.parse(await boto(`${BOTO_CLIENT}sys.stdout.write(c.get_object(Bucket=sys.argv[4], Key=sys.argv[5])['Body'].read().decode())`, key.replace(/prancer\.archive\.gz$/, 'manifest.json')))
    const {createHash} = await import('node:crypto')
    assert.equal(createHash('sha256').update(await readFile(file)).digest('hex'), manifest.archive.sha256)
    const suffix = `s3${process.pid}`
    const args = ['--uri', server.uri, `--archive=${file}`, '--gzip', '--quiet', '--nsFrom', '$db$.$coll$', '--nsTo', `$db$_${suffix}.$coll$`]
    if (server.kind === 'ferretdb') args.push('--noIndexRestore')
    await run(mongorestore, args).catch((error: {stderr?: string}) => assert.fail(`mongorestore failed: ${error.stderr}`))
    for (const c of manifest.collections as {db: string; collection: string; documents: number}[]) {
      assert.equal(await client.db(`${c.db}_${suffix}`).collection(c.collection).countDocuments(), c.documents, `${c.db}.${c.collection}`)
    }
    // One set by name: the newest outputs set alone, restored into a database of its own.
    const single = uniqueDbName('single')
    const one = await runNode([CLI, 'restore', '--from', url, '--name', 'prancer-outputs', '--uri', server.uri, '--db', single], cliEnv())
    assert.equal(one.code, 0, one.output)
    const newest = (await outputsIdsInStore()).at(-1)!
    assert.deepEqual((await client.db(single).collection('outputs').find({}, {projection: {_id: 1}}).toArray()).map(d => String(d._id)).sort(), [...newest].sort())

    // The backup was made before the last Prancer run: every collection but the ones that run wrote to is equal now.
    for (const c of manifest.collections as {db: string; collection: string; documents: number}[]) {
      if (c.documents === (await client.db(c.db).collection(c.collection).countDocuments())) {
        await assertSame(server.uri, `${c.db}_${suffix}`, c.collection, c.db)
      }
    }
  })
})
