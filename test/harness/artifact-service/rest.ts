// The GitHub REST half: the artifact routes of the public API that @actions/artifact calls through
// Octokit when given `findBy`, and that an action uses to find artifacts of earlier workflow runs.
// Shapes follow https://docs.github.com/rest/actions/artifacts.

import type {AzuriteBlobStore} from './azurite.ts'
import type {ArtifactRecord, ServiceState} from './state.ts'
import {deleteArtifact, downloadUrl} from './twirp.ts'
import type {HandlerResult} from './twirp.ts'

/** The REST routes this service implements, in Octokit's route notation. */
export const REST_ROUTES = [
  'GET /repos/{owner}/{repo}/actions/artifacts',
  'GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts',
  'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}',
  'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}',
  'DELETE /repos/{owner}/{repo}/actions/artifacts/{artifact_id}'
] as const

/** One of the REST routes, e.g. `'GET /repos/{owner}/{repo}/actions/artifacts'`. */
export type RestRoute = typeof REST_ROUTES[number]

/** A matched REST request. */
export interface RestMatch {
  route: RestRoute
  repository: string
  runId?: string
  artifactId?: number
  archiveFormat?: string
  query: URLSearchParams
}

const DOCS = 'https://docs.github.com/rest/actions/artifacts'

/** Matches a method and URL against the REST routes; undefined when none matches. */
export function matchRest(method: string, url: URL): RestMatch | undefined {
  const m = /^\/repos\/([^/]+)\/([^/]+)\/actions\/(?:runs\/([^/]+)\/artifacts|artifacts(?:\/([^/]+)(?:\/([^/]+))?)?)\/?$/.exec(url.pathname)
  if (!m) return undefined
  const [, owner, repo, runId, artifactId, archiveFormat] = m
  const base = {repository: `${decodeURIComponent(owner as string)}/${decodeURIComponent(repo as string)}`, query: url.searchParams}
  if (method === 'GET' && runId !== undefined) return {...base, route: REST_ROUTES[1], runId}
  if (method === 'GET' && artifactId === undefined) return {...base, route: REST_ROUTES[0]}
  const id = Number(artifactId)
  if (!Number.isSafeInteger(id)) return undefined
  if (method === 'GET' && archiveFormat === undefined) return {...base, route: REST_ROUTES[2], artifactId: id}
  if (method === 'GET') return {...base, route: REST_ROUTES[3], artifactId: id, archiveFormat}
  if (method === 'DELETE' && archiveFormat === undefined) return {...base, route: REST_ROUTES[4], artifactId: id}
  return undefined
}

/** A GitHub-style REST error body. */
export function restError(status: number, message: string): HandlerResult {
  return json(status, {message, documentation_url: DOCS, status: String(status)})
}

function json(status: number, value: unknown, headers: Record<string, string> = {}): HandlerResult {
  return {status, headers: {'content-type': 'application/json; charset=utf-8', ...headers}, body: JSON.stringify(value)}
}

/** Options of one REST call that are not in the URL. */
export interface RestContext {
  state: ServiceState
  blobs: AzuriteBlobStore
  /** Origin of this server, for the `url` fields. */
  apiUrl: string
  authorization: string | undefined
  /** False when the test switched off the token's `actions` permission. */
  actionsPermission: boolean
}

/** Handles one matched REST request. */
export async function handleRest(ctx: RestContext, match: RestMatch): Promise<HandlerResult> {
  const token = /^(?:Bearer|token) (\S+)$/i.exec(ctx.authorization ?? '')?.[1]
  if (token !== ctx.state.githubToken) return restError(401, 'Bad credentials')
  if (!ctx.state.hasRepository(match.repository)) return restError(404, 'Not Found')
  if (!ctx.actionsPermission) return restError(403, 'Resource not accessible by integration')

  const inRepository = ctx.state.liveInRepository(match.repository)
  switch (match.route) {
    case 'GET /repos/{owner}/{repo}/actions/artifacts':
      return listPage(ctx, match, inRepository)
    case 'GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts': {
      if (!ctx.state.hasRun(match.repository, match.runId as string)) return restError(404, 'Not Found')
      return listPage(ctx, match, inRepository.filter(a => a.job.run.runId === match.runId))
    }
    case 'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}': {
      const record = inRepository.find(a => a.id === match.artifactId)
      return record ? json(200, restArtifact(ctx, record)) : restError(404, 'Not Found')
    }
    case 'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}': {
      const record = inRepository.find(a => a.id === match.artifactId)
      if (!record || match.archiveFormat !== 'zip') return restError(404, 'Not Found')
      if (record.expired) return restError(410, 'Artifact has expired')
      return {status: 302, headers: {location: downloadUrl(ctx.blobs, record)}}
    }
    case 'DELETE /repos/{owner}/{repo}/actions/artifacts/{artifact_id}': {
      const record = inRepository.find(a => a.id === match.artifactId)
      if (!record) return restError(404, 'Not Found')
      await deleteArtifact(ctx.blobs, record)
      return {status: 204}
    }
  }
}

/** One page of artifacts (newest first) with GitHub's `Link` header. */
function listPage(ctx: RestContext, match: RestMatch, artifacts: ArtifactRecord[]): HandlerResult {
  const name = match.query.get('name')
  const selected = name === null ? artifacts : artifacts.filter(a => a.name === name)
  const perPage = Math.min(100, Math.max(1, Number(match.query.get('per_page') ?? 30) || 30))
  const page = Math.max(1, Number(match.query.get('page') ?? 1) || 1)
  const lastPage = Math.max(1, Math.ceil(selected.length / perPage))
  const links: string[] = []
  const pageUrl = (n: number): string => {
    const url = new URL(ctx.apiUrl + `/repos/${match.repository}/actions/` + (match.runId ? `runs/${match.runId}/artifacts` : 'artifacts'))
    if (name !== null) url.searchParams.set('name', name)
    url.searchParams.set('per_page', String(perPage))
    url.searchParams.set('page', String(n))
    return url.toString()
  }
  if (page < lastPage) links.push(`<${pageUrl(page + 1)}>; rel="next"`, `<${pageUrl(lastPage)}>; rel="last"`)
  if (page > 1) links.push(`<${pageUrl(1)}>; rel="first"`, `<${pageUrl(Math.min(page - 1, lastPage))}>; rel="prev"`)
  const body = {
    total_count: selected.length,
    artifacts: selected.slice((page - 1) * perPage, page * perPage).map(a => restArtifact(ctx, a))
  }
  return json(200, body, links.length > 0 ? {link: links.join(', ')} : {})
}

/** An artifact in the REST API's shape. */
function restArtifact(ctx: RestContext, record: ArtifactRecord): Record<string, unknown> {
  const run = record.job.run
  const repositoryId = ctx.state.repositoryId(run.repository)
  const url = `${ctx.apiUrl}/repos/${run.repository}/actions/artifacts/${record.id}`
  return {
    id: record.id,
    node_id: Buffer.from(`010:Artifact${record.id}`).toString('base64'),
    name: record.name,
    size_in_bytes: record.size,
    url,
    archive_download_url: `${url}/zip`,
    expired: record.expired,
    digest: `sha256:${record.sha256}`,
    // GitHub's REST timestamps have whole seconds.
    created_at: isoSeconds(record.createdAt),
    expires_at: isoSeconds(record.expiresAt),
    updated_at: isoSeconds(record.updatedAt),
    workflow_run: {
      id: Number(run.runId),
      repository_id: repositoryId,
      head_repository_id: ctx.state.repositoryId(run.headRepository),
      head_branch: run.headBranch,
      head_sha: ctx.state.headSha(run)
    }
  }
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

