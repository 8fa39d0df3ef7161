// Restores exported Extended JSON files into MongoDB like `mongoimport --mode upsert` (the default),
// `--mode insert` or `--mode merge`, without writing anything unless every file and every target checks out.
//
// In order, each step before the first write:
//   1. plan: every file's target namespace, checked against MongoDB's naming rules; admin, local and
//      config databases and system.* collections only when named on the command line (--db, --collection).
//   2. verify, streaming (a file is never held in memory): sha256 and size against the manifest, every
//      document parsed (our reader: mongoimport's typing rules; a large file on a parser thread), at most
//      16 MiB as BSON, an _id the server accepts; the document count checked. Every file is
//      verified before the first write, so a corrupt or malformed file, even the last one, leaves the
//      database untouched.
//   3. the plan is printed (file → db.collection, documents). --dry-run stops here.
//   4. server pre-check, read-only (server-steps.ts, as for archives): listCollections on each target database (a server refuses a database
//      name there: FerretDB allows only [A-Za-z0-9_-]) and a one-document find on each target collection
//      (refused collection names); a view cannot be written to.
//   5. write: --drop, then batches of at most 1000 documents and 15 MiB, sent as insert/update commands
//      holding the parsed BSON unchanged, as mongoimport sends it (src/mongo/raw-writes.ts); ordered for
//      upsert and merge.
//      The file's sha256 is taken again, so a file changed between the passes is reported.
// What can still fail in step 5 (a write refused by a validator or a unique index, a server going away)
// is reported with how much was written: RestoreError.written.

import {createHash} from 'node:crypto'
import type {Readable} from 'node:stream'
import type {Db} from 'mongodb'
import {DocumentTooLargeError} from '../../ejson/errors.ts'
import {readExtJsonDocuments, type ExtJsonDocument} from '../../ejson/reader.ts'
import {readExtJsonDocumentsInThread} from '../../ejson/threaded-reader.ts'
import type {Logger} from '../../common/log.ts'
import {silentLogger} from '../../common/log.ts'
import {redactUrisInText, uriSecrets} from '../../mongo/uri.ts'
import {MAX_BATCH_DOCUMENTS, RawBatchWriter, rawDocumentProblem, SKIPPABLE_WRITE_ERRORS, type RawWriteMode, type WriteLane} from '../../mongo/raw-writes.ts'
import {collectionNameProblem, databaseNameProblem, isSystemCollection, isSystemDatabase, shownName, SYSTEM_DATABASES} from '../../mongo/names.ts'
import {describeFsError, isSourceError, openSource, type RestoreFile} from '../../artifact/export-source.ts'
import {clause, RestoreError, WriteTally} from './restore-error.ts'
import {dropTargets, preCheck, writeToServer, type PreCheckRules} from './server-steps.ts'

export type RestoreMode = RawWriteMode
export const RESTORE_MODES: readonly RestoreMode[] = ['upsert', 'insert', 'merge']

export {MAX_BATCH_DOCUMENTS}

export interface RestoreOptions {
  /** A .json file, a directory with manifest.json (or outputs/ and logs/ ones), or an artifact .zip. */
  source: string
  /** Connection string; not needed for a dry run. */
  uri?: string
  /**
   * Target database/collection; default from the manifest. A file without manifest needs database.
   * Naming admin/local/config or a system.* collection here is what allows writing there.
   */
  database?: string
  /** Default from the manifest, else the file name without `.json` (as mongoimport does). */
  collection?: string
  /** Default 'upsert'. */
  mode?: RestoreMode
  drop?: boolean
  dryRun?: boolean
  /** Insert mode: stop at the first write error (upsert and merge always do, like mongoimport). */
  stopOnError?: boolean
  onProgress?: (progress: RestoreProgress) => void
  logger?: Logger
  /** serverSelectionTimeoutMS (default 10000). */
  connectTimeoutMs?: number
}

export interface RestoreProgress {
  phase: 'verify' | 'write'
  file: string
  /** 1-based position of the file, and how many there are. */
  fileIndex: number
  fileCount: number
  documents: number
  bytes: number
  totalBytes: number
}

