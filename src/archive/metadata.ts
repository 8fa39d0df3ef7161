// A collection's metadata as mongodump 100.18.0 writes it (mongodump/metadata_dump.go): into `<coll>.metadata.json`
// with --out, into the prelude's `metadata` field with --archive, the same text both ways. mongodump builds the
// document
//   {options: <listCollections' options, left out when empty>, indexes: [<listIndexes' documents, as the server
//    returns them>], uuid: <info.uuid's 16 bytes in lowercase hex, left out when there is none>, collectionName,
//    type: <listCollections' type, left out when empty>}
// (no indexes for a view) and writes it as canonical Extended JSON, compact, without HTML escaping (Go's
// bson.MarshalExtJSON(doc, true, false)). Here the same document is built from the server's raw BSON replies, so every
// value keeps its BSON type (capped `size` stays an int64 where the server says int64, index `v` an int32, ...), and
// transcoded by our own Extended JSON writer (src/ejson/writer.ts, byte-exact with Go's MarshalExtJSON; its tests
// compare it with the Go driver).
//
// Differences from mongodump that remain:
// - mongodump decodes options and index documents into Go bson.D values and marshals those; for the types that
//   occur in options and index specifications (numbers, strings, booleans, documents, arrays, dates, regexes,
//   binaries) the result is the same as transcoding the raw bytes. Code with scope would differ in one detail (see
//   src/ejson/writer.ts on scopes); it cannot appear in collection options or index specifications in practice.
// - mongodump refuses to dump a collection whose metadata does not survive its Extended JSON round trip
//   (MarshalExtJSONWithBSONRoundtripConsistency); we write it anyway.
// - A collection dropped between listCollections and listIndexes: mongodump's driver gives an empty index list for
//   NamespaceNotFound, so do we (indexes: []).
// - FerretDB: nothing specific is done for it. Whatever it reports is copied as reported, exactly as mongodump copies
//   it: capped size and max as int64, index documents without `ns`, and (FerretDB 1.24) a sparse index listed without
//   `sparse: true`, so neither mongodump's metadata nor ours can restore it as sparse. __tests__/archive/
//   mongodump.test.ts compares our text with mongodump's on FerretDB, and on a real mongod with MONGODB_URI.

import type {Db, Document} from 'mongodb'
import {BSON_TYPE, forEachElement} from '../bson/raw.ts'
import {bsonToExtJson} from '../ejson/writer.ts'
import type {ArchiveNamespace} from './writer.ts'
import {CorruptDataError, InputError} from '../common/errors.ts'

/** One listCollections entry: its raw BSON (exact), or a deserialized document (then fetched again, raw, by name). */
export type CollectionInfo = Uint8Array | Document

const utf8 = new TextDecoder('utf-8')
const utf8Encoder = new TextEncoder()

interface ParsedInfo {
  name: string
  type: string
  options: Uint8Array | undefined
  uuid: string
}

/** name, type, options (raw) and info.uuid of a raw listCollections entry. */
export function parseCollectionInfo(info: Uint8Array): ParsedInfo {
  const parsed: ParsedInfo = {name: '', type: '', options: undefined, uuid: ''}
  let sawName = false
  forEachElement(info, 0, (el, nameStart, nameEnd) => {
    const field = utf8.decode(info.subarray(nameStart, nameEnd))
    if (field === 'name' && el.type === BSON_TYPE.string) {
      parsed.name = readString(info, el.valueStart)
      sawName = true
    } else if (field === 'type' && el.type === BSON_TYPE.string) {
      parsed.type = readString(info, el.valueStart)
    } else if (field === 'options' && el.type === BSON_TYPE.document) {
      parsed.options = info.subarray(el.valueStart, el.valueEnd)
    } else if (field === 'info' && el.type === BSON_TYPE.document) {
      forEachElement(info, el.valueStart, (inner, innerStart, innerEnd) => {
        if (utf8.decode(info.subarray(innerStart, innerEnd)) !== 'uuid' || inner.type !== BSON_TYPE.binary) return
        const length = int32(info, inner.valueStart)
        const subtype = info[inner.valueStart + 4]
        // mongodump takes only subtype 4 (UUID) and writes its data as lowercase hex.
        if (subtype === 4) parsed.uuid = Buffer.from(info.subarray(inner.valueStart + 5, inner.valueStart + 5 + length)).toString('hex')
      })
    }
  })
  if (!sawName) throw new CorruptDataError('A listCollections entry has no name')
  return parsed
}

/**
 * The metadata JSON mongodump writes for a collection, from its raw listCollections entry and raw listIndexes
 * documents (pass [] for a view: mongodump lists no indexes for views).
 */
export function buildMetadataJson(info: Uint8Array, indexes: readonly Uint8Array[]): string {
  const parsed = parseCollectionInfo(info)
  const elements: Uint8Array[] = []
  // "options,omitempty" on a bson.D: left out when it has no fields (an empty document is 5 bytes).
  if (parsed.options !== undefined && parsed.options.length > 5) elements.push(element(BSON_TYPE.document, 'options', parsed.options))
  elements.push(element(BSON_TYPE.array, 'indexes', arrayOf(indexes)))
  if (parsed.uuid !== '') elements.push(element(BSON_TYPE.string, 'uuid', stringValue(parsed.uuid)))
  elements.push(element(BSON_TYPE.string, 'collectionName', stringValue(parsed.name)))
  if (parsed.type !== '') elements.push(element(BSON_TYPE.string, 'type', stringValue(parsed.type)))
  return bsonToExtJson(documentOf(elements), 'canonical')
}

