// A store URL (store-url.ts) to a Store: the object store its scheme names, under the one key layout of
// object-sets.ts. Each cloud SDK is imported here, only when its scheme is used, so the bundle loads none of them on
// a run without a store (ncc puts each dynamic import into a chunk of its own).

import type {Logger} from '../../common/log.ts'
import type {ObjectStore, ProbeAccess} from '../store.ts'
import type {StoreClientOptions} from './object-store-options.ts'
import {ObjectSets} from './object-sets.ts'
import {parseStoreUrl, type StoreUrl} from './store-url.ts'

export interface StoreEndpointOptions extends StoreClientOptions {
  /** An S3-compatible server, an Azure blob endpoint, a GCS emulator. */
  endpoint?: string | undefined
  /** S3 only. */
  region?: string | undefined
  /** S3 only: default path-style when an endpoint is given. */
  pathStyle?: boolean | undefined
}

export interface OpenedStore {
  url: StoreUrl
  objects: ObjectStore
  sets: ObjectSets
}

export async function openObjectStore(url: StoreUrl, options: StoreEndpointOptions = {}): Promise<ObjectStore> {
  switch (url.scheme) {
    case 's3': {
      const {S3Objects} = await import('./s3/s3-objects.ts')
      return new S3Objects({bucket: url.bucket, endpoint: options.endpoint, region: options.region, pathStyle: options.pathStyle}, options)
    }
    case 'az': {
      const {AzureObjects} = await import('./azure/azure-objects.ts')
      return new AzureObjects({account: url.account, container: url.container, endpoint: options.endpoint}, options)
    }
    case 'gs': {
      const {GcsObjects} = await import('./gcs/gcs-objects.ts')
      return new GcsObjects({bucket: url.bucket, endpoint: options.endpoint}, options)
    }
    case 'file': {
      const {FsObjects} = await import('./local/fs-objects.ts')
      return new FsObjects(url.path)
    }
  }
}

/** Parses `text` (naming `input` in errors) and opens its store; complete sets live below the URL's prefix. */
export async function openStore(text: string, input: string, options: StoreEndpointOptions = {}): Promise<OpenedStore> {
  const url = parseStoreUrl(text, input)
  const objects = await openObjectStore(url, options)
  return {url, objects, sets: new ObjectSets(objects, url.prefix)}
}

/** Opens the store and probes it (before any data is read from MongoDB), saying which credentials were used. */
export async function openProbedStore(text: string, input: string, access: ProbeAccess, options: StoreEndpointOptions, logger: Logger): Promise<OpenedStore> {
  const opened = await openStore(text, input, options)
  try {
    const credentials = await opened.sets.probe(access)
    logger.info(`Store ${opened.sets.label}: ${access === 'write' ? 'listed and written' : 'listed'} with ${credentials}.`)
  } catch (error) {
    opened.objects.close()
    throw error
  }
  return opened
}
