// Real storage servers for the store tests, built once from the Go module proxy and cached outside the repository
// like the FerretDB peers, each started on a free loopback port per test file and stopped after it:
//   versitygw v1.7.0        S3 (multipart, versioning, Object Lock)       ${cache}/storage-servers-<key>/versitygw
//   fake-gcs-server v1.56.1 Google Cloud Storage's JSON and upload APIs   ${cache}/storage-servers-<key>/fake-gcs-server
//   Azurite                 Azure Blob (a devDependency; test/harness/artifact-service/azurite.ts)
// and boto3 in a venv of its own: the second S3 client, not ours, that reads back what our client stored.
// Each server runs under `sh`, which kills it when our stdin pipe closes, so none outlives a killed test process.

import {execFile, spawn, type ChildProcess} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdir, mkdtemp, rename, rm, writeFile} from 'node:fs/promises'
import {createServer, connect as tcpConnect} from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {promisify} from 'node:util'
import {exists, withLock} from './peers.ts'
import {startAzurite, type AzuriteBlobStore} from './artifact-service/azurite.ts'

const run = promisify(execFile)

export const VERSITYGW = {module: 'github.com/versity/versitygw/cmd/versitygw', version: 'v1.7.0', bin: 'versitygw'}
export const FAKE_GCS = {module: 'github.com/fsouza/fake-gcs-server', version: 'v1.56.1', bin: 'fake-gcs-server'}

function cacheRoot(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'prancer-db-artifacts')
}

let binaries: Promise<string> | undefined

/** The directory holding versitygw and fake-gcs-server, built on first use (about 3 minutes cold on 2 cores). */
export function ensureStorageServers(): Promise<string> {
  binaries ??= (async () => {
    const {stdout: goVersion} = await run('go', ['version'])
    const key = createHash('sha256').update(`${VERSITYGW.version}\0${FAKE_GCS.version}\0${goVersion.trim()}`).digest('hex').slice(0, 12)
    const dir = path.join(cacheRoot(), `storage-servers-${key}`)
    if (await exists(path.join(dir, FAKE_GCS.bin))) return dir
    await mkdir(cacheRoot(), {recursive: true})
    await withLock(`${dir}.lock`, async () => {
      if (await exists(path.join(dir, FAKE_GCS.bin))) return
      const staging = `${dir}.tmp-${process.pid}`
      await rm(staging, {recursive: true, force: true})
      const started = Date.now()
      log(`building ${VERSITYGW.bin} ${VERSITYGW.version} and ${FAKE_GCS.bin} ${FAKE_GCS.version} with ${goVersion.trim()} (about 3 minutes cold) ...`)
      try {
        for (const s of [VERSITYGW, FAKE_GCS]) {
          await run('go', ['install', `${s.module}@${s.version}`], {env: {...process.env, GOBIN: staging, CGO_ENABLED: '0'}, maxBuffer: 16 << 20}).catch((error: {stderr?: string}) => {
            throw new Error(`go install ${s.module}@${s.version} failed:\n${error.stderr ?? String(error)}`)
          })
        }
        await rename(staging, dir)
      } finally {
        await rm(staging, {recursive: true, force: true})
      }
      log(`built the storage servers into ${dir} in ${((Date.now() - started) / 1000).toFixed(0)} s`)
    })
    return dir
  })()
  return binaries
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as {port: number}).port
      server.close(() => resolve(port))
    })
  })
}

