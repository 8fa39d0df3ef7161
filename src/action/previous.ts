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
import type {Manifest} from '../job/types.ts'
import {MANIFEST_FILE, readManifest} from '../prancer/manifest.ts'
import type {ActionLogger} from './logger.ts'

export interface PreviousExportQuery {
  token: string | undefined
  /** owner/name (GITHUB_REPOSITORY). */
  repository: string | undefined
  /** This run (GITHUB_RUN_ID): later runs are never used, this run only for an earlier attempt. */
  runId: number
  /** Artifact names of the family (src/naming.ts nameFamilyPattern). */
  family: RegExp
  /** When the family is a single name, the REST API filters by it. */
  exactName?: string
  /** This attempt's own name: never its own previous state. */
  currentName: string
  downloadDir: string
}

export interface PreviousExport {
  manifest: Manifest
  artifact: {id: number; name: string; runId: number; createdAt: string | null}
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
  const octokit = getOctokit(query.token)
  let best: {id: number; name: string; runId: number; createdAt: string | null} | undefined
  let later: {name: string; runId: number} | undefined
  let fromForks = 0
  let pagesExhausted = true
  try {
    for (let page = 1; page <= MAX_PAGES; page++) {
      const {data} = await octokit.rest.actions.listArtifactsForRepo({
        owner,
        repo,
        per_page: PAGE_SIZE,
        page,
        ...(query.exactName === undefined ? {} : {name: query.exactName})
      })
      for (const a of data.artifacts) {
        const run = a.workflow_run
        const runId = run?.id
        if (a.expired || runId == null || !query.family.test(a.name)) continue
        // A pull request from a fork runs in this repository but its code (and artifacts) are the fork's.
        if (run?.head_repository_id == null || run.head_repository_id !== run.repository_id) {
          fromForks++
          continue
        }
        if (runId > query.runId) {
          later ??= {name: a.name, runId}
          continue
        }
        if (runId === query.runId && a.name === query.currentName) continue
        const candidate = {id: a.id, name: a.name, runId, createdAt: a.created_at ?? null}
        if (best === undefined || (candidate.createdAt ?? '') > (best.createdAt ?? '') || (candidate.createdAt === best.createdAt && candidate.id > best.id)) {
          best = candidate
        }
      }
      // Newest first: once a page had a match, later pages only hold older artifacts.
      if (best !== undefined || data.artifacts.length < PAGE_SIZE) {
        pagesExhausted = false
        break
      }
    }
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
    await new DefaultArtifactClient().downloadArtifact(best.id, {
      path: query.downloadDir,
      findBy: {token: query.token, workflowRunId: best.runId, repositoryOwner: owner, repositoryName: repo}
    })
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
