// Restore to a point in time: a full backup (a mongodump archive: ours, or the real mongodump's) followed by the
// incremental exports made after it (outputs artifacts: directories or zips), in order. The whole chain is checked
// before anything is written: every source opens and verifies (each one's own dry run: CRCs, sha256, documents,
// names), and the increments continue each other without a gap (each chained export starts at the watermark the one
// before it ended at; the first one continues from before the backup, or is a full export). Then the backup is applied
// like mongorestore and each increment upserted by _id, oldest first. `until` stops at the last export made by then.

import {join} from 'node:path'
import type {Logger} from '../../common/log.ts'
import {findManifest, MANIFEST_FILE, readManifestFile} from '../../artifact/manifest.ts'
import {InputError} from '../../common/errors.ts'
import {restoreArchive} from './archive.ts'
import {archiveSource} from './archive-source.ts'
import {restore} from './json.ts'
import type {Manifest} from '../../artifact/manifest.ts'

export interface ChainRestoreOptions {
  /** The backup first (an archive, or a backup directory), then the increments in the order they were made. */
  sources: string[]
  uri: string
  /** Drop each collection of the backup before restoring it (mongorestore --drop). */
  drop: boolean
  dryRun: boolean
  /** Apply only the increments created at or before this time (epoch ms). */
  until?: number
  logger: Logger
}

export interface ChainStep {
  source: string
  kind: 'backup' | 'increment'
  createdAt: string | null
  documents: number
  imported: number
}


/** The outputs manifest of an increment (directory, its outputs/, or an artifact zip). */
async function incrementManifest(path: string): Promise<Manifest> {
  const found = await findManifest(path)
  if (found === null) {
    throw new InputError(path.toLowerCase().endsWith('.zip') ? `${path} holds no ${MANIFEST_FILE}: it is not an outputs artifact.` : `${path} holds neither outputs/${MANIFEST_FILE} nor ${MANIFEST_FILE}: pass an outputs artifact (its zip or directory).`)
  }
  return found.manifest
}

export async function restoreChain(o: ChainRestoreOptions): Promise<ChainStep[]> {
  const {logger} = o
  const [first, ...rest] = o.sources
  if (first === undefined || rest.length === 0) throw new InputError('A chain is a backup followed by at least one incremental export.')
  const archive = await archiveSource(first)
  if (archive === undefined) throw new InputError(`${first} is not a mongodump archive (nor a backup directory holding one): a chain starts with the full backup.`)
  // No manifest: a real mongodump archive. A damaged one is an error, not a reason to skip the check below.
  const backupManifest = await readManifestFile(join(first, MANIFEST_FILE)).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return null
    throw error
  })
  const backupTime = backupManifest?.kind === 'backup' ? Date.parse(backupManifest.createdAt) : NaN

  // Order and continuity, from the manifests alone.
  const increments: Array<{source: string; manifest: Manifest}> = []
  for (const source of rest) {
    const manifest = await incrementManifest(source)
    if (manifest.kind !== 'outputs' || typeof manifest.watermark !== 'object') throw new InputError(`${source} is a ${String(manifest.kind)} manifest: an increment is an outputs export (its artifact or directory).`)
    increments.push({source, manifest})
  }
  for (const [i, {source, manifest}] of increments.entries()) {
    const window = manifest.window as {after: number | null} | undefined
    if (i === 0) {
      if (Number.isNaN(backupTime)) {
        logger.warning(`${first} has no manifest of this tool (a mongodump archive): whether ${source} starts early enough after it cannot be checked.`)
      } else if (manifest.windowKind === 'chained' && typeof manifest.previousWatermark === 'number' && manifest.previousWatermark > backupTime) {
        // It leaves out what the export before it took (up to that watermark): fine when that is in the backup,
        // i.e. when the export before it ended before the backup was taken.
        throw new InputError(`${source} continues an export that ended at timestamp ${manifest.previousWatermark} (${new Date(manifest.previousWatermark).toISOString()}), after the backup was taken (${backupManifest!.createdAt}): that export is missing from the chain, and the documents it took are in neither. Add it after the backup.`)
      } else if (manifest.windowKind === 'after' && window?.after != null && window.after > backupTime) {
        throw new InputError(`${source} starts at timestamp ${window.after} (${new Date(window.after).toISOString()}), after the backup was taken (${backupManifest!.createdAt}): documents written in between are in neither.`)
      }
      continue
    }
    const before = increments[i - 1]!.manifest
    const previousEnd = before.watermark?.value ?? null
    if (manifest.windowKind !== 'chained' || manifest.previousWatermark !== previousEnd) {
      throw new InputError(
        `${source} does not continue ${increments[i - 1]!.source}: it ${manifest.windowKind === 'chained' ? `continues after watermark ${String(manifest.previousWatermark)}` : `is a ${String(manifest.windowKind)} export`}, the one before ends at ${String(previousEnd)}. ` +
          'An increment is missing between them, or they are out of order: pass them oldest first, each one once.'
      )
    }
  }
  const applied = o.until === undefined ? increments : increments.filter(inc => Date.parse(inc.manifest.createdAt) <= o.until!)
  if (o.until !== undefined) logger.info(`Point in time ${new Date(o.until).toISOString()}: ${applied.length} of ${increments.length} increments were made by then.`)

  // Every source checked in full (its own dry run) before the first write.
  logger.info(`Checking the backup ${first} and ${applied.length} increments before anything is written ...`)
  const planned: ChainStep[] = []
  const backupCheck = await restoreArchive({source: first, drop: o.drop, dryRun: true, logger})
  planned.push({source: first, kind: 'backup', createdAt: backupManifest?.createdAt ?? null, documents: backupCheck.documents, imported: 0})
  for (const inc of applied) {
    const check = await restore({source: inc.source, uri: o.uri, mode: 'upsert', drop: false, dryRun: true, stopOnError: true, logger})
    planned.push({source: inc.source, kind: 'increment', createdAt: inc.manifest.createdAt, documents: check.documents, imported: 0})
  }
  for (const step of planned) logger.info(`plan: ${step.kind} ${step.source}${step.createdAt ? ` (${step.createdAt})` : ''}: ${step.documents} documents`)
  if (o.dryRun) return planned

  const restoredBackup = await restoreArchive({source: first, uri: o.uri, drop: o.drop, dryRun: false, logger})
  planned[0]!.imported = restoredBackup.imported
  for (const [i, inc] of applied.entries()) {
    const done = await restore({source: inc.source, uri: o.uri, mode: 'upsert', drop: false, dryRun: false, stopOnError: true, logger})
    planned[i + 1]!.imported = done.imported
  }
  return planned
}
