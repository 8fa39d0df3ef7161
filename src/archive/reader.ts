// Reads a mongodump archive (format.ts), ours or the real mongodump's, plain or gzip (told apart by their first
// bytes): first the prelude (header and every namespace's metadata), then each namespace's raw BSON documents in
// batches of about 1 MiB, in archive order, and each namespace's end once its CRC has been checked. Streaming: one
// ~1 MiB input chunk and the batch being handed out are in memory, whatever the archive's size.
//
// Checks, each refusing the archive with a message that names the file and the byte offset (of the decompressed
// stream when gzip): the magic number; every length (5 bytes to 16 MiB, ending in a NUL byte, as mongorestore's
// parser checks); the header and prelude documents; namespace headers (only db, collection, EOF and CRC, of their
// types); no namespace outside the prelude, listed twice, or continued after its end; no data after an EOF header;
// each namespace's CRC; and, at the end, that every namespace of the prelude was closed (a file cut at a block
// boundary is told apart from a complete one this way). Documents themselves are not parsed (neither does
// mongorestore before sending them to the server); a damaged one is caught by its namespace's CRC.

import {open} from 'node:fs/promises'
import type {Readable} from 'node:stream'
import {pipeline} from 'node:stream'
import {createGunzip} from 'node:zlib'
import {Crc64Set} from './crc64.ts'
import {
  ARCHIVE_MAGIC,
  isFormatError,
  GZIP_MAGIC,
  MAX_BSON_SIZE,
  MIN_BSON_SIZE,
  TERMINATOR,
  dataCollection,
  decodeArchiveHeader,
  decodeNamespaceHeader,
  decodePreludeEntry,
  type ArchiveHeader
} from './format.ts'
import {CorruptDataError, RefusedError} from '../common/errors.ts'

export type {ArchiveHeader} from './format.ts'

export interface ArchivePreludeNamespace {
  db: string
  collection: string
  /** The metadata JSON text ('' when the archive has none for this namespace). */
  metadata: string
  /** 'collection', 'view', 'timeseries' (or '' in archives that did not record it). */
  type: string
  /** The prelude's size field (mongodump writes 0). */
  size: number
  /** The collection name its documents are filed under in the blocks (system.buckets.* for time series before 8.3). */
  dataCollection: string
}

export type ArchiveEvent =
  | {type: 'prelude'; gzip: boolean; header: ArchiveHeader; namespaces: ArchivePreludeNamespace[]}
  /** Consecutive documents of one namespace (raw BSON, each its own view of a buffer of this batch). */
  | {type: 'documents'; db: string; collection: string; documents: Uint8Array[]; offset: number}
  /** The namespace's EOF block, after its CRC matched. Totals cover the whole namespace. */
  | {type: 'namespaceEnd'; db: string; collection: string; documents: number; bytes: number; crc: bigint; offset: number}

export interface ReadArchiveOptions {
  /** Documents are handed out in batches of about this many bytes (default 1 MiB). */
  batchBytes?: number
}

/** The archive is not a mongodump archive, is damaged or truncated. */
export class ArchiveFormatError extends CorruptDataError {
  readonly path: string
  /** Byte offset in the (decompressed) archive stream. */
  readonly offset: number

  constructor(path: string, offset: number, gzip: boolean, message: string, options?: {cause?: unknown}) {
    super(`The archive ${path} ${message} (at byte offset ${offset}${gzip ? ' of the decompressed archive' : ''})`, options)
    this.path = path
    this.offset = offset
  }
}

const READ_CHUNK_BYTES = 1024 * 1024
const DEFAULT_BATCH_BYTES = 1024 * 1024

/** Pulls chunks from a stream and serves byte ranges of them, tracking the absolute offset. */
class Input {
  buf: Buffer = Buffer.alloc(0)
  pos = 0
  /** Absolute offset of buf[0]. */
  private base = 0
  private ended = false
  private readonly it: AsyncIterator<Buffer>
  private readonly onError: (error: unknown, offset: number) => Error

  constructor(source: Readable, onError: (error: unknown, offset: number) => Error) {
    this.it = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>
    this.onError = onError
  }

  get offset(): number {
    return this.base + this.pos
  }

  /** Absolute offset of buf[index]. */
  at(index: number): number {
    return this.base + index
  }

  available(): number {
    return this.buf.length - this.pos
  }

  /** Makes at least n bytes available from pos; false if the stream ends first. May replace buf (positions move). */
  async fill(n: number): Promise<boolean> {
    if (this.buf.length - this.pos >= n) return true
    const parts: Buffer[] = [this.buf.subarray(this.pos)]
    let have = parts[0]!.length
    while (have < n && !this.ended) {
      let next: IteratorResult<Buffer>
      try {
        next = await this.it.next()
      } catch (error) {
        throw this.onError(error, this.base + this.pos + have)
      }
      if (next.done) {
        this.ended = true
        break
      }
      parts.push(next.value)
      have += next.value.length
    }
    this.base += this.pos
    this.buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts, have)
    this.pos = 0
    return have >= n
  }

  async close(): Promise<void> {
    await this.it.return?.()
  }
}