export interface RestoreFileResult {
  file: string
  database: string
  collection: string
  documents: number
  /** Counted like mongoimport: inserted + modified + upserted (an unchanged replacement counts 0). */
  imported: number
  failed: number
  sha256: string
  /** True when the manifest's sha256, size and count were checked. */
  verified: boolean
}

export interface RestoreResult {
  dryRun: boolean
  mode: RestoreMode
  files: RestoreFileResult[]
  documents: number
  imported: number
  failed: number
  /** Write errors skipped in insert mode (at most 20), with the line of their document. */
  writeErrors: Array<{file: string; line: number; code: number; message: string}>
}

interface PlannedFile {
  file: RestoreFile
  database: string
  collection: string
}

export async function restore(opts: RestoreOptions): Promise<RestoreResult> {
  const logger = opts.logger ?? silentLogger
  const mode = opts.mode ?? 'upsert'
  if (!RESTORE_MODES.includes(mode)) throw new RestoreError(`Unknown mode "${String(mode)}": use upsert, insert or merge.`)
  if (opts.uri !== undefined) for (const secret of uriSecrets(opts.uri)) logger.secret(secret)
  checkExplicitNames(opts)
  let source
  try {
    source = await openSource(opts.source)
  } catch (error) {
    throw asRestoreError(error)
  }
  try {
    const collections = new Set(source.files.map((file) => file.collection ?? defaultCollection(file.name)))
    if (opts.collection !== undefined && collections.size > 1) {
      throw new RestoreError(`--collection would put ${collections.size} collections (${[...collections].map(shownName).join(', ')}) into one; restore one manifest or file at a time.`)
    }
    const plan = source.files.map((file) => planTarget(file, opts))
    const results: RestoreFileResult[] = []
    for (const [index, planned] of plan.entries()) {
      results.push(await verifyFile(planned, index, plan.length, opts))
    }
    const result: RestoreResult = {dryRun: opts.dryRun === true, mode, files: results, documents: 0, imported: 0, failed: 0, writeErrors: []}
    result.documents = results.reduce((sum, r) => sum + r.documents, 0)
    announcePlan(results, opts, logger)
    if (opts.dryRun) return result
    if (opts.uri === undefined || opts.uri === '') throw new RestoreError('No connection string: pass --uri (or set MONGODB_URI).')
    await writeAll(plan, results, result, {...opts, mode, logger})
    return result
  } finally {
    await source.close()
  }
}

function asRestoreError(error: unknown): RestoreError {
  if (error instanceof RestoreError) return error
  if (isSourceError(error)) return new RestoreError(error.message, undefined, 'input')
  throw error
}

/** --db and --collection are the user's own words: checked against the naming rules before anything is read. */
function checkExplicitNames(opts: RestoreOptions): void {
  if (opts.database !== undefined) {
    const problem = databaseNameProblem(opts.database)
    if (problem !== undefined) throw new RestoreError(`--db "${shownName(opts.database)}" cannot be a database name: ${problem}. Nothing was written.`)
  }
  if (opts.collection !== undefined) {
    const problem = collectionNameProblem(opts.collection, opts.database ?? '')
    if (problem !== undefined) throw new RestoreError(`--collection "${shownName(opts.collection)}" cannot be a collection name: ${problem}. Nothing was written.`)
  }
}

