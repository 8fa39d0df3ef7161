// `since: auto`: the previous watermark lives in the manifest of the newest earlier outputs
// artifact of the same name family, uploaded by a run of this repository itself (never by a fork's
// pull request, whose artifacts anyone could shape). Found through the REST API with the job's token;
// when there is none, or the token may not read artifacts, the job falls back to a full export (with
// a notice), which is always safe: the manifest then starts a new chain.
// The artifact list does not say which workflow a run belongs to, so the name family is what ties a
// chain to one job: README "since: auto" says to give each workflow its own artifact names.

import {DefaultArtifactClient} from '@actions/artifact'
import {getOctokit} from '@actions/github'
import * as path from 'node:path'
import type {Manifest} from '../jobs/export/types.ts'
import {MANIFEST_FILE, readManifest} from '../artifact/manifest.ts'
import type {ActionLogger} from './logger.ts'

export interface PreviousExportQuery {
  token: string | undefined
  /** owner/name (GITHUB_REPOSITORY). */
  repository: string | undefined
  /** This run (GITHUB_RUN_ID): later runs are never used, this run only for an earlier attempt. */
  runId: number
  /** Artifact names of the family (src/artifact/naming.ts nameFamilyPattern). */
  family: RegExp
  /** When the family is a single name, the REST API filters by it. */
  exactName?: string
  /** This attempt's own name: never its own previous state. */
  currentName: string
  downloadDir: string
}

export interface PreviousExport {
  manifest: Manifest
  artifact: FamilyArtifact
}

/** An artifact of a name family, uploaded by a run of this repository itself (never a fork's). */
export interface FamilyArtifact {
  id: number
  name: string
  runId: number
  createdAt: string | null
  /** The branch of the run that uploaded it (REST workflow_run.head_branch). */
  headBranch: string | null
}

export interface FamilyListing {
  artifacts: FamilyArtifact[]
  fromForks: number
  /** The newest MAX_PAGES pages were read and still no page had a match. */
  pagesExhausted: boolean
}

export function newer(a: FamilyArtifact, b: FamilyArtifact): boolean {
  return (a.createdAt ?? '') > (b.createdAt ?? '') || (a.createdAt === b.createdAt && a.id > b.id)
}

/**
 * The non-expired artifacts of a name family uploaded by runs of this repository (a pull request from a fork runs in
 * this repository, but its code and artifacts are the fork's: counted, never returned). The list is newest first:
 * reading stops after the first page that holds an artifact `stopAtFirstPageWith` accepts.
 */
export async function listFamily(q: {
  token: string
  owner: string
  repo: string
  family: RegExp
  exactName?: string | undefined
  stopAtFirstPageWith: (artifact: FamilyArtifact) => boolean
}): Promise<FamilyListing> {
  const octokit = getOctokit(q.token)
  const artifacts: FamilyArtifact[] = []
  let fromForks = 0
  for (let page = 1; page <= MAX_PAGES; page++) {
    const {data} = await octokit.rest.actions.listArtifactsForRepo({
      owner: q.owner,
      repo: q.repo,
      per_page: PAGE_SIZE,
      page,
      ...(q.exactName === undefined ? {} : {name: q.exactName})
    })
    let stop = false
    for (const a of data.artifacts) {
      const run = a.workflow_run
      const runId = run?.id
      if (a.expired || runId == null || !q.family.test(a.name)) continue
      if (run?.head_repository_id == null || run.head_repository_id !== run.repository_id) {
        fromForks++
        continue
      }
      const artifact: FamilyArtifact = {id: a.id, name: a.name, runId, createdAt: a.created_at ?? null, headBranch: run.head_branch ?? null}
      artifacts.push(artifact)
      if (q.stopAtFirstPageWith(artifact)) stop = true
    }
    if (stop || data.artifacts.length < PAGE_SIZE) return {artifacts, fromForks, pagesExhausted: false}
  }
  return {artifacts, fromForks, pagesExhausted: true}
}

/** Downloads an artifact of another run of this repository (unzipped) into `dir`. */
export async function downloadArtifactTo(artifact: FamilyArtifact, dir: string, q: {token: string; owner: string; repo: string}): Promise<void> {
  await new DefaultArtifactClient().downloadArtifact(artifact.id, {
    path: dir,
    findBy: {token: q.token, workflowRunId: artifact.runId, repositoryOwner: q.owner, repositoryName: q.repo}
  })
}

