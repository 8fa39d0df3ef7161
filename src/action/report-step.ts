// The pull-request check of the action: the exported results as findings (src/results), compared with the base
// branch's last results (the newest outputs artifact of the same name family from a run of this repository on the
// base branch, never a fork's), then annotations, SARIF / JUnit files and the fail-on decision. Pure logic lives in
// src/results; this file finds and downloads the baseline and prints the annotations.

import * as core from '@actions/core'
import {mkdir, writeFile} from 'node:fs/promises'
import * as path from 'node:path'
import {planAnnotations, type AnnotationPlan} from '../summary/annotations.ts'
import {compareWithBaseline, decideFailure, type BaselineComparison, type FailDecision, type FailPolicy} from '../results/baseline.ts'
import {buildJUnit} from '../summary/junit.ts'
import {locateFindings, type FindingLocation} from '../results/locate.ts'
import {readResults, type ResultSet} from '../results/model.ts'
import {buildSarif, serializeSarif} from '../summary/sarif.ts'
import type {BaselineSpec} from './inputs.ts'
import type {ActionLogger} from './logger.ts'
import {exactNameRegExp} from '../common/glob.ts'
import type {Store, StoredSet} from '../artifact/store.ts'
import {GitHubArtifacts, newerFirst} from '../artifact/stores/github/artifacts.ts'
import type {ObjectSets} from '../artifact/stores/object-sets.ts'

export interface ResultsReport {
  results: ResultSet
  comparison: BaselineComparison | undefined
  baselineLabel?: string
  noBaselineReason?: string
  locations: Map<string, FindingLocation>
  annotations: AnnotationPlan
  decision: {policy: FailPolicy; result: FailDecision}
  sarif: {path: string; results: number; withoutLocation: number} | null
  junitPath: string | null
}

export interface ResultsOptions {
  /** The outputs export (its directory with manifest.json). */
  outputsDir: string
  workspace: string
  baseline: BaselineSpec
  policy: FailPolicy
  token: string | undefined
  repository: string | undefined
  /** GITHUB_API_URL */
  apiUrl: string | undefined
  eventName: string | undefined
  baseRef: string | undefined
  /** The outputs artifact name family (src/artifact/naming.ts nameFamilyPattern). */
  family: RegExp
  scratchDir: string
  /** The action's `store`: the baseline is looked for there instead of among artifacts. */
  store?: ObjectSets | null
}

// An incremental chain's newest artifact can hold no new documents (nothing ran since): look a few back.
const MAX_BASELINE_CANDIDATES = 5
// In a store, the manifests of this many newest sets are read to find the base branch's.
const MAX_STORE_MANIFESTS = 50

async function withBranches(store: ObjectSets, sets: StoredSet[]): Promise<StoredSet[]> {
  const out: StoredSet[] = []
  for (const set of sets) {
    const manifest = await store.readManifest(set).catch(() => null)
    const branch = (manifest?.github as {branch?: unknown} | undefined)?.branch
    out.push({...set, headBranch: typeof branch === 'string' ? branch : null})
  }
  return out
}

export async function buildResultsReport(o: ResultsOptions, logger: ActionLogger): Promise<ResultsReport> {
  const results = await readResults(o.outputsDir, {workspace: o.workspace})
  for (const warning of results.warnings) logger.warning(warning)
  const base = await findBaseline(o, logger)
  // No comparison at all without a baseline to look for (baseline: none, or auto outside a pull request); a baseline
  // looked for and not found compares with nothing, so every failure counts as new (and the summary says why).
  const comparison = base.skip ? undefined : compareWithBaseline(results, base.results)
  const failed = results.findings.filter(f => f.result === 'failed')
  const locations = locateFindings(failed, {workspace: o.workspace})
  const newKeys = comparison?.newKeys
  const annotations = planAnnotations(failed, locations, newKeys ? {newKeys} : {})
  const decision = {policy: o.policy, result: decideFailure(results, comparison ?? null, o.policy)}

  return {
    results,
    comparison,
    ...(base.label !== undefined ? {baselineLabel: base.label} : {}),
    ...(base.reason !== undefined ? {noBaselineReason: base.reason} : {}),
    locations,
    annotations,
    decision,
    sarif: null,
    junitPath: null
  }
}

/**
 * The SARIF and JUnit files, after the uploads: a file that cannot be written (a directory in the way, a full disk)
 * is a warning, never the loss of a finished export.
 */
