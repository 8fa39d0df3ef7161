// The action: inputs → (since: auto) previous manifest → the export job → uploads → outputs and
// summary. The export itself is runExportJob (src/job/export-job.ts); nothing here re-implements it.

import * as core from '@actions/core'
import {mkdir, mkdtemp, rename, rm} from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import {runExportJob} from './job/export-job.ts'
import type {ExportJobResult, FileEntry} from './job/types.ts'
import {resolveSettings} from './prancer/settings.ts'
import {ALL_CONTAINERS, expandName, hasPerRunPlaceholder, nameFamilyPattern} from './naming.ts'
import type {NameValues} from './naming.ts'
import {renderFailureSummary, renderSummary} from './summary.ts'
import type {SummaryArtifact} from './summary.ts'
import {getInputs} from './action/inputs.ts'
import type {ActionInputs} from './action/inputs.ts'
import {createActionLogger} from './action/logger.ts'
import type {ActionLogger} from './action/logger.ts'
import {findPreviousExport} from './action/previous.ts'
import type {PreviousExport} from './action/previous.ts'
import {clampRetentionDays, createUploader} from './action/upload.ts'
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

function describeSince(inputs: ActionInputs, previous: PreviousExport | null): string {
  switch (inputs.since.kind) {
    case 'all':
      return 'since: all (full export)'
    case 'time':
      return `since: ${new Date(inputs.since.ms).toISOString()} (${inputs.since.ms})`
    case 'auto':
      return previous === null
        ? 'since: auto; no earlier artifact, so a full export'
        : `since: auto; manifest of artifact "${previous.artifact.name}" from run ${previous.artifact.runId}`
  }
}

interface Uploaded {
  outputs: UploadedArtifact | null
  logs: UploadedArtifact | null
}

/**
 * Logs first, outputs last: the outputs artifact carries the watermark, so it must only exist when
 * everything else did. If it fails, the logs artifact is taken back (best effort; what could not be
 * deleted is added to `leftUploaded`).
 */
async function uploadBoth(
  uploader: Uploader,
  result: ExportJobResult,
  dirs: {outputs: string; logs: string},
  names: {outputs: string; logs: string},
  leftUploaded: string[],
  logger: ActionLogger
): Promise<Uploaded> {
  let logs: UploadedArtifact | null = null
  if (result.logs.runs.length > 0) {
    logs = await uploader.upload({input: 'logs-artifact-name', name: names.logs, rootDirectory: dirs.logs})
  } else {
    logger.info(`No logs artifact: ${result.logs.reason ?? 'no log runs were exported'}`)
  }
  try {
    const outputs = await uploader.upload({input: 'output-artifact-name', name: names.outputs, rootDirectory: dirs.outputs})
    return {outputs, logs}
  } catch (error) {
    if (logs !== null && !(await uploader.remove(logs.name))) leftUploaded.push(logs.name)
    throw error
  }
}

/** Moves the finished export into `path` (upload: false, or `path` given): replaced whole, never mixed. */
async function keepFiles(result: ExportJobResult, target: string): Promise<void> {
  await mkdir(target, {recursive: true})
  for (const [from, sub] of [
    [result.outputs.dir, 'outputs'],
    [result.logs.dir, 'logs']
  ] as const) {
    const to = path.join(target, sub)
    await rm(to, {recursive: true, force: true})
    await rename(from, to)
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
  let summary: string | undefined
  let outputs: Record<string, string> | undefined
  const leftUploaded: string[] = []
  try {
    const inputs = getInputs(env, value => logger.secret(value))
    const scratchDir = await mkdtemp(path.join(env['RUNNER_TEMP'] || os.tmpdir(), 'prancer-db-artifacts-'))
    scratch = scratchDir
    const cwd = env['GITHUB_WORKSPACE'] || process.cwd()
    const retention = clampRetentionDays(inputs.retentionDays, env)
    if (retention.warning !== undefined) logger.warning(retention.warning)

    // Artifact names use {database} and {collection}, which come from config.ini.
    const settings = await resolveSettings({configPath: inputs.configPath, mongodbUri: inputs.mongodbUri, env, cwd, logger})
    const values = nameValues(env, inputs, settings.database, settings.outputCollection)
    const outputsName = expandName(inputs.outputArtifactName, values)
    const logsName = expandName(inputs.logsArtifactName, values)

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
      configPath: inputs.configPath,
      mongodbUri: inputs.mongodbUri,
      since: inputs.since,
      previousManifest: previous?.manifest ?? null,
      container: inputs.container,
      query: inputs.query,
      logs: inputs.logs,
      jsonFormat: inputs.jsonFormat,
      outDir: path.join(scratchDir, 'export'),
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
      // A missing collection was already reported by the job as a warning.
      if (inputs.ifNoDocuments === 'warn' && result.outputs.collectionExists) logger.warning(`${what}${carryOn}.`)
      else logger.info(`${what}${carryOn} (if-no-documents: ${inputs.ifNoDocuments}).`)
    }

    // Kept files first: once the outputs artifact exists, nothing after it may fail.
    const dirs = {outputs: result.outputs.dir, logs: result.logs.dir}
    if (inputs.path !== undefined) {
      await keepFiles(result, inputs.path)
      dirs.outputs = path.join(inputs.path, 'outputs')
      dirs.logs = path.join(inputs.path, 'logs')
      logger.info(`Files written to ${inputs.path}`)
    }
    let uploaded: Uploaded = {outputs: null, logs: null}
    if (inputs.upload) {
      const uploader = createUploader(logger, {retentionDays: retention.days, compressionLevel: inputs.compressionLevel, overwrite: inputs.overwrite}, env)
      uploaded = await logger.group('Upload artifacts', () => uploadBoth(uploader, result, dirs, {outputs: outputsName, logs: logsName}, leftUploaded, logger))
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
      sinceLabel: describeSince(inputs, previous),
      warnings: logger.warnings,
      notices: logger.notices
    })
  } catch (error) {
    const message = logger.redact(errorMessage(error))
    // setFailed writes the error annotation and sets the exit code.
    core.setFailed(message)
    summary = renderFailureSummary({message, leftUploaded, warnings: logger.warnings})
  } finally {
    if (scratch !== undefined) await rm(scratch, {recursive: true, force: true}).catch(() => undefined)
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
