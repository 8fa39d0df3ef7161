// `prancer-db-artifacts report`: Prancer's test results from an export, on a terminal or as a Markdown, SARIF or
// JUnit file, with new failures against a baseline export and an exit code for gating (GitLab, Jenkins, cron).
//
// Entry point (wired into src/cli/main.ts's dispatcher as the `report` command):
//   reportCommand(args: string[], ctx: ReportContext): Promise<number>
//     args: the arguments after `report`; returns the exit code (never calls process.exit)
//   REPORT_HELP: the command's help text
//
// Exit codes: 0 done (EXIT_OK), 1 the input could not be read or the output not written (EXIT_FAILURE),
// 2 usage (EXIT_USAGE), 4 the results meet --fail-on (EXIT_RESULTS_FAILED): the report is still written first.

import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {parseArgs} from 'node:util'
import packageJson from '../../package.json' with {type: 'json'}
import {planAnnotations} from '../summary/annotations.ts'
import {
  compareFindings,
  compareWithBaseline,
  decideFailure,
  parseFailOn,
  parseSeverityThreshold,
  type BaselineComparison,
  type FailDecision,
  type FailPolicy
} from '../results/baseline.ts'
import {buildJUnit} from '../summary/junit.ts'
import {locateFindings, type FindingLocation} from '../results/locate.ts'
import {readResults, type Finding, type ResultSet} from '../results/model.ts'
import {buildSarif, serializeSarif} from '../summary/sarif.ts'
import {renderResultsSummary} from '../summary/results-summary.ts'
import {EXIT_OK, EXIT_RESULTS_FAILED, EXIT_USAGE, exitCodeOf} from './exit-codes.ts'
import {InputError, RefusedError, UsageError, errorMessage} from '../common/errors.ts'
import {NAME} from './command.ts'
import {createCliLogger} from './output.ts'
import {CLI_SET_NAMES, openCliStore, setName, storeFlagOptions} from './store-flags.ts'
import {downloadNewestSet} from '../artifact/newest-set.ts'
import {isStoreUrl} from '../artifact/stores/store-url.ts'

export interface ReportContext {
  stdout(text: string): void
  stderr(text: string): void
  cwd: string
  env: Record<string, string | undefined>
}

const FORMATS = ['text', 'markdown', 'sarif', 'junit'] as const
type Format = (typeof FORMATS)[number]

export const REPORT_HELP = `Usage: ${NAME} report PATH [options]

Prancer's test results from an export: the failed results on the terminal, or a Markdown summary, a SARIF
2.1.0 log (GitHub code scanning) or JUnit XML (GitLab artifacts:reports:junit, Jenkins). PATH is an export
directory ('export --out', or a downloaded outputs artifact), its manifest.json, an artifact .zip or an
exported .json file.

Options:
  --baseline PATH|URL         an earlier export of the same scan (e.g. the base branch's outputs artifact):
                              failures are marked new or still failing, and fixed ones are listed. A store
                              URL (s3://, az://, gs://, file:///) means the newest outputs set of
                              --baseline-name there (default prancer-outputs)
  --baseline-name NAME        with a store URL: the outputs set's name
  --format FORMAT             text (default) | markdown | sarif | junit
  --output FILE               write the report to FILE instead of stdout (stdout then gets the counts)
  --workspace DIR             the repository root, for repository-relative file paths and resource lines
                              (default: $GITHUB_WORKSPACE, else the current directory)
  --fail-on WHEN              never (default) | failure | new-failure: exit ${EXIT_RESULTS_FAILED} when there is a failed result
                              (failure) or a new one (new-failure; without --baseline every failure is new)
  --severity-threshold LEVEL  low (default) | medium | high: only failures at or above it count for --fail-on
                              (a result without severity counts only at low)
  --artifact-url URL          markdown: where "all results" links to
  --help                      show this help

Exit codes:
  0  the report was written (and --fail-on found nothing)
  1  the export or baseline could not be read, or the output not written
  2  usage error
  ${EXIT_RESULTS_FAILED}  the report was written and the results meet --fail-on
`

const options = {
  baseline: {type: 'string'},
  'baseline-name': {type: 'string'},
  ...storeFlagOptions,
  format: {type: 'string'},
  output: {type: 'string'},
  workspace: {type: 'string'},
  'fail-on': {type: 'string'},
  'severity-threshold': {type: 'string'},
  'artifact-url': {type: 'string'},
  help: {type: 'boolean'}
} as const

// C0/C1 controls (ANSI escapes), bidi overrides: database text must not drive the terminal.
const UNSAFE_TERMINAL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g