function planTarget(file: RestoreFile, opts: RestoreOptions): PlannedFile {
  const name = shownName(file.name)
  const from = file.manifest !== undefined ? `its manifest ${shownName(file.manifest)}` : 'its file name'
  const database = opts.database ?? file.database
  if (database === undefined || database === '') {
    throw new RestoreError(`${name} has no manifest naming its database: pass --db.`)
  }
  const collection = opts.collection ?? file.collection ?? defaultCollection(file.name)
  if (collection === '') throw new RestoreError(`Cannot tell the collection for ${name}: pass --collection.`)
  if (opts.database === undefined) {
    const problem = databaseNameProblem(database)
    if (problem !== undefined) {
      throw new RestoreError(`${name}: ${from} names the database "${shownName(database)}", which cannot be a database name: ${problem}. Nothing was written; pass --db NAME to restore it elsewhere.`)
    }
    if (isSystemDatabase(database)) {
      throw new RestoreError(
        `${name}: ${from} names the database "${shownName(database)}", one of MongoDB's system databases (${SYSTEM_DATABASES.join(', ')}). ` +
          `Nothing was written: restore writes there only when you name it yourself, with --db ${shownName(database)}; or pass --db NAME to restore elsewhere.`
      )
    }
  }
  if (opts.collection === undefined) {
    const problem = collectionNameProblem(collection, database)
    if (problem !== undefined) {
      throw new RestoreError(`${name}: ${from} names the collection "${shownName(collection)}", which cannot be a collection name: ${problem}. Nothing was written; pass --collection NAME.`)
    }
    if (isSystemCollection(collection)) {
      throw new RestoreError(
        `${name}: ${from} names the collection "${shownName(collection)}", a system collection of MongoDB (system.*). ` +
          `Nothing was written: restore writes there only when you name it yourself, with --collection ${shownName(collection)}; or pass --collection NAME.`
      )
    }
  } else {
    // --collection was checked alone; the namespace length depends on the database too.
    const problem = collectionNameProblem(collection, database)
    if (problem !== undefined) throw new RestoreError(`--collection "${shownName(collection)}" in ${shownName(database)}: ${problem}. Nothing was written.`)
  }
  return {file, database, collection}
}

/** mongoimport's default collection: the file name without its extension. */
function defaultCollection(name: string): string {
  const base = name.split(/[/\\:]/).pop() ?? ''
  return base.replace(/\.json$/i, '')
}

/** Every target, before anything is written (and in a dry run: what would be written). */
function announcePlan(results: RestoreFileResult[], opts: RestoreOptions, logger: Logger): void {
  const namespaces = new Set(results.map((r) => `${r.database}.${r.collection}`))
  const total = results.reduce((sum, r) => sum + r.documents, 0)
  const what = `${total} document(s) into ${namespaces.size} collection(s)${opts.drop ? ', each dropped first (--drop)' : ''}`
  logger.info(opts.dryRun ? `dry run: a restore would write ${what}:` : `restoring ${what}:`)
  for (const r of results) logger.info(`  ${shownName(r.file)} → ${shownName(r.database)}.${shownName(r.collection)}: ${r.documents} document(s)`)
}

/** Below this size a file is parsed on the main thread: starting the parser thread would cost more than it saves. */
export const THREADED_PARSE_MIN_BYTES = 4 * 1024 * 1024

/** The file's documents; a large file is parsed on a worker thread while this thread checks and writes. */
function parsedDocuments(input: AsyncIterable<Uint8Array>, size: number): AsyncIterable<ExtJsonDocument> {
  return size >= THREADED_PARSE_MIN_BYTES ? readExtJsonDocumentsInThread(input) : readExtJsonDocuments(input)
}

/**
 * The stream's chunks, hashed and counted on the way. Its iterator has no return(), so a reader that
 * stops early (a structural error) does not close it: the caller drains the rest, and the sha256 and size
 * still cover the whole file.
 */
function meteredBytes(stream: Readable, onBytes: (chunk: Uint8Array) => void): AsyncIterable<Uint8Array> & {drain(): Promise<void>} {
  const source = stream[Symbol.asyncIterator]()
  const iterator: AsyncIterator<Uint8Array> = {
    next: async () => {
      const step = await source.next()
      if (!step.done) onBytes(step.value as Uint8Array)
      return step as IteratorResult<Uint8Array>
    }
  }
  return {
    [Symbol.asyncIterator]: () => iterator,
    drain: async () => {
      while (!(await iterator.next()).done) {
        // hashed and counted by next()
      }
    }
  }
}

