// Restores exported Extended JSON files into MongoDB like `mongoimport --mode upsert` (the default),
// `--mode insert` or `--mode merge`, without writing anything unless every file checks out.
//
// Two passes over each file, both streaming (a file is never held in memory):
//   1. verify: sha256 and size against the manifest, every document parsed (our reader: mongoimport's
//      typing rules) and checked to be sendable unchanged through the driver; document count checked.
//      Every file is verified before the first write, so a corrupt or malformed file, even the last
//      one, leaves the database untouched. --dry-run stops here.
//   2. write: --drop, then batches of at most 1000 documents (and 15 MiB: one command document must
//      stay under the 16 MiB BSON limit), sent as insert/update commands; ordered for upsert and merge.
//      The file's sha256 is taken again, so a file changed between the passes is reported.

import {createHash} from 'node:crypto'
import type {Readable} from 'node:stream'
import {MongoClient, type Db, type Document} from 'mongodb'
import {readExtJsonDocuments} from '../ejson/reader.ts'
import type {Logger} from '../log.ts'
import {silentLogger} from '../log.ts'
import {redactUrisInText, uriSecrets} from '../prancer/uri.ts'
import {toDriverDocument, UnrepresentableDocumentError, type DriverDocument} from './driver-document.ts'
import {openSource, RestoreSourceError, type RestoreFile} from './source.ts'

export type RestoreMode = 'upsert' | 'insert' | 'merge'
export const RESTORE_MODES: readonly RestoreMode[] = ['upsert', 'insert', 'merge']

/** mongoimport's limit per bulk write, in documents. */
export const MAX_BATCH_DOCUMENTS = 1000
const MAX_BATCH_BYTES = 15 * 1024 * 1024
/** Write errors mongoimport logs and continues through in insert mode without --stopOnError. */
const SKIPPABLE_WRITE_ERRORS = new Set([11000, 121])

