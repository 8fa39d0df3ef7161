// Steps 4 and 5 of an archive restore, once the archive is verified: the read-only server pre-check, then the writes
// as mongorestore makes them — --drop, the collections that do not exist created with the options of their metadata,
// the documents in archive order as raw BSON (src/mongo/raw-writes.ts; the archive read a second time, its CRCs
// checked again on the way), the indexes of the metadata (without _id_ and the `ns` option), the views last.

import type {Db, MongoClient} from 'mongodb'
import {ArchiveFormatError, readArchive} from '../../archive/reader.ts'
import type {Logger} from '../../common/log.ts'
import {redactUrisInText} from '../../mongo/uri.ts'
import {RawBatchWriter, SKIPPABLE_WRITE_ERRORS, type WriteLane} from '../../mongo/raw-writes.ts'
import {shownName} from '../../mongo/names.ts'
import type {DriverDocument} from './driver-document.ts'
import {blockKey, type PlannedNamespace, type VerifiedArchive} from './archive-plan.ts'
import type {ArchiveRestoreOptions, ArchiveRestoreResult} from './archive-types.ts'
import type {RestoreMode} from './json.ts'
import {clause, RestoreError, WriteTally} from './restore-error.ts'
import {dropTargets, preCheck, writeToServer, type PreCheckRules, type RestoreTarget} from './server-steps.ts'

const NAMESPACE_EXISTS = 48
/**
 * createIndexes errors that mean "this server does not support that index (option)" — FerretDB refuses some —
 * reported as a warning naming the index: BadValue, CannotCreateIndex, CommandNotSupported,
 * InvalidIndexSpecificationOption, NotImplemented. Anything else (duplicate keys under a unique index, a conflicting
 * existing index, a lost connection) is an error.
 */
const UNSUPPORTED_INDEX_ERRORS = new Set([2, 67, 115, 197, 238])

export type ApplyOptions = ArchiveRestoreOptions & {uri: string; mode: RestoreMode; logger: Logger}

/** Steps 4 and 5; what stops them is a RestoreError saying what was changed. Fills in the result's counts. */
export async function applyArchive(archive: string, verified: VerifiedArchive, result: ArchiveRestoreResult, opts: ApplyOptions): Promise<void> {
  const {planned} = verified
  const tally = new WriteTally('archive', opts.mode, planned.length)
  await writeToServer(opts.uri, opts.connectTimeoutMs, tally, async (client, lane) => {
    // 4: read-only pre-check.
    const targets: RestoreTarget[] = planned.map(p => ({database: p.database, collection: p.collection, view: p.type === 'view', from: p.source}))
    const existing = await preCheck(client, targets, preCheckRules(opts))

    // 5: drop, create, documents, indexes, views.
    if (opts.drop) await dropTargets(client, targets, existing, tally, opts.logger)
    await createCollections(client, planned, existing, tally, opts.logger)
    await writeDocuments(client, lane, archive, verified, result, tally, opts)
    await createIndexes(client, planned, result, opts.logger)
    await createViews(client, planned, tally)
    result.imported = planned.reduce((sum, p) => sum + p.result.imported, 0)
    result.failed = planned.reduce((sum, p) => sum + p.result.failed, 0)
  })
}

/** The pre-check in an archive's words: its namespaces, --ns-from/--ns-to; --drop replaces a view or a collection. */
function preCheckRules(opts: ApplyOptions): PreCheckRules {
  return {
    logger: opts.logger,
    dropReplaces: opts.drop === true,
    named: shown => shown.slice(0, 3).join(', '),
    fixDatabase: 'pass --db NAME or --ns-from/--ns-to to restore into a database this server accepts',
    fixCollection: 'rename it with --ns-from/--ns-to',
    kindConflict: (database, collection, existingView, [target]) =>
      `${shownName(`${database}.${collection}`)} exists and is a ${existingView ? 'view' : 'collection'}, where the archive's ${shownName(target!.from)} (a ${target!.view ? 'view' : 'collection'}) would go. Nothing was written; pass --drop to replace it, or --ns-from/--ns-to to restore elsewhere.`
  }
}