/** What went wrong while reading a file, with what to do. */
function readProblem(file: RestoreFile, error: unknown): string {
  if (isSourceError(error)) return error.message
  if ((error as NodeJS.ErrnoException).code !== undefined && typeof (error as NodeJS.ErrnoException).syscall === 'string') return describeFsError(file.name, error)
  return `${shownName(file.name)} cannot be read (${clause((error as Error).message)}); download or copy it again.`
}

async function verifyFile(planned: PlannedFile, index: number, fileCount: number, opts: RestoreOptions): Promise<RestoreFileResult> {
  const {file} = planned
  const name = shownName(file.name)
  const hash = createHash('sha256')
  let bytes = 0
  let documents = 0
  let firstProblem: string | undefined
  const report = (): void =>
    opts.onProgress?.({phase: 'verify', file: file.name, fileIndex: index + 1, fileCount, documents, bytes, totalBytes: file.size})
  let stream: Readable
  try {
    stream = await file.open()
  } catch (error) {
    throw new RestoreError(readProblem(file, error))
  }
  let lastReport = 0
  const input = meteredBytes(stream, (chunk) => {
    hash.update(chunk)
    bytes += chunk.length
  })
  try {
    for await (const doc of parsedDocuments(input, file.size)) {
      if (doc.error !== undefined) {
        firstProblem ??=
          doc.error instanceof DocumentTooLargeError
            ? `${doc.error.message}; no server would store it (mongoimport would fail on it too), so remove or shorten that document`
            : doc.error.message
        continue
      }
      documents++
      if (firstProblem === undefined) firstProblem = documentProblem(doc.bson as Uint8Array, doc.line)
      if (documents - lastReport >= 5000) {
        lastReport = documents
        report()
      }
    }
    await input.drain()
  } catch (error) {
    stream.destroy()
    throw new RestoreError(readProblem(file, error))
  }
  report()
  const sha256 = hash.digest('hex')
  const expected = file.expected
  if (expected !== undefined && (expected.sha256 !== sha256 || expected.bytes !== bytes)) {
    const detail = expected.bytes !== bytes ? `${bytes} bytes instead of ${expected.bytes}` : `sha256 ${sha256} instead of ${expected.sha256}`
    throw new RestoreError(
      `${name} is corrupt or truncated: ${detail} recorded in the manifest. Nothing was written.` +
        (firstProblem !== undefined ? ` First bad document: ${firstProblem}` : '')
    )
  }
  if (firstProblem !== undefined) throw new RestoreError(`${name}: ${firstProblem}. Nothing was written.`)
  if (expected !== undefined && expected.documents !== documents) {
    throw new RestoreError(`${name} holds ${documents} documents but its manifest says ${expected.documents}. Nothing was written.`)
  }
  return {
    file: file.name,
    database: planned.database,
    collection: planned.collection,
    documents,
    imported: 0,
    failed: 0,
    sha256,
    verified: expected !== undefined
  }
}

/** Why the server would refuse this parsed document, or undefined. */
function documentProblem(bson: Uint8Array, line: number): string | undefined {
  const problem = rawDocumentProblem(bson)
  return problem === undefined ? undefined : `line ${line}: ${problem}`
}

type WriteOptions = RestoreOptions & {mode: RestoreMode; logger: Logger}

async function writeAll(plan: PlannedFile[], results: RestoreFileResult[], result: RestoreResult, opts: WriteOptions): Promise<void> {
  const tally = new WriteTally('files', opts.mode, plan.length)
  await writeToServer(opts.uri as string, opts.connectTimeoutMs, tally, async (client, lane) => {
    const targets = plan.map(({file, database, collection}) => ({database, collection, view: false, from: file.name}))
    const existing = await preCheck(client, targets, preCheckRules(opts.logger))
    if (opts.drop) await dropTargets(client, targets, existing, tally, opts.logger)
    for (const [index, planned] of plan.entries()) {
      const fileResult = results[index]
      const writer = fileWriter(lane, client.db(planned.database), planned, opts, fileResult, result, tally)
      await writeFile(planned, index, plan.length, writer, fileResult, opts)
      result.imported += fileResult.imported
      result.failed += fileResult.failed
      tally.filesComplete++
    }
  })
}