// The list is newest first; an artifact family older than this many pages is treated as absent.
const MAX_PAGES = 10
const PAGE_SIZE = 100

function httpStatus(error: unknown): number | undefined {
  const status = (error as {status?: unknown} | null)?.status
  return typeof status === 'number' ? status : undefined
}

const NO_PERMISSION = new Set([401, 403, 404])

/** Returns the previous export, or null (after a notice) when there is none or it may not be read. */
export async function findPreviousExport(query: PreviousExportQuery, logger: ActionLogger): Promise<PreviousExport | null> {
  const [owner, repo] = (query.repository ?? '').split('/')
  if (!query.token || !owner || !repo) {
    logger.notice(
      "since: auto found no previous export because the 'github-token' input or GITHUB_REPOSITORY is empty; exporting everything."
    )
    return null
  }
  let listing: FamilyListing
  try {
    listing = await listFamily({token: query.token, owner, repo, family: query.family, exactName: query.exactName, stopAtFirstPageWith: a => a.runId <= query.runId})
  } catch (error) {
    const status = httpStatus(error)
    if (status !== undefined && NO_PERMISSION.has(status)) {
      logger.notice(
        `since: auto could not list this repository's artifacts (HTTP ${status}); the job token needs 'actions: read'. Exporting everything.`
      )
      return null
    }
    throw new Error(`since: auto could not list this repository's artifacts: ${(error as Error).message}. Retry, or set 'since: all' or a time.`, {
      cause: error
    })
  }
  const {fromForks, pagesExhausted} = listing
  let best: FamilyArtifact | undefined
  let later: FamilyArtifact | undefined
  for (const candidate of listing.artifacts) {
    if (candidate.runId > query.runId) {
      later ??= candidate
      continue
    }
    if (candidate.runId === query.runId && candidate.name === query.currentName) continue
    if (best === undefined || newer(candidate, best)) best = candidate
  }
  if (later !== undefined) {
    // A re-run must not continue from a later run's watermark: that would skip what this run's own window holds.
    logger.warning(
      `The artifact "${later.name}" of the later run ${later.runId} exists: this run (${query.runId}) is a re-run of an older workflow run. ` +
        `It does not continue from that later export, so documents run ${later.runId} exported already are exported again (none is lost).`
    )
  }
  if (fromForks > 0) logger.info(`since: auto skipped ${fromForks} matching artifacts uploaded by pull requests from forks.`)
  if (best === undefined) {
    if (pagesExhausted) {
      logger.warning(
        `since: auto looked at the newest ${MAX_PAGES * PAGE_SIZE} artifacts of this repository and none is an earlier export matching ${query.family.source}; ` +
          'exporting everything. If an earlier export exists further back, set since to its watermark (a time) to continue from it.'
      )
    } else {
      // The job's own notice says a full export follows; this says why.
      logger.info(`since: auto found no earlier artifact whose name matches ${query.family.source}.`)
    }
    return null
  }

  logger.info(`Previous export: artifact "${best.name}" (id ${best.id}) from run ${best.runId}${best.createdAt ? `, created ${best.createdAt}` : ''}.`)
  try {
    await downloadArtifactTo(best, query.downloadDir, {token: query.token, owner, repo})
  } catch (error) {
    const status = httpStatus(error)
    if (status !== undefined && NO_PERMISSION.has(status)) {
      logger.notice(`since: auto could not download the artifact "${best.name}" (HTTP ${status}); exporting everything.`)
      return null
    }
    throw new Error(`since: auto could not download the artifact "${best.name}": ${(error as Error).message}`, {cause: error})
  }
  let manifest: Manifest
  try {
    manifest = await readManifest(path.join(query.downloadDir, MANIFEST_FILE))
  } catch (error) {
    throw new Error(`The previous artifact "${best.name}" (run ${best.runId}) cannot be used: ${(error as Error).message} Set 'since: all' or a time to export without it.`, {cause: error})
  }
  if (manifest.kind !== 'outputs') {
    throw new Error(`The previous artifact "${best.name}" (run ${best.runId}) holds a ${manifest.kind} manifest, not an outputs one; check output-artifact-name. Set 'since: all' or a time to export without it.`)
  }
  return {manifest, artifact: best}
}
