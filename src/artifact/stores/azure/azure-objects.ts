// Azure Blob Storage (and Azurite) as an ObjectStore, on @azure/storage-blob. A save streams as staged blocks that
// are committed by one Put Block List at the end, so a failed save commits nothing (Azure drops uncommitted blocks
// after seven days). Credentials: a connection string or a SAS token from the environment (emulators, or where a
// team hands one out), else DefaultAzureCredential (workload identity from GitHub OIDC via azure/login, a service
// principal, the Azure CLI's login, a managed identity). Retries are the SDK's (exponential).

import {BlobServiceClient, type ContainerClient, type StoragePipelineOptions} from '@azure/storage-blob'
import type {Readable} from 'node:stream'
import {RefusedError, UsageError} from '../../../common/errors.ts'
import type {ObjectInfo, ObjectStore, ProbeAccess} from '../../store.ts'
import {countingBody, describeNetworkError, PART_BYTES, PARALLEL_PARTS, probeObjects, type StoreClientOptions} from '../object-store-options.ts'

export interface AzureLocation {
  account: string
  container: string
  /** The blob endpoint, e.g. http://127.0.0.1:10000/devstoreaccount1; default https://ACCOUNT.blob.core.windows.net. */
  endpoint?: string | undefined
}

type Env = Record<string, string | undefined>

const DATA_ACTION = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs'
const PERMISSION = {save: `${DATA_ACTION}/write`, open: `${DATA_ACTION}/read`, stat: `${DATA_ACTION}/read`, list: `${DATA_ACTION}/read`, delete: `${DATA_ACTION}/delete`, copy: `${DATA_ACTION}/read and /write`} as const
type Operation = keyof typeof PERMISSION

interface RestErrorLike {
  name?: string
  code?: string
  statusCode?: number
  message?: string
  details?: {errorCode?: string}
}

function accountOfConnectionString(text: string): string | undefined {
  if (/UseDevelopmentStorage=true/i.test(text)) return 'devstoreaccount1'
  return /(?:^|;)\s*AccountName=([^;]+)/i.exec(text)?.[1]?.trim()
}

export function azureCredentialSource(env: Env): string {
  if (env['AZURE_STORAGE_CONNECTION_STRING']) return 'the connection string in AZURE_STORAGE_CONNECTION_STRING'
  if (env['AZURE_STORAGE_SAS_TOKEN']) return 'the SAS token in AZURE_STORAGE_SAS_TOKEN'
  if (env['AZURE_FEDERATED_TOKEN_FILE'] && env['AZURE_CLIENT_ID']) return `DefaultAzureCredential (workload identity of client ${env['AZURE_CLIENT_ID']})`
  if (env['AZURE_CLIENT_ID'] && (env['AZURE_CLIENT_SECRET'] || env['AZURE_CLIENT_CERTIFICATE_PATH'])) return `DefaultAzureCredential (the service principal ${env['AZURE_CLIENT_ID']})`
  return 'DefaultAzureCredential (the Azure CLI\'s login, azure/login, or a managed identity)'
}

export class AzureObjects implements ObjectStore {
  readonly label: string
  readonly #container: Promise<ContainerClient>
  readonly #location: AzureLocation
  readonly #credentials: string

