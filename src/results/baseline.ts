// New failures against a baseline (the base branch's results), and the `fail-on` decision.
//
// Entry points
//   compareWithBaseline(current: ResultSet, baseline: ResultSet | null): BaselineComparison
//   decideFailure(current: ResultSet, comparison: BaselineComparison | null, policy: FailPolicy): FailDecision
//   parseFailOn(value): FailOn                       'never' | 'failure' | 'new-failure' (throws UsageError)
//   parseSeverityThreshold(value): SeverityThreshold 'low' | 'medium' | 'high'           (throws UsageError)
//   meetsThreshold(severity, threshold): boolean
//
// Matching is by the stable Finding key (src/results/model.ts): container, test, rule and resource paths, never
// the per-crawl snapshot id. For each current failed result:
//   - new failure:   its key did not fail in the baseline (absent there, or passed/skipped there);
//   - still failing: its key failed in the baseline too.
// For each baseline failure:
//   - fixed (how 'passed'): the current run has the key with another result (passed, skipped, ...);
//   - fixed (how 'absent'): the current run has no result with that key, but did run that container (the
//     resource or the test is gone);
//   - not compared: the current run has no result at all for that container (it did not run there).
//
// With no baseline (none found, or `baseline: none`), `hasBaseline` is false and EVERY current failure is
// listed as new: `fail-on: new-failure` then fails on any failure at or above the threshold, the safe choice
// (a gate must not pass because its reference is missing); the summary says that there was no baseline.
//
// Severity threshold: a failure counts when its severity is at or above it (High > Medium > Low). A result with
// no severity (Prancer-language tests record none) counts only at `low`, as Prancer itself treats a missing
// severity as low when it decides its exit code.

import {severityRank, type Finding, type ResultSet, type Severity} from './model.ts'
import {UsageError} from '../common/errors.ts'

export type FailOn = 'never' | 'failure' | 'new-failure'
export type SeverityThreshold = 'low' | 'medium' | 'high'

export const FAIL_ON_VALUES: readonly FailOn[] = ['never', 'failure', 'new-failure']
export const SEVERITY_THRESHOLDS: readonly SeverityThreshold[] = ['low', 'medium', 'high']

export interface FixedFinding {
  /** The baseline's finding. */
  finding: Finding
  how: 'passed' | 'absent'
  /** The current result when `how` is 'passed' (it may be passed, skipped or other). */
  current?: Finding
}

export interface BaselineComparison {
  hasBaseline: boolean
  newFailures: Finding[]
  stillFailing: Finding[]
  fixed: FixedFinding[]
  /** Baseline failures in containers the current run has no result for. */
  notCompared: number
  /** Keys of newFailures, for quick marking. */
  newKeys: Set<string>
}

export interface FailPolicy {
  failOn: FailOn
  threshold: SeverityThreshold
}

export interface FailDecision {
  fail: boolean
  /** The failures that make the step fail (most severe first); empty when it passes. */
  reasons: Finding[]
  /** One line for the log and the step's failure message, then up to 20 lines naming the reasons. */
  message: string
}

export function parseFailOn(value: string | undefined): FailOn {
  const v = (value ?? '').trim().toLowerCase()
  if (v === '') return 'never'
  if ((FAIL_ON_VALUES as readonly string[]).includes(v)) return v as FailOn
  throw new UsageError(`fail-on must be never, failure or new-failure, not "${value}"`)
}

export function parseSeverityThreshold(value: string | undefined): SeverityThreshold {
  const v = (value ?? '').trim().toLowerCase()
  if (v === '') return 'low'
  if ((SEVERITY_THRESHOLDS as readonly string[]).includes(v)) return v as SeverityThreshold
  throw new UsageError(`severity-threshold must be low, medium or high, not "${value}"`)
}

const THRESHOLD_RANK: Record<SeverityThreshold, number> = {high: 0, medium: 1, low: 2}

export function meetsThreshold(severity: Severity, threshold: SeverityThreshold): boolean {
  // None counts only at `low` (as Low does).
  if (severity === 'None') return threshold === 'low'
  return severityRank(severity) <= THRESHOLD_RANK[threshold]
}

