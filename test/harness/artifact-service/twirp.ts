// The results-service half: the five Twirp JSON methods @actions/artifact calls
// (artifact-protocol.md §1.4-1.5). Requests are snake_case JSON (lowerCamelCase is accepted too),
// unknown fields are ignored, int64 values travel as strings, and every error is a JSON
// {code, msg} body, because the client retries non-JSON bodies for ~26 s.

import {createHash} from 'node:crypto'
import type {AzuriteBlobStore} from './azurite.ts'
import type {ArtifactRecord, Job, ServiceState} from './state.ts'

/** The path prefix of every Twirp method. */
export const TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.ArtifactService/'

/** The Twirp methods this service implements. */
export const TWIRP_METHODS = ['CreateArtifact', 'FinalizeArtifact', 'ListArtifacts', 'GetSignedArtifactURL', 'DeleteArtifact'] as const

/** One of the five ArtifactService methods. */
export type TwirpMethod = typeof TWIRP_METHODS[number]

/** A response to write. */
export interface HandlerResult {
  status: number
  headers?: Record<string, string>
  body?: string
}

// Twirp error codes and their HTTP statuses (twirp spec v7).
const TWIRP_STATUS: Record<string, number> = {
  invalid_argument: 400,
  malformed: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  bad_route: 404,
  already_exists: 409,
  internal: 500
}

/** The Twirp error code GitHub's backend would send with an HTTP status. */
export function twirpCodeForStatus(status: number): string {
  for (const [code, codeStatus] of Object.entries(TWIRP_STATUS)) if (codeStatus === status) return code
  return status >= 500 ? 'internal' : 'unknown'
}

function twirpError(code: string, msg: string): HandlerResult {
  return json(TWIRP_STATUS[code] ?? 500, {code, msg})
}

function json(status: number, value: unknown): HandlerResult {
  return {status, headers: {'content-type': 'application/json'}, body: JSON.stringify(value)}
}

type Fields = Record<string, unknown>

/** A field by its proto name or its lowerCamelCase JSON name; wrapper types arrive as bare values. */
function field(body: Fields, protoName: string): unknown {
  if (protoName in body) return body[protoName]
  return body[protoName.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())]
}

function stringField(body: Fields, protoName: string): string | undefined {
  const value = field(body, protoName)
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined
}