/** The archive namespace of a collection: its metadata as mongodump writes it, and its type. */
export async function namespaceMetadata(db: Db, collectionInfo: CollectionInfo): Promise<ArchiveNamespace> {
  let info: Uint8Array
  if (collectionInfo instanceof Uint8Array) {
    info = collectionInfo
  } else {
    const name = (collectionInfo as Document).name
    if (typeof name !== 'string') throw new CorruptDataError(`namespaceMetadata: the collection info of database ${db.databaseName} has no name`)
    const found = (await rawListCollections(db, {name})).find(raw => parseCollectionInfo(raw).name === name)
    if (found === undefined) throw new InputError(`Collection ${db.databaseName}.${name} no longer exists (listCollections does not list it)`)
    info = found
  }
  const parsed = parseCollectionInfo(info)
  const type = parsed.type === '' ? 'collection' : parsed.type
  if (type !== 'collection' && type !== 'view' && type !== 'timeseries') {
    throw new InputError(`Collection ${db.databaseName}.${parsed.name} is of type ${JSON.stringify(type)}, which a mongodump archive cannot hold`)
  }
  const indexes = type === 'view' ? [] : await rawIndexes(db, parsed.name)
  return {db: db.databaseName, collection: parsed.name, metadata: buildMetadataJson(info, indexes), type}
}

/** listCollections' entries as raw BSON, in the server's order (the order of mongodump's prelude). */
export async function rawListCollections(db: Db, filter: Document = {}): Promise<Uint8Array[]> {
  // raw: each entry as the server sent it, so no value changes type on the way.
  return (await db.listCollections(filter, {raw: true} as Document).toArray()) as unknown as Uint8Array[]
}

/**
 * The collections `mongodump --db <db>` dumps, as raw listCollections entries in the server's order: it leaves out
 * system.* (but system.js), names with '$' (but *.oplog.$*), admin.system.keys, and in the config database all but
 * what it keeps when dumping a whole server (every collection when `wholeConfigDb`, as `--db config` does).
 */
export async function collectionsMongodumpDumps(db: Db, options: {wholeConfigDb?: boolean} = {}): Promise<Uint8Array[]> {
  const all = await rawListCollections(db)
  return all.filter(info => !skippedByMongodump(db.databaseName, parseCollectionInfo(info).name, options.wholeConfigDb ?? false))
}

// mongodump's dumprestore.ConfigCollectionsToKeep.
const CONFIG_COLLECTIONS_KEPT = new Set(['chunks', 'collections', 'databases', 'settings', 'shards', 'tags', 'version'])

function skippedByMongodump(dbName: string, name: string, wholeConfigDb: boolean): boolean {
  if (dbName === 'admin') {
    if (name === 'system.keys') return true
  } else if (dbName === 'config') {
    if (wholeConfigDb) return false
    return !CONFIG_COLLECTIONS_KEPT.has(name)
  } else {
    if (name === 'system.js') return false
    if (name.startsWith('system.')) return true
  }
  return name.includes('$') && !name.includes('.oplog.$')
}

async function rawIndexes(db: Db, collection: string): Promise<Uint8Array[]> {
  try {
    return (await db.collection(collection).listIndexes({raw: true} as Document).toArray()) as unknown as Uint8Array[]
  } catch (error) {
    // Dropped since listCollections: the Go driver (and so mongodump) reads that as no indexes.
    if ((error as {code?: unknown}).code === 26) return []
    throw error
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Raw BSON assembly.

function readString(bytes: Uint8Array, valueStart: number): string {
  const length = int32(bytes, valueStart)
  return utf8.decode(bytes.subarray(valueStart + 4, valueStart + 4 + length - 1))
}

function int32(bytes: Uint8Array, offset: number): number {
  return bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)
}

function element(type: number, name: string, value: Uint8Array): Uint8Array {
  const key = utf8Encoder.encode(name)
  const out = new Uint8Array(1 + key.length + 1 + value.length)
  out[0] = type
  out.set(key, 1)
  out.set(value, key.length + 2)
  return out
}

function stringValue(text: string): Uint8Array {
  const bytes = utf8Encoder.encode(text)
  const out = Buffer.alloc(4 + bytes.length + 1)
  out.writeInt32LE(bytes.length + 1, 0)
  out.set(bytes, 4)
  return out
}

function documentOf(elements: readonly Uint8Array[]): Uint8Array {
  const length = 4 + elements.reduce((sum, e) => sum + e.length, 0) + 1
  const out = Buffer.alloc(length)
  out.writeInt32LE(length, 0)
  let offset = 4
  for (const e of elements) {
    out.set(e, offset)
    offset += e.length
  }
  return out
}

function arrayOf(docs: readonly Uint8Array[]): Uint8Array {
  return documentOf(docs.map((doc, index) => element(BSON_TYPE.document, String(index), doc)))
}
