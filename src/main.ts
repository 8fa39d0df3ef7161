// The action: inputs → (since: auto) previous manifest → the export job → uploads → outputs and
// summary. The export itself is runExportJob (src/job/export-job.ts); nothing here re-implements it.

import * as core from '@actions/core'
import {mkdir, mkdtemp, readdir, rename, rm} from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import {runExportJob} from './job/export-job.ts'
import type {ExportJobResult, FileEntry} from './job/types.ts'
import {MANIFEST_FILE, readManifest, TOOL_NAME} from './prancer/manifest.ts'
import {resolveSettings} from './prancer/settings.ts'
import {ALL_CONTAINERS, expandName, hasPerRunPlaceholder, nameFamilyPattern} from './naming.ts'
import type {NameValues} from './naming.ts'
import {renderFailureSummary, renderSummary} from './summary.ts'
import type {SummaryArtifact} from './summary.ts'
import {getInputs, InputError} from './action/inputs.ts'
import type {ActionInputs} from './action/inputs.ts'
import {createActionLogger} from './action/logger.ts'
import type {ActionLogger} from './action/logger.ts'
import {findPreviousExport} from './action/previous.ts'
import type {PreviousExport} from './action/previous.ts'
import {ArtifactNameConflictError, clampRetentionDays, createUploader} from './action/upload.ts'
import type {UploadedArtifact, Uploader} from './action/upload.ts'

type Env = Record<string, string | undefined>

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  return String(error)
}

function nameValues(env: Env, inputs: ActionInputs, database: string, collection: string): NameValues {
  return {
    run_id: env['GITHUB_RUN_ID'] || '0',
    run_attempt: env['GITHUB_RUN_ATTEMPT'] || '1',
    job: env['GITHUB_JOB'] || 'job',
    database,
    collection,
    container: inputs.container ?? ALL_CONTAINERS
  }
}

interface Uploaded {
  outputs: UploadedArtifact | null
  logs: UploadedArtifact | null
}

/**
 * Logs first, outputs last: the outputs artifact carries the watermark, so it must only exist when
 * everything else did. If it fails, the logs artifact is taken back, and so is an outputs artifact the
 * failed upload may have created (best effort; `stillUploaded` lists what exists at any moment).
 */
async function uploadBoth(
  uploader: Uploader,
  result: ExportJobResult,
  dirs: {outputs: string; logs: string},
  names: {outputs: string; logs: string},
  stillUploaded: string[],
  logger: ActionLogger
): Promise<Uploaded> {
  let logs: UploadedArtifact | null = null
  if (result.logs.runs.length > 0) {
    logs = await uploader.upload({input: 'logs-artifact-name', name: names.logs, rootDirectory: dirs.logs})
    stillUploaded.push(logs.name)
  } else {
    logger.info(`No logs artifact: ${result.logs.reason ?? 'no log runs were exported'}`)
  }
  try {
    const outputs = await uploader.upload({input: 'output-artifact-name', name: names.outputs, rootDirectory: dirs.outputs})
    stillUploaded.push(outputs.name)
    return {outputs, logs}
  } catch (error) {
    // A taken name belongs to another artifact of this run, never ours; after any other failure
    // (e.g. Finalize timing out after the service committed) ours may exist.
    if (!(error instanceof ArtifactNameConflictError) && (await uploader.removeIfPresent(names.outputs)) === 'failed') stillUploaded.push(names.outputs)
    if (logs !== null && (await uploader.removeIfPresent(logs.name)) !== 'failed') stillUploaded.splice(stillUploaded.indexOf(logs.name), 1)
    throw error
  }
}

const KEPT_DIRS = ['outputs', 'logs'] as const

/**
 * `path` may hold an earlier export (replaced) but nothing else: a sub-directory is replaced only when
 * empty or when its manifest.json was written by this tool. Checked before the export starts.
 */
async function checkKeptDirsReplaceable(target: string): Promise<void> {
  for (const sub of KEPT_DIRS) {
    const dir = path.join(target, sub)
    let entries: string[]
    try {
      entries = await readdir(dir)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue
      throw new Error(`Input 'path': ${dir} cannot be used for the export (${(error as Error).message}); choose another 'path'.`, {cause: error})
    }
    if (entries.length === 0) continue
    const manifest = await readManifest(path.join(dir, MANIFEST_FILE)).catch(() => null)
    if (manifest?.tool === TOOL_NAME) continue
    throw new Error(
      `Input 'path': ${dir} already exists and was not written by ${TOOL_NAME} (it has no ${MANIFEST_FILE} of this tool), ` +
        `so it is not replaced. Set 'path' to a new or empty directory, or remove ${dir}.`
    )
  }
}

