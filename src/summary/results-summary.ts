// The results part of the job summary (Markdown, GitHub-flavoured), results first: what failed and what to fix.
// The action puts it above the export details of src/summary/export-summary.ts (renderSummary), in the same step summary.
//
// Entry points
//   renderResultsSummary(input: ResultsSummaryInput): string
//   escapeMarkdown(text, maxLength?): string     database text made inert (see below)
//   SUMMARY_BYTE_BUDGET                          default bound of the rendered text (500,000 bytes)
//
// Layout:
//   ## ❌ Prancer: N failed · M passed · …                         (✅ when nothing failed)
//   **🆕 N new failures in this pull request** · still failing · fixed, compared with <baseline>
//     (or: no baseline to compare with, so every failure counts as new)
//   🚫 / ✅ the fail-on decision, when one was made
//   ### Failed results: counts per severity, then ONE table, most severe first (new ones first within a
//     severity): Severity | Title and rule (title; rule id and Prancer's message below it) | Resource (and the
//     container when there are several) | File (:line when known) | Remediation
//     cut after `maxFailedRows` rows or its byte share, with "… N more failed results" and the artifact link
//   ### By container (only with several containers): failed / new / passed / skipped per container
//   <details> fixed since the baseline, passed, skipped and other results (each list cut likewise)
//   notes: annotations left out (GitHub shows 10 per level and step), results outside the repository,
//     documents still Running, superseded and unreadable results
//
// Everything from the database goes through escapeMarkdown: line breaks become spaces; & < > " ' \ ` * _ [ ] |
// ~ : @ $ # become numeric character references, so no text can open HTML, emphasis, code, a table cell, a link
// or image (`[`, `]`), an autolink (`:` of a scheme, `@` of an address, `www.`), a mention, an issue reference,
// an emoji shortcode or math; bidirectional-override characters are removed. Each cell is clipped first, so
// the size of a row is bounded, and the whole text stays under `maxBytes` whatever the data (GitHub's step
// summary limit is 1 MiB; the export details below need room too).

import {compareFindings, type BaselineComparison, type FailDecision, type FailPolicy} from '../results/baseline.ts'
import type {AnnotationPlan} from './annotations.ts'
import type {FindingLocation} from '../results/locate.ts'
import type {Finding, ResultCounts, ResultSet, Severity} from '../results/model.ts'
import {escapeMarkdown} from './markdown.ts'

export {escapeMarkdown}

export const SUMMARY_BYTE_BUDGET = 500_000

export interface ResultsSummaryInput {
  results: ResultSet
  /** A baseline comparison, when one was asked for (hasBaseline false: none was found). */
  comparison?: BaselineComparison
  /** What the baseline was, e.g. `artifact "prancer-outputs-…" from run 41 on main`. */
  baselineLabel?: string
  /** Why there is no baseline, e.g. `no outputs artifact from the base branch main`. */
  noBaselineReason?: string
  /** The outputs artifact's page: "all results are in the artifact". Only https URLs are linked. */
  artifactUrl?: string | null
  /** File and line per finding key (locateFindings), shown as file:line. */
  locations?: Map<string, FindingLocation>
  annotations?: AnnotationPlan
  decision?: {policy: FailPolicy; result: FailDecision}
  /** Bound of the whole text in UTF-8 bytes (default SUMMARY_BYTE_BUDGET). */
  maxBytes?: number
  /** Failed results listed at most (default 150). */
  maxFailedRows?: number
  /** Passed / skipped / fixed results listed at most, each (default 50). */
  maxOtherRows?: number
}

const SEVERITY_ICON: Record<Severity, string> = {High: '🔴', Medium: '🟠', Low: '🟡', None: '⚪'}
const SEVERITY_LABEL: Record<Severity, string> = {High: 'High', Medium: 'Medium', Low: 'Low', None: 'not set'}

// Clip lengths (characters of the original text) per cell.
const CLIP = {title: 160, message: 240, rule: 80, resource: 100, file: 160, remediation: 240, container: 80, label: 300}

function code(text: string, max: number): string {
  return text === '' ? '' : `<code>${escapeMarkdown(text, max)}</code>`
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`
}

function safeUrl(url: string | null | undefined): string | null {
  return typeof url === 'string' && /^https:\/\/[^\s<>()"'`\\[\]]+$/.test(url) ? url : null
}

