// Writes a mongodump archive (format.ts) that the real `mongorestore --archive [--gzip]` restores: the prelude (header
// and every namespace's metadata) first, then each namespace's raw BSON documents in blocks, then its EOF block with
// the CRC. Output is built in ~1 MiB chunks here and handed to an output thread (output.ts) that computes each
// namespace's CRC and sha256, gzips, hashes and writes them, so this thread only reads and copies; at most a few
// chunks are on their way, so memory stays flat whatever the archive's size. The file is written under a temporary
// name in the same directory and renamed into place only by finish().
//
// Block layout, as mongodump's multiplexer lays it out: a namespace header is written whenever the documents that
// follow belong to another namespace than the previous ones (a terminator closing the previous block); ending a
// namespace makes it current if it was not (an empty block, as mongodump's last, empty flush does), then writes a
// terminator, the EOF header with the CRC, and a terminator. Written sequentially, one namespace after another, in
// listCollections order, this gives the bytes `mongodump --archive -j 1` writes but for the header's tool_version and
// concurrent_collections and the order of the prelude entries, which is random in mongodump (the list of differences
// is in __tests__/archive/mongodump.test.ts). mongodump's -j writers switch namespaces only every 16 MiB of a
// namespace's data; here a switch happens whenever the caller interleaves, which mongorestore reads the same way.

import {randomBytes} from 'node:crypto'
import {open, rename, rm, type FileHandle} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'
import type {Readable} from 'node:stream'
import {ArchiveOutput} from './output.ts'
import {
  ARCHIVE_FORMAT_VERSION,
  ARCHIVE_MAGIC,
  MAX_BSON_SIZE,
  MIN_BSON_SIZE,
  TERMINATOR_BYTES,
  dataCollection,
  encodeArchiveHeader,
  encodeNamespaceHeader,
  encodePreludeEntry,
  parseServerVersion
} from './format.ts'
// A caller's mistake (unknown namespace, bad document, ...) is an InternalError: reported without failing the archive.
import {InputError, InternalError, RefusedError} from '../common/errors.ts'

export interface ArchiveNamespace {
  db: string
  collection: string
  /** The metadata JSON exactly as mongodump writes it (metadata.ts); '' for none (mongorestore then creates no options or indexes). */
  metadata: string
  /** listCollections' type; 'collection' when absent. A view has no documents; a time-series collection's documents are its buckets'. */
  type?: 'collection' | 'view' | 'timeseries'
}

export interface ArchiveWriterOptions {
  gzip: boolean
  /** Every namespace the archive will hold, in prelude order. Each must be ended (or is ended by finish()). */
  namespaces: ArchiveNamespace[]
  /** The source server's version (buildInfo.version), e.g. "7.0.42"; mongorestore needs three numbers in it. */
  serverVersion: string
  /** e.g. 'prancer-db-artifacts 0.1.0' (mongodump writes its own version, "100.18.0"). */
  toolVersion: string
  /**
   * How many namespaces may be open (started and not yet ended) at once; written to the prelude, where mongorestore
   * raises its own --numParallelCollections to it so it can follow that many interleaved namespaces. Opening more
   * at once is refused. Default 4, mongodump's default -j.
   */
  concurrentCollections?: number
  /** zlib level for gzip (default 6, the level Go's gzip.NewWriter uses, as mongodump --gzip does). */
  gzipLevel?: number
}

export interface ArchiveNamespaceResult {
  db: string
  collection: string
  documents: number
  /** Bytes of raw BSON documents. */
  bytes: number
  /**
   * sha256 of the namespace's documents concatenated: the digest of the collection's .bson file as `mongodump --out`
   * writes it (for a time-series collection, of its system.buckets file).
   */
  sha256: string
}

export interface ArchiveResult {
  /** Bytes of the archive file (compressed when gzip). */
  bytes: number
  /** sha256 of the archive file as written. */
  sha256: string
  namespaces: ArchiveNamespaceResult[]
}

export interface ArchiveWriter {
  /** Raw BSON documents of one namespace, in order; calls for different namespaces may interleave. */
  writeDocuments(ns: {db: string; collection: string}, docs: readonly Uint8Array[]): Promise<void>
  /** No more documents for this namespace: writes its EOF block with the CRC. */
  endNamespace(ns: {db: string; collection: string}): Promise<void>
  /** Ends the namespaces not yet ended (as empty ones if never written), flushes, and renames the file into place. */
  finish(): Promise<ArchiveResult>
  /** Stops and removes the temporary file; nothing is left behind. Safe to call at any time, and twice. */
  abort(): Promise<void>
}