/** The pre-check in the words of files: --db and --collection; a view is refused, --drop or not. */
function preCheckRules(logger: Logger): PreCheckRules {
  return {
    logger,
    dropReplaces: false,
    named: (shown) => `${shown.slice(0, 3).join(', ')}${shown.length > 3 ? ` and ${shown.length - 3} more` : ''}`,
    fixDatabase: 'pass --db NAME to restore into a database this server accepts',
    fixCollection: 'pass --collection NAME to restore under a name this server accepts',
    kindConflict: (database, collection, _existingView, targets) =>
      `${shownName(database)}.${shownName(collection)} is a view, which cannot be written to (the target of ${targets.map((t) => shownName(t.from)).join(', ')}). Nothing was written; pass --collection NAME to restore into a collection.`
  }
}

async function writeFile(planned: PlannedFile, index: number, fileCount: number, writer: RawBatchWriter<number>, fileResult: RestoreFileResult, opts: WriteOptions): Promise<void> {
  const {file} = planned
  const name = shownName(file.name)
  const hash = createHash('sha256')
  let bytes = 0
  let documents = 0
  const report = (): void =>
    opts.onProgress?.({phase: 'write', file: file.name, fileIndex: index + 1, fileCount, documents, bytes, totalBytes: file.size})
  let stream: Readable
  try {
    stream = await file.open()
  } catch (error) {
    throw new RestoreError(readProblem(file, error))
  }
  const input = meteredBytes(stream, (chunk) => {
    hash.update(chunk)
    bytes += chunk.length
  })
  try {
    for await (const doc of parsedDocuments(input, file.size)) {
      if (doc.error !== undefined) throw new RestoreError(`${name} changed while it was being restored: ${doc.error.message}`)
      const waiting = writer.add(doc.bson as Uint8Array, doc.line)
      if (waiting !== undefined) await waiting
      if (++documents % MAX_BATCH_DOCUMENTS === 0) report()
    }
  } catch (error) {
    stream.destroy()
    if (error instanceof RestoreError) throw error
    throw new RestoreError(readProblem(file, error))
  }
  await writer.flush()
  await writer.drain()
  report()
  if (hash.digest('hex') !== fileResult.sha256) {
    throw new RestoreError(`${name} changed while it was being restored (its sha256 differs from the verified one); the restore may be incomplete.`)
  }
}

/** A file's documents as raw insert (upsert and merge: update) commands, counted and reported like mongoimport. */
function fileWriter(lane: WriteLane, db: Db, planned: PlannedFile, opts: WriteOptions, fileResult: RestoreFileResult, result: RestoreResult, tally: WriteTally): RawBatchWriter<number> {
  const namespace = `${planned.database}.${planned.collection}`
  const file = shownName(fileResult.file)
  const writer: RawBatchWriter<number> = new RawBatchWriter<number>(lane, db, planned.collection, opts.mode, opts.stopOnError === true, {
    failed: (lines, error) => {
      // No reply: the server may have applied the batch, or part of it.
      tally.uncertain += lines.length
      return new RestoreError(`${file}: lines ${lines[0]}–${lines[lines.length - 1]}: the write failed: ${clause(redactUrisInText((error as Error).message))}`)
    },
    replied: (batch) => {
      const {tags: lines, writeErrors, writeConcernError} = batch
      tally.count(namespace, fileResult, batch)
      if (writeConcernError !== undefined) throw new RestoreError(`${file}: write concern error: ${writeConcernError}`)
      for (const error of writeErrors) {
        const line = lines[error.index]
        if (writer.ordered || !SKIPPABLE_WRITE_ERRORS.has(error.code)) {
          throw new RestoreError(`${file}: line ${line}: write error ${error.code}: ${error.errmsg}. ${fileResult.imported} document(s) of this file were written before it.`)
        }
        if (result.writeErrors.length < 20) result.writeErrors.push({file: fileResult.file, line: line!, code: error.code, message: error.errmsg})
        opts.logger.warning(`continuing through error: ${file}: line ${line}: ${error.errmsg}`)
      }
    }
  })
  return writer
}
