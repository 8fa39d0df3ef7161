// The job summary, as Markdown (GitHub renders it on the run page and in pull-request checks).
// Pure: built from the job result and the uploaded artifacts; src/action/main.ts hands it to core.summary.

import type {ExportJobResult, RunningOutput} from '../jobs/export/types.ts'
import type {FileEntry, Manifest} from '../artifact/manifest.ts'
import {escapeMarkdown} from '../summary/markdown.ts'
import {formatBytes} from '../common/format.ts'

export interface SummaryArtifact {
  name: string
  id: number
  size: number
  digest: string
  url: string
}

export interface SummaryInput {
  result: ExportJobResult
  outputsArtifact: SummaryArtifact | null
  logsArtifact: SummaryArtifact | null
  /** Where the files were kept on disk (upload: false, or the `path` input). */
  keptPath: string | null
  /** How the window's start was chosen, e.g. `auto: artifact "x" from run 12`. */
  sinceLabel: string
  /** The sets committed to the `store`, as URLs. */
  stored?: {outputs: string; logs: string | null}
  warnings: string[]
  notices: string[]
}

/** Whether an artifact of this run exists after a failure: `unknown` when it could be neither deleted nor listed. */
export type ArtifactState = 'absent' | 'present' | 'unknown'

/** What a failed run left on the artifact service (src/action/main.ts keeps it up to date while uploading). */
export interface UploadState {
  outputsName: string
  logsName: string
  outputs: ArtifactState
  logs: ArtifactState
}

export interface FailureSummaryInput {
  message: string
  upload: UploadState | null
  /** The step was cancelled (SIGINT/SIGTERM), not failed. */
  cancelled?: boolean
  warnings: string[]
}

// Long lists are cut so the summary stays readable (and far below GitHub's 1 MiB limit).
const RUNNING_LISTED = 20
const LOG_RUNS_LISTED = 50

/** Text from the database or a file, made inert for a Markdown table cell or inline text (src/summary/markdown.ts). */
export const cell = (text: string): string => escapeMarkdown(text)

/** Data (names, paths, messages) in a code span, inert. */
function code(text: string): string {
  return `<code>${cell(text)}</code>`
}


function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().replace('T', ' ').replace('Z', ' UTC')} (${ms})`
}

function formatWindow(manifest: Manifest): string {
  const w = manifest.window
  if (w === undefined) return 'all documents'
  const previous = manifest.previousWatermark
  const excluded = typeof manifest.excludedIds === 'number' ? manifest.excludedIds : 0
  // A chained window starts L before the watermark; the ids exported there already are excluded.
  const from =
    manifest.windowKind === 'chained' && typeof previous === 'number'
      ? `continuing after watermark ${formatTime(previous)} (re-checking the last ${w.lookbackMs} ms, ${plural(excluded, 'id')} excluded)`
      : w.after === null
        ? 'from the first document'
        : `after ${formatTime(w.after)}`
  const to = w.through === null ? 'no document exported yet' : `up to ${formatTime(w.through)}`
  return `${from}, ${to}`
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`
}

function artifactLine(artifact: SummaryArtifact | null, keptPath: string | null, subdir: string): string {
  if (artifact !== null) {
    // The full digest is in the step outputs; a prefix is enough to recognise it here.
    return `[${cell(artifact.name)}](${artifact.url}) · ${formatBytes(artifact.size)} zip · sha256 <code>${artifact.digest.slice(0, 12)}…</code>`
  }
  return keptPath === null ? 'not uploaded' : `not uploaded; files in ${code(`${keptPath}/${subdir}`)}`
}

function filesTable(files: FileEntry[]): string[] {
  if (files.length === 0) return []
  const lines = ['| File | Documents | Size | sha256 |', '| --- | ---: | ---: | --- |']
  for (const f of files) {
    lines.push(`| ${code(f.path)} | ${f.documents} | ${formatBytes(f.bytes)} | <code>${f.sha256}</code> |`)
  }
  return lines
}

const RUN_STATE_LABEL: Record<RunningOutput['state'], string> = {
  running: 'still running',
  'snapshot-mode': 'SNAPSHOT mode',
  ended: 'ended',
  unknown: 'unknown'
}

/**
 * What is safe to do after a failure, from what exists. The outputs artifact carries the watermark: when it exists it
 * is complete (the service finalizes an artifact only with its size and sha256), the next since: auto run continues
 * after it, and deleting it then would drop this run's documents from the chain. So it is never advised to delete it.
 */
function uploadAdvice(upload: UploadState | null): string[] {
  const logs = upload === null || upload.logs === 'absent' ? [] : [upload.logsName]
  if (upload === null || (upload.outputs === 'absent' && logs.length === 0)) {
    return ['Nothing from this run is uploaded and the watermark did not advance: the next run exports these documents again.']
  }
  const list = (names: string[]) => ['', ...names.map(name => `- ${code(name)}`)]
  if (upload.outputs === 'present') {
    return [
      `The outputs artifact ${code(upload.outputsName)} exists: it is complete and carries this run's watermark, so the next \`since: auto\` run continues after it. **Keep it**${logs.length > 0 ? ` and ${code(upload.logsName)}` : ''}; deleting it would lose this run's documents once the next run has continued after it.`
    ]
  }
  if (upload.outputs === 'unknown') {
    return [
      'Whether this run\'s outputs artifact exists could not be found out (deleting and listing failed). Look at the run\'s artifacts:',
      '',
      `- if ${code(upload.outputsName)} exists, **keep it**${logs.length > 0 ? ` and ${code(upload.logsName)}` : ''}: it is complete, and the next \`since: auto\` run continues after it;`,
      `- if it does not, the watermark did not advance and the next run exports these documents again${logs.length > 0 ? `; ${code(upload.logsName)} may then be deleted` : ''}.`
    ]
  }
  return [
    'The watermark did not advance (this run has no outputs artifact), so the next run exports these documents again. This logs artifact of the run could not be deleted; it is harmless, delete it or keep it:',
    ...list(logs)
  ]
}

