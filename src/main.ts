// The action: inputs → (since: auto) previous manifest → the export job → uploads → outputs and
// summary. The export itself is runExportJob (src/job/export-job.ts); nothing here re-implements it.

import * as core from '@actions/core'
import {mkdtemp, rm} from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import {openLocalExport, type LocalExport} from './destinations/local-dir.ts'
import {runExportJob} from './job/export-job.ts'
import type {ExportJobResult, FileEntry} from './job/types.ts'
import {resolveSettings} from './prancer/settings.ts'
import {ALL_CONTAINERS, expandName, hasPerRunPlaceholder, nameFamilyPattern} from './naming.ts'
import type {NameValues} from './naming.ts'
import {renderFailureSummary, renderSummary} from './summary.ts'
import {renderResultsSummary} from './results/summary.ts'
import {buildResultsReport, printAnnotations} from './action/results.ts'
import type {SummaryArtifact, UploadState} from './summary.ts'
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
 * Logs first, outputs last: the outputs artifact carries the watermark, so it must only exist when everything else
 * did. If it fails, the logs artifact is taken back, and so is an outputs artifact the failed upload may have created.
 * `state` says at every moment what exists; when a delete fails, the run's artifacts are listed to find out.
 */
async function uploadBoth(
  uploader: Uploader,
  result: ExportJobResult,
  dirs: {outputs: string; logs: string},
  state: UploadState,
  logger: ActionLogger
): Promise<Uploaded> {
  let logs: UploadedArtifact | null = null
  if (result.logs.runs.length > 0) {
    state.logs = 'unknown' // from the first request on, until the client answers
    logs = await uploader.upload({input: 'logs-artifact-name', name: state.logsName, rootDirectory: dirs.logs}).catch(async (error: unknown) => {
      state.logs = await uploader.removeIfPresent(state.logsName)
      throw error
    })
    state.logs = 'present'
  } else {
    logger.info(`No logs artifact: ${result.logs.reason ?? 'no log runs were exported'}`)
  }
  try {
    state.outputs = 'unknown'
    const outputs = await uploader.upload({input: 'output-artifact-name', name: state.outputsName, rootDirectory: dirs.outputs})
    state.outputs = 'present'
    return {outputs, logs}
  } catch (error) {
    // A taken name belongs to another artifact of this run, never ours; after any other failure
    // (e.g. Finalize timing out after the service committed) ours may exist.
    state.outputs = error instanceof ArtifactNameConflictError ? 'absent' : await uploader.removeIfPresent(state.outputsName)
    await settleAmbiguity(uploader, state, logger)
    // The logs go only when no outputs artifact of this run stays: a complete outputs artifact keeps its logs.
    if (state.logs === 'present' && state.outputs === 'absent') state.logs = await uploader.removeIfPresent(state.logsName)
    throw error
  }
}

/** After a delete that failed, the run's artifact list says what exists (the service finalizes only complete artifacts). */
async function settleAmbiguity(uploader: Uploader, state: UploadState, logger: ActionLogger): Promise<void> {
  if (state.outputs !== 'unknown' && state.logs !== 'unknown') return
  const listed = await uploader.listRunArtifacts()
  if (listed === null) return
  const names = new Set(listed.map(a => a.name))
  if (state.outputs === 'unknown') state.outputs = names.has(state.outputsName) ? 'present' : 'absent'
  if (state.logs === 'unknown') state.logs = names.has(state.logsName) ? 'present' : 'absent'
  if (state.outputs === 'present') {
    logger.warning(`The upload of "${state.outputsName}" reported an error, but the artifact exists: it was finalized complete and carries this run's watermark. Keep it: the next since: auto run continues after it.`)
  }
}

