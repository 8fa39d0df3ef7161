// The store contract (store-contract.ts) against real servers nobody here wrote: versitygw for S3, Azurite for Azure
// Blob, fake-gcs-server for Google Cloud Storage, each started on loopback (test/harness/storage-servers.ts). Each
// contract test gets a bucket (container) of its own. Our clients are the SDKs; the servers are the real ones.
import {after, before} from 'node:test'
import {readdir} from 'node:fs/promises'
import {S3Objects} from '../../src/artifact/stores/s3/s3-objects.ts'
import {AzureObjects} from '../../src/artifact/stores/azure/azure-objects.ts'
import {GcsObjects} from '../../src/artifact/stores/gcs/gcs-objects.ts'
import {ObjectSets} from '../../src/artifact/stores/object-sets.ts'
import type {ObjectStore} from '../../src/artifact/store.ts'
import {startAzureBlob, startFakeGcs, startVersitygw, type AzureServer, type GcsServer, type S3Server} from '../../test/harness/storage-servers.ts'
import {objectStoreContract, storeContract, type SetStoreUnderTest} from './store-contract.ts'

let s3: S3Server
let gcs: GcsServer
let azure: AzureServer
before(async () => {
  ;[s3, gcs, azure] = await Promise.all([startVersitygw(), startFakeGcs(), startAzureBlob()])
  // The SDKs' default credential chains read the process environment, as on a runner.
  Object.assign(process.env, s3.env, gcs.env, azure.env)
})
after(async () => {
  await Promise.all([s3?.stop(), gcs?.stop(), azure?.stop()])
})

let counter = 0
const fresh = (): string => `contract-${process.pid}-${++counter}`

const stores: [string, () => Promise<ObjectStore>][] = [
  [
    'S3 (versitygw v1.7.0)',
    async () => {
      const bucket = fresh()
      await s3.createBucket(bucket)
      return new S3Objects({bucket, endpoint: s3.endpoint}, {env: s3.env})
    }
  ],
  [
    'Azure Blob (Azurite)',
    async () => {
      const container = fresh()
      await azure.createContainer(container)
      return new AzureObjects({account: azure.account, container}, {env: azure.env})
    }
  ],
  [
    'Google Cloud Storage (fake-gcs-server v1.56.1)',
    async () => {
      const bucket = fresh()
      await gcs.createBucket(bucket)
      return new GcsObjects({bucket}, {env: gcs.env})
    }
  ]
]

for (const [name, make] of stores) {
  objectStoreContract(name, async () => {
    const store = await make()
    return {store, close: async () => store.close()}
  })
  storeContract(`${name}, sets in the one key layout`, async (): Promise<SetStoreUnderTest> => {
    const objects = await make()
    const sets = new ObjectSets(objects, 'team/prancer')
    return {
      store: sets,
      commit: async (family, runId, dir) => void (await sets.commit({family, kind: 'outputs', runId}, dir)),
      // An upload killed before its manifest: the data files are there, the manifest is not.
      leaveIncomplete: async (family, runId, dir) => {
        for (const entry of await readdir(dir, {recursive: true, withFileTypes: true})) {
          if (entry.isFile()) await objects.save(`team/prancer/${family}/outputs/20261204T000000.000Z-${runId}/${entry.name}`, Buffer.from('partial'))
        }
      },
      close: async () => objects.close()
    }
  })
}

// Beyond the contract: what each real server says when it refuses, and what a failed large save leaves.
import {describe as suite, test} from 'node:test'
import assert from 'node:assert/strict'
import {Readable} from 'node:stream'

suite('cloud stores: refusals and failed saves against the real servers', () => {
  test('S3: a save that fails after several parts aborts its multipart upload (none left on the server)', async () => {
    const bucket = fresh()
    await s3.createBucket(bucket)
    const store = new S3Objects({bucket, endpoint: s3.endpoint}, {env: s3.env})
    let sent = 0
    const failing = new Readable({
      read() {
        if (sent >= 20 * 1024 * 1024) return void this.destroy(new Error('the archive writer failed'))
        sent += 1024 * 1024
        this.push(Buffer.alloc(1024 * 1024, 7))
      }
    })
    await assert.rejects(store.save('backup/prancer.archive', failing), {kind: 'refused', message: /s3:\/\/contract-\d+-\d+: save backup\/prancer\.archive: .*the archive writer failed/})
    const {S3Client, ListMultipartUploadsCommand} = await import('@aws-sdk/client-s3')
    const client = new S3Client({endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true})
    try {
      const uploads = await client.send(new ListMultipartUploadsCommand({Bucket: bucket}))
      assert.deepEqual(uploads.Uploads ?? [], [])
    } finally {
      client.destroy()
      store.close()
    }
    assert.equal(await store.stat('backup/prancer.archive'), null)
  })

  test('Azure: a wrong account key and a missing container are named, with the credential source', async () => {
    const wrongKey = azure.env.AZURE_STORAGE_CONNECTION_STRING!.replace(/AccountKey=[^;]+/, `AccountKey=${Buffer.from('not the key of this account, 64 bytes long ......................').toString('base64')}`)
    const container = fresh()
    await azure.createContainer(container)
    const wrong = new AzureObjects({account: azure.account, container}, {env: {AZURE_STORAGE_CONNECTION_STRING: wrongKey}, maxAttempts: 1})
    await assert.rejects(wrong.probe('write', 'prefix'), {kind: 'refused', message: /^az:\/\/devstoreaccount1\/contract-\d+-\d+: list prefix\/: the credentials from the connection string in AZURE_STORAGE_CONNECTION_STRING were refused or are missing \((AuthorizationFailure|AuthenticationFailed): Server failed to authenticate the request/})
    const missing = new AzureObjects({account: azure.account, container: 'no-such-container'}, {env: azure.env, maxAttempts: 1})
    await assert.rejects(missing.probe('read', ''), {kind: 'refused', message: /the container no-such-container does not exist in the account devstoreaccount1; create it, or check the name/})
    const otherAccount = new AzureObjects({account: 'someoneelse', container}, {env: azure.env})
    await assert.rejects(otherAccount.probe('read', ''), {kind: 'usage', message: /AZURE_STORAGE_CONNECTION_STRING is for the account "devstoreaccount1", not "someoneelse"/})
  })

  test('GCS: a missing bucket is named; the probe writes and deletes its object', async () => {
    const missing = new GcsObjects({bucket: 'no-such-bucket-here'}, {env: gcs.env, maxAttempts: 1})
    await assert.rejects(missing.probe('read', 'x'), {kind: 'refused', message: /^gs:\/\/no-such-bucket-here: list x\/: the bucket no-such-bucket-here does not exist/})
    const bucket = fresh()
    await gcs.createBucket(bucket)
    const store = new GcsObjects({bucket}, {env: gcs.env})
    assert.match(await store.probe('write', 'team/prancer'), /no credentials \(the emulator endpoint http:\/\/127\.0\.0\.1:\d+\)/)
    const left: string[] = []
    for await (const o of store.list('')) left.push(o.key)
    assert.deepEqual(left, [], 'the probe leaves nothing behind')
  })
})
