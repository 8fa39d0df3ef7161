// The mongodump archive format (what `mongodump --archive` writes and `mongorestore --archive` reads), as the
// Database Tools 100.18.0 define it (common/archive/ of their source):
//
//   archive   = magic header-doc collection-metadata-doc* terminator block*
//   magic     = the uint32 0x8199e26d, little-endian (bytes 6d e2 99 81)
//   block     = namespace-header-doc bson-doc* terminator
//   terminator = the uint32 0xffffffff (where a BSON length would be)
//
// The header document is {concurrent_collections: int32, version: "0.1", server_version, tool_version}. Each
// collection-metadata document (the "prelude", one per namespace) is {db, collection, metadata: <the
// *.metadata.json text>, size: int32 0, type}. A namespace header is {db, collection, EOF: bool, CRC: int64}: with
// EOF false it announces that the documents up to the next terminator belong to that namespace; with EOF true (and
// no documents) it closes the namespace and carries the CRC-64/XZ (crc64.ts) of all its document bytes, stored as
// the uint64's eight little-endian bytes in an int64. Blocks of different namespaces may interleave (mongodump -j);
// every namespace of the prelude must be closed before the archive ends, or mongorestore refuses it. With --gzip
// the whole stream is one gzip stream. Every BSON document (header, metadata, documents) is at most 16 MiB.

import {BSON_TYPE, forEachElement, INVALID_BSON} from '../bson/raw.ts'
import {CorruptDataError} from '../common/errors.ts'

export const ARCHIVE_MAGIC = Buffer.from([0x6d, 0xe2, 0x99, 0x81])
export const TERMINATOR = 0xffffffff
export const TERMINATOR_BYTES = Buffer.from([0xff, 0xff, 0xff, 0xff])
export const ARCHIVE_FORMAT_VERSION = '0.1'
/** mongorestore refuses any BSON document in an archive that is larger than this (db.MaxBSONSize). */
export const MAX_BSON_SIZE = 16 * 1024 * 1024
/** Smallest BSON document: the empty one. */
export const MIN_BSON_SIZE = 5
export const GZIP_MAGIC = Buffer.from([0x1f, 0x8b])
/** Before MongoDB 8.3 a time-series collection's data is dumped from (and restored into) this bucket collection. */
export const TIMESERIES_BUCKET_PREFIX = 'system.buckets.'

export interface ArchiveHeader {
  concurrentCollections: number
  /** Format version, "0.1". */
  version: string
  serverVersion: string
  toolVersion: string
}

export interface PreludeEntry {
  db: string
  collection: string
  metadata: string
  size: number
  type: string
}

export interface NamespaceHeader {
  db: string
  collection: string
  eof: boolean
  /** Unsigned 64-bit. */
  crc: bigint
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding: the few documents the format needs, with the field order and types mongodump writes.

const utf8 = new TextEncoder()

/** A tiny BSON document builder for string, int32, bool and int64 fields. */
class DocBuilder {
  private parts: Uint8Array[] = []
  private length = 4 + 1

  private push(type: number, name: string, value: Uint8Array): this {
    const key = utf8.encode(name)
    const head = new Uint8Array(1 + key.length + 1)
    head[0] = type
    head.set(key, 1)
    this.parts.push(head, value)
    this.length += head.length + value.length
    return this
  }

  string(name: string, value: string): this {
    const text = utf8.encode(value)
    const out = Buffer.allocUnsafe(4 + text.length + 1)
    out.writeInt32LE(text.length + 1, 0)
    out.set(text, 4)
    out[4 + text.length] = 0
    return this.push(BSON_TYPE.string, name, out)
  }

  int32(name: string, value: number): this {
    const out = Buffer.allocUnsafe(4)
    out.writeInt32LE(value, 0)
    return this.push(BSON_TYPE.int32, name, out)
  }

  bool(name: string, value: boolean): this {
    return this.push(BSON_TYPE.boolean, name, Uint8Array.of(value ? 1 : 0))
  }