/** The collections that do not exist, with the options of their metadata; one that exists is left as it is. */
async function createCollections(client: MongoClient, planned: PlannedNamespace[], existing: Set<string> | null, tally: WriteTally, logger: Logger): Promise<void> {
  for (const p of planned) {
    if (p.type !== 'collection') continue
    const ns = `${p.database}.${p.collection}`
    if (existing !== null && existing.has(ns)) {
      logger.notice(`${shownName(ns)} exists: its documents are added to it, its options are left as they are (pass --drop to start it over)`)
      continue
    }
    try {
      await client.db(p.database).command({create: p.collection, ...Object.fromEntries(p.metadata.options)})
      tally.created.add(ns)
      p.result.created = true
    } catch (error) {
      if ((error as {code?: number}).code === NAMESPACE_EXISTS) continue
      throw new RestoreError(`Creating ${shownName(ns)} (the archive's ${shownName(p.source)}) with its options ${describeOptions(p.metadata.options)} failed: ${clause(redactUrisInText((error as Error).message))}`)
    }
  }
}

/**
 * The second reading of the archive: each namespace's documents sent in archive order (the writers share one lane:
 * one command in flight), each namespace complete at its end, whose count must be the verified one.
 */
async function writeDocuments(client: MongoClient, lane: WriteLane, archive: string, verified: VerifiedArchive, result: ArchiveRestoreResult, tally: WriteTally, opts: ApplyOptions): Promise<void> {
  const writers = new Map<PlannedNamespace, {writer: RawBatchWriter<number>; added: number}>()
  let written = 0
  try {
    for await (const event of readArchive(archive)) {
      if (event.type === 'prelude') continue
      const p = verified.byData.get(blockKey(event.db, event.collection))
      if (p === undefined) throw new RestoreError(`The archive ${shownName(archive)} changed while it was being restored (${shownName(`${event.db}.${event.collection}`)} is new).`)
      let state = writers.get(p)
      if (state === undefined) {
        state = {writer: namespaceWriter(lane, client.db(p.database), p, opts, result, tally), added: 0}
        writers.set(p, state)
      }
      const {writer} = state
      if (event.type === 'documents') {
        for (const doc of event.documents) {
          const waiting = writer.add(doc, ++state.added)
          if (waiting !== undefined) await waiting
        }
        written += event.documents.length
        opts.onProgress?.({phase: 'write', namespace: p.source, documents: written, totalDocuments: result.documents})
      } else {
        await writer.flush()
        await writer.drain()
        if (event.documents !== p.result.documents) {
          throw new RestoreError(`The archive ${shownName(archive)} changed while it was being restored: ${shownName(p.source)} now holds ${event.documents} documents, ${p.result.documents} when it was checked.`)
        }
        tally.filesComplete++
      }
    }
  } catch (error) {
    if (error instanceof ArchiveFormatError) throw new RestoreError(`The archive changed or became unreadable while it was being restored: ${clause(error.message)}`)
    throw error
  }
}

/** The indexes of each collection's metadata; one the server does not support is a warning, not an error. */
async function createIndexes(client: MongoClient, planned: PlannedNamespace[], result: ArchiveRestoreResult, logger: Logger): Promise<void> {
  for (const p of planned) {
    if (p.type !== 'collection') continue
    const db = client.db(p.database)
    for (const spec of p.metadata.indexes) {
      const name = String(spec.get('name'))
      if (name === '_id_') continue
      const index = new Map(spec)
      // mongorestore sends `ns` (which FerretDB refuses); the server fills it in where it wants it.
      index.delete('ns')
      try {
        await createIndex(db, p.collection, index)
        p.result.indexesCreated++
      } catch (error) {
        const code = (error as {code?: number}).code
        const message = `the index "${shownName(name)}" of ${shownName(`${p.database}.${p.collection}`)} (${describeOptions(index)}) could not be created: ${clause(redactUrisInText((error as Error).message))}`
        if (code !== undefined && UNSUPPORTED_INDEX_ERRORS.has(code)) {
          p.result.indexWarnings.push(message)
          result.warnings.push(message)
          logger.warning(`${message}; the server does not support it, the restore goes on without it`)
          continue
        }
        throw new RestoreError(`${message[0]!.toUpperCase()}${message.slice(1)}`)
      }
    }
  }
}

