// Google Cloud Storage (and fake-gcs-server) as an ObjectStore, on @google-cloud/storage. A save is a resumable
// upload in chunks; the object exists only when its last chunk is accepted, so a failed save leaves none (an
// abandoned session expires after a week). Credentials: Application Default Credentials only (the file that
// google-github-actions/auth writes for OIDC, gcloud's login, the metadata server); none against an emulator endpoint.
// Retries are the library's (exponential backoff, also for the resumable chunks).

import {Storage, type Bucket, type StorageOptions} from '@google-cloud/storage'
import type {Readable} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import {RefusedError} from '../../../common/errors.ts'
import type {ObjectInfo, ObjectStore, ProbeAccess} from '../../store.ts'
import {countingBody, describeNetworkError, PART_BYTES, probeObjects, type StoreClientOptions} from '../object-store-options.ts'

export interface GcsLocation {
  bucket: string
  /** e.g. http://127.0.0.1:4443 for an emulator; default STORAGE_EMULATOR_HOST, else Google's. */
  endpoint?: string | undefined
}

type Env = Record<string, string | undefined>

const PERMISSION = {save: 'storage.objects.create', open: 'storage.objects.get', stat: 'storage.objects.get', list: 'storage.objects.list', delete: 'storage.objects.delete', copy: 'storage.objects.get and storage.objects.create'} as const
type Operation = keyof typeof PERMISSION

interface ApiErrorLike {
  code?: number | string
  message?: string
  errors?: {reason?: string; message?: string}[]
}

export function gcsCredentialSource(env: Env, endpoint: string | undefined): string {
  if (endpoint !== undefined) return `no credentials (the emulator endpoint ${endpoint})`
  if (env['GOOGLE_APPLICATION_CREDENTIALS']) return 'the credentials file in GOOGLE_APPLICATION_CREDENTIALS'
  return 'Application Default Credentials (gcloud\'s login or the metadata server)'
}

export class GcsObjects implements ObjectStore {
  readonly label: string
  readonly #bucket: Bucket
  readonly #name: string
  readonly #endpoint: string | undefined
  readonly #credentials: string

