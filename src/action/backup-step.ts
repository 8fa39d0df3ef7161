// The action's `mode: backup`: the backup job (src/jobs/backup/backup-job.ts) into the step's scratch directory, uploaded as
// one artifact (the mongodump archive and its manifest.json), with outputs and a job summary. The same job as the
// CLI's `backup`; only the destination differs.

import {readdir} from 'node:fs/promises'
import * as path from 'node:path'
import {runBackupJob} from '../jobs/backup/backup-job.ts'
import {expandName, type NameValues} from '../artifact/naming.ts'
import {cell} from './export-summary.ts'
import type {ActionInputs} from './inputs.ts'
import type {ActionLogger} from './logger.ts'
import {createUploader} from './upload.ts'
import type {UploadedArtifact} from './upload.ts'
import {formatBytes} from '../common/format.ts'
import type {ObjectSets} from '../artifact/stores/object-sets.ts'

export interface BackupStepResult {
  outputs: Record<string, string>
  summary: string
}

export async function runBackupStep(
  inputs: ActionInputs,
  env: Record<string, string | undefined>,
  scratchDir: string,
  values: NameValues,
  retentionDays: number,
  store: ObjectSets | null,
  logger: ActionLogger
): Promise<BackupStepResult> {
  // With an upload the archive is only staged; without one it is the result, kept under `path`.
  const outDir = inputs.upload || inputs.path === undefined ? path.join(scratchDir, 'backup') : path.join(inputs.path, `backup-${values.run_id}-${values.run_attempt}`)
  if (!inputs.upload && inputs.path !== undefined && (await readdir(outDir).catch(() => [])).length > 0) {
    throw new Error(`Input 'path': ${outDir} already holds files; a backup goes into a new directory.`)
  }
  const name = expandName(inputs.backupArtifactName, values)
  // Only to a store (no artifact, no path): the archive streams straight into it, with no copy on disk.
  const streamed = store !== null && !inputs.upload && inputs.path === undefined ? store.begin({family: name, kind: 'backup', runId: Number(values.run_id)}) : undefined
  const result = await logger.group('Backup', () =>
    runBackupJob({
      ...(streamed !== undefined ? {upload: {label: store!.locationOf(streamed), upload: streamed}} : {}),
      ...(inputs.configPath !== undefined ? {configPath: inputs.configPath} : {}),
      ...(inputs.mongodbUri !== undefined ? {mongodbUri: inputs.mongodbUri} : {}),
      ...(inputs.databases.length > 0 ? {databases: inputs.databases} : {}),
      include: inputs.include,
      exclude: inputs.exclude,
      gzip: inputs.gzip,
      outDir,
      env,
      cwd: env['GITHUB_WORKSPACE'] || process.cwd(),
      logger
    })
  )
  const databases = (result.manifest.databases as string[]) ?? []
  let stored: string | null = streamed !== undefined ? store!.locationOf(streamed) : null
  if (store !== null && streamed === undefined) {
    const set = await logger.group(`Commit to ${store.label}`, () => store.commit({family: name, kind: 'backup', runId: Number(values.run_id)}, outDir))
    stored = store.locationOf(set)
    logger.info(`Committed the backup to ${stored}.`)
  }
  let uploaded: UploadedArtifact | null = null
  if (inputs.upload) {
    // An archive compresses no further (gzip) or little: the zip only stores it.
    const uploader = createUploader(logger, {retentionDays, compressionLevel: inputs.gzip ? 0 : inputs.compressionLevel, overwrite: inputs.overwrite}, env)
    uploaded = await logger.group('Upload artifact', async () => {
      try {
        return await uploader.upload({input: 'backup-artifact-name', name, rootDirectory: outDir})
      } catch (error) {
        // A backup artifact carries no watermark: one that may exist half-way is simply taken back.
        await uploader.removeIfPresent(name)
        throw error
      }
    })
  }
  const documents = result.collections.reduce((n, c) => n + c.documents, 0)
  const lines = [
    `## Prancer backup: ${result.collections.length} collections, ${documents} documents of ${databases.map(d => `<code>${cell(d)}</code>`).join(', ')}`,
    '',
    `Archive: ${uploaded ? `[${cell(uploaded.name)}](${uploaded.url})` : 'not uploaded'} · ${formatBytes(result.bytes)} · sha256 <code>${result.sha256.slice(0, 12)}…</code>`,
    '',
    ...(stored !== null ? [`Store: <code>${cell(stored)}</code>`, ''] : []),
    `Consistency: ${cell(String((result.manifest.consistency as {description?: string})?.description ?? ''))}`,
    '',
    `Restore: download the artifact, then <code>${cell(String(result.manifest.restore))}</code>`,
    '',
    '| Collection | Documents | Bytes |',
    '| --- | ---: | ---: |',
    ...result.collections.slice(0, 200).map(c => `| <code>${cell(`${c.db}.${c.collection}`)}</code> | ${c.documents} | ${c.bytes} |`),
    ...(result.collections.length > 200 ? [`| … and ${result.collections.length - 200} more | | |`] : []),
    '',
    ...(logger.warnings.length + logger.notices.length > 0
      ? ['### Warnings and notices', '', ...logger.warnings.map(w => `- ⚠️ ${cell(w)}`), ...logger.notices.map(n => `- ℹ️ ${cell(n)}`), '']
      : [])
  ]
  return {
    outputs: {
      'backup-artifact-id': uploaded ? String(uploaded.id) : '',
      'backup-artifact-url': uploaded?.url ?? '',
      'backup-artifact-digest': uploaded?.digest ?? '',
      collections: String(result.collections.length),
      'store-backup': stored ?? '',
      documents: String(documents)
    },
    summary: lines.join('\n')
  }
}