function artifactRef(url: string | null): string {
  return url === null ? 'the outputs artifact' : `the [outputs artifact](${url})`
}

function countsLine(c: ResultCounts): string {
  const parts = [`**${c.failed.toLocaleString('en-US')} failed**`, `${c.passed.toLocaleString('en-US')} passed`]
  if (c.skipped > 0) parts.push(`${c.skipped.toLocaleString('en-US')} skipped`)
  if (c.other > 0) parts.push(`${c.other.toLocaleString('en-US')} other`)
  return parts.join(' · ')
}

function resourceText(f: Finding): string {
  const types = f.resource.resourceTypes
  const shown = types.length > 2 ? `${types.slice(0, 2).join(', ')} +${types.length - 2}` : types.join(', ')
  if (shown && f.resource.type) return `${shown} (${f.resource.type})`
  return shown || f.resource.type || f.resource.structure
}

/** The resource, and the container it is in when the results span several. */
function resourceCell(f: Finding, withContainer: boolean): string {
  const resource = escapeMarkdown(resourceText(f), CLIP.resource)
  if (!withContainer) return resource
  return `${resource}${resource ? '<br>' : ''}in ${code(f.container || '(none)', CLIP.container)}`
}

function fileCell(f: Finding, locations: Map<string, FindingLocation> | undefined): string {
  const at = locations?.get(f.key)
  const file = at?.file ?? f.resource.file ?? (f.resource.paths[0] || '')
  if (file === '') return ''
  const more = f.resource.files.length > 1 ? ` +${f.resource.files.length - 1}` : ''
  return `${code(`${file}${at?.line !== undefined ? `:${at.line}` : ''}`, CLIP.file)}${more}`
}

/**
 * Title, then the rule id and Prancer's message on the next line. The rule id lives in this wide cell: a
 * narrow column of its own makes browsers break ids like PR-WEB-S3-001 at every hyphen.
 */
function titleCell(f: Finding, isNew: boolean, note?: string): string {
  const title = escapeMarkdown(f.title || f.ruleId || f.testId || 'untitled test', CLIP.title)
  const rule = code(f.ruleId || f.testId, CLIP.rule)
  const detail = note ?? (f.message && f.message !== f.title ? escapeMarkdown(f.message, CLIP.message) : '')
  const second = [rule, detail].filter((x) => x !== '').join(' ')
  return `${isNew ? '🆕 ' : ''}**${title}**${second ? `<br>${second}` : ''}`
}

/** Accumulates lines while tracking the UTF-8 size. */
class Out {
  readonly lines: string[] = []
  bytes = 0
  push(...lines: string[]): void {
    for (const line of lines) {
      this.lines.push(line)
      this.bytes += Buffer.byteLength(line) + 1
    }
  }
}

/**
 * A table cut at `maxRows` rows or when it would pass `budget` bytes; the cut is said in a line after it.
 * Returns how many rows it listed.
 */
function table(out: Out, header: string[], rows: Iterable<string[]>, total: number, maxRows: number, budget: number, what: string, url: string | null): number {
  const start = out.bytes
  out.push(`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`)
  let listed = 0
  for (const cells of rows) {
    if (listed >= maxRows) break
    const line = `| ${cells.join(' | ')} |`
    if (out.bytes - start + Buffer.byteLength(line) + 1 > budget) break
    out.push(line)
    listed++
  }
  out.push('')
  if (listed < total) {
    out.push(`… and ${plural(total - listed, `more ${what}`, `more ${what}s`)} not listed here; all of them are in ${artifactRef(url)}.`, '')
  }
  return listed
}

function decisionLine(decision: {policy: FailPolicy; result: FailDecision}): string {
  const {policy, result} = decision
  const scope = policy.threshold === 'low' ? '' : ` at or above severity ${policy.threshold}`
  if (policy.failOn === 'never') return ''
  if (!result.fail) return `✅ fail-on ${code(policy.failOn, 20)}: nothing to fail on${scope}.`
  const n = result.reasons.length
  const what = policy.failOn === 'failure' ? plural(n, 'failed result') : plural(n, 'new failure')
  return `🚫 **This step fails** (fail-on ${code(policy.failOn, 20)}): ${what}${scope}.`
}

