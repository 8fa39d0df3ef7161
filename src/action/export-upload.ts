// The export step's uploads: logs first, outputs last (the outputs artifact carries the watermark), what exists after
// an error decides what is kept, and the files output. main.ts runs the step; this is the ordering it relies on.

import * as path from 'node:path'
import type {FileEntry} from '../artifact/manifest.ts'
import type {ExportJobResult} from '../jobs/export/types.ts'
import type {SummaryArtifact, UploadState} from './export-summary.ts'
import type {ActionLogger} from './logger.ts'
import {isNameTaken, type UploadedArtifact, type Uploader} from './upload.ts'

export interface Uploaded {
  outputs: UploadedArtifact | null
  logs: UploadedArtifact | null
}

/**
 * Logs first, outputs last: the outputs artifact carries the watermark, so it must only exist when everything else
 * did. The names are checked free first (an artifact of another job is never touched). After an error, what exists
 * decides: the service lists only finalized, complete artifacts, so an outputs artifact that exists is kept (and its
 * logs with it) — a Finalize can commit although the client saw an error, or a retry of it answer "already exists".
 * One that does not exist means the watermark did not advance, and the logs artifact is taken back.
 */
export async function uploadBoth(
  uploader: Uploader,
  result: ExportJobResult,
  dirs: {outputs: string; logs: string},
  state: UploadState,
  overwrite: boolean,
  isCancelled: () => boolean,
  logger: ActionLogger
): Promise<Uploaded> {
  const withLogs = result.logs.runs.length > 0
  const before = await uploader.listRunArtifacts()
  if (before !== null && !overwrite) {
    for (const [input, name] of [...(withLogs ? [['logs-artifact-name', state.logsName] as const] : []), ['output-artifact-name', state.outputsName] as const]) {
      if (before.some(a => a.name === name)) throw uploader.nameTaken(input, name)
    }
  }
  let logs: UploadedArtifact | null = null
  if (withLogs) {
    if (isCancelled()) throw new Error('The step was cancelled before the upload.')
    state.logs = 'unknown' // from the first request on, until the client answers
    logs = await uploader.upload({input: 'logs-artifact-name', name: state.logsName, rootDirectory: dirs.logs}).catch(async (error: unknown) => {
      // "Taken" without a listing before: another job's artifact, never to be deleted. Otherwise, without its outputs
      // artifact a logs artifact only repeats itself next run: take it back when it exists.
      state.logs = isNameTaken(error) && before === null ? 'absent' : await uploader.removeIfPresent(state.logsName)
      throw error
    })
    state.logs = 'present'
  } else {
    logger.info(`No logs artifact: ${result.logs.reason ?? 'no log runs were exported'}`)
  }
  try {
    if (isCancelled()) throw new Error('The step was cancelled before the upload of the outputs artifact.')
    state.outputs = 'unknown'
    const outputs = await uploader.upload({input: 'output-artifact-name', name: state.outputsName, rootDirectory: dirs.outputs})
    state.outputs = 'present'
    return {outputs, logs}
  } catch (error) {
    if (isNameTaken(error) && before === null) state.outputs = 'absent' // another job's, not ours
    await settleOutputs(uploader, state, logger)
    throw error
  }
}

/**
 * After the outputs upload failed (or was cancelled): what exists decides. Listed present: complete, kept with its
 * logs. Listed absent: the logs artifact is taken back. Not listable: the outputs artifact is deleted if it is there
 * (then the watermark certainly did not advance), else both stay 'unknown' and the summary says what to look for.
 */
export async function settleOutputs(uploader: Uploader, state: UploadState, logger: ActionLogger): Promise<void> {
  if (state.outputs === 'unknown') {
    const listed = await uploader.listRunArtifacts()
    if (listed !== null) {
      state.outputs = listed.some(a => a.name === state.outputsName) ? 'present' : 'absent'
      if (state.logs === 'unknown') state.logs = listed.some(a => a.name === state.logsName) ? 'present' : 'absent'
    } else {
      state.outputs = await uploader.removeIfPresent(state.outputsName)
    }
    if (state.outputs === 'present') logger.warning(`The upload of "${state.outputsName}" reported an error, but the artifact exists: it was finalized complete and carries this run's watermark. Keep it: the next since: auto run continues after it.`)
  }
  if (state.outputs === 'absent' && state.logs !== 'absent') {
    state.logs = await uploader.removeIfPresent(state.logsName)
  }
}

export function fileList(result: ExportJobResult, uploaded: Uploaded, keptPath: string | undefined): unknown[] {
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

export function asSummaryArtifact(a: UploadedArtifact | null): SummaryArtifact | null {
  return a === null ? null : {name: a.name, id: a.id, size: a.size, digest: a.digest, url: a.url}
}
