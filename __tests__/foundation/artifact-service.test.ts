// Smoke test of the local artifact service with the real, unmodified @actions/artifact client.

import assert from 'node:assert/strict'
import {createHash, randomBytes} from 'node:crypto'
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import yauzl from 'yauzl'
import {startArtifactService} from '../../test/harness/artifact-service.ts'
import type {ArtifactService, RunEnvOptions} from '../../test/harness/artifact-service.ts'

type ArtifactModule = typeof import('@actions/artifact')

const REPOSITORY = 'octo-org/prancer-checks'
const [OWNER, REPO] = REPOSITORY.split('/') as [string, string]
const RUN_1 = 9_100_000_001
const RUN_2 = 9_100_000_002

let service: ArtifactService
let artifact: ArtifactModule
let client: InstanceType<ArtifactModule['DefaultArtifactClient']>
let scratch: string

/** Points the client at one run of the service (the client reads process.env on every call). */
function useRun(options: RunEnvOptions): void {
  Object.assign(process.env, service.env(options))
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** Entry name → uncompressed bytes. */
function unzip(zip: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, {lazyEntries: true}, (error, zipFile) => {
      if (error) return reject(error)
      const entries = new Map<string, Buffer>()
      zipFile.on('entry', (entry: yauzl.Entry) => {
        zipFile.openReadStream(entry, (streamError, stream) => {
          if (streamError) return reject(streamError)
          const chunks: Buffer[] = []
          stream.on('data', (chunk: Buffer) => chunks.push(chunk))
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks))
            zipFile.readEntry()
          })
          stream.on('error', reject)
        })
      })
      zipFile.on('end', () => resolve(entries))
      zipFile.on('error', reject)
      zipFile.readEntry()
    })
  })
}

/** Writes files under a fresh directory and returns [root, absolute paths]. */
async function writeFiles(files: Record<string, Buffer | string>): Promise<[string, string[]]> {
  const root = await mkdtemp(path.join(scratch, 'upload-'))
  const paths: string[] = []
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(root, name)
    await mkdir(path.dirname(file), {recursive: true})
    await writeFile(file, content)
    paths.push(file)
  }
  return [root, paths]
}

async function rest(pathAndQuery: string, token = service.githubToken): Promise<{status: number; body: any}> {
  const response = await fetch(service.url + pathAndQuery, {headers: {authorization: `Bearer ${token}`}})
  return {status: response.status, body: await response.json()}
}

async function twirp(method: string, token: string, body: object): Promise<{status: number; body: any}> {
  const response = await fetch(`${service.url}/twirp/github.actions.results.api.v1.ArtifactService/${method}`, {
    method: 'POST',
    headers: {'content-type': 'application/json', authorization: `Bearer ${token}`},
    body: JSON.stringify(body)
  })
  return {status: response.status, body: await response.json()}
}

const bigFile = randomBytes(9 * 1024 * 1024 + 123)
const smallFile = 'timestamp,status\n1732600000000,passed\n'

