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