/** Handles one Twirp call; `method` is the last path segment. */
export async function handleTwirp(
  state: ServiceState,
  blobs: AzuriteBlobStore,
  method: string,
  authorization: string | undefined,
  bodyText: string
): Promise<HandlerResult> {
  if (!(TWIRP_METHODS as readonly string[]).includes(method)) {
    return twirpError('bad_route', `no handler for path ${TWIRP_PREFIX}${method}`)
  }
  const caller = callerJob(state, authorization)
  if (typeof caller === 'string') return twirpError('unauthenticated', caller)

  let body: Fields
  try {
    const parsed: unknown = JSON.parse(bodyText)
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object')
    body = parsed as Fields
  } catch (error) {
    return twirpError('malformed', `the request body is not a JSON object: ${(error as Error).message}`)
  }
  // The token decides the run; ids in the body must name that same run (GitHub answers
  // "workflow run not found" when they do not).
  if (stringField(body, 'workflow_run_backend_id') !== caller.run.backendId) {
    return twirpError('not_found', 'workflow run not found')
  }
  const run = caller.run
  const name = stringField(body, 'name')

  switch (method as TwirpMethod) {
    case 'CreateArtifact': {
      if (!name) return twirpError('invalid_argument', 'name is required')
      if (state.liveInRun(run, name).length > 0) {
        return twirpError('already_exists', 'an artifact with this name already exists on the workflow run')
      }
      const expiresText = stringField(body, 'expires_at')
      const expiresAt = expiresText === undefined ? undefined : new Date(expiresText)
      if (expiresAt && Number.isNaN(expiresAt.getTime())) {
        return twirpError('invalid_argument', `expires_at is not an RFC 3339 time: ${expiresText}`)
      }
      const record = state.create(caller, name, expiresAt)
      return json(200, {ok: true, signed_upload_url: blobs.uploadUrl(record.blobName)})
    }
    case 'FinalizeArtifact': {
      if (!name) return twirpError('invalid_argument', 'name is required')
      if (state.liveInRun(run, name).length > 0) {
        return twirpError('already_exists', 'an artifact with this name already exists on the workflow run')
      }
      const record = state.pending(run, name)
      if (!record) return twirpError('not_found', `no artifact named ${name} was created in this workflow run`)
      const blob = await blobs.read(record.blobName)
      if (!blob) return twirpError('invalid_argument', `artifact ${name} has no committed blob: the upload did not finish`)
      const sha256 = createHash('sha256').update(blob.bytes).digest('hex')
      const hash = stringField(body, 'hash')
      if (hash !== undefined && hash !== `sha256:${sha256}`) {
        return twirpError('invalid_argument', `hash ${hash} does not match the uploaded blob (sha256:${sha256})`)
      }
      Object.assign(record, {
        finalized: true,
        updatedAt: new Date(),
        size: blob.bytes.length,
        sha256,
        contentType: blob.contentType,
        zip: blob.bytes
      })
      return json(200, {ok: true, artifact_id: String(record.id)})
    }
    case 'ListArtifacts': {
      const idFilter = stringField(body, 'id_filter')
      const nameFilter = stringField(body, 'name_filter')
      // GitHub keeps expired artifacts in REST listings but the runner-facing service omits them.
      const artifacts = state.liveInRun(run)
        .filter(a => !a.expired && (nameFilter === undefined || a.name === nameFilter) && (idFilter === undefined || String(a.id) === idFilter))
        .map(listEntry)
      return json(200, {artifacts})
    }
    case 'GetSignedArtifactURL': {
      const record = name ? state.liveInRun(run, name).find(a => !a.expired) : undefined
      if (!record) return twirpError('not_found', 'artifact not found')
      return json(200, {signed_url: downloadUrl(blobs, record)})
    }
    case 'DeleteArtifact': {
      const record = name ? state.liveInRun(run, name)[0] : undefined
      if (!record) return twirpError('not_found', 'artifact not found')
      await deleteArtifact(blobs, record)
      return json(200, {ok: true, artifact_id: String(record.id)})
    }
  }
}

function listEntry(record: ArtifactRecord): Fields {
  return {
    workflow_run_backend_id: record.job.run.backendId,
    workflow_job_run_backend_id: record.job.backendId,
    database_id: String(record.id),
    name: record.name,
    size: String(record.size),
    created_at: record.createdAt.toISOString(),
    digest: `sha256:${record.sha256}`
  }
}

/** A signed GET URL for a finalized artifact; non-zip uploads (skipArchive) keep their file name. */
export function downloadUrl(blobs: AzuriteBlobStore, record: ArtifactRecord): string {
  const isZip = record.contentType.split(';', 1)[0]?.trim().toLowerCase() === 'application/zip'
  return blobs.downloadUrl(record.blobName, isZip ? undefined : `attachment; filename*=UTF-8''${encodeURIComponent(record.name)}`)
}

/** Marks an artifact deleted and removes its blob, so old signed URLs stop working. */
export async function deleteArtifact(blobs: AzuriteBlobStore, record: ArtifactRecord): Promise<void> {
  record.deleted = true
  record.updatedAt = new Date()
  await blobs.delete(record.blobName)
}

/** The job named by the runtime token's `scp` claim, or why the token is refused. */
function callerJob(state: ServiceState, authorization: string | undefined): Job | string {
  const token = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1]
  if (!token) return 'missing Authorization: Bearer <ACTIONS_RUNTIME_TOKEN>'
  let scp: unknown
  try {
    scp = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')).scp
  } catch {
    return 'the bearer token is not a JWT'
  }
  const scope = typeof scp === 'string' ? scp.split(' ').find(s => s.startsWith('Actions.Results:')) : undefined
  const parts = scope?.split(':') ?? []
  const job = parts.length === 3 ? state.jobByBackendIds(parts[1] as string, parts[2] as string) : undefined
  return job ?? 'the token has no Actions.Results scope for a run this service knows'
}
