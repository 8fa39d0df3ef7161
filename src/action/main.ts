// The action: inputs → (since: auto) previous manifest → the export job → uploads → outputs and
// summary. The export itself is runExportJob (src/jobs/export/export-job.ts); nothing here re-implements it.

import * as core from '@actions/core'
import {mkdtemp, rm} from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import {openLocalExport, type LocalExport} from '../artifact/stores/local/local-dir.ts'
import {runExportJob} from '../jobs/export/export-job.ts'
import {resolveSettings} from '../prancer/settings.ts'
import {ALL_CONTAINERS, expandName, hasPerRunPlaceholder, nameFamilyPattern} from '../artifact/naming.ts'
import type {NameValues} from '../artifact/naming.ts'
import {renderFailureSummary, renderSummary} from './export-summary.ts'
import {renderResultsSummary} from '../summary/results-summary.ts'
import {buildResultsReport, printAnnotations, writeReportFiles} from './report-step.ts'
import {runBackupStep} from './backup-step.ts'
import type {UploadState} from './export-summary.ts'
import {getInputs} from './inputs.ts'
import {InputError, ToolError, UsageError, errorMessage} from '../common/errors.ts'
import {asSummaryArtifact, fileList, settleOutputs, uploadBoth, type Uploaded} from './export-upload.ts'
import type {ActionInputs} from './inputs.ts'
import {createActionLogger} from './logger.ts'
import {describeSet, findPreviousExport} from './previous.ts'
import {openProbedStore, type OpenedStore} from '../artifact/stores/open-store.ts'
import {commitExport, type CommittedExport} from '../artifact/commit-export.ts'
import type {PreviousExport} from './previous.ts'
import {clampRetentionDays, createUploader} from './upload.ts'
import type {Uploader} from './upload.ts'