export async function writeReportFiles(report: ResultsReport, files: {sarifFile: string | undefined; junitFile: string | undefined}, logger: ActionLogger): Promise<void> {
  const newKeys = report.comparison?.newKeys
  if (files.sarifFile !== undefined) {
    try {
      const built = buildSarif(report.results.findings, {locations: report.locations, ...(newKeys ? {newKeys} : {}), ...(report.comparison ? {compared: report.comparison.hasBaseline} : {})})
      await mkdir(path.dirname(files.sarifFile), {recursive: true})
      await writeFile(files.sarifFile, serializeSarif(built.log))
      report.sarif = {path: files.sarifFile, results: built.results, withoutLocation: built.withoutLocation}
      logger.info(`SARIF: ${built.results} results written to ${files.sarifFile}${built.withoutLocation > 0 ? ` (${built.withoutLocation} failed results have no file in the repository and are not in it)` : ''}.`)
    } catch (error) {
      logger.warning(`Input 'sarif-file': ${files.sarifFile} could not be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); no SARIF for this run.`)
    }
  }
  if (files.junitFile !== undefined) {
    try {
      await mkdir(path.dirname(files.junitFile), {recursive: true})
      await writeFile(files.junitFile, buildJUnit(report.results.findings, newKeys ? {newKeys} : {}))
      report.junitPath = files.junitFile
      logger.info(`JUnit XML written to ${files.junitFile}.`)
    } catch (error) {
      logger.warning(`Input 'junit-file': ${files.junitFile} could not be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); no JUnit XML for this run.`)
    }
  }
}

/** The annotations of the plan, through core (which escapes their text: database text cannot become a command). */
export function printAnnotations(plan: AnnotationPlan): void {
  for (const a of plan.annotations) {
    const properties = {title: a.title, file: a.file, ...(a.line !== undefined ? {startLine: a.line} : {})}
    if (a.level === 'error') core.error(a.message, properties)
    else if (a.level === 'warning') core.warning(a.message, properties)
    else core.notice(a.message, properties)
  }
}

async function findBaseline(o: ResultsOptions, logger: ActionLogger): Promise<{results: ResultSet | null; skip?: boolean; label?: string; reason?: string}> {
  if (o.baseline.kind === 'none') return {results: null, skip: true}
  const store = o.store ?? null
  const [owner, repo] = (o.repository ?? '').split('/')
  if (store === null && (!o.token || !owner || !repo || o.repository === undefined)) return {results: null, reason: "the 'github-token' input or GITHUB_REPOSITORY is empty, so no artifact could be looked up"}
  let accept: (a: StoredSet) => boolean
  let family = o.family
  let exactName: string | undefined
  let what: string
  if (o.baseline.kind === 'artifact') {
    exactName = o.baseline.name
    family = exactNameRegExp(o.baseline.name)
    accept = () => true
    what = `an artifact named "${o.baseline.name}"`
  } else {
    if (!o.eventName?.startsWith('pull_request') || !o.baseRef) return {results: null, skip: true}
    const baseRef = o.baseRef
    accept = a => a.headBranch === baseRef
    what = `an outputs ${store === null ? 'artifact' : 'set'} of this name family from a run on the base branch ${baseRef}`
  }
  const artifacts: Store = store ?? new GitHubArtifacts({repository: o.repository!, token: o.token!, apiUrl: o.apiUrl})
  let candidates: StoredSet[]
  try {
    const listing = await artifacts.list({family, kind: 'outputs', exactName, stopAtFirstPageWith: accept})
    // A store's listing does not know branches: each manifest says which run (and branch) made its set.
    const sets = store === null ? listing.sets : await withBranches(store, listing.sets.slice(0, MAX_STORE_MANIFESTS))
    candidates = sets.filter(accept).sort(newerFirst)
    if (listing.untrusted > 0) logger.info(`baseline: skipped ${listing.untrusted} matching artifacts uploaded by pull requests from forks.`)
  } catch (error) {
    logger.warning(`baseline: could not list ${store === null ? "this repository's artifacts" : store.label} (${(error as Error).message}); comparing with no baseline.`)
    return {results: null, reason: 'the artifact list could not be read'}
  }
  for (const [i, candidate] of candidates.slice(0, MAX_BASELINE_CANDIDATES).entries()) {
    const dir = path.join(o.scratchDir, `baseline-${i}`)
    try {
      await artifacts.download(candidate, dir)
      const results = await readResults(dir, {workspace: o.workspace})
      const label = `${store === null ? `artifact "${candidate.name}"` : store.locationOf(candidate)} from run ${candidate.runId}${candidate.headBranch ? ` on ${candidate.headBranch}` : ''}`
      if (results.findings.length === 0 && i + 1 < Math.min(candidates.length, MAX_BASELINE_CANDIDATES)) {
        logger.info(`baseline: ${label} holds no results (no new output since the one before it); looking further back.`)
        continue
      }
      logger.info(`baseline: ${label}, ${results.findings.length} results.`)
      return {results, label}
    } catch (error) {
      logger.warning(`baseline: the artifact "${candidate.name}" (run ${candidate.runId}) cannot be used: ${(error as Error).message}`)
    }
  }
  return {results: null, reason: `there is no usable ${what}`}
}