/** The summary of a successful export. */
export function renderSummary(input: SummaryInput): string {
  const {outputs, logs, settings} = input.result
  const r = outputs.results
  const totalResults = r.passed + r.failed + r.skipped + r.other
  const out: string[] = []

  out.push(`## Prancer results exported: ${plural(outputs.documents, 'document')} from ${code(`${outputs.database}.${outputs.collection}`)}`)
  out.push('')
  if (totalResults > 0) {
    const parts = [`**${r.failed} failed**`, `${r.passed} passed`]
    if (r.skipped > 0) parts.push(`${r.skipped} skipped`)
    if (r.other > 0) parts.push(`${r.other} other`)
    out.push(`${r.failed > 0 ? '❌' : '✅'} Test results in these documents: ${parts.join(' · ')}`)
    out.push('')
  } else if (outputs.documents === 0) {
    out.push(outputs.collectionExists ? 'No new output documents since the previous export.' : `The collection ${code(outputs.collection)} does not exist.`)
    out.push('')
  }
  const unfinished = outputs.running.filter(r => r.state !== 'snapshot-mode').length
  if (unfinished > 0) {
    out.push(`⚠️ ${plural(unfinished, 'output document')} still had <code>json.status: Running</code> when exported (see below).`)
    out.push('')
  }

  out.push('| | |', '| --- | --- |')
  out.push(`| Database | ${code(outputs.database)} |`)
  out.push(`| Collection | ${code(outputs.collection)} |`)
  out.push(`| Window (<code>timestamp</code>) | ${formatWindow(outputs.manifest)} |`)
  out.push(`| Start chosen by | ${cell(input.sinceLabel)} |`)
  out.push(`| Documents | ${outputs.documents} |`)
  const bytes = outputs.files.reduce((n, f) => n + f.bytes, 0)
  out.push(`| Bytes | ${bytes}${bytes >= 1024 ? ` (${formatBytes(bytes)})` : ''} |`)
  out.push(`| Outputs artifact | ${artifactLine(input.outputsArtifact, input.keptPath, 'outputs')} |`)
  out.push(`| Logs artifact | ${artifactLine(input.logsArtifact, input.keptPath, 'logs')} |`)
  if (input.stored !== undefined) {
    out.push(`| Outputs in the store | ${code(input.stored.outputs)} |`)
    out.push(`| Logs in the store | ${input.stored.logs === null ? 'none (no log runs)' : code(input.stored.logs)} |`)
  }
  out.push(`| Connection string from | ${settings.uriSource} |`)
  out.push('')
  out.push(...filesTable(outputs.files))
  if (outputs.files.length > 0) out.push('')

  out.push('### Logs')
  out.push('')
  if (logs.runs.length === 0) {
    out.push(`No logs exported${logs.reason ? `: ${cell(logs.reason)}` : '.'}`)
  } else {
    out.push(`${plural(logs.runs.length, 'run')} from ${code(logs.database ?? '')}:`)
    out.push('')
    out.push('| Run | Layout | Documents | File |', '| --- | --- | ---: | --- |')
    for (const run of logs.runs.slice(0, LOG_RUNS_LISTED)) {
      const layout = run.layout === 'documents' ? 'chunks in <code>logs</code>' : 'own collection (legacy)'
      out.push(`| ${code(run.name)} | ${layout} | ${run.documents} | ${code(run.file)} |`)
    }
    if (logs.runs.length > LOG_RUNS_LISTED) out.push(`| … and ${logs.runs.length - LOG_RUNS_LISTED} more | | | |`)
  }
  out.push('')

  if (outputs.running.length > 0) {
    out.push(`### <code>json.status: Running</code>`)
    out.push('')
    out.push('Exported with status Running. What Prancer\'s logs say of each run: **still running** (the exported copy may lack results added later), **SNAPSHOT mode** (finished; `prancer --db SNAPSHOT` never marks outputs Completed), **ended** (finished without completing it, e.g. an error) or **unknown** (no database logs).')
    out.push('')
    out.push('| Name | Container | Run | _id |', '| --- | --- | --- | --- |')
    for (const doc of outputs.running.slice(0, RUNNING_LISTED)) {
      out.push(`| ${cell(doc.name)} | ${cell(doc.container)} | ${RUN_STATE_LABEL[doc.state]} | ${code(doc.id)} |`)
    }
    if (outputs.running.length > RUNNING_LISTED) out.push(`| … and ${outputs.running.length - RUNNING_LISTED} more | | | |`)
    out.push('')
  }

  const remarks = [...input.warnings.map(w => `⚠️ ${cell(w)}`), ...input.notices.map(n => `ℹ️ ${cell(n)}`)]
  if (remarks.length > 0) {
    out.push('### Warnings and notices')
    out.push('')
    for (const remark of remarks) out.push(`- ${remark}`)
    out.push('')
  }
  return out.join('\n')
}

/** The summary of a failed run: what went wrong, and what of it stayed uploaded. */
export function renderFailureSummary(input: FailureSummaryInput): string {
  const out = [`## ❌ Prancer export ${input.cancelled ? 'cancelled' : 'failed'}`, '', `> ${cell(input.message)}`, '']
  out.push(...uploadAdvice(input.upload))
  out.push('')
  if (input.warnings.length > 0) {
    out.push('### Warnings', '')
    for (const w of input.warnings) out.push(`- ⚠️ ${cell(w)}`)
    out.push('')
  }
  return out.join('\n')
}