export function compareWithBaseline(current: ResultSet, baseline: ResultSet | null): BaselineComparison {
  const failed = current.findings.filter((f) => f.result === 'failed')
  if (baseline === null) {
    return {hasBaseline: false, newFailures: failed, stillFailing: [], fixed: [], notCompared: 0, newKeys: new Set(failed.map((f) => f.key))}
  }
  const before = new Map<string, Finding>()
  for (const f of baseline.findings) before.set(f.key, f)
  const now = new Map<string, Finding>()
  for (const f of current.findings) now.set(f.key, f)
  const currentContainers = new Set(current.findings.map((f) => f.container))

  const newFailures: Finding[] = []
  const stillFailing: Finding[] = []
  for (const f of failed) {
    if (before.get(f.key)?.result === 'failed') stillFailing.push(f)
    else newFailures.push(f)
  }
  const fixed: FixedFinding[] = []
  let notCompared = 0
  for (const f of baseline.findings) {
    if (f.result !== 'failed') continue
    const c = now.get(f.key)
    if (c !== undefined) {
      if (c.result !== 'failed') fixed.push({finding: f, how: 'passed', current: c})
    } else if (currentContainers.has(f.container)) {
      fixed.push({finding: f, how: 'absent'})
    } else {
      notCompared++
    }
  }
  return {hasBaseline: true, newFailures, stillFailing, fixed, notCompared, newKeys: new Set(newFailures.map((f) => f.key))}
}

/** Most severe first, then new before known, then container, title and file, so lists read the same every run. */
export function compareFindings(a: Finding, b: Finding, newKeys?: Set<string>): number {
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    (newKeys ? Number(newKeys.has(b.key)) - Number(newKeys.has(a.key)) : 0) ||
    a.container.localeCompare(b.container) ||
    a.title.localeCompare(b.title) ||
    (a.resource.file ?? '').localeCompare(b.resource.file ?? '') ||
    a.key.localeCompare(b.key)
  )
}

const LISTED_REASONS = 20

function describe(f: Finding): string {
  const where = f.resource.file ?? (f.resource.paths.join(', ') || f.resource.type || 'no recorded resource')
  return `${f.severity === 'None' ? 'no severity' : f.severity} ${f.ruleId || f.testId}: ${f.title || f.message || 'untitled test'} (${where}${f.container ? `, container ${f.container}` : ''})`
}

export function decideFailure(current: ResultSet, comparison: BaselineComparison | null, policy: FailPolicy): FailDecision {
  if (policy.failOn === 'never') return {fail: false, reasons: [], message: 'fail-on: never; the results do not fail this step.'}
  const pool =
    policy.failOn === 'failure'
      ? current.findings.filter((f) => f.result === 'failed')
      : (comparison ?? compareWithBaseline(current, null)).newFailures
  const reasons = pool.filter((f) => meetsThreshold(f.severity, policy.threshold)).sort((a, b) => compareFindings(a, b))
  const scope = policy.threshold === 'low' ? '' : ` at or above severity ${policy.threshold}`
  if (reasons.length === 0) {
    const what = policy.failOn === 'failure' ? 'failed result' : 'new failure'
    return {fail: false, reasons, message: `No ${what}${scope} (fail-on: ${policy.failOn}).`}
  }
  const noBaseline = policy.failOn === 'new-failure' && comparison?.hasBaseline !== true
  const what =
    policy.failOn === 'failure'
      ? `${reasons.length} failed result${reasons.length === 1 ? '' : 's'}`
      : `${reasons.length} new failure${reasons.length === 1 ? '' : 's'}${noBaseline ? ' (no baseline to compare with, so every failure counts as new)' : ''}`
  const lines = [`Prancer: ${what}${scope} (fail-on: ${policy.failOn}):`]
  for (const f of reasons.slice(0, LISTED_REASONS)) lines.push(`  - ${describe(f)}`)
  if (reasons.length > LISTED_REASONS) lines.push(`  … and ${reasons.length - LISTED_REASONS} more`)
  return {fail: true, reasons, message: lines.join('\n')}
}