async function waitForPort(port: number, child: ChildProcess, output: () => string, what: string): Promise<void> {
  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}) before listening:\n${output().slice(-3000)}`)
    const open = await new Promise<boolean>(resolve => {
      const socket = tcpConnect(port, '127.0.0.1', () => {
        socket.end()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (open) return
    if (Date.now() > deadline) throw new Error(`${what} did not listen on ${port} within 30 s:\n${output().slice(-3000)}`)
    await new Promise(r => setTimeout(r, 100))
  }
}

export interface RunningServer {
  child: ChildProcess
  port: number
  output(): string
  /** SIGKILL, as a crash or an OOM kill would. */
  kill(): Promise<void>
  stop(): Promise<void>
}

/** Starts `bin args` under a guard shell that kills it when this process's pipe to it closes. */
async function startGuarded(bin: string, args: string[], env: Record<string, string>, port: number, what: string): Promise<RunningServer> {
  const quoted = [bin, ...args].map(a => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')
  const child = spawn('sh', ['-c', `${quoted} </dev/null & pid=$!; cat >/dev/null; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null; exit 0`], {
    env: {...process.env, ...env},
    stdio: ['pipe', 'pipe', 'pipe']
  })
  let text = ''
  child.stdout!.on('data', (c: Buffer) => (text += c.toString()))
  child.stderr!.on('data', (c: Buffer) => (text += c.toString()))
  const killOnExit = (): void => void child.kill('SIGKILL')
  process.once('exit', killOnExit)
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit)
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise(resolve => child.once('exit', resolve))
    child.stdin!.end()
    await Promise.race([exited, new Promise(r => setTimeout(r, 5000))])
    child.kill('SIGKILL')
  }
  await waitForPort(port, child, () => text, what).catch(async error => {
    await stop()
    throw error
  })
  return {child, port, output: () => text, kill: stop, stop}
}

export interface S3Server {
  endpoint: string
  accessKey: string
  secretKey: string
  /** Environment for a client of this server (our CLI, the action, boto3). */
  env: Record<string, string>
  server: RunningServer
  dataDir: string
  createBucket(name: string, options?: {objectLock?: boolean}): Promise<void>
  stop(): Promise<void>
  /** Starts it again on the same port and data after a kill. */
  restart(): Promise<void>
}

/** `root`: where its data and versions live (e.g. a small tmpfs, for a full disk); default a new temporary directory. */
export async function startVersitygw(options: {root?: string} = {}): Promise<S3Server> {
  const dir = await ensureStorageServers()
  const root = options.root ?? (await mkdtemp(path.join(os.tmpdir(), 'versitygw-')))
  const dataDir = path.join(root, 'data')
  const versions = path.join(root, 'versions')
  await mkdir(dataDir)
  await mkdir(versions)
  const port = await freePort()
  const accessKey = 'prancer-test-access'
  const secretKey = `prancer-test-secret-${Math.random().toString(36).slice(2)}`
  const args = ['--port', `127.0.0.1:${port}`, 'posix', '--versioning-dir', versions, dataDir]
  const env = {ROOT_ACCESS_KEY: accessKey, ROOT_SECRET_KEY: secretKey}
  const s: S3Server = {
    endpoint: `http://127.0.0.1:${port}`,
    accessKey,
    secretKey,
    env: {AWS_ACCESS_KEY_ID: accessKey, AWS_SECRET_ACCESS_KEY: secretKey, AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}`},
    server: await startGuarded(path.join(dir, VERSITYGW.bin), args, env, port, 'versitygw'),
    dataDir,
    async createBucket(name, options = {}) {
      const {S3Client, CreateBucketCommand} = await import('@aws-sdk/client-s3')
      const client = new S3Client({endpoint: s.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: {accessKeyId: accessKey, secretAccessKey: secretKey}})
      try {
        await client.send(new CreateBucketCommand({Bucket: name, ...(options.objectLock ? {ObjectLockEnabledForBucket: true} : {})}))
      } finally {
        client.destroy()
      }
    },
    async stop() {
      await s.server.stop()
      if (options.root === undefined) await rm(root, {recursive: true, force: true})
    },
    async restart() {
      await s.server.stop()
      s.server = await startGuarded(path.join(dir, VERSITYGW.bin), args, env, port, 'versitygw')
    }
  }
  return s
}

export interface GcsServer {
  endpoint: string
  env: Record<string, string>
  server: RunningServer
  createBucket(name: string): Promise<void>
  stop(): Promise<void>
}

export async function startFakeGcs(): Promise<GcsServer> {
  const dir = await ensureStorageServers()
  const root = await mkdtemp(path.join(os.tmpdir(), 'fake-gcs-'))
  const port = await freePort()
  const server = await startGuarded(
    path.join(dir, FAKE_GCS.bin),
    ['-scheme', 'http', '-host', '127.0.0.1', '-port', String(port), '-backend', 'filesystem', '-filesystem-root', root, '-public-host', `127.0.0.1:${port}`, '-log-level', 'error'],
    {},
    port,
    'fake-gcs-server'
  )
  const endpoint = `http://127.0.0.1:${port}`
  return {
    endpoint,
    env: {STORAGE_EMULATOR_HOST: endpoint},
    server,
    async createBucket(name) {
      const answer = await fetch(`${endpoint}/storage/v1/b?project=test`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({name})})
      if (!answer.ok) throw new Error(`fake-gcs-server refused to create ${name}: ${answer.status} ${await answer.text()}`)
    },
    async stop() {
      await server.stop()
      await rm(root, {recursive: true, force: true})
    }
  }
}

export interface AzureServer {
  azurite: AzuriteBlobStore
  account: string
  env: Record<string, string>
  createContainer(name: string): Promise<void>
  stop(): Promise<void>
}

export async function startAzureBlob(): Promise<AzureServer> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'azurite-store-'))
  const azurite = await startAzurite(work)
  return {
    azurite,
    account: 'devstoreaccount1',
    env: {AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString},
    async createContainer(name) {
      const {BlobServiceClient} = await import('@azure/storage-blob')
      await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(name).createIfNotExists()
    },
    async stop() {
      await azurite.stop()
      await rm(work, {recursive: true, force: true})
    }
  }
}

let boto: Promise<string> | undefined

/** python with boto3 in a venv of its own (cached): a second S3 client that is not ours. */
export function ensureBoto3(): Promise<string> {
  boto ??= (async () => {
    const python = process.env.PRANCER_PYTHON || 'python3'
    const {stdout} = await run(python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'])
    const dir = path.join(cacheRoot(), `boto3-py${stdout.trim()}`)
    const bin = path.join(dir, 'venv', 'bin', 'python')
    if (await exists(path.join(dir, 'complete'))) return bin
    await mkdir(dir, {recursive: true})
    await withLock(`${dir}.lock`, async () => {
      if (await exists(path.join(dir, 'complete'))) return
      await rm(path.join(dir, 'venv'), {recursive: true, force: true})
      await run(python, ['-m', 'venv', path.join(dir, 'venv')])
      await run(path.join(dir, 'venv', 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', 'boto3'], {maxBuffer: 16 << 20})
      await writeFile(path.join(dir, 'complete'), new Date().toISOString())
    })
    return bin
  })()
  return boto
}

function log(message: string): void {
  process.stderr.write(`storage-servers: ${message}\n`)
}
