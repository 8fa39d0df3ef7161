// findPreviousExport and the uploader against the local artifact service with the unmodified
// @actions/artifact client: which earlier artifact `since: auto` continues from, what it warns about,
// and that an upload the service answers without a usable id is taken back.
import {after, before, test} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {startArtifactService} from '../../test/harness/artifact-service.ts'
import type {ArtifactService} from '../../test/harness/artifact-service.ts'
import type {ActionLogger} from '../../src/action/logger.ts'

const REPOSITORY = 'octo-org/previous-upload'
let service: ArtifactService
let work: string

function recordingLogger(): ActionLogger & {infos: string[]} {
  const warnings: string[] = []
  const notices: string[] = []
  const infos: string[] = []
  return {
    warnings,
    notices,
    infos,
    redact: text => text,
    secret() {},
    debug() {},
    info: m => void infos.push(m),
    notice: m => void notices.push(m),
    warning: m => void warnings.push(m),
    group: (_name, fn) => fn()
  }
}

function useRun(runId: number, headRepository?: string): void {
  Object.assign(process.env, service.env({runId, repository: REPOSITORY, ...(headRepository ? {headRepository} : {})}))
}

async function uploadManifest(runId: number, name: string, watermark: number, headRepository?: string): Promise<void> {
  useRun(runId, headRepository)
  const dir = await mkdtemp(join(work, 'm-'))
  const manifest = {tool: 'prancer-db-artifacts', manifestVersion: 1, kind: 'outputs', createdAt: '', uriSource: 'default', files: [], watermark: {field: 'timestamp', value: watermark, lookbackMs: 1000, seen: []}}
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest))
  const {DefaultArtifactClient} = await import('@actions/artifact')
  await new DefaultArtifactClient().uploadArtifact(name, [join(dir, 'manifest.json')], dir)
}

before(async () => {
  service = await startArtifactService()
  work = await mkdtemp(join(tmpdir(), 'previous-upload-'))
  // @actions/github reads GITHUB_API_URL when first imported: set the env before any import of it.
  useRun(100)
})

after(async () => {
  await service?.stop()
  if (work) await rm(work, {recursive: true, force: true})
})

test('a re-run of an older run continues from the artifact before it and warns about the later run', async () => {
  await uploadManifest(100, 'prev-100', 1000)
  await uploadManifest(200, 'prev-200', 2000)
  useRun(150)
  const {findPreviousExport} = await import('../../src/action/previous.ts')
  const logger = recordingLogger()
  const found = await findPreviousExport(
    {token: process.env.GITHUB_TOKEN, repository: REPOSITORY, runId: 150, family: /^prev-[0-9]+$/, currentName: 'prev-150', downloadDir: join(work, 'download-150')},
    logger
  )
  assert.equal(found?.artifact.name, 'prev-100')
  assert.equal(found?.manifest.watermark?.value, 1000)
  assert.equal(logger.warnings.length, 1, logger.warnings.join('\n'))
  assert.match(logger.warnings[0]!, /^The artifact "prev-200" of the later run 200 exists: this run \(150\) is a re-run of an older workflow run\./)

  // the newest run itself: no warning
  useRun(300)
  const latest = recordingLogger()
  const newest = await findPreviousExport(
    {token: process.env.GITHUB_TOKEN, repository: REPOSITORY, runId: 300, family: /^prev-[0-9]+$/, currentName: 'prev-300', downloadDir: join(work, 'download-300')},
    latest
  )
  assert.equal(newest?.artifact.name, 'prev-200')
  assert.deepEqual(latest.warnings, [])
})

test('an artifact uploaded by a pull request from a fork is never taken as the previous export', async () => {
  await uploadManifest(450, 'fork-450', 4500)
  // A fork's run can upload any name; its watermark far in the future would stop every later export.
  await uploadManifest(500, 'fork-500', 8e15, 'someone/prancer-checks-fork')
  useRun(600)
  const {findPreviousExport} = await import('../../src/action/previous.ts')
  const logger = recordingLogger()
  const found = await findPreviousExport(
    {token: process.env.GITHUB_TOKEN, repository: REPOSITORY, runId: 600, family: /^fork-[0-9]+$/, currentName: 'fork-600', downloadDir: join(work, 'download-600')},
    logger
  )
  assert.equal(found?.artifact.name, 'fork-450')
  assert.equal(found?.manifest.watermark?.value, 4500)
  assert.ok(logger.infos.some(line => /skipped 1 matching artifacts uploaded by pull requests from forks/.test(line)), logger.infos.join('\n'))
})

test('an upload the service finalizes without a usable artifact id fails and leaves no artifact of that name', async () => {
  useRun(400)
  const {createUploader} = await import('../../src/action/upload.ts')
  const dir = await mkdtemp(join(work, 'u-'))
  await writeFile(join(dir, 'data.json'), '{}\n')
  const logger = recordingLogger()
  const uploader = createUploader(logger, {retentionDays: 0, compressionLevel: 6, overwrite: false}, process.env)
  service.failNext({method: 'FinalizeArtifact', status: 200, body: {ok: true, artifactId: '0'}})
  await assert.rejects(uploader.upload({input: 'output-artifact-name', name: 'no-id', rootDirectory: dir}), {
    message: /^Uploading the artifact "no-id" failed: the artifact service returned no id or digest; no artifact of that name is left$/
  })
  assert.deepEqual(service.storedArtifacts().filter(a => a.name === 'no-id' && !a.deleted), [])
  assert.equal(await uploader.removeIfPresent('no-such-artifact'), 'absent')
  assert.deepEqual(logger.warnings, [])
})