interface NamespaceState {
  entry: ArchivePreludeNamespace
  status: 'unopened' | 'open' | 'closed'
  documents: number
  bytes: number
}

function key(db: string, collection: string): string {
  return `${db}\u0000${collection}`
}

/** Reads the archive at `path`; see the file's header for what is checked. Throws ArchiveFormatError. */
export async function* readArchive(path: string, options: ReadArchiveOptions = {}): AsyncGenerator<ArchiveEvent> {
  const batchBytes = options.batchBytes ?? DEFAULT_BATCH_BYTES
  let handle
  try {
    handle = await open(path, 'r')
  } catch (error) {
    throw new RefusedError(`Cannot open the archive ${path}: ${(error as Error).message}`, {cause: error})
  }
  const start = Buffer.alloc(4)
  let startLength: number
  try {
    startLength = (await handle.read(start, 0, 4, 0)).bytesRead
  } catch (error) {
    await handle.close().catch(() => undefined)
    throw new RefusedError(`Cannot read the archive ${path}: ${(error as Error).message}`, {cause: error})
  }
  const gzip = startLength >= 2 && start[0] === GZIP_MAGIC[0] && start[1] === GZIP_MAGIC[1]
  const file = handle.createReadStream({start: 0, highWaterMark: READ_CHUNK_BYTES})
  const source: Readable = gzip ? pipeline(file, createGunzip({chunkSize: READ_CHUNK_BYTES}), () => undefined) : file
  const fail = (offset: number, message: string, cause?: unknown): ArchiveFormatError =>
    new ArchiveFormatError(path, offset, gzip, message, cause === undefined ? undefined : {cause})
  const input = new Input(source, (error, offset) => {
    const code = (error as {code?: string}).code
    if (gzip && typeof code === 'string' && code.startsWith('Z_')) {
      return fail(offset, `is not a readable gzip stream: ${(error as Error).message} (a damaged or truncated .gz file)`, error)
    }
    return new RefusedError(`Cannot read the archive ${path}: ${(error as Error).message}`, {cause: error})
  })

  /** The next BSON document (its bounds in input.buf), or a terminator, or the end of the stream. */
  const next = async (what: string): Promise<'eof' | 'terminator' | {start: number; end: number; offset: number}> => {
    if (!(await input.fill(4))) {
      if (input.available() === 0) return 'eof'
      throw fail(input.offset, `is truncated: it ends inside the length of ${what}`)
    }
    const offset = input.offset
    const size = input.buf.readUInt32LE(input.pos)
    if (size === TERMINATOR) {
      input.pos += 4
      return 'terminator'
    }
    if (size < MIN_BSON_SIZE || size > MAX_BSON_SIZE) {
      throw fail(offset, `is damaged or not a mongodump archive: ${size} is neither a BSON length (5 bytes to 16 MiB) nor a terminator where ${what} should begin`)
    }
    if (!(await input.fill(size))) {
      throw fail(offset, `is truncated: it ends inside ${what} of ${size} bytes (${input.available()} bytes left)`)
    }
    const docStart = input.pos
    if (input.buf[docStart + size - 1] !== 0) throw fail(offset, `is damaged: ${what} of ${size} bytes does not end with a NUL byte`)
    input.pos += size
    return {start: docStart, end: docStart + size, offset}
  }
  const decode = <T>(offset: number, decoder: () => T): T => {
    try {
      return decoder()
    } catch (error) {
      if (isFormatError(error)) throw fail(offset, `is damaged: ${error.message}`)
      throw error
    }
  }

  try {
    // Magic number.
    if (!(await input.fill(4)) || !input.buf.subarray(0, 4).equals(ARCHIVE_MAGIC)) {
      const found = input.buf.subarray(0, 4)
      throw fail(
        0,
        found.length === 0
          ? 'is empty: not a mongodump archive'
          : `is not a mongodump archive: it does not begin with the archive magic number 6d e2 99 81 (found ${[...found].map(b => b.toString(16).padStart(2, '0')).join(' ')})`
      )
    }
    input.pos = 4

    // Prelude: header, one entry per namespace, terminator.
    const first = await next('the archive header')
    if (first === 'eof') throw fail(input.offset, 'is truncated: it ends after the magic number')
    if (first === 'terminator') throw fail(input.offset - 4, 'is damaged: a terminator where the archive header should be')
    const header = decode(first.offset, () => decodeArchiveHeader(input.buf.subarray(first.start, first.end)))
    const namespaces: ArchivePreludeNamespace[] = []
    const byData = new Map<string, NamespaceState>()
    const crcs = await Crc64Set.create<NamespaceState>()
    const seen = new Set<string>()
    for (;;) {
      const item = await next('a prelude entry')
      if (item === 'eof') throw fail(input.offset, 'is truncated: it ends inside the prelude')
      if (item === 'terminator') break
      const entry = decode(item.offset, () => decodePreludeEntry(input.buf.subarray(item.start, item.end)))
      const ns: ArchivePreludeNamespace = {...entry, dataCollection: dataCollection(entry.collection, entry.type, header.serverVersion)}
      if (seen.has(key(ns.db, ns.collection))) throw fail(item.offset, `is damaged: the prelude lists ${ns.db}.${ns.collection} twice`)
      seen.add(key(ns.db, ns.collection))
      if (byData.has(key(ns.db, ns.dataCollection))) throw fail(item.offset, `is damaged: two prelude entries file their data under ${ns.db}.${ns.dataCollection}`)
      byData.set(key(ns.db, ns.dataCollection), {entry: ns, status: 'unopened', documents: 0, bytes: 0})
      namespaces.push(ns)
    }
    yield {type: 'prelude', gzip, header, namespaces: namespaces.map(ns => ({...ns}))}

    // Blocks.
    for (;;) {
      const item = await next('a namespace header')
      if (item === 'eof') break
      if (item === 'terminator') throw fail(input.offset - 4, 'is damaged: a terminator where a namespace header should be (consecutive terminators)')
      const nh = decode(item.offset, () => decodeNamespaceHeader(input.buf.subarray(item.start, item.end)))
      const name = `${nh.db}.${nh.collection}`
      const state = byData.get(key(nh.db, nh.collection))
      if (state === undefined) throw fail(item.offset, `is damaged: a block of ${name}, which its prelude does not list`)
      if (state.status === 'closed') throw fail(item.offset, `is damaged: a block of ${name} after that namespace's end (EOF)`)
      const {db, collection} = state.entry

      if (nh.eof) {
        const crc = crcs.digest(state)
        if (crc !== nh.crc) {
          throw fail(item.offset, `fails its CRC check for namespace ${db}.${collection}: the archive says ${nh.crc}, its ${state.documents} document${state.documents === 1 ? '' : 's'} (${state.bytes} bytes) give ${crc}; a document is damaged`)
        }
        state.status = 'closed'
        const after = await next(`the terminator after the end of ${name}`)
        if (after === 'eof') throw fail(input.offset, `is truncated: it ends after the end (EOF header) of ${name}, before its terminator`)
        if (after !== 'terminator') throw fail(after.offset, `is damaged: data after the end (EOF header) of ${name}`)
        yield {type: 'namespaceEnd', db, collection, documents: state.documents, bytes: state.bytes, crc, offset: item.offset}
        continue
      }

      state.status = 'open'
      // Documents up to the terminator, handed out in batches: [runStart, runEnd) of input.buf, ends of each doc.
      let runStart = input.pos
      let runOffset = input.offset
      let ends: number[] = []
      const take = (): ArchiveEvent => {
        const copy = Buffer.from(input.buf.subarray(runStart, ends[ends.length - 1]))
        // The run's documents are contiguous: one CRC update for all of them (per document, the calls cost ~20%).
        crcs.update(state, copy)
        const documents: Uint8Array[] = []
        let at = 0
        for (const end of ends) {
          const length = end - runStart - at
          documents.push(copy.subarray(at, at + length))
          at += length
        }
        const event: ArchiveEvent = {type: 'documents', db, collection, documents, offset: runOffset}
        ends = []
        return event
      }
      for (;;) {
        // A document not yet wholly in the buffer: hand out what is there before the buffer is replaced.
        // (At a terminator too, which ends the block anyway.)
        if (ends.length > 0 && (input.available() < 4 || input.available() < input.buf.readUInt32LE(input.pos))) {
          yield take()
        }
        const doc = await next(`a document of ${name}`)
        if (doc === 'eof') throw fail(input.offset, `is truncated: it ends inside a block of ${name} (no terminator)`)
        if (doc === 'terminator') break
        if (ends.length === 0) {
          runStart = doc.start
          runOffset = doc.offset
        }
        state.documents++
        state.bytes += doc.end - doc.start
        ends.push(doc.end)
        if (doc.end - runStart >= batchBytes) yield take()
      }
      if (ends.length > 0) yield take()
    }

    // Every namespace must have been closed, or the archive was cut short.
    const unclosed = [...byData.values()].filter(s => s.status !== 'closed')
    if (unclosed.length > 0) {
      const names = unclosed.map(s => `${s.entry.db}.${s.entry.collection}${s.status === 'open' ? '' : ' (never started)'}`)
      throw fail(input.offset, `is truncated: it ends before the end of ${names.length === 1 ? 'namespace' : 'namespaces'} ${names.join(', ')}`)
    }
  } finally {
    await input.close().catch(() => undefined)
    source.destroy()
    file.destroy()
  }
}
