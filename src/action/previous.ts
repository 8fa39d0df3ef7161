// `since: auto`: the previous watermark lives in the manifest of the newest earlier outputs
// artifact of the same name family, uploaded by a run of this repository itself (never by a fork's
// pull request, whose artifacts anyone could shape). Found through the REST API with the job's token;
// when there is none, or the token may not read artifacts, the job falls back to a full export (with
// a notice), which is always safe: the manifest then starts a new chain.
// The artifact list does not say which workflow a run belongs to, so the name family is what ties a
// chain to one job: README "since: auto" says to give each workflow its own artifact names.

import * as path from 'node:path'
import {CorruptDataError, InputError, RefusedError} from '../common/errors.ts'
import {MANIFEST_FILE, readManifestFile, type Manifest} from '../artifact/manifest.ts'
import type {Store, StoredSet} from '../artifact/store.ts'
import {GitHubArtifacts, MAX_PAGES, newerFirst, PAGE_SIZE} from '../artifact/stores/github/artifacts.ts'
import type {ActionLogger} from './logger.ts'

export interface PreviousExportQuery {
  token: string | undefined
  /** owner/name (GITHUB_REPOSITORY). */
  repository: string | undefined
  /** GITHUB_API_URL (default: the environment's, as on the runner) */
  apiUrl?: string | undefined
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
  artifact: StoredSet
}

const NO_PERMISSION = new Set([401, 403, 404])

function refusedStatus(error: unknown): number | undefined {
  return error instanceof RefusedError ? error.status : undefined
}

/**
 * Returns the previous export, or null (after a notice) when there is none or it may not be read. `store`: the
 * action's `store` (an object store, whose listing must work: its probe ran first); null for GitHub artifacts.
 */
export async function findPreviousExport(query: PreviousExportQuery, logger: ActionLogger, store: Store | null = null): Promise<PreviousExport | null> {
  const [owner, repo] = (query.repository ?? '').split('/')
  if (store === null && (!query.token || !owner || !repo || query.repository === undefined)) {
    logger.notice(
      "since: auto found no previous export because the 'github-token' input or GITHUB_REPOSITORY is empty; exporting everything."
    )
    return null
  }
  const artifacts = store ?? new GitHubArtifacts({repository: query.repository!, token: query.token!, apiUrl: query.apiUrl ?? process.env['GITHUB_API_URL']})
  const where = store === null ? "this repository's artifacts" : store.label
  let listing
  try {
    listing = await artifacts.list({family: query.family, kind: 'outputs', exactName: query.exactName, stopAtFirstPageWith: a => (a.runId ?? 0) <= query.runId})
  } catch (error) {
    if (store !== null) throw error
    const status = refusedStatus(error)
    if (status !== undefined && NO_PERMISSION.has(status)) {
      logger.notice(
        `since: auto could not list this repository's artifacts (HTTP ${status}); the job token needs 'actions: read'. Exporting everything.`
      )
      return null
    }
    throw new RefusedError(`since: auto could not list this repository's artifacts: ${(error as Error).message}. Retry, or set 'since: all' or a time.`, {
      cause: error
    })
  }
  const {untrusted: fromForks, exhausted: pagesExhausted} = listing
  let best: StoredSet | undefined
  let later: StoredSet | undefined
  for (const candidate of listing.sets) {
    if ((candidate.runId ?? 0) > query.runId) {
      later ??= candidate
      continue
    }
    if (candidate.runId === query.runId && candidate.name === query.currentName) continue
    if (best === undefined || newerFirst(candidate, best) < 0) best = candidate
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
    if (pagesExhausted && store === null) {
      logger.warning(
        `since: auto looked at the newest ${MAX_PAGES * PAGE_SIZE} artifacts of this repository and none is an earlier export matching ${query.family.source}; ` +
          'exporting everything. If an earlier export exists further back, set since to its watermark (a time) to continue from it.'
      )
    } else {
      // The job's own notice says a full export follows; this says why.
      logger.info(`since: auto found no earlier export in ${where} whose name matches ${query.family.source}.`)
    }
    return null
  }

  logger.info(`Previous export: ${store === null ? `artifact "${best.name}" (id ${best.id})` : describeSet(best, store)} from run ${best.runId}${best.createdAt ? `, created ${best.createdAt}` : ''}.`)
  try {
    await artifacts.download(best, query.downloadDir)
  } catch (error) {
    if (store !== null) throw error
    const status = refusedStatus(error)
    if (status !== undefined && NO_PERMISSION.has(status)) {
      logger.notice(`since: auto could not download the artifact "${best.name}" (HTTP ${status}); exporting everything.`)
      return null
    }
    throw new RefusedError(`since: auto could not download the artifact "${best.name}": ${(error as Error).message}`, {cause: error})
  }
  let manifest: Manifest
  try {
    manifest = await readManifestFile(path.join(query.downloadDir, MANIFEST_FILE))
  } catch (error) {
    throw new CorruptDataError(`The previous ${store === null ? '' : 'export '}${describeSet(best, store)} (run ${best.runId}) cannot be used: ${(error as Error).message} Set 'since: all' or a time to export without it.`, {cause: error})
  }
  if (manifest.kind !== 'outputs') {
    throw new InputError(`The previous ${store === null ? '' : 'export '}${describeSet(best, store)} (run ${best.runId}) holds a ${manifest.kind} manifest, not an outputs one; check output-artifact-name. Set 'since: all' or a time to export without it.`)
  }
  return {manifest, artifact: best}
}

/** How messages name a set: an artifact by name and id, an object-store set by its folder. */
export function describeSet(set: StoredSet, store: Store | null): string {
  return store === null ? `artifact "${set.name}"` : `"${set.name}" (${set.id} in ${store.label})`
}