type Env = Record<string, string | undefined>


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
  let target: OpenedStore | undefined
  // The sets committed to the store: once the outputs set is, the watermark advanced there.
  let stored: CommittedExport | null = null
  // The runner cancels a step with SIGINT, then SIGTERM about 7.5 s later, then SIGKILL: let an upload in flight settle
  // (a Finalize may be committing), find out what exists, put `path` back unless the watermark was uploaded, take back
  // a logs artifact whose outputs artifact does not exist, write the summary, then stop.
  let cancelling = false
  let uploading: Promise<unknown> | null = null
  let keepStaging = false
  const onSignal = (signal: NodeJS.Signals): void => {
    if (cancelling) return
    cancelling = true
    void (async () => {
      const message = `The step was cancelled (${signal}) before it finished.`
      try {
        core.error(message)
        if (uploading !== null) await Promise.race([uploading.catch(() => undefined), new Promise(resolve => setTimeout(resolve, 5000))])
        if (upload !== null && uploader !== undefined) await settleOutputs(uploader, upload, logger)
        if (local !== undefined && upload?.outputs !== 'present' && stored === null) {
          await local.rollback().catch(() => {
            keepStaging = true
          })
        }
        if (!keepStaging) await local?.finish().catch(() => undefined)
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
    // A chain is restorable only while its first, full export exists: it must outlive the chain it starts.
    const keptDays = retention.days > 0 ? retention.days : Number.parseInt(env['GITHUB_RETENTION_DAYS'] ?? '', 10) || 90
    if (inputs.fullEveryMs > 0 && keptDays * 86_400_000 < inputs.fullEveryMs + 86_400_000) {
      logger.warning(`retention-days (${keptDays}) is shorter than full-every (${inputs.fullEveryMs / 86_400_000} days) plus a day: a chain's first, full export expires before the next full export starts a new chain, and a restore of the chain would miss its documents. Raise retention-days or lower full-every.`)
    }

    // The store first: a credential or permission problem must show before anything is read from MongoDB.
    if (inputs.store !== undefined) {
      const text = inputs.store
      target = await logger.group('Store', () =>
        openProbedStore(text, 'store', 'write', {endpoint: inputs.storeEndpoint, pathStyle: inputs.storePathStyle, env}, logger)
      )
    }

    // Artifact names use {database} and {collection}, which come from config.ini; the job reuses these settings.
    const settings = await resolveSettings({configPath: inputs.configPath, mongodbUri: inputs.mongodbUri, env, cwd, logger})
    const values = nameValues(env, inputs, settings.database, settings.outputCollection)
    if (inputs.mode === 'backup') {
      // The other job of the action: every Prancer collection as a mongodump archive (src/action/backup-step.ts).
      const backup = await runBackupStep(inputs, env, scratchDir, values, retention.days, target?.sets ?? null, logger)
      outputs = backup.outputs
      summary = backup.summary
      return
    }
    const outputsName = expandName(inputs.outputArtifactName, values)
    const logsName = expandName(inputs.logsArtifactName, values)
    if ((inputs.upload || target !== undefined) && outputsName === logsName) {
      throw new UsageError(`expands to "${logsName}", the same name as output-artifact-name; the two artifacts need different names`, {input: 'logs-artifact-name'})
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
            apiUrl: env['GITHUB_API_URL'],
            runId: Number(values.run_id),
            family: nameFamilyPattern(inputs.outputArtifactName, values),
            exactName: hasPerRunPlaceholder(inputs.outputArtifactName) ? undefined : outputsName,
            currentName: outputsName,
            downloadDir: path.join(scratchDir, 'previous')
          },
          logger,
          target?.sets ?? null
        )
      )
    }

    const result = await runExportJob({
      settings,
      configPath: inputs.configPath,
      mongodbUri: inputs.mongodbUri,
      since: inputs.since,
      previousManifest: previous?.manifest ?? null,
      ...(previous === null ? {} : {previousSource: `manifest of ${describeSet(previous.artifact, target?.sets ?? null)} from run ${previous.artifact.runId}`}),
      lookbackMs: inputs.lookbackMs,
      missingCollection: inputs.ifNoDocuments === 'ignore' ? 'notice' : 'warning',
      container: inputs.container,
      query: inputs.query,
      logs: inputs.logs,
      ...(inputs.collections.length > 0 ? {collections: inputs.collections} : {}),
      ...(inputs.fullEveryMs > 0 ? {fullEveryMs: inputs.fullEveryMs} : {}),
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
      if (inputs.ifNoDocuments === 'error') throw new InputError(`${what} (if-no-documents: error). Nothing was uploaded.`)
      const carryOn = inputs.upload ? '; uploading the empty export anyway, so the next run continues from its watermark' : ''
      // A missing collection was already reported by the job (a warning, or a notice under ignore).
      if (inputs.ifNoDocuments === 'warn' && result.outputs.collectionExists) logger.warning(`${what}${carryOn}.`)
      else logger.info(`${what}${carryOn} (if-no-documents: ${inputs.ifNoDocuments}).`)
    }

    // The pull-request check: results, the base branch's results, annotations, SARIF/JUnit, the fail-on decision. It
    // never costs the export: a failure here is a warning, and the report files are written after the uploads.
    const report = await logger.group('Results', () =>
      buildResultsReport(
        {
          outputsDir: result.outputs.dir,
          workspace: cwd,
          baseline: inputs.baseline,
          policy: {failOn: inputs.failOn, threshold: inputs.severityThreshold},
          token: inputs.githubToken,
          repository: env['GITHUB_REPOSITORY'],
          apiUrl: env['GITHUB_API_URL'],
          eventName: env['GITHUB_EVENT_NAME'],
          baseRef: env['GITHUB_BASE_REF'],
          family: nameFamilyPattern(inputs.baselineArtifactName, values),
          scratchDir: scratchDir,
          store: target?.sets ?? null
        },
        logger
      ).catch((error: unknown) => {
        logger.warning(`The results could not be read for the pull-request check (${errorMessage(error)}); the export goes on without them.`)
        return null
      })
    )

    // Kept files first: once the outputs artifact exists, nothing after it may fail.
    const dirs = {outputs: result.outputs.dir, logs: result.logs.dir}
    if (local !== undefined) {
      if (cancelling) throw new Error('The step was cancelled.')
      await local.swapIn()
      dirs.outputs = path.join(local.dir, 'outputs')
      dirs.logs = path.join(local.dir, 'logs')
      logger.info(`Files written to ${local.dir}`)
    }
    // The store before the artifacts: with a store, it is what since: auto reads, so its outputs set carries the
    // watermark. Once it is committed, a failed artifact upload no longer puts `path` back.
    const rollBackPath = async (): Promise<void> => {
      if (local === undefined) return
      const dir = local.dir
      await local.rollback().catch(restoreError => {
        // The staging directory still holds the earlier export: the next run puts it back.
        keepStaging = true
        logger.warning(`Could not put ${dir} back as it was before this step (${errorMessage(restoreError)}); the next run of this step puts the earlier export back.`)
      })
    }
    if (target !== undefined) {
      const sets = target.sets
      if (cancelling) throw new Error('The step was cancelled before the store was written.')
      try {
        const committing = logger.group(`Commit to ${sets.label}`, () =>
          commitExport(sets, {outputs: dirs.outputs, logs: result.logs.runs.length > 0 ? dirs.logs : null}, {outputs: outputsName, logs: logsName}, Number(values.run_id))
        )
        // A cancel meanwhile lets it settle first, as an artifact upload.
        uploading = committing
        stored = await committing
      } catch (error) {
        await rollBackPath()
        const note = `${errorMessage(error)} The previous export in ${sets.label} is unchanged; the next since: auto run starts from it.`
        throw new ToolError(error instanceof ToolError ? error.kind : 'refused', note, {cause: error, ...(error instanceof ToolError && error.code ? {code: error.code} : {})})
      }
      uploading = null
      logger.info(`Committed to ${sets.label}: ${sets.locationOf(stored.outputs)}${stored.logs ? ` and ${sets.locationOf(stored.logs)}` : ''}.`)
    }
    let uploaded: Uploaded = {outputs: null, logs: null}
    if (inputs.upload) {
      const client = createUploader(logger, {retentionDays: retention.days, compressionLevel: inputs.compressionLevel, overwrite: inputs.overwrite}, env)
      uploader = client
      const state: UploadState = {outputsName, logsName, outputs: 'absent', logs: 'absent'}
      upload = state
      try {
        const upload = logger.group('Upload artifacts', () => uploadBoth(client, result, dirs, state, inputs.overwrite, () => cancelling, logger))
        uploading = upload
        uploaded = await upload
      } catch (error) {
        // An outputs artifact that exists, or the store's outputs set, carries this export's watermark: then `path` keeps it too.
        if (state.outputs !== 'present' && stored === null) await rollBackPath()
        if (stored !== null) logger.warning(`The artifacts failed, but this export is committed to ${target!.sets.label}: the next since: auto run continues after it.`)
        throw error
      } finally {
        uploading = null
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
      failed: report ? String(report.results.counts.failed) : '',
      passed: report ? String(report.results.counts.passed) : '',
      'new-failures': report?.comparison ? String(report.comparison.newFailures.length) : '',
      fixed: report?.comparison ? String(report.comparison.fixed.length) : '',
      'sarif-file': '',
      'store-outputs': stored && target ? target.sets.locationOf(stored.outputs) : '',
      'store-logs': stored?.logs && target ? target.sets.locationOf(stored.logs) : ''
    }
    let resultsSummary = ''
    if (report) {
      await writeReportFiles(report, {sarifFile: inputs.sarifFile, junitFile: inputs.junitFile}, logger)
      outputs['sarif-file'] = report.sarif?.path ?? ''
      printAnnotations(report.annotations)
      resultsSummary =
        renderResultsSummary({
          results: report.results,
          ...(report.comparison ? {comparison: report.comparison} : {}),
          ...(report.baselineLabel !== undefined ? {baselineLabel: report.baselineLabel} : {}),
          ...(report.noBaselineReason !== undefined ? {noBaselineReason: report.noBaselineReason} : {}),
          artifactUrl: uploaded.outputs?.url ?? null,
          locations: report.locations,
          annotations: report.annotations,
          decision: report.decision
        }) + '\n'
    }
    summary = resultsSummary + renderSummary({
      result,
      outputsArtifact: asSummaryArtifact(uploaded.outputs),
      logsArtifact: asSummaryArtifact(uploaded.logs),
      keptPath: inputs.path ?? null,
      sinceLabel: String(result.outputs.manifest.since),
      ...(stored && target ? {stored: {outputs: target.sets.locationOf(stored.outputs), logs: stored.logs ? target.sets.locationOf(stored.logs) : null}} : {}),
      warnings: logger.warnings,
      notices: logger.notices
    })
    // Last: the export and the uploads are done; a failing check must not lose them.
    if (report?.decision.result.fail) failedCheck = report.decision.result.message
  } catch (error) {
    const message = logger.redact(errorMessage(error))
    // setFailed writes the error annotation and sets the exit code.
    core.setFailed(message)
    summary = renderFailureSummary({message, upload, warnings: logger.warnings})
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    target?.objects.close()
    if (scratch !== undefined) await rm(scratch, {recursive: true, force: true}).catch(() => undefined)
    if (local !== undefined && !keepStaging) await local.finish().catch(() => undefined)
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
