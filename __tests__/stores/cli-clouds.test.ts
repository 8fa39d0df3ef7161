// The CLI against Azure Blob (Azurite) and Google Cloud Storage (fake-gcs-server), as against S3 in
// s3-end-to-end.test.ts: two exports to the store (the second continuing from the watermark found there), a backup
// streamed into it, then each set restored back from it. Prancer's runs are seeded from documents real Prancer 3.1.1
// wrote (test/fixtures); the real-Prancer tier is s3-end-to-end.test.ts. Azurite's account key (public, but a key
// all the same) is looked for in every output.
import assert from 'node:assert/strict'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'
import {EJSON} from 'bson'
import {MongoClient} from 'mongodb'
import {ROOT} from '../../test/action-runner.ts'
import {runNode} from '../../test/export-checks.ts'
import {startTestServer, uniqueDbName, type TestServer} from '../../test/harness/mongo.ts'
import {prancerConfigIni, seedPrancerRun} from '../../test/prancer-run.ts'
import {startAzureBlob, startFakeGcs, type AzureServer, type GcsServer} from '../../test/harness/storage-servers.ts'

const CLI = path.join(ROOT, 'dist', 'cli', 'index.js')
let server: TestServer
let azure: AzureServer
let gcs: GcsServer
let client: MongoClient
let work: string
let config: string
const database = uniqueDbName('validator')
const logsDatabase = uniqueDbName('prancerlogs')

before(async () => {
  ;[server, azure, gcs] = await Promise.all([startTestServer(), startAzureBlob(), startFakeGcs()])
  await Promise.all([azure.createContainer('evidence'), gcs.createBucket('prancer-evidence')])
  client = new MongoClient(server.uri)
  work = await mkdtemp(path.join(os.tmpdir(), 'cli-clouds-'))
  config = path.join(work, 'config.ini')
  await writeFile(config, prancerConfigIni({database, outputCollection: 'outputs', logsDatabase}))
})

after(async () => {
  await client?.close()
  await Promise.all([azure?.stop(), gcs?.stop()])
  await server?.stop()
  if (work) await rm(work, {recursive: true, force: true})
})

// The servers start in before(): each store's environment is read when its test runs.
const stores: [string, string, () => NodeJS.ProcessEnv][] = [
  ['Azure Blob (Azurite)', 'az://devstoreaccount1/evidence/team/prancer', () => ({AZURE_STORAGE_CONNECTION_STRING: azure.env.AZURE_STORAGE_CONNECTION_STRING})],
  ['GCS (fake-gcs-server)', 'gs://prancer-evidence/team/prancer', () => ({STORAGE_EMULATOR_HOST: gcs.endpoint})]
]

async function canonical(db: string, collection: string): Promise<string[]> {
  return (await client.db(db).collection(collection).find({}, {sort: {_id: 1}}).toArray()).map(d => EJSON.stringify(d, {relaxed: false}))
}

let runs = 0
describe('CLI export, backup and restore against Azure Blob and GCS', {concurrency: false}, () => {
  for (const [label, storeUrl, storeEnv] of stores) {
    it(`${label}: export twice (continuing from the store), back up, restore each back`, async () => {
      const env = {PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: os.tmpdir(), ...storeEnv()}
      const outputs: string[] = []
      const cli = async (args: string[]) => {
        const r = await runNode([CLI, ...args], env)
        outputs.push(r.output)
        assert.equal(r.code, 0, r.output)
        return r.output
      }
      const start = Date.UTC(2026, 11, 4, 10, runs++ * 10)
      await seedPrancerRun(server.uri, {database, outputCollection: 'outputs', logsDatabase, container: 'webapp', startMs: start, results: 4})
      await cli(['export', '--to', storeUrl, '--config', config, '--uri', server.uri])
      await seedPrancerRun(server.uri, {database, outputCollection: 'outputs', logsDatabase, container: 'webapp', startMs: start + 120_000, results: 4})
      const second = await cli(['export', '--to', storeUrl, '--config', config, '--uri', server.uri])
      assert.match(second, /continuing from [a-z]+:\/\/.*\/prancer-outputs\/outputs\/\d{8}T\d{6}\.\d{3}Z-0\//)
      assert.match(second, /outputs: 2 document\(s\)/, 'only the second run')
      const backup = await cli(['backup', '--to', storeUrl, '--config', config, '--uri', server.uri, '--gzip'])
      assert.match(backup, /store: [a-z]+:\/\/.*\/prancer-backup\/backup\//)

      // The backup restored from the store into renamed databases is the source, collection by collection.
      const suffix = `r${runs}`
      await cli(['restore', '--from', storeUrl, '--name', 'prancer-backup', '--uri', server.uri, '--ns-from', '$db$.$c$', '--ns-to', `$db$_${suffix}.$c$`])
      for (const db of [database, logsDatabase]) {
        for (const c of await client.db(db).listCollections({}, {nameOnly: true}).toArray()) {
          assert.deepEqual(await canonical(`${db}_${suffix}`, c.name), await canonical(db, c.name), `${label}: ${db}.${c.name}`)
        }
      }
      // The newest export alone: the second run's two outputs.
      const single = uniqueDbName('single')
      await cli(['restore', '--from', storeUrl, '--name', 'prancer-outputs', '--uri', server.uri, '--db', single])
      assert.equal(await client.db(single).collection('outputs').countDocuments(), 2)
      const key = /AccountKey=([^;]+)/.exec(azure.env.AZURE_STORAGE_CONNECTION_STRING!)![1]!
      for (const o of outputs) assert.ok(!o.includes(key), `${label}: the account key leaked:\n${o}`)
    })
  }
})