  constructor(location: GcsLocation, options: StoreClientOptions = {}) {
    const env = options.env ?? process.env
    const emulator = env['STORAGE_EMULATOR_HOST']
    const endpoint = (location.endpoint || (emulator ? (/^https?:\/\//.test(emulator) ? emulator : `http://${emulator}`) : '')).replace(/\/+$|\/storage\/v1\/?$/g, '') || undefined
    const config: StorageOptions = {
      ...(endpoint ? {apiEndpoint: endpoint, projectId: env['GOOGLE_CLOUD_PROJECT'] || 'emulator'} : {}),
      retryOptions: {autoRetry: true, maxRetries: (options.maxAttempts ?? 5) - 1, retryDelayMultiplier: 2, maxRetryDelay: 16, totalTimeout: 600},
      timeout: options.requestTimeoutMs ?? 120_000
    }
    // The library takes STORAGE_EMULATOR_HOST verbatim as its JSON API base but not for uploads; with the endpoint
    // given explicitly both are right, so it must not see the variable while it is made.
    const saved = process.env['STORAGE_EMULATOR_HOST']
    delete process.env['STORAGE_EMULATOR_HOST']
    try {
      this.#bucket = new Storage(config).bucket(location.bucket)
    } finally {
      if (saved !== undefined) process.env['STORAGE_EMULATOR_HOST'] = saved
    }
    this.#name = location.bucket
    this.#endpoint = endpoint
    this.#credentials = gcsCredentialSource(env, endpoint)
    this.label = `gs://${location.bucket}`
  }

  #fail(operation: Operation, key: string, error: unknown): RefusedError {
    const e = (error ?? {}) as ApiErrorLike
    const status = typeof e.code === 'number' ? e.code : undefined
    const where = `${this.label}: ${operation} ${key === '' ? 'the bucket' : key}`
    const network = describeNetworkError(error)
    const message = (e.message ?? String(error)).split('\n')[0]!.trim()
    let why: string
    if (network !== undefined) why = `${network}${this.#endpoint ? ` (endpoint ${this.#endpoint})` : ''}`
    // A listing or a write answered 404 has no bucket to go to (a missing object is not an error of theirs).
    else if (status === 404 && (bucketMissing(message) || operation === 'list' || operation === 'save' || operation === 'copy')) why = `the bucket ${this.#name} does not exist; create it, or check the bucket name`
    else if (status === 401 || /Could not load the default credentials|invalid_grant|unauthorized/i.test(message))
      why = `the credentials from ${this.#credentials} were refused or are missing (${message})`
    else if (status === 403) why = `access denied with the credentials from ${this.#credentials}: ${PERMISSION[operation]} is missing on ${this.#name}/${operation === 'list' ? `${key}*` : key}`
    else why = `${status ? `HTTP ${status}: ` : ''}${message}`
    return new RefusedError(`${where}: ${why}.`, {cause: error, ...(status ? {status} : {})})
  }

  async save(key: string, body: Readable | Uint8Array): Promise<{bytes: number}> {
    const counted = countingBody(body)
    try {
      await pipeline(counted.stream, this.#bucket.file(key).createWriteStream({resumable: true, chunkSize: PART_BYTES, contentType: 'application/octet-stream'}))
    } catch (error) {
      // The source (a file, the archive) must not stay open behind a refused upload.
      counted.destroy()
      throw this.#fail('save', key, counted.error() ?? error)
    }
    return {bytes: counted.bytes()}
  }

  async open(key: string): Promise<Readable> {
    // A read stream reports a missing object only once read: ask first, so open() says so itself.
    if ((await this.stat(key)) === null) throw new RefusedError(`${this.label}: there is no object ${key}.`, {code: 'not-found'})
    return this.#bucket.file(key).createReadStream({validation: false})
  }

  async stat(key: string): Promise<ObjectInfo | null> {
    try {
      const [meta] = await this.#bucket.file(key).getMetadata()
      return {key, size: Number(meta.size ?? 0), modified: new Date(String(meta.updated ?? meta.timeCreated ?? 0)).toISOString()}
    } catch (error) {
      const e = error as ApiErrorLike
      if (e.code === 404 && !bucketMissing(e.message ?? '')) return null
      throw this.#fail('stat', key, error)
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    let pageToken: string | undefined
    do {
      let files, next
      try {
        ;[files, next] = await this.#bucket.getFiles({prefix, autoPaginate: false, maxResults: 1000, ...(pageToken ? {pageToken} : {})})
      } catch (error) {
        throw this.#fail('list', prefix, error)
      }
      for (const f of files) yield {key: f.name, size: Number(f.metadata.size ?? 0), modified: new Date(String(f.metadata.updated ?? 0)).toISOString()}
      pageToken = (next as {pageToken?: string} | null)?.pageToken
    } while (pageToken)
  }

  async delete(key: string): Promise<void> {
    try {
      await this.#bucket.file(key).delete({ignoreNotFound: true})
    } catch (error) {
      throw this.#fail('delete', key, error)
    }
  }

  async copy(from: string, to: string): Promise<void> {
    try {
      await this.#bucket.file(from).copy(this.#bucket.file(to))
    } catch (error) {
      throw this.#fail('copy', `${from} to ${to}`, error)
    }
  }

  probe(access: ProbeAccess, prefix: string): Promise<string> {
    return probeObjects(this, access, prefix, this.#credentials)
  }

  close(): void {}
}

/** GCS says "The specified bucket does not exist."; a missing object is "No such object: BUCKET/KEY". */
function bucketMissing(message: string): boolean {
  return /bucket does not exist|no such bucket/i.test(message) && !/no such object/i.test(message)
}