function clean(text: string): string {
  return text.replace(/\r\n|\r|\n|\t/g, ' ').replace(UNSAFE_TERMINAL, '')
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`
}

function countsLine(results: ResultSet): string {
  const c = results.counts
  const parts = [`${c.failed} failed`, `${c.passed} passed`]
  if (c.skipped > 0) parts.push(`${c.skipped} skipped`)
  if (c.other > 0) parts.push(`${c.other} other`)
  const containers = results.containers.length === 1 ? `container ${clean(results.containers[0] || '(none)')}` : plural(results.containers.length, 'container')
  return `Prancer results: ${parts.join(' · ')} (${plural(results.outputDocuments, 'output document')}, ${containers})`
}

function comparisonLine(comparison: BaselineComparison | undefined): string | null {
  if (comparison === undefined) return null
  if (!comparison.hasBaseline) return 'No baseline: every failure counts as new.'
  return `Against the baseline: ${plural(comparison.newFailures.length, 'new failure')} · ${comparison.stillFailing.length} still failing · ${comparison.fixed.length} fixed`
}

function textReport(results: ResultSet, comparison: BaselineComparison | undefined, locations: Map<string, FindingLocation>): string {
  const lines = [countsLine(results)]
  const compared = comparisonLine(comparison)
  if (compared) lines.push(compared)
  if (results.running > 0) lines.push(`warning: ${plural(results.running, 'output document')} still Running when exported; results may be incomplete`)
  if (results.superseded > 0) lines.push(`${plural(results.superseded, 'older result')} of the same test and resource not counted (the newest is)`)
  for (const w of results.warnings) lines.push(`warning: ${clean(w)}`)
  const failed = results.findings.filter((f) => f.result === 'failed').sort((a, b) => compareFindings(a, b, comparison?.newKeys))
  if (failed.length > 0) lines.push('')
  for (const f of failed) {
    const severity = (f.severity === 'None' ? '-' : f.severity.toUpperCase()).padEnd(6)
    const isNew = comparison?.newKeys.has(f.key) ? '  [new]' : ''
    lines.push(`${severity}  ${clean(f.ruleId || f.testId)}  ${clean(f.title || '(untitled)')}${isNew}`)
    const at = locations.get(f.key)
    const file = at ? `${at.file}${at.line !== undefined ? `:${at.line}` : ''}` : (f.resource.file ?? f.resource.paths.join(', '))
    const where = [file, f.resource.resourceTypes.join(', ') || f.resource.type, f.container ? `container ${f.container}` : ''].filter((s) => s !== '')
    if (where.length > 0) lines.push(`        ${clean(where.join(' · '))}`)
    if (f.message) lines.push(`        ${clean(f.message)}`)
    if (f.remediation) lines.push(`        Fix: ${clean(f.remediation)}`)
  }
  if (comparison?.hasBaseline && comparison.fixed.length > 0) {
    lines.push('', `Fixed since the baseline (${comparison.fixed.length}):`)
    for (const x of comparison.fixed) {
      const f = x.finding
      lines.push(`  ${clean(f.ruleId || f.testId)}  ${clean(f.title)}  ${clean(f.resource.file ?? '')}  (${x.how === 'passed' ? `now ${clean(x.current?.resultText ?? 'passed')}` : 'no longer reported'})`)
    }
  }
  return `${lines.join('\n')}\n`
}

async function load(path: string, what: string, workspace: string): Promise<ResultSet> {
  try {
    return await readResults(path, {workspace})
  } catch (error) {
    throw new InputError(`${what}: ${(error as Error).message}`, {cause: error})
  }
}

export async function reportCommand(args: string[], ctx: ReportContext): Promise<number> {
  try {
    return await run(args, ctx)
  } catch (error) {
    const code = exitCodeOf(error)
    ctx.stderr(`error: ${errorMessage(error)}\n${code === EXIT_USAGE ? `Run '${NAME} report --help' for usage.\n` : ''}`)
    return code
  }
}

async function run(args: string[], ctx: ReportContext): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({args, options, allowPositionals: true, strict: true})
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const {values, positionals} = parsed
  if (values.help) {
    ctx.stdout(REPORT_HELP)
    return EXIT_OK
  }
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'report needs the PATH of an export' : `report takes one PATH, got ${positionals.length}`)
  const format = (values.format ?? 'text') as Format
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be text, markdown, sarif or junit, not "${values.format}"`)
  const policy: FailPolicy = {failOn: parseFailOn(values['fail-on']), threshold: parseSeverityThreshold(values['severity-threshold'])}
  if (values['fail-on'] !== undefined && values['fail-on'].trim() === '') throw new UsageError('--fail-on needs a value')
  const workspace = resolve(ctx.cwd, values.workspace ?? (ctx.env.GITHUB_WORKSPACE || '.'))

  const results = await load(resolve(ctx.cwd, positionals[0]!), positionals[0]!, workspace)
  let comparison: BaselineComparison | undefined
  if (values.baseline !== undefined) {
    const baseline = isStoreUrl(values.baseline)
      ? await loadFromStore(values.baseline, values, ctx, workspace)
      : await load(resolve(ctx.cwd, values.baseline), `--baseline ${values.baseline}`, workspace)
    comparison = compareWithBaseline(results, baseline)
  }
  const decision: FailDecision = decideFailure(results, comparison ?? null, policy)
  const failed: Finding[] = results.findings.filter((f) => f.result === 'failed')
  const locations = format === 'junit' ? new Map<string, FindingLocation>() : locateFindings(failed, {workspace})

  let report: string
  switch (format) {
    case 'text':
      report = textReport(results, comparison, locations)
      break
    case 'markdown': {
      const input: Parameters<typeof renderResultsSummary>[0] = {
        results,
        locations,
        annotations: planAnnotations(results.findings, locations, comparison ? {newKeys: comparison.newKeys} : {}),
        artifactUrl: values['artifact-url'] ?? null
      }
      if (comparison !== undefined) {
        input.comparison = comparison
        input.baselineLabel = values.baseline!
      }
      if (policy.failOn !== 'never') input.decision = {policy, result: decision}
      report = renderResultsSummary(input)
      break
    }
    case 'sarif': {
      const sarifOptions: Parameters<typeof buildSarif>[1] = {locations, toolVersion: packageJson.version}
      if (comparison !== undefined) {
        sarifOptions.compared = comparison.hasBaseline
        sarifOptions.newKeys = comparison.newKeys
      }
      const built = buildSarif(results.findings, sarifOptions)
      report = serializeSarif(built.log)
      if (built.withoutLocation > 0) {
        ctx.stderr(`notice: ${plural(built.withoutLocation, 'failed result')} not about a file in ${workspace} ${built.withoutLocation === 1 ? 'is' : 'are'} not in the SARIF (code scanning needs a repository location)\n`)
      }
      break
    }
    case 'junit':
      report = buildJUnit(results.findings, comparison ? {newKeys: comparison.newKeys} : {})
      break
  }

  if (values.output !== undefined) {
    const target = resolve(ctx.cwd, values.output)
    try {
      await mkdir(dirname(target), {recursive: true})
      await writeFile(target, report)
    } catch (error) {
      throw new RefusedError(`--output ${values.output}: ${(error as Error).message}`, {cause: error})
    }
    const lines = [countsLine(results)]
    const compared = comparisonLine(comparison)
    if (compared) lines.push(compared)
    lines.push(`${format} report written to ${target}`)
    ctx.stdout(`${lines.join('\n')}\n`)
  } else {
    ctx.stdout(report)
  }
  if (decision.fail) {
    ctx.stderr(`${clean(decision.message.split('\n')[0]!)}\n${decision.message.split('\n').slice(1).map(clean).join('\n')}\n`)
    return EXIT_RESULTS_FAILED
  }
  return EXIT_OK
}

/** The newest outputs set of --baseline-name in the store --baseline names, downloaded and read. */
async function loadFromStore(url: string, values: {'baseline-name'?: string | undefined; endpoint?: string | undefined; 'path-style'?: string | undefined}, ctx: ReportContext, workspace: string): Promise<ResultSet> {
  // Only warnings and errors: the report itself goes to stdout.
  const logger = createCliLogger({write: text => ctx.stderr(text), isTTY: false}, true)
  const opened = await openCliStore(url, '--baseline', 'read', values, ctx.env, logger)
  const dir = await mkdtemp(join(tmpdir(), 'prancer-baseline-'))
  try {
    const name = setName(values['baseline-name'], CLI_SET_NAMES.outputs)
    const newest = await downloadNewestSet(opened.sets, {name, kind: 'outputs', dir})
    if (newest === null) throw new InputError(`--baseline: ${opened.sets.label} holds no outputs set named "${name}"`)
    return await load(dir, `--baseline ${opened.sets.locationOf(newest.set)}`, workspace)
  } finally {
    opened.objects.close()
    await rm(dir, {recursive: true, force: true})
  }
}