/** Output is handed to the file (or to gzip) in chunks of about this size. */
export const ARCHIVE_CHUNK_BYTES = 1024 * 1024

const DEFAULT_CONCURRENT_COLLECTIONS = 4

interface NamespaceState {
  db: string
  collection: string
  /** Name in the blocks (system.buckets.* for a time-series collection before 8.3). */
  dataCollection: string
  started: boolean
  ended: boolean
  /** Its place in the prelude: how the output thread knows it. */
  index: number
  documents: number
  bytes: number
  result?: ArchiveNamespaceResult
}

const IO_HINTS: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exceeded',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'the path is a directory',
  EIO: 'an I/O error of the disk'
}

function describeIoError(error: unknown): string {
  const e = error as NodeJS.ErrnoException | undefined
  const code = typeof e?.code === 'string' ? e.code : undefined
  const message = e instanceof Error ? e.message : String(error)
  if (code !== undefined && IO_HINTS[code] !== undefined) return `${IO_HINTS[code]} (${message.startsWith(code) ? message : `${code}: ${message}`})`
  return message
}

function key(db: string, collection: string): string {
  return `${db}\u0000${collection}`
}

/** Creates the temporary file next to `path` and writes the prelude; rejects naming the file when it cannot. */
export async function createArchiveWriter(path: string, options: ArchiveWriterOptions): Promise<ArchiveWriter> {
  const states = validate(path, options)
  const tempPath = join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`)
  let file: FileHandle
  try {
    file = await open(tempPath, 'wx')
  } catch (error) {
    throw new RefusedError(`Cannot create the archive ${path}: creating its temporary file ${tempPath} failed: ${describeIoError(error)}`, {cause: error})
  }
  let writer: Writer
  try {
    writer = new Writer(path, fileSink(path, tempPath, file), options, states)
  } catch (error) {
    // Its output thread could not start: nothing may be left behind.
    await file.close().catch(() => undefined)
    await rm(tempPath, {force: true}).catch(() => undefined)
    throw error
  }
  try {
    await writer.start()
  } catch (error) {
    await writer.abort()
    throw error
  }
  return writer
}

function validate(path: string, options: ArchiveWriterOptions): NamespaceState[] {
  const fail = (why: string): never => {
    throw new RefusedError(`Cannot write the archive ${path}: ${why}`)
  }
  if (parseServerVersion(options.serverVersion) === undefined) {
    fail(`the server version ${JSON.stringify(options.serverVersion)} is not of the form X.Y.Z (mongorestore could not read the archive)`)
  }
  const concurrent = options.concurrentCollections ?? DEFAULT_CONCURRENT_COLLECTIONS
  if (!Number.isInteger(concurrent) || concurrent < 1 || concurrent > 0x7fffffff) fail(`concurrentCollections must be a positive integer, not ${concurrent}`)
  const level = options.gzipLevel
  if (level !== undefined && (!Number.isInteger(level) || level < 0 || level > 9)) fail(`gzipLevel must be 0 to 9, not ${level}`)
  const seen = new Set<string>()
  const dataNames = new Set<string>()
  return options.namespaces.map((ns, index) => {
    const name = `${ns.db}.${ns.collection}`
    if (typeof ns.db !== 'string' || ns.db === '') fail(`a namespace has no database name (${JSON.stringify(ns)})`)
    if (typeof ns.collection !== 'string' || ns.collection === '') fail(`a namespace of ${ns.db} has no collection name`)
    if (ns.db.includes('\u0000') || ns.collection.includes('\u0000')) fail(`the namespace ${JSON.stringify(name)} contains a NUL character`)
    if (seen.has(key(ns.db, ns.collection))) fail(`the namespace ${name} is listed twice`)
    seen.add(key(ns.db, ns.collection))
    const type = ns.type ?? 'collection'
    if (type !== 'collection' && type !== 'view' && type !== 'timeseries') fail(`the namespace ${name} has an unknown type ${JSON.stringify(type)}`)
    if (typeof ns.metadata !== 'string') fail(`the metadata of ${name} is not a string`)
    if (ns.metadata !== '') {
      try {
        JSON.parse(ns.metadata)
      } catch (error) {
        fail(`the metadata of ${name} is not JSON: ${(error as Error).message}`)
      }
    }
    const data = dataCollection(ns.collection, type, options.serverVersion)
    if (dataNames.has(key(ns.db, data))) fail(`two namespaces would both file their documents under ${ns.db}.${data}`)
    dataNames.add(key(ns.db, data))
    return {
      db: ns.db,
      collection: ns.collection,
      dataCollection: data,
      started: false,
      ended: false,
      index,
      documents: 0,
      bytes: 0
    }
  })
}

type State = 'open' | 'finished' | 'failed' | 'aborted'

/** Where the archive's bytes go: a file under a temporary name (renamed into place by finish), or a stream. */
interface Sink {
  fd: number | null
  /** After the last byte: the archive appears. */
  commit(): Promise<void>
  /** After a failure or abort: nothing of it may be left. */
  discard(): Promise<void>
}

function fileSink(path: string, tempPath: string, file: FileHandle): Sink {
  let closed = false
  const close = async (): Promise<void> => {
    if (closed) return
    closed = true
    await file.close()
  }
  return {
    fd: file.fd,
    async commit() {
      await close()
      await rename(tempPath, path)
    },
    async discard() {
      await close().catch(() => undefined)
      await rm(tempPath, {force: true}).catch(() => undefined)
    }
  }
}

/**
 * An archive written to a stream instead of a file (e.g. straight into an object store's multipart upload): the
 * same writer, the same bytes, flow-controlled by the reader. The stream ends only when finish() has completed the
 * archive, and is destroyed with the error when it fails or is aborted, so its reader can never take half an
 * archive for a whole one. `label` names it in messages.
 */
export async function createArchiveStream(label: string, options: ArchiveWriterOptions): Promise<{writer: ArchiveWriter; stream: Readable; cancel(error: Error): void}> {
  const states = validate(label, options)
  const writer = new Writer(label, {fd: null, commit: async () => undefined, discard: async () => undefined}, options, states)
  const stream = writer.stream!
  // The prelude goes out as soon as the reader reads; start() must not wait for it.
  const started = writer.start()
  started.catch(() => undefined)
  return {
    writer: {
      writeDocuments: async (ns, docs) => (await started, writer.writeDocuments(ns, docs)),
      endNamespace: async ns => (await started, writer.endNamespace(ns)),
      finish: async () => (await started, writer.finish()),
      abort: () => writer.abort()
    },
    stream,
    // The reader failed (an upload refused): every write waiting for room, and every later one, fails with it.
    cancel: error => writer.cancel(error)
  }
}

class Writer implements ArchiveWriter {
  private readonly path: string
  private readonly sink: Sink
  private readonly options: ArchiveWriterOptions
  private readonly states: NamespaceState[]
  private readonly byKey = new Map<string, NamespaceState>()
  private readonly output: ArchiveOutput
  private readonly concurrent: number
  private state: State = 'open'
  private failure: Error | undefined
  // Operations run one after another, so callers may interleave namespaces from concurrent producers.
  private queue: Promise<unknown> = Promise.resolve()
  // The chunk being filled (lent by the output thread's client) and where each namespace's documents lie in it.
  private buf: Buffer = Buffer.allocUnsafeSlow(ARCHIVE_CHUNK_BYTES)
  private len = 0
  private segments: number[] = []
  private current: NamespaceState | undefined
  private open = 0

  constructor(path: string, sink: Sink, options: ArchiveWriterOptions, states: NamespaceState[]) {
    this.path = path
    this.sink = sink
    this.options = options
    this.states = states
    for (const s of states) {
      this.byKey.set(key(s.db, s.collection), s)
      // A time-series collection's documents may also be given under their bucket collection's name.
      if (s.dataCollection !== s.collection) this.byKey.set(key(s.db, s.dataCollection), s)
    }
    this.concurrent = options.concurrentCollections ?? DEFAULT_CONCURRENT_COLLECTIONS
    // The CRCs, hashes, gzip and writes happen on a thread of their own (output-thread.ts); this one reads and copies.
    this.output = new ArchiveOutput({fd: sink.fd, gzip: options.gzip, gzipLevel: options.gzipLevel ?? 6, namespaces: states.length, chunkBytes: ARCHIVE_CHUNK_BYTES})
  }

  cancel(error: Error): void {
    this.output.cancel(error)
  }

  /** The archive's bytes when it is written to a stream. */
  get stream(): Readable | null {
    return this.output.stream
  }

  /** Writes the prelude. */
  async start(): Promise<void> {
    await this.run(async () => {
      await this.append(ARCHIVE_MAGIC)
      await this.append(
        encodeArchiveHeader({
          concurrentCollections: this.concurrent,
          version: ARCHIVE_FORMAT_VERSION,
          serverVersion: this.options.serverVersion,
          toolVersion: this.options.toolVersion
        })
      )
      for (const ns of this.options.namespaces) {
        const entry = encodePreludeEntry({db: ns.db, collection: ns.collection, metadata: ns.metadata, size: 0, type: ns.type ?? 'collection'})
        if (entry.length > MAX_BSON_SIZE) throw new InputError(`Cannot write the archive ${this.path}: the metadata of ${ns.db}.${ns.collection} makes a prelude entry of ${entry.length} bytes, over the 16 MiB mongorestore accepts`)
        await this.append(entry)
      }
      await this.append(TERMINATOR_BYTES)
    })
  }

  writeDocuments(ns: {db: string; collection: string}, docs: readonly Uint8Array[]): Promise<void> {
    return this.run(async () => {
      const s = this.namespace(ns, 'write documents of')
      if (docs.length === 0) return
      // Checked before anything of this call is written, so a bad document leaves the archive consistent.
      docs.forEach((doc, index) => this.checkDocument(s, doc, s.documents + index + 1))
      await this.select(s)
      for (const doc of docs) {
        if (this.len + doc.length > this.buf.length) {
          await this.flush()
          if (doc.length > this.buf.length) {
            // Larger than a chunk (a big document): sent by itself, in a buffer of its own, when there is room.
            await this.output.room()
            this.output.send(Buffer.from(doc), doc.length, [s.index, 0, doc.length])
            s.documents++
            s.bytes += doc.length
            continue
          }
        }
        const segments = this.segments
        const last = segments.length - 3
        if (last >= 0 && segments[last] === s.index && segments[last + 1]! + segments[last + 2]! === this.len) segments[last + 2]! += doc.length
        else segments.push(s.index, this.len, doc.length)
        this.buf.set(doc, this.len)
        this.len += doc.length
        s.documents++
        s.bytes += doc.length
      }
    })
  }

  endNamespace(ns: {db: string; collection: string}): Promise<void> {
    return this.run(async () => {
      await this.end(this.namespace(ns, 'end'))
    })
  }

  finish(): Promise<ArchiveResult> {
    return this.run(async () => {
      // The open ones first: an unstarted one opens a namespace, which the concurrency limit might refuse.
      for (const s of this.states) if (s.started && !s.ended) await this.end(s)
      for (const s of this.states) if (!s.ended) await this.end(s)
      await this.flush()
      const {bytes, sha256} = await this.output.end()
      await this.output.close()
      // abort() called meanwhile: the archive must not appear.
      if (this.state !== 'open') throw this.stateError()
      await this.sink.commit()
      this.state = 'finished'
      return {bytes, sha256, namespaces: this.states.map(s => s.result!)}
    })
  }

  async abort(): Promise<void> {
    if (this.state === 'open') this.state = 'aborted'
    // Wait for the operation under way (its failure is already reported to its caller).
    await this.queue.catch(() => undefined)
    await this.cleanUp()
  }

  // -------------------------------------------------------------------------------------------------------------

  /** Runs `op` after the previous operations; any failure marks the writer failed and removes the temporary file. */
  private run<T>(op: () => Promise<T>): Promise<T> {
    const result = this.queue.then(async () => {
      if (this.state !== 'open') throw this.stateError()
      try {
        return await op()
      } catch (error) {
        if (error instanceof InternalError) throw error
        const failure = this.describe(error)
        if (this.state === 'open') {
          this.state = 'failed'
          this.failure = failure
          await this.cleanUp()
        }
        throw failure
      }
    })
    this.queue = result.catch(() => undefined)
    return result
  }

  private stateError(): Error {
    if (this.state === 'failed') return this.failure!
    if (this.state === 'finished') return new InternalError(`The archive ${this.path} is already finished`)
    return new InternalError(`Writing the archive ${this.path} was aborted`)
  }

  /** A file system error as a message naming the file and the cause; our own messages pass through. */
  private describe(error: unknown): Error {
    const code = (error as NodeJS.ErrnoException | undefined)?.code
    const systemError = typeof code === 'string' && /^E[A-Z]+$/.test(code)
    if (error instanceof Error && !systemError && error.message.includes(this.path)) return error
    return new RefusedError(`Writing the archive ${this.path} failed: ${describeIoError(error)}. Nothing of it was kept.`, {cause: error})
  }

  private async cleanUp(): Promise<void> {
    await this.output.close().catch(() => undefined)
    if (this.state !== 'finished') await this.sink.discard()
  }

  private namespace(ns: {db: string; collection: string}, action: string): NamespaceState {
    const s = this.byKey.get(key(ns?.db, ns?.collection))
    if (s === undefined) throw new InternalError(`Cannot ${action} ${ns?.db}.${ns?.collection} in the archive ${this.path}: it is not one of the namespaces given when the archive was created`)
    if (s.ended) throw new InternalError(`Cannot ${action} ${s.db}.${s.collection} in the archive ${this.path}: that namespace has already been ended`)
    return s
  }

  private checkDocument(s: NamespaceState, doc: Uint8Array, number: number): void {
    const where = `document #${number} of ${s.db}.${s.collection} for the archive ${this.path}`
    if (!(doc instanceof Uint8Array)) throw new InternalError(`The ${where} is not raw BSON (a Uint8Array)`)
    if (doc.length < MIN_BSON_SIZE) throw new InternalError(`The ${where} is ${doc.length} bytes, too short for BSON`)
    const declared = (doc[0]! | (doc[1]! << 8) | (doc[2]! << 16) | (doc[3]! << 24)) >>> 0
    if (declared !== doc.length) throw new InternalError(`The ${where} is ${doc.length} bytes but its length prefix says ${declared}`)
    if (doc[doc.length - 1] !== 0) throw new InternalError(`The ${where} does not end with a NUL byte`)
    if (doc.length > MAX_BSON_SIZE) throw new InternalError(`The ${where} is ${doc.length} bytes, over the 16 MiB mongorestore accepts`)
  }

  /** Makes `s` the namespace the next documents belong to, closing the current block if another one is open. */
  private async select(s: NamespaceState): Promise<void> {
    if (this.current === s) return
    if (!s.started) {
      if (this.open >= this.concurrent) {
        throw new InternalError(
          `Cannot start ${s.db}.${s.collection} in the archive ${this.path}: ${this.open} namespaces are already open, the most the archive's prelude allows at once (concurrentCollections ${this.concurrent}); end one first`
        )
      }
      s.started = true
      this.open++
    }
    if (this.current !== undefined) await this.append(TERMINATOR_BYTES)
    await this.append(encodeNamespaceHeader({db: s.db, collection: s.dataCollection, eof: false, crc: 0n}))
    this.current = s
  }

  private async end(s: NamespaceState): Promise<void> {
    await this.select(s)
    await this.append(TERMINATOR_BYTES)
    // The EOF header carries the CRC of everything before it: the output thread has to have seen it all.
    await this.flush()
    const digest = await this.output.digest(s.index)
    await this.append(encodeNamespaceHeader({db: s.db, collection: s.dataCollection, eof: true, crc: digest.crc}))
    await this.append(TERMINATOR_BYTES)
    this.current = undefined
    this.open--
    s.ended = true
    s.result = {db: s.db, collection: s.collection, documents: s.documents, bytes: s.bytes, sha256: digest.sha256}
  }

  /** Copies bytes (headers, not documents) into the chunk, handing it on when full. */
  private async append(bytes: Uint8Array): Promise<void> {
    for (let at = 0; at < bytes.length; ) {
      if (this.len === this.buf.length) await this.flush()
      const n = Math.min(bytes.length - at, this.buf.length - this.len)
      this.buf.set(bytes.subarray(at, at + n), this.len)
      this.len += n
      at += n
    }
  }

  /** Sends the chunk (even a partial one) to the output thread and takes the next. */
  private async flush(): Promise<void> {
    if (this.len === 0) return
    this.output.send(this.buf, this.len, this.segments)
    this.len = 0
    this.segments = []
    this.buf = await this.output.take()
  }
}