export interface RestoreOptions {
  /** A .json file, a directory with manifest.json (or outputs/ and logs/ ones), or an artifact .zip. */
  source: string
  /** Connection string; not needed for a dry run. */
  uri?: string
  /** Target database/collection; default from the manifest. A file without manifest needs database. */
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

/** Restore could not run or stopped; nothing (verification) or only part (a write error) was written. */
export class RestoreError extends Error {
  /** Documents written before the error, if any. */
  readonly partial: boolean
  constructor(message: string, partial = false) {
    super(message)
    this.name = 'RestoreError'
    this.partial = partial
  }
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
  let source
  try {
    source = await openSource(opts.source)
  } catch (error) {
    throw asRestoreError(error)
  }
  try {
    const collections = new Set(source.files.map((file) => file.collection ?? defaultCollection(file.name)))
    if (opts.collection !== undefined && collections.size > 1) {
      throw new RestoreError(`--collection would put ${collections.size} collections (${[...collections].join(', ')}) into one; restore one manifest or file at a time.`)
    }
    const plan = source.files.map((file) => planTarget(file, opts))
    const results: RestoreFileResult[] = []
    for (const [index, planned] of plan.entries()) {
      results.push(await verifyFile(planned, index, plan.length, opts))
    }
    const result: RestoreResult = {dryRun: opts.dryRun === true, mode, files: results, documents: 0, imported: 0, failed: 0, writeErrors: []}
    result.documents = results.reduce((sum, r) => sum + r.documents, 0)
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
  if (error instanceof RestoreSourceError) return new RestoreError(error.message)
  throw error
}

function planTarget(file: RestoreFile, opts: RestoreOptions): PlannedFile {
  const database = opts.database ?? file.database
  if (database === undefined || database === '') {
    throw new RestoreError(`${file.name} has no manifest naming its database: pass --db.`)
  }
  const collection = opts.collection ?? file.collection ?? defaultCollection(file.name)
  if (collection === '') throw new RestoreError(`Cannot tell the collection for ${file.name}: pass --collection.`)
  return {file, database, collection}
}

/** mongoimport's default collection: the file name without its extension. */
function defaultCollection(name: string): string {
  const base = name.split(/[/\\:]/).pop() ?? ''
  return base.replace(/\.json$/i, '')
}

/** Streams a file, hashing and counting its bytes on the way; progress every chunk. */
async function* meteredBytes(stream: Readable, onBytes: (chunk: Uint8Array) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of stream) {
    onBytes(chunk as Uint8Array)
    yield chunk as Uint8Array
  }
}

async function verifyFile(planned: PlannedFile, index: number, fileCount: number, opts: RestoreOptions): Promise<RestoreFileResult> {
  const {file} = planned
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
    throw new RestoreError(`${file.name}: cannot read it (${(error as Error).message}).`)
  }
  let lastReport = 0
  const input = meteredBytes(stream, (chunk) => {
    hash.update(chunk)
    bytes += chunk.length
  })
  try {
    for await (const doc of readExtJsonDocuments(input)) {
      if (doc.error !== undefined) {
        firstProblem ??= doc.error.message
        continue
      }
      documents++
      if (firstProblem === undefined) {
        try {
          toDriverDocument(doc.bson as Uint8Array)
        } catch (error) {
          if (!(error instanceof UnrepresentableDocumentError)) throw error
          firstProblem = `line ${doc.line}: this document cannot be restored unchanged through the Node.js driver: ${error.message}`
        }
      }
      if (documents - lastReport >= 5000) {
        lastReport = documents
        report()
      }
    }
  } catch (error) {
    throw new RestoreError(`${file.name}: cannot read it (${(error as Error).message}).`)
  }
  report()
  const sha256 = hash.digest('hex')
  const expected = file.expected
  if (expected !== undefined && (expected.sha256 !== sha256 || expected.bytes !== bytes)) {
    const detail = expected.bytes !== bytes ? `${bytes} bytes instead of ${expected.bytes}` : `sha256 ${sha256} instead of ${expected.sha256}`
    throw new RestoreError(
      `${file.name} is corrupt or truncated: ${detail} recorded in the manifest. Nothing was written.` +
        (firstProblem !== undefined ? ` First bad document: ${firstProblem}` : '')
    )
  }
  if (firstProblem !== undefined) throw new RestoreError(`${file.name}: ${firstProblem}. Nothing was written.`)
  if (expected !== undefined && expected.documents !== documents) {
    throw new RestoreError(`${file.name} holds ${documents} documents but its manifest says ${expected.documents}. Nothing was written.`)
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

type WriteOptions = RestoreOptions & {mode: RestoreMode; logger: Logger}

async function writeAll(plan: PlannedFile[], results: RestoreFileResult[], result: RestoreResult, opts: WriteOptions): Promise<void> {
  const uri = opts.uri as string
  // A serverSelectionTimeoutMS in the connection string wins over our default.
  const timeout = /[?&]serverSelectionTimeoutMS=/i.test(uri) ? {} : {serverSelectionTimeoutMS: opts.connectTimeoutMs ?? 10_000}
  const client = new MongoClient(uri, timeout)
  let written = false
  try {
    try {
      await client.connect()
    } catch (error) {
      throw new RestoreError(`Cannot connect to ${redactUrisInText(uri)}: ${redactUrisInText((error as Error).message)}`)
    }
    if (opts.drop) {
      const dropped = new Set<string>()
      for (const {database, collection} of plan) {
        const ns = `${database}.${collection}`
        if (dropped.has(ns)) continue
        dropped.add(ns)
        opts.logger.info(`dropping ${ns}`)
        await client.db(database).collection(collection).drop().catch((error: {code?: number}) => {
          if (error.code !== 26) throw error // 26: the collection did not exist, as mongoimport ignores
        })
      }
    }
    for (const [index, planned] of plan.entries()) {
      const fileResult = results[index]
      const writer = new BatchWriter(client.db(planned.database), planned.collection, opts, fileResult, result)
      written ||= true
      await writeFile(planned, index, plan.length, writer, fileResult, opts)
      result.imported += fileResult.imported
      result.failed += fileResult.failed
    }
  } catch (error) {
    if (error instanceof RestoreError) throw error
    throw new RestoreError(redactUrisInText((error as Error).message), written)
  } finally {
    await client.close()
  }
}

async function writeFile(planned: PlannedFile, index: number, fileCount: number, writer: BatchWriter, fileResult: RestoreFileResult, opts: WriteOptions): Promise<void> {
  const {file} = planned
  const hash = createHash('sha256')
  let bytes = 0
  let documents = 0
  const report = (): void =>
    opts.onProgress?.({phase: 'write', file: file.name, fileIndex: index + 1, fileCount, documents, bytes, totalBytes: file.size})
  const input = meteredBytes(await file.open(), (chunk) => {
    hash.update(chunk)
    bytes += chunk.length
  })
  for await (const doc of readExtJsonDocuments(input)) {
    if (doc.error !== undefined) throw new RestoreError(`${file.name} changed while it was being restored: ${doc.error.message}`, true)
    await writer.add(toDriverDocument(doc.bson as Uint8Array), (doc.bson as Uint8Array).length, doc.line)
    if (++documents % MAX_BATCH_DOCUMENTS === 0) report()
  }
  await writer.flush()
  await writer.drain()
  report()
  if (hash.digest('hex') !== fileResult.sha256) {
    throw new RestoreError(`${file.name} changed while it was being restored (its sha256 differs from the verified one); the restore may be incomplete.`, true)
  }
}

type Operation = {kind: 'insert'; doc: DriverDocument} | {kind: 'update'; q: DriverDocument; u: DriverDocument}

/** Collects operations into insert/update commands, in input order, and counts like mongoimport. */
class BatchWriter {
  private readonly db: Db
  private readonly collection: string
  private readonly opts: WriteOptions
  private readonly fileResult: RestoreFileResult
  private readonly result: RestoreResult
  private readonly ordered: boolean
  private ops: Operation[] = []
  private lines: number[] = []
  private bytes = 0
  private inFlight: Promise<void> | null = null
  private failure: unknown = undefined

  constructor(db: Db, collection: string, opts: WriteOptions, fileResult: RestoreFileResult, result: RestoreResult) {
    this.db = db
    this.collection = collection
    this.opts = opts
    this.fileResult = fileResult
    this.result = result
    // mongoimport keeps input order in upsert and merge mode; in insert mode we stop at the first
    // error with --stop-on-error, which an ordered batch does exactly.
    this.ordered = opts.mode !== 'insert' || opts.stopOnError === true
  }

  async add(doc: DriverDocument, size: number, line: number): Promise<void> {
    const op = this.operation(doc)
    // A batch holds one kind of operation, so inserts and updates interleave in input order.
    if (this.ops.length > 0 && (this.ops[0].kind !== op.kind || this.ops.length >= MAX_BATCH_DOCUMENTS || this.bytes + size > MAX_BATCH_BYTES)) {
      await this.flush()
    }
    this.ops.push(op)
    this.lines.push(line)
    this.bytes += size
  }

  private operation(doc: DriverDocument): Operation {
    // Like mongoimport: without an _id there is no selector, so the document is inserted.
    if (this.opts.mode === 'insert' || !doc.has('_id')) return {kind: 'insert', doc}
    const q: DriverDocument = new Map([['_id', doc.get('_id')]])
    return {kind: 'update', q, u: this.opts.mode === 'upsert' ? doc : new Map([['$set', doc]])}
  }

  /**
   * Sends the collected operations. One command is in flight while the next batch is parsed and
   * converted; the next is only sent once it succeeded, so order and stop-on-error hold.
   */
  async flush(): Promise<void> {
    await this.drain()
    if (this.ops.length === 0) return
    const ops = this.ops
    const lines = this.lines
    this.ops = []
    this.lines = []
    this.bytes = 0
    // The error is kept, not left unhandled, and rethrown by the next drain().
    this.inFlight = this.send(ops, lines).catch((error: unknown) => {
      this.failure = error
    })
  }

  /** Waits for the command in flight; throws its error. */
  async drain(): Promise<void> {
    if (this.inFlight !== null) {
      await this.inFlight
      this.inFlight = null
    }
    if (this.failure !== undefined) throw this.failure
  }

  private async send(ops: Operation[], lines: number[]): Promise<void> {
    const command: Document =
      ops[0].kind === 'insert'
        ? {insert: this.collection, documents: ops.map((op) => (op as {doc: DriverDocument}).doc), ordered: this.ordered}
        : {update: this.collection, updates: ops.map((op) => ({q: (op as {q: DriverDocument}).q, u: (op as {u: DriverDocument}).u, upsert: true})), ordered: this.ordered}
    const reply = await this.db.command(command)
    const writeErrors = (reply.writeErrors ?? []) as Array<{index: number; code: number; errmsg: string}>
    const upserted = (reply.upserted as unknown[] | undefined)?.length ?? 0
    const applied = ops[0].kind === 'insert' ? Number(reply.n ?? 0) : Number(reply.nModified ?? 0) + upserted
    this.fileResult.imported += applied
    this.fileResult.failed += writeErrors.length
    if (reply.writeConcernError) {
      throw new RestoreError(`${this.fileResult.file}: write concern error: ${reply.writeConcernError.errmsg as string}`, true)
    }
    for (const error of writeErrors) {
      const line = lines[error.index]
      const fatal = this.ordered || !SKIPPABLE_WRITE_ERRORS.has(error.code)
      if (fatal) {
        throw new RestoreError(
          `${this.fileResult.file}: line ${line}: write error ${error.code}: ${error.errmsg}. ` +
            `${this.fileResult.imported} document(s) of this file were written before it.`,
          true
        )
      }
      if (this.result.writeErrors.length < 20) this.result.writeErrors.push({file: this.fileResult.file, line, code: error.code, message: error.errmsg})
      this.opts.logger.warning(`continuing through error: ${this.fileResult.file}: line ${line}: ${error.errmsg}`)
    }
  }
}