  /** The eight little-endian bytes of an unsigned 64-bit value, typed int64 (as mongodump stores the CRC). */
  uint64AsInt64(name: string, value: bigint): this {
    const out = Buffer.allocUnsafe(8)
    out.writeBigUInt64LE(BigInt.asUintN(64, value), 0)
    return this.push(BSON_TYPE.int64, name, out)
  }

  build(): Buffer {
    const out = Buffer.allocUnsafe(this.length)
    out.writeInt32LE(this.length, 0)
    let offset = 4
    for (const part of this.parts) {
      out.set(part, offset)
      offset += part.length
    }
    out[offset] = 0
    return out
  }
}

export function encodeArchiveHeader(header: ArchiveHeader): Buffer {
  return new DocBuilder()
    .int32('concurrent_collections', header.concurrentCollections)
    .string('version', header.version)
    .string('server_version', header.serverVersion)
    .string('tool_version', header.toolVersion)
    .build()
}

export function encodePreludeEntry(entry: PreludeEntry): Buffer {
  return new DocBuilder()
    .string('db', entry.db)
    .string('collection', entry.collection)
    .string('metadata', entry.metadata)
    .int32('size', entry.size)
    .string('type', entry.type)
    .build()
}

export function encodeNamespaceHeader(header: NamespaceHeader): Buffer {
  return new DocBuilder()
    .string('db', header.db)
    .string('collection', header.collection)
    .bool('EOF', header.eof)
    .uint64AsInt64('CRC', header.crc)
    .build()
}

// ---------------------------------------------------------------------------------------------------------------
// Decoding. Each throws formatError(...) with a message relative to the document; the reader adds file and offset.

/** A header or metadata document that is not what mongodump writes (the reader adds the file and offset). */
export const ARCHIVE_FORMAT = 'archive-format'

export function formatError(message: string): CorruptDataError {
  return new CorruptDataError(message, {code: ARCHIVE_FORMAT})
}

export function isFormatError(error: unknown): error is CorruptDataError {
  return error instanceof CorruptDataError && error.code === ARCHIVE_FORMAT
}

const utf8Decoder = new TextDecoder('utf-8', {fatal: true})

interface Field {
  type: number
  bytes: Uint8Array
  valueStart: number
  valueEnd: number
}

function fields(doc: Uint8Array, what: string): Map<string, Field> {
  const out = new Map<string, Field>()
  try {
    forEachElement(doc, 0, (el, nameStart, nameEnd) => {
      const name = utf8Decoder.decode(doc.subarray(nameStart, nameEnd))
      if (out.has(name)) throw formatError(`${what} has the field ${JSON.stringify(name)} twice`)
      out.set(name, {type: el.type, bytes: el.bytes, valueStart: el.valueStart, valueEnd: el.valueEnd})
    })
  } catch (error) {
    if (isFormatError(error)) throw error
    if ((error instanceof CorruptDataError && error.code === INVALID_BSON) || error instanceof TypeError) throw formatError(`${what} is not valid BSON (${(error as Error).message})`)
    throw error
  }
  return out
}

const TYPE_NAMES: Record<number, string> = {
  [BSON_TYPE.double]: 'double',
  [BSON_TYPE.string]: 'string',
  [BSON_TYPE.document]: 'document',
  [BSON_TYPE.array]: 'array',
  [BSON_TYPE.binary]: 'binary',
  [BSON_TYPE.boolean]: 'bool',
  [BSON_TYPE.int32]: 'int32',
  [BSON_TYPE.int64]: 'int64',
  [BSON_TYPE.null]: 'null'
}

function typeName(type: number): string {
  return TYPE_NAMES[type] ?? `BSON type 0x${type.toString(16).padStart(2, '0')}`
}

function stringField(f: Field, name: string, what: string): string {
  if (f.type !== BSON_TYPE.string) throw formatError(`${what}: ${name} is a ${typeName(f.type)}, not a string`)
  const view = Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength)
  const length = view.readInt32LE(f.valueStart)
  try {
    return utf8Decoder.decode(f.bytes.subarray(f.valueStart + 4, f.valueStart + 4 + length - 1))
  } catch {
    throw formatError(`${what}: ${name} is not valid UTF-8`)
  }
}

