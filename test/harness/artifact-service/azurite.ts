// The blob storage half of the local artifact service: a real Azurite blob emulator in a child
// process, and SAS URLs for it made with @azure/storage-blob (what GitHub's backend hands out).

import {spawn} from 'node:child_process'
import type {ChildProcess} from 'node:child_process'
import {createRequire} from 'node:module'
import path from 'node:path'
import {
  BlobSASPermissions,
  BlobServiceClient,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters
} from '@azure/storage-blob'
import type {ContainerClient} from '@azure/storage-blob'

// Azurite's fixed development account (azurite/dist/src/blob/utils/constants.js); public by design.
const ACCOUNT = 'devstoreaccount1'
const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
const CONTAINER = 'actions-results'
const STARTUP_TIMEOUT_MS = 30_000

// Preloaded into Azurite: it exits when its stdin pipe closes, i.e. when the test process dies
// without running its exit handlers (SIGKILL, crash), so no emulator outlives its owner.
const EXIT_WITH_PARENT = 'data:text/javascript,' + encodeURIComponent(
  "process.stdin.on('end', () => process.exit(0)).on('error', () => process.exit(0)).resume()"
)

/** A blob read back from Azurite. */
export interface StoredBlob {
  bytes: Buffer
  contentType: string
}

/** A running Azurite blob service with one container for artifacts. */
export interface AzuriteBlobStore {
  /** Base URL of the blob endpoint, e.g. `http://127.0.0.1:41234/devstoreaccount1`. */
  readonly url: string
  /** A connection string for the development account at this endpoint (its key is public by design). */
  readonly connectionString: string
  /** SAS URL (create + write) for Put Block / Put Block List on one blob, valid for one hour. */
  uploadUrl(blobName: string): string
  /** SAS URL (read) for one blob, valid for ten minutes; `contentDisposition` is returned on GET. */
  downloadUrl(blobName: string, contentDisposition?: string): string
  /** The committed blob, or undefined when no block list was committed. */
  read(blobName: string): Promise<StoredBlob | undefined>
  /** Deletes the blob if it exists. */
  delete(blobName: string): Promise<void>
  /** Stops the emulator; resolves when the process has exited. Idempotent. */
  stop(): Promise<void>
}

/** Starts Azurite (blob service only, in memory) on a free loopback port. */
export async function startAzurite(workDir: string): Promise<AzuriteBlobStore> {
  const require = createRequire(import.meta.url)
  const entry = path.join(path.dirname(require.resolve('azurite/package.json')), 'dist/src/blob/main.js')
  const env = {...process.env}
  // The child must not think it is part of `node --test` or inherit our loader flags.
  delete env.NODE_TEST_CONTEXT
  delete env.NODE_OPTIONS
  const child = spawn(process.execPath, [
    `--import=${EXIT_WITH_PARENT}`, entry,
    '--blobHost', '127.0.0.1', '--blobPort', '0',
    '--inMemoryPersistence', '--skipApiVersionCheck', '--disableTelemetry', '--loose', '--silent'
  ], {cwd: workDir, env, stdio: ['pipe', 'pipe', 'pipe']})
  const killOnExit = (): void => { child.kill('SIGKILL') }
  process.once('exit', killOnExit)

  let origin: string
  try {
    origin = await waitForListening(child)
  } catch (error) {
    process.removeListener('exit', killOnExit)
    await terminate(child)
    throw error
  }

  const credential = new StorageSharedKeyCredential(ACCOUNT, ACCOUNT_KEY)
  const url = `${origin}/${ACCOUNT}`
  const container: ContainerClient = new BlobServiceClient(url, credential).getContainerClient(CONTAINER)
  try {
    await container.create()
  } catch (error) {
    process.removeListener('exit', killOnExit)
    await terminate(child)
    throw new Error(`Azurite at ${url} refused to create container ${CONTAINER}: ${(error as Error).message}`)
  }

  const sasUrl = (blobName: string, permissions: string, ttlMs: number, contentDisposition?: string): string => {
    const sas = generateBlobSASQueryParameters({
      containerName: CONTAINER,
      blobName,
      permissions: BlobSASPermissions.parse(permissions),
      expiresOn: new Date(Date.now() + ttlMs),
      contentDisposition
    }, credential).toString()
    // toString() percent-encodes every value, so no raw '=' reaches the Azure SDK's query parser,
    // which would cut a padded signature at the first '=' (artifact-protocol.md §1.6).
    return `${container.getBlockBlobClient(blobName).url}?${sas}`
  }

  let stopped: Promise<void> | undefined
  return {
    url,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};BlobEndpoint=${url};`,
    uploadUrl: blobName => sasUrl(blobName, 'cw', 60 * 60_000),
    downloadUrl: (blobName, contentDisposition) => sasUrl(blobName, 'r', 10 * 60_000, contentDisposition),
    async read(blobName) {
      try {
        const response = await container.getBlockBlobClient(blobName).download()
        const chunks: Buffer[] = []
        for await (const chunk of response.readableStreamBody as NodeJS.ReadableStream) {
          chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk))
        }
        return {bytes: Buffer.concat(chunks), contentType: response.contentType ?? ''}
      } catch (error) {
        if ((error as {statusCode?: number}).statusCode === 404) return undefined
        throw error
      }
    },
    async delete(blobName) {
      await container.getBlockBlobClient(blobName).deleteIfExists()
    },
    stop() {
      stopped ??= (async () => {
        process.removeListener('exit', killOnExit)
        await terminate(child)
      })()
      return stopped
    }
  }
}

/** Resolves with Azurite's origin once it prints its listening address. */
function waitForListening(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = ''
    const fail = (reason: string): void => {
      clearTimeout(timer)
      reject(new Error(`Azurite did not start: ${reason}\n--- Azurite output ---\n${output.slice(-4000)}`))
    }
    const timer = setTimeout(() => fail(`no listening message within ${STARTUP_TIMEOUT_MS} ms`), STARTUP_TIMEOUT_MS)
    const onData = (chunk: Buffer): void => {
      output += chunk.toString()
      const match = /successfully listens on (http:\/\/[^\s]+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        child.removeListener('exit', onExit)
        resolve(match[1] as string)
      }
    }
    const onExit = (code: number | null, signal: string | null): void =>
      fail(`process exited (code ${code}, signal ${signal})`)
    // Keep draining both pipes for the process's whole life, or it blocks on a full pipe.
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', onExit)
    child.once('error', error => fail(error.message))
  })
}

/** SIGTERM, then SIGKILL after 3 s; resolves when the process is gone. */
function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise(resolve => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3000)
    child.once('exit', () => {
      clearTimeout(force)
      resolve()
    })
    child.stdin?.end()
    child.kill('SIGTERM')
  })
}