function fileList(result: ExportJobResult, uploaded: Uploaded, keptPath: string | undefined): unknown[] {
  // No `null` values: the output stays valid JSON even when the runner masks a secret that happens to be `null`.
  const entry = (f: FileEntry, kind: 'outputs' | 'logs', artifact: UploadedArtifact | null) => ({
    kind,
    path: f.path,
    ...(artifact === null ? {} : {artifact: artifact.name}),
    ...(keptPath === undefined ? {} : {localPath: path.join(keptPath, kind, f.path)}),
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
  let local: LocalExport | undefined
  let summary: string | undefined
  let outputs: Record<string, string> | undefined
  let failedCheck: string | undefined
  let upload: UploadState | null = null
  let uploader: Uploader | undefined
  // The runner cancels a step with SIGINT, then SIGTERM, then SIGKILL seconds later: put `path` back, take back a
  // logs artifact whose outputs artifact does not exist, and write the summary, then stop.
  let cancelling = false
  const onSignal = (signal: NodeJS.Signals): void => {
    if (cancelling) return
    cancelling = true
    void (async () => {
      const message = `The step was cancelled (${signal}) before it finished.`
      try {
        core.error(message)
        if (upload !== null && uploader !== undefined && upload.outputs !== 'present') {
          if (upload.outputs === 'unknown') upload.outputs = await uploader.removeIfPresent(upload.outputsName)
          await settleAmbiguity(uploader, upload, logger)
          if (upload.logs !== 'absent' && upload.outputs === 'absent') upload.logs = await uploader.removeIfPresent(upload.logsName)
        }
        if (local !== undefined && upload?.outputs !== 'present') await local.rollback().catch(() => undefined)
        await local?.finish().catch(() => undefined)
        if (scratch !== undefined) await rm(scratch, {recursive: true, force: true}).catch(() => undefined)
        if (env['GITHUB_STEP_SUMMARY']) {
          await core.summary.addRaw(renderFailureSummary({message, upload, cancelled: true, warnings: logger.warnings}), true).write()
        }
      } finally {
        process.exit(1)
      }
    })()
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
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
      // Staged inside `path`, moved into place only when complete; an earlier export there waits until the upload succeeded.
      local = await openLocalExport(inputs.path, {label: "Input 'path'", replace: true, logger})
      exportDir = local.stagingDir
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

    // The pull-request check: results, the base branch's results, annotations, SARIF/JUnit, the fail-on decision.
    const report = await logger.group('Results', () =>
      buildResultsReport(
        {
          outputsDir: result.outputs.dir,
          workspace: cwd,
          baseline: inputs.baseline,
          policy: {failOn: inputs.failOn, threshold: inputs.severityThreshold},
          sarifFile: inputs.sarifFile,
          junitFile: inputs.junitFile,
          token: inputs.githubToken,
          repository: env['GITHUB_REPOSITORY'],
          eventName: env['GITHUB_EVENT_NAME'],
          baseRef: env['GITHUB_BASE_REF'],
          family: nameFamilyPattern(inputs.baselineArtifactName, values),
          scratchDir: scratchDir
        },
        logger
      )
    )

    // Kept files first: once the outputs artifact exists, nothing after it may fail.
    const dirs = {outputs: result.outputs.dir, logs: result.logs.dir}
    if (local !== undefined) {
      await local.swapIn()
      dirs.outputs = path.join(local.dir, 'outputs')
      dirs.logs = path.join(local.dir, 'logs')
      logger.info(`Files written to ${local.dir}`)
    }
    let uploaded: Uploaded = {outputs: null, logs: null}
    if (inputs.upload) {
      const client = createUploader(logger, {retentionDays: retention.days, compressionLevel: inputs.compressionLevel, overwrite: inputs.overwrite}, env)
      uploader = client
      const state: UploadState = {outputsName, logsName, outputs: 'absent', logs: 'absent'}
      upload = state
      try {
        uploaded = await logger.group('Upload artifacts', () => uploadBoth(client, result, dirs, state, logger))
      } catch (error) {
        if (local !== undefined) {
          const dir = local.dir
          await local.rollback().catch(restoreError =>
            logger.warning(`Could not put ${dir} back as it was before this step; remove ${path.join(dir, 'outputs')} by hand: ${errorMessage(restoreError)}`)
          )
        }
        throw error
      }
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
      files: JSON.stringify(fileList(result, uploaded, inputs.path)),
      failed: String(report.results.counts.failed),
      passed: String(report.results.counts.passed),
      'new-failures': report.comparison ? String(report.comparison.newFailures.length) : '',
      fixed: report.comparison ? String(report.comparison.fixed.length) : '',
      'sarif-file': report.sarif?.path ?? ''
    }
    printAnnotations(report.annotations)
    summary = renderResultsSummary({
      results: report.results,
      ...(report.comparison ? {comparison: report.comparison} : {}),
      ...(report.baselineLabel !== undefined ? {baselineLabel: report.baselineLabel} : {}),
      ...(report.noBaselineReason !== undefined ? {noBaselineReason: report.noBaselineReason} : {}),
      artifactUrl: uploaded.outputs?.url ?? null,
      locations: report.locations,
      annotations: report.annotations,
      decision: report.decision
    }) + '\n' + renderSummary({
      result,
      outputsArtifact: asSummaryArtifact(uploaded.outputs),
      logsArtifact: asSummaryArtifact(uploaded.logs),
      keptPath: inputs.path ?? null,
      sinceLabel: String(result.outputs.manifest.since),
      warnings: logger.warnings,
      notices: logger.notices
    })
    // Last: the export and the uploads are done; a failing check must not lose them.
    if (report.decision.result.fail) failedCheck = report.decision.result.message
  } catch (error) {
    const message = logger.redact(errorMessage(error))
    // setFailed writes the error annotation and sets the exit code.
    core.setFailed(message)
    summary = renderFailureSummary({message, upload, warnings: logger.warnings})
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    if (scratch !== undefined) await rm(scratch, {recursive: true, force: true}).catch(() => undefined)
    if (local !== undefined) await local.finish().catch(() => undefined)
    // Outputs and the summary are built from names, numbers and already redacted messages, never from a connection
    // string, so they are written as they are: replacing secrets by substring in them would corrupt them (a password
    // `null` in JSON, a password equal to the database name in every name).
    if (outputs !== undefined) {
      for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value)
    }
    if (failedCheck !== undefined) core.setFailed(logger.redact(failedCheck))
    // Outside a runner (e.g. a local run) there is no summary file to write to.
    if (summary !== undefined && env['GITHUB_STEP_SUMMARY']) {
      try {
        await core.summary.addRaw(summary, true).write()
      } catch (error) {
        core.warning(`Could not write the job summary: ${logger.redact(errorMessage(error))}`)
      }
    }
  }
}
