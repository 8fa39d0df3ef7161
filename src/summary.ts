// The job summary, as Markdown (GitHub renders it on the run page and in pull-request checks).
// Pure: built from the job result and the uploaded artifacts; src/main.ts hands it to core.summary.

import type {ExportJobResult, FileEntry, Manifest, RunningOutput} from './job/types.ts'

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
  warnings: string[]
  notices: string[]
}

export interface FailureSummaryInput {
  message: string
  /** Artifacts of this run still uploaded after the failure (not deleted, or the failure came after the upload). */
  leftUploaded: string[]
  /** The outputs artifact, with the new watermark, is among them. */
  watermarkUploaded?: boolean
  warnings: string[]
}

// Long lists are cut so the summary stays readable (and far below GitHub's 1 MiB limit).
const RUNNING_LISTED = 20
const LOG_RUNS_LISTED = 50

/** Text for a Markdown table cell or inline text: no pipes, newlines or HTML. */
function cell(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|')
}

function code(text: string): string {
  return `<code>${cell(text)}</code>`
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`
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
    return `[${cell(artifact.name)}](${artifact.url}) · ${formatBytes(artifact.size)} zip · sha256 ${code(`${artifact.digest.slice(0, 12)}…`)}`
  }
  return keptPath === null ? 'not uploaded' : `not uploaded; files in ${code(`${keptPath}/${subdir}`)}`
}

function filesTable(files: FileEntry[]): string[] {
  if (files.length === 0) return []
  const lines = ['| File | Documents | Size | sha256 |', '| --- | ---: | ---: | --- |']
  for (const f of files) {
    lines.push(`| ${code(f.path)} | ${f.documents} | ${formatBytes(f.bytes)} | ${code(f.sha256)} |`)
  }
  return lines
}

const RUN_STATE_LABEL: Record<RunningOutput['state'], string> = {
  running: 'still running',
  'snapshot-mode': 'SNAPSHOT mode',
  ended: 'ended',
  unknown: 'unknown'
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
    out.push(`⚠️ ${plural(unfinished, 'output document')} still had ${code('json.status: Running')} when exported (see below).`)
    out.push('')
  }

  out.push('| | |', '| --- | --- |')
  out.push(`| Database | ${code(outputs.database)} |`)
  out.push(`| Collection | ${code(outputs.collection)} |`)
  out.push(`| Window (${code('timestamp')}) | ${cell(formatWindow(outputs.manifest))} |`)
  out.push(`| Start chosen by | ${cell(input.sinceLabel)} |`)
  out.push(`| Documents | ${outputs.documents} |`)
  const bytes = outputs.files.reduce((n, f) => n + f.bytes, 0)
  out.push(`| Bytes | ${bytes}${bytes >= 1024 ? ` (${formatBytes(bytes)})` : ''} |`)
  out.push(`| Outputs artifact | ${artifactLine(input.outputsArtifact, input.keptPath, 'outputs')} |`)
  out.push(`| Logs artifact | ${artifactLine(input.logsArtifact, input.keptPath, 'logs')} |`)
  out.push(`| Connection string from | ${cell(settings.uriSource)} |`)
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
      const layout = run.layout === 'documents' ? `chunks in ${code('logs')}` : 'own collection (legacy)'
      out.push(`| ${code(run.name)} | ${layout} | ${run.documents} | ${code(run.file)} |`)
    }
    if (logs.runs.length > LOG_RUNS_LISTED) out.push(`| … and ${logs.runs.length - LOG_RUNS_LISTED} more | | | |`)
  }
  out.push('')

  if (outputs.running.length > 0) {
    out.push(`### ${code('json.status: Running')}`)
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
  const out = ['## ❌ Prancer export failed', '', `> ${cell(input.message)}`, '']
  if (input.leftUploaded.length === 0) {
    out.push('Nothing from this run is uploaded and the watermark did not advance: the next run exports these documents again.')
  } else if (input.watermarkUploaded === true) {
    out.push('The failure came after the upload. These artifacts of this run stay uploaded, and the outputs artifact carries the new watermark, so the next `since: auto` run continues after it:')
    out.push('')
    for (const name of input.leftUploaded) out.push(`- ${code(name)}`)
  } else {
    out.push('The watermark did not advance, but these artifacts of this run could not be deleted; delete them by hand:')
    out.push('')
    for (const name of input.leftUploaded) out.push(`- ${code(name)}`)
  }
  out.push('')
  if (input.warnings.length > 0) {
    out.push('### Warnings', '')
    for (const w of input.warnings) out.push(`- ⚠️ ${cell(w)}`)
    out.push('')
  }
  return out.join('\n')
}