interface KeptFiles {
  target: string
  /** Where the replaced earlier export waits (inside `path`, so every rename stays on one file system). */
  stash: string
  replaced: Set<string>
}

/** Moves the finished export (written inside `path`) into `path/outputs` and `path/logs`; what was there is stashed. */
async function keepFiles(result: ExportJobResult, target: string, stash: string): Promise<KeptFiles> {
  const kept: KeptFiles = {target, stash, replaced: new Set()}
  for (const [from, sub] of [
    [result.outputs.dir, 'outputs'],
    [result.logs.dir, 'logs']
  ] as const) {
    const to = path.join(target, sub)
    try {
      await rename(to, path.join(stash, `replaced-${sub}`))
      kept.replaced.add(sub)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    await rename(from, to)
  }
  return kept
}

/**
 * After a failed upload, `path` goes back to what it held before the step: a kept manifest would carry
 * a watermark that was never uploaded, and a later step reading it would skip documents.
 */
async function restoreKeptFiles(kept: KeptFiles): Promise<void> {
  for (const sub of KEPT_DIRS) {
    const to = path.join(kept.target, sub)
    await rm(to, {recursive: true, force: true})
    if (kept.replaced.has(sub)) await rename(path.join(kept.stash, `replaced-${sub}`), to)
  }
}

function fileList(result: ExportJobResult, uploaded: Uploaded, keptPath: string | undefined): unknown[] {
  const entry = (f: FileEntry, kind: 'outputs' | 'logs', artifact: UploadedArtifact | null) => ({
    kind,
    path: f.path,
    artifact: artifact?.name ?? null,
    localPath: keptPath === undefined ? null : path.join(keptPath, kind, f.path),
    database: f.database,
    collection: f.collection,
    documents: f.documents,
    bytes: f.bytes,
    sha256: f.sha256
  })
  return [...result.outputs.files.map(f => entry(f, 'outputs', uploaded.outputs)), ...result.logs.files.map(f => entry(f, 'logs', uploaded.logs))]
}

function asSummaryArtifact(a: UploadedArtifact | null): SummaryArtifact | null {
  return a === null ? null : {name: a.name, id: a.id, size: a.size, digest: a.digest, url: a.url}
}

export async function run(): Promise<void> {
  const env: Env = process.env
  const logger = createActionLogger()
  let scratch: string | undefined
  let keptScratch: string | undefined
  let summary: string | undefined
  let outputs: Record<string, string> | undefined
  let outputsUploaded = false
  const stillUploaded: string[] = []
  try {
    const inputs = getInputs(env, value => logger.secret(value))
    const scratchDir = await mkdtemp(path.join(env['RUNNER_TEMP'] || os.tmpdir(), 'prancer-db-artifacts-'))
    scratch = scratchDir
    const cwd = env['GITHUB_WORKSPACE'] || process.cwd()
    const retention = clampRetentionDays(inputs.retentionDays, env)
    if (retention.warning !== undefined) logger.warning(retention.warning)

    // Artifact names use {database} and {collection}, which come from config.ini; the job reuses these settings.
    const settings = await resolveSettings({configPath: inputs.configPath, mongodbUri: inputs.mongodbUri, env, cwd, logger})
    const values = nameValues(env, inputs, settings.database, settings.outputCollection)
    const outputsName = expandName(inputs.outputArtifactName, values)
    const logsName = expandName(inputs.logsArtifactName, values)
    if (inputs.upload && outputsName === logsName) {
      throw new InputError('logs-artifact-name', `expands to "${logsName}", the same name as output-artifact-name; the two artifacts need different names`)
    }
    let exportDir = path.join(scratchDir, 'export')
    if (inputs.path !== undefined) {
      await mkdir(inputs.path, {recursive: true})
      await checkKeptDirsReplaceable(inputs.path)
      keptScratch = await mkdtemp(path.join(inputs.path, `.${TOOL_NAME}-`))
      exportDir = path.join(keptScratch, 'export')
    }

    let previous: PreviousExport | null = null
    if (inputs.since.kind === 'auto') {
      previous = await logger.group('Find the previous export (since: auto)', () =>
        findPreviousExport(
          {
            token: inputs.githubToken,
            repository: env['GITHUB_REPOSITORY'],
            runId: Number(values.run_id),
            family: nameFamilyPattern(inputs.outputArtifactName, values),
            exactName: hasPerRunPlaceholder(inputs.outputArtifactName) ? undefined : outputsName,
            currentName: outputsName,
            downloadDir: path.join(scratchDir, 'previous')
          },
          logger
        )
      )
    }

    const result = await runExportJob({
      settings,
      configPath: inputs.configPath,
      mongodbUri: inputs.mongodbUri,
      since: inputs.since,
      previousManifest: previous?.manifest ?? null,
      ...(previous === null ? {} : {previousSource: `manifest of artifact "${previous.artifact.name}" from run ${previous.artifact.runId}`}),
      lookbackMs: inputs.lookbackMs,
      missingCollection: inputs.ifNoDocuments === 'ignore' ? 'notice' : 'warning',
      container: inputs.container,
      query: inputs.query,
      logs: inputs.logs,
      jsonFormat: inputs.jsonFormat,
      outDir: exportDir,
      env,
      cwd,
      logger
    })

    if (result.outputs.documents === 0) {
      const what = result.outputs.collectionExists
        ? `No output documents to export from ${result.outputs.database}.${result.outputs.collection} in this window`
        : `The output collection ${result.outputs.database}.${result.outputs.collection} does not exist`
      if (inputs.ifNoDocuments === 'error') throw new Error(`${what} (if-no-documents: error). Nothing was uploaded.`)
      const carryOn = inputs.upload ? '; uploading the empty export anyway, so the next run continues from its watermark' : ''
      // A missing collection was already reported by the job (a warning, or a notice under ignore).
      if (inputs.ifNoDocuments === 'warn' && result.outputs.collectionExists) logger.warning(`${what}${carryOn}.`)
      else logger.info(`${what}${carryOn} (if-no-documents: ${inputs.ifNoDocuments}).`)
    }

    // Kept files first: once the outputs artifact exists, nothing after it may fail.
    const dirs = {outputs: result.outputs.dir, logs: result.logs.dir}
    let kept: KeptFiles | undefined
    if (inputs.path !== undefined && keptScratch !== undefined) {
      kept = await keepFiles(result, inputs.path, keptScratch)
      dirs.outputs = path.join(inputs.path, 'outputs')
      dirs.logs = path.join(inputs.path, 'logs')
      logger.info(`Files written to ${inputs.path}`)
    }
    let uploaded: Uploaded = {outputs: null, logs: null}
    if (inputs.upload) {
      const uploader = createUploader(logger, {retentionDays: retention.days, compressionLevel: inputs.compressionLevel, overwrite: inputs.overwrite}, env)
      try {
        uploaded = await logger.group('Upload artifacts', () => uploadBoth(uploader, result, dirs, {outputs: outputsName, logs: logsName}, stillUploaded, logger))
      } catch (error) {
        if (kept !== undefined) {
          await restoreKeptFiles(kept).catch(restoreError =>
            logger.warning(`Could not put ${inputs.path} back as it was before this step; remove ${path.join(inputs.path!, 'outputs')} by hand: ${errorMessage(restoreError)}`)
          )
        }
        throw error
      }
      outputsUploaded = uploaded.outputs !== null
    }

    outputs = {
      'output-artifact-id': uploaded.outputs ? String(uploaded.outputs.id) : '',
      'output-artifact-url': uploaded.outputs?.url ?? '',
      'output-artifact-digest': uploaded.outputs?.digest ?? '',
      'logs-artifact-id': uploaded.logs ? String(uploaded.logs.id) : '',
      'logs-artifact-url': uploaded.logs?.url ?? '',
      'logs-artifact-digest': uploaded.logs?.digest ?? '',
      documents: String(result.outputs.documents),
      'log-runs': JSON.stringify(result.logs.runs.map(r => r.name)),
      watermark: result.outputs.watermark.value === null ? '' : String(result.outputs.watermark.value),
      files: JSON.stringify(fileList(result, uploaded, inputs.path))
    }
    summary = renderSummary({
      result,
      outputsArtifact: asSummaryArtifact(uploaded.outputs),
      logsArtifact: asSummaryArtifact(uploaded.logs),
      keptPath: inputs.path ?? null,
      sinceLabel: String(result.outputs.manifest.since),
      warnings: logger.warnings,
      notices: logger.notices
    })
  } catch (error) {
    const message = logger.redact(errorMessage(error))
    // setFailed writes the error annotation and sets the exit code.
    core.setFailed(message)
    summary = renderFailureSummary({message, leftUploaded: stillUploaded, watermarkUploaded: outputsUploaded, warnings: logger.warnings})
  } finally {
    if (scratch !== undefined) await rm(scratch, {recursive: true, force: true}).catch(() => undefined)
    if (keptScratch !== undefined) await rm(keptScratch, {recursive: true, force: true}).catch(() => undefined)
    if (outputs !== undefined) {
      for (const [name, value] of Object.entries(outputs)) core.setOutput(name, logger.redact(value))
    }
    // Outside a runner (e.g. a local run) there is no summary file to write to.
    if (summary !== undefined && env['GITHUB_STEP_SUMMARY']) {
      try {
        await core.summary.addRaw(logger.redact(summary), true).write()
      } catch (error) {
        core.warning(`Could not write the job summary: ${logger.redact(errorMessage(error))}`)
      }
    }
  }
}
