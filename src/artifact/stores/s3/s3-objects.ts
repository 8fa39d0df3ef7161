// S3 and S3-compatible servers (AWS, MinIO, Ceph RGW, Cloudflare R2, versitygw) as an ObjectStore, on the AWS SDK v3.
// Credentials come only from the SDK's default chain (environment, a web-identity token from GitHub OIDC, profiles,
// instance roles). A save streams through lib-storage's multipart upload, which aborts the multipart upload when it
// fails, so a failed save leaves no object and, where the abort itself gets through, no parts either (README: the
// lifecycle rule for the rest). Retries are the SDK's own (standard mode, exponential backoff with jitter).

import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig
} from '@aws-sdk/client-s3'
import {Upload} from '@aws-sdk/lib-storage'
import {Readable} from 'node:stream'
import {RefusedError} from '../../../common/errors.ts'
import type {ObjectInfo, ObjectStore, ProbeAccess} from '../../store.ts'
import {countingBody, describeNetworkError, PART_BYTES, PARALLEL_PARTS, probeObjects, type StoreClientOptions} from '../object-store-options.ts'

export interface S3Location {
  bucket: string
  /** An S3-compatible server's endpoint, e.g. http://127.0.0.1:7070; default AWS (or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL). */
  endpoint?: string | undefined
  region?: string | undefined
  /** Default: path-style when an endpoint is given (what most compatible servers need), virtual-hosted on AWS. */
  pathStyle?: boolean | undefined
}

type Env = Record<string, string | undefined>

/** Which link of the default chain the SDK will use, as far as the environment tells it (never the secret itself). */
export function awsCredentialSource(env: Env): string {
  if (env['AWS_ACCESS_KEY_ID']) return `the environment (AWS_ACCESS_KEY_ID${env['AWS_SESSION_TOKEN'] ? ' with a session token' : ''})`
  if (env['AWS_WEB_IDENTITY_TOKEN_FILE'] && env['AWS_ROLE_ARN']) return `a web-identity token for the role ${env['AWS_ROLE_ARN']}`
  if (env['AWS_PROFILE']) return `the profile "${env['AWS_PROFILE']}"`
  return 'the default chain (the default profile, SSO, or the instance or container role)'
}

/** The IAM action each operation needs, for the message when it is refused. */
const PERMISSION = {save: 's3:PutObject', open: 's3:GetObject', stat: 's3:GetObject', list: 's3:ListBucket', delete: 's3:DeleteObject', copy: 's3:GetObject and s3:PutObject'} as const
type Operation = keyof typeof PERMISSION

interface AwsError {
  name?: string
  code?: string
  message?: string
  Code?: string
  $metadata?: {httpStatusCode?: number; attempts?: number}
  $fault?: string
}

export class S3Objects implements ObjectStore {
  readonly label: string
  readonly #client: S3Client
  readonly #bucket: string
  readonly #credentials: string
  readonly #endpoint: string | undefined

  constructor(location: S3Location, options: StoreClientOptions = {}) {
    const env = options.env ?? process.env
    const endpoint = location.endpoint || env['AWS_ENDPOINT_URL_S3'] || env['AWS_ENDPOINT_URL'] || undefined
    const region = location.region || env['AWS_REGION'] || env['AWS_DEFAULT_REGION'] || (endpoint ? 'us-east-1' : undefined)
    const config: S3ClientConfig = {
      ...(region ? {region} : {}),
      ...(endpoint ? {endpoint} : {}),
      forcePathStyle: location.pathStyle ?? endpoint !== undefined,
      // The user's AWS_MAX_ATTEMPTS, as the SDK itself reads it; 5 otherwise (the SDK's default is 3).
      maxAttempts: options.maxAttempts ?? (Number(env['AWS_MAX_ATTEMPTS']) || 5),
      retryMode: 'standard',
      requestHandler: {connectionTimeout: options.connectTimeoutMs ?? 10_000, requestTimeout: options.requestTimeoutMs ?? 120_000},
      // Compatible servers differ in which of the newer checksum headers they take; the manifest's sha256 is the check.
      ...(endpoint ? {requestChecksumCalculation: 'WHEN_REQUIRED' as const, responseChecksumValidation: 'WHEN_REQUIRED' as const} : {})
    }
    this.#client = new S3Client(config)
    this.#bucket = location.bucket
    this.#endpoint = endpoint
    this.#credentials = awsCredentialSource(env)
    this.label = `s3://${location.bucket}`
  }