  constructor(location: AzureLocation, options: StoreClientOptions = {}) {
    const env = options.env ?? process.env
    this.#location = location
    this.#credentials = azureCredentialSource(env)
    const label = `az://${location.account}/${location.container}`
    this.label = label
    const pipeline: StoragePipelineOptions = {
      retryOptions: {maxTries: options.maxAttempts ?? 5, tryTimeoutInMs: options.requestTimeoutMs ?? 120_000, retryDelayInMs: 500, maxRetryDelayInMs: 16_000}
    }
    this.#container = (async () => {
      const connection = env['AZURE_STORAGE_CONNECTION_STRING']
      let service: BlobServiceClient
      if (connection) {
        const account = accountOfConnectionString(connection)
        if (account !== undefined && account !== location.account) {
          throw new UsageError(`${label}: AZURE_STORAGE_CONNECTION_STRING is for the account "${account}", not "${location.account}".`)
        }
        service = BlobServiceClient.fromConnectionString(connection, pipeline)
      } else {
        const endpoint = (location.endpoint || `https://${location.account}.blob.core.windows.net`).replace(/\/+$/, '')
        const sas = env['AZURE_STORAGE_SAS_TOKEN']
        if (sas) service = new BlobServiceClient(`${endpoint}?${sas.replace(/^\?/, '')}`, undefined, pipeline)
        else {
          // Loaded only when used: @azure/identity is large and most runs authenticate otherwise.
          const {DefaultAzureCredential} = await import('@azure/identity')
          service = new BlobServiceClient(endpoint, new DefaultAzureCredential(), pipeline)
        }
      }
      return service.getContainerClient(location.container)
    })()
    this.#container.catch(() => undefined)
  }

  #fail(operation: Operation, key: string, error: unknown): RefusedError {
    const e = (error ?? {}) as RestErrorLike
    const code = e.code ?? e.details?.errorCode ?? ''
    const status = e.statusCode
    const where = `${this.label}: ${operation} ${key === '' ? 'the container' : key}`
    const network = describeNetworkError(error)
    let why: string
    if (network !== undefined) why = `${network}${this.#location.endpoint ? ` (endpoint ${this.#location.endpoint})` : ''}`
    else if (code === 'ContainerNotFound') why = `the container ${this.#location.container} does not exist in the account ${this.#location.account}; create it, or check the name`
    // A wrong key is AuthenticationFailed on Azure, AuthorizationFailure "failed to authenticate" on Azurite.
    else if (code === 'AuthenticationFailed' || code === 'InvalidAuthenticationInfo' || e.name === 'CredentialUnavailableError' || e.name === 'AuthenticationError' || /failed to authenticate/i.test(e.message ?? ''))
      why = `the credentials from ${this.#credentials} were refused or are missing (${code || e.name}: ${firstLine(e.message)})`
    else if (code === 'AuthorizationPermissionMismatch' || code === 'AuthorizationFailure' || status === 403)
      why = `access denied with the credentials from ${this.#credentials}: ${PERMISSION[operation]} is missing on ${this.#location.container}/${operation === 'list' ? `${key}*` : key} (the role "Storage Blob Data Contributor" has it)`
    else why = `${code || e.name || 'error'}${status ? ` (HTTP ${status})` : ''}: ${firstLine(e.message ?? String(error))}`
    return new RefusedError(`${where}: ${why}.`, {cause: error, ...(status ? {status} : {})})
  }

  async #client(operation: Operation, key: string): Promise<ContainerClient> {
    try {
      return await this.#container
    } catch (error) {
      if (error instanceof UsageError) throw error
      throw this.#fail(operation, key, error)
    }
  }

  async save(key: string, body: Readable | Uint8Array): Promise<{bytes: number}> {
    const container = await this.#client('save', key)
    const counted = countingBody(body)
    try {
      await container.getBlockBlobClient(key).uploadStream(counted.stream, PART_BYTES, PARALLEL_PARTS)
    } catch (error) {
      // The source (a file, the archive) must not stay open behind a refused upload.
      counted.destroy()
      throw this.#fail('save', key, counted.error() ?? error)
    }
    if (counted.error() !== undefined) throw this.#fail('save', key, counted.error())
    return {bytes: counted.bytes()}
  }

  async open(key: string): Promise<Readable> {
    const container = await this.#client('open', key)
    try {
      const answer = await container.getBlobClient(key).download()
      return answer.readableStreamBody as unknown as Readable
    } catch (error) {
      if ((error as RestErrorLike).code === 'BlobNotFound') throw new RefusedError(`${this.label}: there is no object ${key}.`, {code: 'not-found', cause: error})
      throw this.#fail('open', key, error)
    }
  }

  async stat(key: string): Promise<ObjectInfo | null> {
    const container = await this.#client('stat', key)
    try {
      const p = await container.getBlobClient(key).getProperties()
      return {key, size: p.contentLength ?? 0, modified: (p.lastModified ?? new Date(0)).toISOString()}
    } catch (error) {
      const e = error as RestErrorLike
      if (e.statusCode === 404 && e.code !== 'ContainerNotFound') return null
      throw this.#fail('stat', key, error)
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    const container = await this.#client('list', prefix)
    const pages = container.listBlobsFlat({prefix}).byPage({maxPageSize: 1000})
    for (;;) {
      let page
      try {
        page = await pages.next()
      } catch (error) {
        throw this.#fail('list', prefix, error)
      }
      if (page.done) return
      for (const b of page.value.segment.blobItems) yield {key: b.name, size: b.properties.contentLength ?? 0, modified: b.properties.lastModified.toISOString()}
    }
  }

  async delete(key: string): Promise<void> {
    const container = await this.#client('delete', key)
    try {
      await container.getBlobClient(key).deleteIfExists()
    } catch (error) {
      throw this.#fail('delete', key, error)
    }
  }

  async copy(from: string, to: string): Promise<void> {
    const container = await this.#client('copy', `${from} to ${to}`)
    try {
      const poller = await container.getBlobClient(to).beginCopyFromURL(container.getBlobClient(from).url)
      await poller.pollUntilDone()
    } catch (error) {
      throw this.#fail('copy', `${from} to ${to}`, error)
    }
  }

  probe(access: ProbeAccess, prefix: string): Promise<string> {
    return probeObjects(this, access, prefix, this.#credentials)
  }

  close(): void {}
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0]!.trim()
}