describe('local artifact service with the real @actions/artifact client', () => {
  before(async () => {
    service = await startArtifactService()
    console.log(`artifact service started in ${service.startupMs} ms`)
    scratch = await mkdtemp(path.join(os.tmpdir(), 'artifact-service-test-'))
    // Some variables (GITHUB_API_URL, ACTIONS_ARTIFACT_MAX_ARTIFACT_COUNT) are read at import.
    useRun({runId: RUN_1})
    artifact = await import('@actions/artifact')
    client = new artifact.DefaultArtifactClient()
  })

  after(async () => {
    await service?.stop()
    if (scratch) await rm(scratch, {recursive: true, force: true})
  })

  test('uploads a small and a multi-block file, lists them and downloads them with a matching sha256', async () => {
    useRun({runId: RUN_1})
    const [root, files] = await writeFiles({'results.csv': smallFile, 'blobs/big.bin': bigFile})
    const uploaded = await client.uploadArtifact('outputs', files, root, {compressionLevel: 0})

    const [stored] = service.storedArtifacts().filter(a => a.id === uploaded.id)
    assert.ok(stored, 'the service stored the artifact')
    // The SDK uploads 8 MiB blocks, so a blob this size took more than one Put Block.
    assert.ok(stored.size > 8 * 1024 * 1024)
    assert.equal(stored.contentType, 'application/zip')
    assert.equal(uploaded.digest, sha256(stored.zip))
    assert.equal(uploaded.size, stored.zip.length)
    const entries = await unzip(stored.zip)
    assert.deepEqual([...entries.keys()].sort(), ['blobs/big.bin', 'results.csv'])
    assert.ok(entries.get('blobs/big.bin')?.equals(bigFile))

    const {artifacts} = await client.listArtifacts()
    assert.deepEqual(artifacts.map(a => [a.name, a.id, a.size, a.digest]), [['outputs', uploaded.id, stored.size, `sha256:${uploaded.digest}`]])

    const into = path.join(scratch, 'download-1')
    const downloaded = await client.downloadArtifact(uploaded.id as number, {path: into, expectedHash: `sha256:${uploaded.digest}`})
    assert.equal(downloaded.digestMismatch, false)
    assert.equal(await readFile(path.join(into, 'results.csv'), 'utf8'), smallFile)
    assert.ok((await readFile(path.join(into, 'blobs/big.bin'))).equals(bigFile))

    const wrongHash = await client.downloadArtifact(uploaded.id as number, {path: path.join(scratch, 'download-2'), expectedHash: `sha256:${'0'.repeat(64)}`})
    assert.equal(wrongHash.digestMismatch, true)

    const create = service.requestLog().find(r => r.url.endsWith('/CreateArtifact'))
    assert.match(create?.body ?? '', /"name":"outputs"/)
  })

  test('a finalized name cannot be uploaded twice in one run, but can in another run', async () => {
    useRun({runId: RUN_1})
    const [root, files] = await writeFiles({'again.txt': 'again'})
    await assert.rejects(client.uploadArtifact('outputs', files, root),
      {message: 'Failed to CreateArtifact: Received non-retryable error: Failed request: (409) Conflict: an artifact with this name already exists on the workflow run'})

    useRun({runId: RUN_2})
    const second = await client.uploadArtifact('outputs', files, root)
    const stored = service.storedArtifacts().find(a => a.id === second.id)
    assert.equal(stored?.runId, String(RUN_2))
    assert.deepEqual((await client.listArtifacts()).artifacts.map(a => a.id), [second.id])
  })

  test('REST lists both runs newest first, and downloadArtifact with findBy follows the 302 to the blob', async () => {
    const runs = service.storedArtifacts().filter(a => a.name === 'outputs')
    assert.deepEqual(runs.map(a => a.runId), [String(RUN_1), String(RUN_2)])
    const [older, newer] = runs as [typeof runs[0], typeof runs[0]]

    const listing = await rest(`/repos/${REPOSITORY}/actions/artifacts?name=outputs&per_page=100`)
    assert.equal(listing.status, 200)
    assert.equal(listing.body.total_count, 2)
    assert.deepEqual(listing.body.artifacts.map((a: any) => [a.id, a.workflow_run.id, a.digest, a.size_in_bytes, a.expired]),
      [[newer.id, RUN_2, newer.digest, newer.size, false], [older.id, RUN_1, older.digest, older.size, false]])
    const first = listing.body.artifacts[0]
    assert.equal(first.archive_download_url, `${service.url}/repos/${REPOSITORY}/actions/artifacts/${newer.id}/zip`)
    assert.match(first.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)

    // From run 2, fetch run 1's artifact the way an action reads a previous run's manifest.
    useRun({runId: RUN_2})
    const findBy = {token: service.githubToken, workflowRunId: RUN_1, repositoryOwner: OWNER, repositoryName: REPO}
    const {artifacts} = await client.listArtifacts({findBy})
    assert.deepEqual(artifacts.map(a => a.id), [older.id])
    const into = path.join(scratch, 'download-findby')
    const downloaded = await client.downloadArtifact(older.id, {path: into, expectedHash: older.digest, findBy})
    assert.equal(downloaded.digestMismatch, false)
    assert.equal(await readFile(path.join(into, 'results.csv'), 'utf8'), smallFile)
    const zipRequest = service.requestLog().find(r => r.url === `/repos/${REPOSITORY}/actions/artifacts/${older.id}/zip`)
    assert.equal(zipRequest?.status, 302)
  })

  test('delete removes the artifact: getArtifact then throws ArtifactNotFoundError', async () => {
    useRun({runId: RUN_2})
    const {artifact: existing} = await client.getArtifact('outputs')
    const deleted = await client.deleteArtifact('outputs')
    assert.equal(deleted.id, existing.id)
    await assert.rejects(client.getArtifact('outputs'), artifact.ArtifactNotFoundError)
    assert.equal(service.storedArtifacts().find(a => a.id === existing.id)?.deleted, true)
    assert.equal((await rest(`/repos/${REPOSITORY}/actions/artifacts/${existing.id}`)).status, 404)
  })

  test('REST refuses a bad token with 401 and a token without actions permission with 403', async () => {
    const findBy = {token: service.githubToken, workflowRunId: RUN_1, repositoryOwner: OWNER, repositoryName: REPO}
    await assert.rejects(client.listArtifacts({findBy: {...findBy, token: 'ghs_not-a-valid-token'}}), {status: 401})
    service.setActionsPermission(false)
    try {
      await assert.rejects(client.listArtifacts({findBy}), {status: 403, message: /Resource not accessible by integration/})
      assert.equal((await rest(`/repos/${REPOSITORY}/actions/artifacts`)).status, 403)
    } finally {
      service.setActionsPermission(true)
    }
    assert.equal((await rest(`/repos/${REPOSITORY}/actions/artifacts`)).status, 200)
  })

  test('Finalize checks the hash against the blob and takes the size from it; Twirp needs the runtime token', async () => {
    const env = service.env({runId: RUN_1, job: 'raw'})
    const token = env.ACTIONS_RUNTIME_TOKEN
    const scp = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()).scp as string
    const [, run, job] = scp.split(':')
    const ids = {workflow_run_backend_id: run, workflow_job_run_backend_id: job}

    assert.equal((await twirp('ListArtifacts', 'not-a-jwt', ids)).status, 401)
    const created = await twirp('CreateArtifact', token, {...ids, name: 'raw', version: 7, mime_type: 'application/zip', future_field: 1})
    assert.equal(created.status, 200)
    const url: string = created.body.signed_upload_url
    assert.doesNotMatch(new URL(url).search.slice(1), /=[^&]*=/, 'no raw "=" inside a query value')

    const {BlockBlobClient} = await import('@azure/storage-blob')
    const bytes = Buffer.from('not really a zip')
    await new BlockBlobClient(url).upload(bytes, bytes.length)
    const wrong = await twirp('FinalizeArtifact', token, {...ids, name: 'raw', size: '999', hash: `sha256:${'0'.repeat(64)}`})
    assert.deepEqual([wrong.status, wrong.body.code], [400, 'invalid_argument'])
    const right = await twirp('FinalizeArtifact', token, {...ids, name: 'raw', size: '999', hash: `sha256:${sha256(bytes)}`})
    assert.equal(right.status, 200)
    const listed = await twirp('ListArtifacts', token, {...ids, id_filter: right.body.artifact_id})
    assert.deepEqual(listed.body.artifacts.map((a: any) => [a.name, a.size, a.digest]), [['raw', String(bytes.length), `sha256:${sha256(bytes)}`]])
  })

  test('failNext injects a JSON error that the client reports at once', async () => {
    useRun({runId: RUN_1})
    service.failNext({method: 'CreateArtifact', status: 400, body: {code: 'invalid_argument', msg: 'mime_type not allowed'}})
    const [root, files] = await writeFiles({'x.txt': 'x'})
    await assert.rejects(client.uploadArtifact('injected', files, root),
      {message: 'Failed to CreateArtifact: Received non-retryable error: Failed request: (400) Bad Request: mime_type not allowed'})
    // The fault was used up: the same upload now succeeds.
    const uploaded = await client.uploadArtifact('injected', files, root)
    assert.ok(uploaded.id)
  })
})
