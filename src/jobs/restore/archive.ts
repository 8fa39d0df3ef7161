// Restores a mongodump archive (ours, or the real `mongodump --archive [--gzip]`'s) like mongorestore: each
// namespace's collection created with the options of its metadata, its documents inserted as the archive holds them
// (raw BSON, sent unchanged), then the indexes of its metadata; views last. Nothing is dropped or written unless the
// whole archive and every target check out first.
//
// In order, each step before the first write:
//   1. plan (from the prelude; archive-plan.ts): every namespace's target — --db maps a single-database archive,
//      --ns-from/--ns-to rename with mongorestore's syntax (archive-namespace-map.ts: $var$ variables, or * wild
//      cards; the last matching pair wins) — checked against MongoDB's naming rules; two namespaces into one target,
//      time-series collections and, unless the user's own option names them, admin/local/config and system.* targets
//      are refused. Each namespace's metadata is parsed (options, indexes).
//   2. verify (archive-plan.ts): the whole archive read once (src/archive/reader.ts checks lengths, structure and
//      every namespace's CRC), every document checked: well-formed BSON at every depth, at most 16 MiB, an _id the
//      server accepts.
//   3. the plan is printed (namespace → target, documents, indexes). --dry-run stops here.
//   4. server pre-check, read-only (server-steps.ts, as for JSON files): listCollections on each target database, a
//      one-document find on each target collection (names the server refuses), no view where a collection goes.
//   5. write (archive-apply.ts): --drop, create the collections that do not exist (options as in the metadata), the
//      documents in archive order, as raw BSON (src/mongo/raw-writes.ts; batches of at most 1000 documents and
//      15 MiB), the indexes (without _id_ and the `ns` option), the views. The archive is read a second time; its
//      CRCs are checked again on the way.
// Modes: insert (default, as mongorestore: duplicates and validation failures are counted and skipped, unordered
// batches; --stop-on-error makes batches ordered and stops at the first), upsert (replace by _id, ordered) and merge
// ($set by _id, ordered). What fails in step 5 is reported with how much was written (RestoreError.written).
// Whether a path is an archive at all: archive-source.ts.

import {silentLogger} from '../../common/log.ts'
import {uriSecrets} from '../../mongo/uri.ts'
import {databaseNameProblem, shownName} from '../../mongo/names.ts'
import {archiveSource} from './archive-source.ts'
import {verifyArchive} from './archive-plan.ts'
import {applyArchive} from './archive-apply.ts'
import type {ArchiveRestoreOptions, ArchiveRestoreResult} from './archive-types.ts'
import {RESTORE_MODES} from './json.ts'
import {RestoreError} from './restore-error.ts'

export async function restoreArchive(opts: ArchiveRestoreOptions): Promise<ArchiveRestoreResult> {
  const logger = opts.logger ?? silentLogger
  const mode = opts.mode ?? 'insert'
  if (!RESTORE_MODES.includes(mode)) throw new RestoreError(`Unknown mode "${String(mode)}": use insert, upsert or merge.`)
  if (opts.uri !== undefined) for (const secret of uriSecrets(opts.uri)) logger.secret(secret)
  if (opts.database !== undefined) {
    const problem = databaseNameProblem(opts.database)
    if (problem !== undefined) throw new RestoreError(`--db "${shownName(opts.database)}" cannot be a database name: ${problem}. Nothing was written.`)
  }
  const archive = (await archiveSource(opts.source)) ?? opts.source

  // 1 and 2: plan from the prelude, then every document and every CRC.
  const verified = await verifyArchive(archive, opts)
  const {planned, gzip} = verified
  const result: ArchiveRestoreResult = {
    dryRun: opts.dryRun === true,
    mode,
    archive,
    gzip,
    namespaces: planned.map(p => p.result),
    documents: planned.reduce((sum, p) => sum + p.result.documents, 0),
    imported: 0,
    failed: 0,
    warnings: []
  }

  // 3: the plan.
  const collections = planned.filter(p => p.type === 'collection').length
  const views = planned.length - collections
  const what = `${result.documents} document(s) into ${collections} collection(s)${views > 0 ? ` and ${views} view(s)` : ''} from the archive ${shownName(archive)}${gzip ? ' (gzip)' : ''}, ${mode} mode${opts.drop ? ', each dropped first (--drop)' : ''}`
  logger.info(opts.dryRun ? `dry run: a restore would write ${what}:` : `restoring ${what}:`)
  for (const p of planned) {
    logger.info(
      `  ${shownName(p.source)} → ${shownName(p.database)}.${shownName(p.collection)}: ` +
        (p.type === 'view' ? 'a view' : `${p.result.documents} document(s), ${p.result.indexes} index(es)`)
    )
  }
  if (opts.dryRun) return result
  if (opts.uri === undefined || opts.uri === '') throw new RestoreError('No connection string: pass --uri (or set MONGODB_URI). Nothing was written.')

  // 4 and 5: the server pre-check, then the writes.
  await applyArchive(archive, verified, result, {...opts, uri: opts.uri, mode, logger})
  return result
}