/**
 * createIndexes of one index. A server that refuses the index version option `v` (FerretDB: 'Index option "v" is
 * unknown') is asked again without it: it then builds its own default version, which listIndexes reports.
 */
async function createIndex(db: Db, collection: string, index: DriverDocument): Promise<void> {
  try {
    await db.command({createIndexes: collection, indexes: [index]})
  } catch (error) {
    if (!index.has('v') || !/option "v" is unknown/i.test((error as Error).message)) throw error
    const withoutVersion = new Map(index)
    withoutVersion.delete('v')
    await db.command({createIndexes: collection, indexes: [withoutVersion]})
  }
}

/** The views, last: their source collections are restored by then. */
async function createViews(client: MongoClient, planned: PlannedNamespace[], tally: WriteTally): Promise<void> {
  for (const p of planned) {
    if (p.type !== 'view') continue
    const ns = `${p.database}.${p.collection}`
    try {
      await client.db(p.database).command({create: p.collection, ...Object.fromEntries(p.metadata.options)})
      tally.created.add(ns)
      p.result.created = true
    } catch (error) {
      throw new RestoreError(`Creating the view ${shownName(ns)} (the archive's ${shownName(p.source)}) failed: ${clause(redactUrisInText((error as Error).message))}`)
    }
    tally.filesComplete++
  }
}

/** Metadata options or an index for a message, at most 300 characters. */
function describeOptions(doc: DriverDocument): string {
  const text = JSON.stringify(Object.fromEntries([...doc].map(([k, v]) => [k, v instanceof Map ? Object.fromEntries(v) : v])), (_key, value: unknown) =>
    typeof value === 'bigint' ? String(value) : value
  )
  return text.length > 300 ? `${text.slice(0, 300)}…` : text
}

/** One namespace's documents as raw insert (upsert and merge: update) commands, in archive order; tags number them. */
function namespaceWriter(lane: WriteLane, db: Db, planned: PlannedNamespace, opts: ApplyOptions, result: ArchiveRestoreResult, tally: WriteTally): RawBatchWriter<number> {
  const namespace = `${planned.database}.${planned.collection}`
  const where = `${shownName(namespace)} (the archive's ${shownName(planned.source)})`
  const writer: RawBatchWriter<number> = new RawBatchWriter<number>(lane, db, planned.collection, opts.mode, opts.stopOnError === true, {
    failed: (numbers, error) => {
      tally.uncertain += numbers.length
      return new RestoreError(`${where}, documents ${numbers[0]}–${numbers[numbers.length - 1]}: the write failed: ${clause(redactUrisInText((error as Error).message))}`)
    },
    replied: (batch) => {
      const {tags: numbers, writeErrors, writeConcernError} = batch
      tally.count(namespace, planned.result, batch)
      if (writeConcernError !== undefined) throw new RestoreError(`${where}, documents ${numbers[0]}–${numbers[numbers.length - 1]}: write concern error: ${writeConcernError}`)
      for (const error of writeErrors) {
        const number = numbers[error.index]
        if (writer.ordered || !SKIPPABLE_WRITE_ERRORS.has(error.code)) {
          throw new RestoreError(
            `${where}: document ${number}: write error ${error.code}: ${error.errmsg}. ${planned.result.imported} document(s) of this namespace were written before it.`
          )
        }
        if (result.warnings.length < 20) opts.logger.warning(`continuing through error: ${shownName(namespace)}: document ${number}: ${error.errmsg}`)
      }
    }
  })
  return writer
}