  #fail(operation: Operation, key: string, error: unknown): RefusedError {
    const e = (error ?? {}) as AwsError
    const name = e.name ?? e.Code ?? e.code ?? ''
    const status = e.$metadata?.httpStatusCode
    const where = `${this.label}: ${operation} ${key === '' ? 'the bucket' : key}`
    const network = describeNetworkError(error)
    let why: string
    if (network !== undefined) why = `${network}${this.#endpoint ? ` (endpoint ${this.#endpoint})` : ''}`
    else if (name === 'NoSuchBucket') why = `the bucket ${this.#bucket} does not exist${this.#endpoint ? ` on ${this.#endpoint}` : ''}; create it, or check the bucket name`
    else if (name === 'PermanentRedirect' || name === 'AuthorizationHeaderMalformed' || (status === 301 && !this.#endpoint))
      why = `the bucket ${this.#bucket} is in another region than the client's (${e.message ?? name}); set AWS_REGION to the bucket's region`
    else if (name === 'CredentialsProviderError')
      why = 'no credentials were found in the default chain (environment, web-identity token, profile, instance or container role); in a workflow, run aws-actions/configure-aws-credentials first'
    else if (name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch' || name === 'ExpiredToken' || /credential/i.test(name))
      why = `the credentials from ${this.#credentials} were refused (${name}); check them, or the role the workflow assumes`
    else if (name === 'AccessDenied' || status === 403)
      why = `access denied with the credentials from ${this.#credentials}: ${PERMISSION[operation]} is missing on ${this.#bucket}/${operation === 'list' ? `${key}*` : key}`
    else if (name === 'InsufficientStorage' || status === 507)
      why = `the server has no space left for it (${name || 'InsufficientStorage'}, HTTP ${status ?? 507}); free space on the server or its volume, then run again`
    else why = `${name || 'error'}${status ? ` (HTTP ${status})` : ''}: ${(e.message ?? String(error)).replace(/\.+$/, '')}`
    const attempts = e.$metadata?.attempts
    return new RefusedError(`${where}: ${why}${attempts && attempts > 1 ? ` (after ${attempts} attempts)` : ''}.`, {cause: error, ...(status ? {status} : {})})
  }

  async save(key: string, body: Readable | Uint8Array): Promise<{bytes: number}> {
    const counted = countingBody(body)
    const upload = new Upload({
      client: this.#client,
      params: {Bucket: this.#bucket, Key: key, Body: counted.stream},
      partSize: PART_BYTES,
      queueSize: PARALLEL_PARTS,
      leavePartsOnError: false
    })
    try {
      await upload.done()
    } catch (error) {
      // The source (a file, the archive) must not stay open behind a refused upload.
      counted.destroy()
      throw this.#fail('save', key, counted.error() ?? error)
    }
    return {bytes: counted.bytes()}
  }

  async open(key: string): Promise<Readable> {
    try {
      const answer = await this.#client.send(new GetObjectCommand({Bucket: this.#bucket, Key: key}))
      return answer.Body as Readable
    } catch (error) {
      if ((error as AwsError).name === 'NoSuchKey') throw new RefusedError(`${this.label}: there is no object ${key}.`, {code: 'not-found', cause: error})
      throw this.#fail('open', key, error)
    }
  }

  async stat(key: string): Promise<ObjectInfo | null> {
    try {
      const head = await this.#client.send(new HeadObjectCommand({Bucket: this.#bucket, Key: key}))
      return {key, size: head.ContentLength ?? 0, modified: (head.LastModified ?? new Date(0)).toISOString()}
    } catch (error) {
      const e = error as AwsError
      if (e.name === 'NotFound' || e.name === 'NoSuchKey' || (e.$metadata?.httpStatusCode === 404 && e.name !== 'NoSuchBucket')) return null
      throw this.#fail('stat', key, error)
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    let token: string | undefined
    do {
      let page
      try {
        page = await this.#client.send(new ListObjectsV2Command({Bucket: this.#bucket, Prefix: prefix, ...(token ? {ContinuationToken: token} : {})}))
      } catch (error) {
        throw this.#fail('list', prefix, error)
      }
      for (const o of page.Contents ?? []) {
        if (o.Key !== undefined) yield {key: o.Key, size: o.Size ?? 0, modified: (o.LastModified ?? new Date(0)).toISOString()}
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token)
  }

  async delete(key: string): Promise<void> {
    try {
      await this.#client.send(new DeleteObjectCommand({Bucket: this.#bucket, Key: key}))
    } catch (error) {
      if ((error as AwsError).name === 'NoSuchKey') return
      throw this.#fail('delete', key, error)
    }
  }

  async copy(from: string, to: string): Promise<void> {
    try {
      const source = `${this.#bucket}/${from.split('/').map(encodeURIComponent).join('/')}`
      await this.#client.send(new CopyObjectCommand({Bucket: this.#bucket, Key: to, CopySource: source}))
    } catch (error) {
      throw this.#fail('copy', `${from} to ${to}`, error)
    }
  }

  probe(access: ProbeAccess, prefix: string): Promise<string> {
    return probeObjects(this, access, prefix, this.#credentials)
  }

  close(): void {
    this.#client.destroy()
  }
}