function integerField(f: Field, name: string, what: string): number {
  const view = Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength)
  if (f.type === BSON_TYPE.int32) return view.readInt32LE(f.valueStart)
  if (f.type === BSON_TYPE.int64) return Number(view.readBigInt64LE(f.valueStart))
  throw formatError(`${what}: ${name} is a ${typeName(f.type)}, not an integer`)
}

export function decodeArchiveHeader(doc: Uint8Array): ArchiveHeader {
  const what = 'the archive header'
  const f = fields(doc, what)
  const get = (name: string): Field | undefined => f.get(name)
  const str = (name: string): string => {
    const field = get(name)
    return field === undefined ? '' : stringField(field, name, what)
  }
  const concurrent = get('concurrent_collections')
  return {
    concurrentCollections: concurrent === undefined ? 0 : integerField(concurrent, 'concurrent_collections', what),
    version: str('version'),
    serverVersion: str('server_version'),
    toolVersion: str('tool_version')
  }
}

/** A prelude entry; fields missing from the document take Go's zero values, as mongorestore reads them. */
export function decodePreludeEntry(doc: Uint8Array): PreludeEntry {
  const what = 'a prelude entry (collection metadata)'
  const f = fields(doc, what)
  const str = (name: string): string => {
    const field = f.get(name)
    return field === undefined ? '' : stringField(field, name, what)
  }
  const size = f.get('size')
  return {
    db: str('db'),
    collection: str('collection'),
    metadata: str('metadata'),
    size: size === undefined ? 0 : integerField(size, 'size', what),
    type: str('type')
  }
}

/** Strict, as mongorestore's own decoder: only db, collection, EOF and CRC, each of its type. */
export function decodeNamespaceHeader(doc: Uint8Array): NamespaceHeader {
  const what = 'a namespace header'
  const f = fields(doc, what)
  const header: NamespaceHeader = {db: '', collection: '', eof: false, crc: 0n}
  for (const [name, field] of f) {
    switch (name) {
      case 'db':
        header.db = stringField(field, name, what)
        break
      case 'collection':
        header.collection = stringField(field, name, what)
        break
      case 'EOF':
        if (field.type !== BSON_TYPE.boolean) throw formatError(`${what}: EOF is a ${typeName(field.type)}, not a bool`)
        header.eof = field.bytes[field.valueStart] !== 0
        break
      case 'CRC': {
        if (field.type !== BSON_TYPE.int64) throw formatError(`${what}: CRC is a ${typeName(field.type)}, not an int64`)
        const view = Buffer.from(field.bytes.buffer, field.bytes.byteOffset, field.bytes.byteLength)
        header.crc = view.readBigUInt64LE(field.valueStart)
        break
      }
      default:
        throw formatError(`${what} has an unknown field ${JSON.stringify(name)}`)
    }
  }
  if (header.collection === '') throw formatError(`${what} has no collection name`)
  return header
}

// ---------------------------------------------------------------------------------------------------------------
// Server versions and time-series namespaces.

/**
 * A server version as mongorestore parses the prelude's server_version (db.StrToVersion): build suffixes after "-" or
 * "+" dropped, then exactly three integers. mongorestore cannot list an archive's collections without it.
 */
export function parseServerVersion(version: string): [number, number, number] | undefined {
  const core = version.split('-', 1)[0]!.split('+', 1)[0]!
  const parts = core.split('.')
  if (parts.length !== 3) return undefined
  const numbers = parts.map(part => (/^[+-]?\d+$/.test(part) ? Number(part) : Number.NaN))
  if (numbers.some(n => !Number.isSafeInteger(n))) return undefined
  return numbers as [number, number, number]
}

/** 8.3 and later dump time-series collections under their own name ("raw data"), earlier ones as system.buckets.*. */
export function supportsRawData(version: [number, number, number] | undefined): boolean {
  if (version === undefined) return false
  const [major, minor] = version
  return major > 8 || (major === 8 && minor >= 3)
}

/** The collection name a namespace's documents are filed under in the archive's blocks. */
export function dataCollection(collection: string, type: string, serverVersion: string): string {
  if (type === 'timeseries' && !supportsRawData(parseServerVersion(serverVersion))) return TIMESERIES_BUCKET_PREFIX + collection
  return collection
}