export function renderResultsSummary(input: ResultsSummaryInput): string {
  const maxBytes = input.maxBytes ?? SUMMARY_BYTE_BUDGET
  const maxFailedRows = input.maxFailedRows ?? 150
  const maxOtherRows = input.maxOtherRows ?? 50
  const url = safeUrl(input.artifactUrl)
  const {results, comparison} = input
  const newKeys = comparison?.newKeys
  const out = new Out()
  const c = results.counts
  const total = c.failed + c.passed + c.skipped + c.other
  const severalContainers = new Set([...results.containers, ...results.findings.map((f) => f.container)]).size > 1

  // Title and the answers a reviewer looks for first.
  out.push(`## ${c.failed > 0 ? '❌' : '✅'} Prancer: ${total === 0 ? 'no test results' : countsLine(c)}`, '')
  if (comparison !== undefined) {
    if (comparison.hasBaseline) {
      const n = comparison.newFailures.length
      const parts = [
        n > 0 ? `**🆕 ${plural(n, 'new failure')} in this pull request**` : '**No new failures in this pull request**',
        `${comparison.stillFailing.length.toLocaleString('en-US')} still failing`,
        `✅ ${comparison.fixed.length.toLocaleString('en-US')} fixed`
      ]
      const against = input.baselineLabel ? `, compared with ${escapeMarkdown(input.baselineLabel, CLIP.label)}` : ''
      out.push(`${parts.join(' · ')}${against}.`, '')
      if (comparison.notCompared > 0) {
        out.push(`${plural(comparison.notCompared, 'baseline failure')} in containers this run has no results for ${comparison.notCompared === 1 ? 'was' : 'were'} not compared.`, '')
      }
    } else {
      const why = input.noBaselineReason ? ` (${escapeMarkdown(input.noBaselineReason, CLIP.label)})` : ''
      out.push(`⚠️ No baseline to compare with${why}: every failure counts as new.`, '')
    }
  }
  if (input.decision !== undefined) {
    const line = decisionLine(input.decision)
    if (line) out.push(line, '')
  }

  // Failed results: one table, most severe first.
  const failed = results.findings.filter((f) => f.result === 'failed').sort((a, b) => compareFindings(a, b, newKeys))
  if (failed.length > 0) {
    const bySeverity = new Map<Severity, number>()
    for (const f of failed) bySeverity.set(f.severity, (bySeverity.get(f.severity) ?? 0) + 1)
    const severityParts = (['High', 'Medium', 'Low', 'None'] as const)
      .filter((s) => bySeverity.has(s))
      .map((s) => `${SEVERITY_ICON[s]} ${(bySeverity.get(s) ?? 0).toLocaleString('en-US')} ${s === 'None' ? 'without severity' : s}`)
    out.push('### Failed results', '', severityParts.join(' · '), '')
    const rows = (function* () {
      for (const f of failed) {
        yield [
          `${SEVERITY_ICON[f.severity]} ${SEVERITY_LABEL[f.severity]}`,
          titleCell(f, newKeys?.has(f.key) === true),
          resourceCell(f, severalContainers),
          fileCell(f, input.locations),
          escapeMarkdown(f.remediation, CLIP.remediation)
        ]
      }
    })()
    table(out, ['Severity', 'Title and rule', 'Resource', 'File', 'Remediation'], rows, failed.length, maxFailedRows, Math.floor(maxBytes * 0.55), 'failed result', url)
  }

  // Counts per container, when there are several.
  const containers = new Map<string, ResultCounts & {new: number}>()
  for (const name of results.containers) containers.set(name, {failed: 0, passed: 0, skipped: 0, other: 0, new: 0})
  for (const f of results.findings) {
    let row = containers.get(f.container)
    if (row === undefined) containers.set(f.container, (row = {failed: 0, passed: 0, skipped: 0, other: 0, new: 0}))
    row[f.result]++
    if (newKeys?.has(f.key)) row.new++
  }
  if (containers.size > 1) {
    out.push('### By container', '')
    const withNew = comparison !== undefined
    const header = ['Container', 'Failed', ...(withNew ? ['New'] : []), 'Passed', 'Skipped', 'Other']
    const sorted = [...containers].sort((a, b) => b[1].failed - a[1].failed || a[0].localeCompare(b[0]))
    const rows = sorted.map(([name, r]) => [code(name || '(none)', CLIP.container), String(r.failed), ...(withNew ? [String(r.new)] : []), String(r.passed), String(r.skipped), String(r.other)])
    table(out, header, rows, rows.length, 200, Math.floor(maxBytes * 0.05), 'container', url)
  }

  // Folded lists.
  const listBudget = Math.floor(maxBytes * 0.08)
  const simpleRow = (f: Finding, note?: string): string[] => [
    `${SEVERITY_ICON[f.severity]} ${SEVERITY_LABEL[f.severity]}`,
    titleCell(f, false, note ?? ''),
    resourceCell(f, severalContainers),
    fileCell(f, input.locations)
  ]
  const folded = (summary: string, list: Finding[], what: string, note?: (f: Finding) => string): void => {
    if (list.length === 0) return
    out.push('<details>', `<summary>${summary}</summary>`, '')
    const rows = (function* () {
      for (const f of list) yield simpleRow(f, note?.(f))
    })()
    table(out, ['Severity', 'Title and rule', 'Resource', 'File'], rows, list.length, maxOtherRows, listBudget, what, url)
    out.push('</details>', '')
  }
  if (comparison?.hasBaseline && comparison.fixed.length > 0) {
    const fixed = [...comparison.fixed].sort((a, b) => compareFindings(a.finding, b.finding))
    const how = new Map(fixed.map((x) => [x.finding.key, x.how === 'passed' ? `now ${escapeMarkdown(x.current?.resultText ?? 'passed', 40)}` : 'no longer reported']))
    folded(`✅ ${plural(fixed.length, 'failure')} fixed since the baseline`, fixed.map((x) => x.finding), 'fixed result', (f) => how.get(f.key) ?? '')
  }
  const bySeverity = (list: Finding[]): Finding[] => list.sort((a, b) => compareFindings(a, b))
  folded(`✅ ${plural(c.passed, 'passed result')}`, bySeverity(results.findings.filter((f) => f.result === 'passed')), 'passed result')
  folded(`⏭️ ${plural(c.skipped, 'skipped result')}`, bySeverity(results.findings.filter((f) => f.result === 'skipped')), 'skipped result', (f) => escapeMarkdown(f.message, CLIP.message))
  folded(`❔ ${plural(c.other, 'result')} neither passed, failed nor skipped`, bySeverity(results.findings.filter((f) => f.result === 'other')), 'other result', (f) => `result: ${escapeMarkdown(f.resultText, 40)}`)

  // Notes.
  const notes: string[] = []
  const plan = input.annotations
  if (plan !== undefined) {
    if (plan.omitted.total > 0) {
      notes.push(`${plural(plan.omitted.total, 'more failed result')} in repository files ${plan.omitted.total === 1 ? 'is' : 'are'} not annotated on the files (GitHub shows at most 10 annotations per level and step); ${plan.annotations.length === 1 ? 'the one annotated was chosen' : `the ${plan.annotations.length} annotated were chosen`} new failures first, then by severity.`)
    }
    if (plan.withoutFile > 0) notes.push(`${plural(plan.withoutFile, 'failed result')} ${plan.withoutFile === 1 ? 'is' : 'are'} not about a file in this repository, so ${plan.withoutFile === 1 ? 'it is' : 'they are'} listed here but not annotated.`)
  }
  if (results.running > 0) notes.push(`⚠️ ${plural(results.running, 'output document')} still had ${code('json.status: Running', 40)} when exported: ${results.running === 1 ? 'its' : 'their'} results may be incomplete.`)
  if (results.superseded > 0) notes.push(`${plural(results.superseded, 'older result')} of the same test and resource (from earlier runs in this export) ${results.superseded === 1 ? 'is' : 'are'} not counted; the newest one is.`)
  if (results.unreadable > 0) notes.push(`⚠️ ${plural(results.unreadable, 'document or result')} could not be read.`)
  if (notes.length > 0) {
    out.push('### Notes', '')
    for (const note of notes) out.push(`- ${note}`)
    out.push('')
  }

  // A last guard: the sections above are bounded by their shares, this only protects against a mistake.
  let text = out.lines.join('\n')
  if (Buffer.byteLength(text) > maxBytes) {
    text = `${Buffer.from(text).subarray(0, maxBytes - 200).toString('utf8').replace(/\uFFFD?[^\n]*$/, '')}\n\n… summary cut at ${maxBytes} bytes; all results are in ${artifactRef(url)}.\n`
  }
  return text
}
