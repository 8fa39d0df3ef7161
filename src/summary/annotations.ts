// Annotations for failed results: planned here, printed by the action (core.error / core.warning / core.notice
// with {file, startLine, title}, which escape the workflow-command syntax).
//
// Entry point
//   planAnnotations(findings, locations, options?): AnnotationPlan
//       findings:  the ResultSet's findings (only failed ones are planned)
//       locations: locateFindings(...) from src/results/locate.ts (repository file and line per finding key)
//
// Which results: failed results whose resource is a file in the repository (a cloud resource, or a file outside
// the workspace, has nowhere to go on a pull request's diff; it is in the summary and SARIF instead).
// Level by severity: High → error, Medium → warning, Low → notice, no severity → warning.
// GitHub shows at most 10 error, 10 warning and 10 notice annotations of a step (and 50 per job); beyond that
// they are dropped silently. So the plan keeps, per level, up to `limits` annotations: (with a baseline) the new
// failures first, then the most severe, and counts the rest in `omitted` for the summary to mention.
// `line` is set only when locate found the resource's line unambiguously; otherwise the annotation is on the
// file alone (GitHub then shows it against the file, not a guessed line).

import {compareFindings} from '../results/baseline.ts'
import type {FindingLocation} from '../results/locate.ts'
import type {Finding, Severity} from '../results/model.ts'

export type AnnotationLevel = 'error' | 'warning' | 'notice'

export interface PlannedAnnotation {
  level: AnnotationLevel
  /** Repository-relative path. */
  file: string
  line?: number
  title: string
  message: string
  /** The finding's stable key. */
  key: string
}

export interface AnnotationPlan {
  annotations: PlannedAnnotation[]
  /** Failed results with a repository file beyond the per-level limits. */
  omitted: Record<AnnotationLevel, number> & {total: number}
  /** Failed results whose resource is not a file in the repository (never annotated). */
  withoutFile: number
  /** Of the planned annotations: how many have a line. */
  withLine: number
}

export interface AnnotationOptions {
  /** Per-level maximum (default 10 each: GitHub's per-step display limit). */
  limits?: Partial<Record<AnnotationLevel, number>>
  /** Keys of new failures (from compareWithBaseline): planned first within a level and marked in the title. */
  newKeys?: Set<string>
  /** Longest message (default 2000 characters). */
  maxMessageLength?: number
}

export const DEFAULT_ANNOTATION_LIMITS: Record<AnnotationLevel, number> = {error: 10, warning: 10, notice: 10}

export function annotationLevel(severity: Severity): AnnotationLevel {
  if (severity === 'High') return 'error'
  if (severity === 'Low') return 'notice'
  return 'warning'
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s
}

function message(f: Finding, max: number): string {
  const parts: string[] = []
  if (f.message) parts.push(f.message)
  else if (f.description) parts.push(f.description)
  const resource = [f.resource.resourceTypes.join(', ') || f.resource.type, f.container ? `container ${f.container}` : ''].filter((s) => s !== '').join(' · ')
  if (resource) parts.push(`Resource: ${resource}`)
  if (f.remediation) parts.push(`Fix: ${f.remediation}`)
  return clip(parts.join('\n'), max)
}

export function planAnnotations(findings: Iterable<Finding>, locations: Map<string, FindingLocation>, options: AnnotationOptions = {}): AnnotationPlan {
  const limits = {...DEFAULT_ANNOTATION_LIMITS, ...options.limits}
  const max = options.maxMessageLength ?? 2000
  const located: Array<{f: Finding; at: FindingLocation}> = []
  let withoutFile = 0
  for (const f of findings) {
    if (f.result !== 'failed') continue
    const at = locations.get(f.key)
    if (at === undefined) withoutFile++
    else located.push({f, at})
  }
  // New failures first (they are what a pull request introduced), then by severity.
  const isNew = (f: Finding): number => (options.newKeys?.has(f.key) ? 0 : 1)
  located.sort((a, b) => isNew(a.f) - isNew(b.f) || compareFindings(a.f, b.f))

  const used: Record<AnnotationLevel, number> = {error: 0, warning: 0, notice: 0}
  const omitted = {error: 0, warning: 0, notice: 0, total: 0}
  const annotations: PlannedAnnotation[] = []
  let withLine = 0
  for (const {f, at} of located) {
    const level = annotationLevel(f.severity)
    if (used[level] >= limits[level]) {
      omitted[level]++
      omitted.total++
      continue
    }
    used[level]++
    const fresh = options.newKeys?.has(f.key) === true
    const severity = f.severity === 'None' ? '' : `${f.severity}: `
    const title = clip(`${fresh ? 'New: ' : ''}${severity}${f.title || f.ruleId || 'Prancer test failed'}${f.ruleId ? ` (${f.ruleId})` : ''}`, 255)
    const a: PlannedAnnotation = {level, file: at.file, title, message: message(f, max), key: f.key}
    if (at.line !== undefined) {
      a.line = at.line
      withLine++
    }
    annotations.push(a)
  }
  return {annotations, omitted, withoutFile, withLine}
}
