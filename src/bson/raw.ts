// Reads a few fields straight from a raw BSON document (the bytes the export engine writes), so the
// export job can track `_id`, `timestamp`, `json.status` and result counts without deserializing
// every document. Paths are dotted (`json.status`); a segment ending in `[]` visits each element of
// an array (`json.results[].result`). Arrays are never traversed implicitly.
import {BSON, EJSON} from 'bson'
import {CorruptDataError} from '../common/errors.ts'

export const BSON_TYPE = {
  double: 0x01,
  string: 0x02,
  document: 0x03,
  array: 0x04,
  binary: 0x05,
  undefined: 0x06,
  objectId: 0x07,
  boolean: 0x08,
  date: 0x09,
  null: 0x0a,
  regex: 0x0b,
  dbPointer: 0x0c,
  javascript: 0x0d,
  symbol: 0x0e,
  javascriptWithScope: 0x0f,
  int32: 0x10,
  timestamp: 0x11,
  int64: 0x12,
  decimal128: 0x13,
  minKey: 0xff,
  maxKey: 0x7f
} as const

/** One element found in a document: its type and where its name and value lie in `bytes`. */
export interface RawElement {
  type: number
  bytes: Uint8Array
  /** Offset of the type byte (start of the whole element). */
  elementStart: number
  valueStart: number
  valueEnd: number
}

/** The code of the CorruptDataError for bytes that are not valid BSON. */
export const INVALID_BSON = 'invalid-bson'

function invalidBson(message: string): CorruptDataError {
  return new CorruptDataError(message, {code: INVALID_BSON})
}

const utf8 = new TextDecoder('utf-8')
const encoder = new TextEncoder()

interface Segment {
  name: Uint8Array
  each: boolean
}

const compiledPaths = new Map<string, Segment[]>()

function compile(path: string): Segment[] {
  let segments = compiledPaths.get(path)
  if (!segments) {
    segments = path.split('.').map(part => {
      const each = part.endsWith('[]')
      return {name: encoder.encode(each ? part.slice(0, -2) : part), each}
    })
    compiledPaths.set(path, segments)
  }
  return segments
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

function int32At(bytes: Uint8Array, offset: number): number {
  if (offset + 4 > bytes.length) throw invalidBson(`truncated BSON: int32 at ${offset} past the end (${bytes.length} bytes)`)
  // by hand: a DataView per read would dominate the cost of a scan
  return bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)
}

function valueLength(bytes: Uint8Array, type: number, offset: number): number {
  switch (type) {
    case BSON_TYPE.double:
    case BSON_TYPE.date:
    case BSON_TYPE.timestamp:
    case BSON_TYPE.int64:
      return 8
    case BSON_TYPE.string:
    case BSON_TYPE.javascript:
    case BSON_TYPE.symbol:
      return 4 + int32At(bytes, offset)
    case BSON_TYPE.document:
    case BSON_TYPE.array:
    case BSON_TYPE.javascriptWithScope:
      return int32At(bytes, offset)
    case BSON_TYPE.binary:
      return 5 + int32At(bytes, offset)
    case BSON_TYPE.undefined:
    case BSON_TYPE.null:
    case BSON_TYPE.minKey:
    case BSON_TYPE.maxKey:
      return 0
    case BSON_TYPE.objectId:
      return 12
    case BSON_TYPE.boolean:
      return 1
    case BSON_TYPE.int32:
      return 4
    case BSON_TYPE.decimal128:
      return 16
    case BSON_TYPE.regex: {
      const first = bytes.indexOf(0, offset)
      const second = first < 0 ? -1 : bytes.indexOf(0, first + 1)
      if (second < 0) throw invalidBson(`truncated BSON regex at ${offset}`)
      return second + 1 - offset
    }
    case BSON_TYPE.dbPointer:
      return 4 + int32At(bytes, offset) + 12
    default:
      throw invalidBson(`unknown BSON type 0x${type.toString(16)} at ${offset - 1}`)
  }
}

function nameEquals(bytes: Uint8Array, start: number, end: number, name: Uint8Array): boolean {
  if (end - start !== name.length) return false
  for (let i = 0; i < name.length; i++) if (bytes[start + i] !== name[i]) return false
  return true
}

/**
 * Walks the elements of the document (or array) at `docStart`, validating bounds, and hands each one's
 * offsets to `visit` as plain numbers (no allocation per element); stops when `visit` returns true.
 */
function scanElements(
  bytes: Uint8Array,
  docStart: number,
  visit: (type: number, elementStart: number, nameStart: number, nameEnd: number, valueStart: number, valueEnd: number) => boolean | void
): void {
  const size = int32At(bytes, docStart)
  const end = docStart + size
  if (size < 5 || end > bytes.length) throw invalidBson(`BSON document at ${docStart} declares ${size} bytes, ${bytes.length - docStart} available`)
  let offset = docStart + 4
  while (offset < end - 1) {
    const type = bytes[offset]!
    const nameStart = offset + 1
    const nameEnd = bytes.indexOf(0, nameStart)
    // Neither the name nor the value may reach the document's own closing 0 byte.
    if (nameEnd < 0 || nameEnd >= end - 1) throw invalidBson(`unterminated element name at ${nameStart}`)
    const valueStart = nameEnd + 1
    const valueEnd = valueStart + valueLength(bytes, type, valueStart)
    if (valueEnd > end - 1) throw invalidBson(`element at ${offset} runs past its document`)
    if (valueEnd < valueStart) throw invalidBson(`element at ${offset} declares a negative length`)
    if (visit(type, offset, nameStart, nameEnd, valueStart, valueEnd) === true) return
    offset = valueEnd
  }
}

/** Nesting deeper than this is refused rather than followed (mongod refuses far less: 200 levels). */
const MAX_CHECKED_DEPTH = 1000

/**
 * Why `bytes` is not exactly one well-formed BSON document, or undefined: every length, terminator and type, at every
 * depth (what a server checks before it stores a document). Strings are not checked for valid UTF-8, as servers don't.
 */
export function bsonStructureProblem(bytes: Uint8Array): string | undefined {
  try {
    if (bytes.length < 5 || int32At(bytes, 0) !== bytes.length) return `it declares ${bytes.length < 4 ? '?' : int32At(bytes, 0)} bytes but has ${bytes.length}`
    checkDocument(bytes, 0, 0)
    return undefined
  } catch (error) {
    if (error instanceof CorruptDataError && error.code === INVALID_BSON) return error.message
    throw error
  }
}

function checkDocument(bytes: Uint8Array, start: number, depth: number): void {
  if (depth > MAX_CHECKED_DEPTH) throw invalidBson(`documents nested more than ${MAX_CHECKED_DEPTH} levels deep`)
  const end = start + int32At(bytes, start)
  if (end <= bytes.length && bytes[end - 1] !== 0) throw invalidBson(`the document at ${start} does not end with a 0 byte`)
  scanElements(bytes, start, (type, elementStart, _nameStart, _nameEnd, valueStart, valueEnd) => {
    switch (type) {
      case BSON_TYPE.string:
      case BSON_TYPE.javascript:
      case BSON_TYPE.symbol:
        checkString(bytes, valueStart, valueEnd, elementStart)
        break
      case BSON_TYPE.dbPointer:
        checkString(bytes, valueStart, valueEnd - 12, elementStart)
        break
      case BSON_TYPE.document:
      case BSON_TYPE.array:
        checkDocument(bytes, valueStart, depth + 1)
        break
      case BSON_TYPE.javascriptWithScope: {
        const codeEnd = valueStart + 8 + int32At(bytes, valueStart + 4)
        checkString(bytes, valueStart + 4, codeEnd, elementStart)
        if (codeEnd + 5 > valueEnd || codeEnd + int32At(bytes, codeEnd) !== valueEnd) throw invalidBson(`the code with scope at ${elementStart} has inconsistent lengths`)
        checkDocument(bytes, codeEnd, depth + 1)
        break
      }
      case BSON_TYPE.binary:
        if (valueEnd < valueStart + 5) throw invalidBson(`the binary at ${elementStart} declares a negative length`)
        break
    }
  })
}

/** A string value from its int32 length to its end: at least the terminating 0, which is there. */
function checkString(bytes: Uint8Array, lengthAt: number, end: number, elementStart: number): void {
  if (end < lengthAt + 5 || bytes[end - 1] !== 0) throw invalidBson(`the string at ${elementStart} is not terminated by a 0 byte where its length says`)
}

/** Calls `visit` for each element of the document (or array) starting at `docStart`; stops when it returns true. */
export function forEachElement(bytes: Uint8Array, docStart: number, visit: (el: RawElement, nameStart: number, nameEnd: number) => boolean | void): void {
  scanElements(bytes, docStart, (type, elementStart, nameStart, nameEnd, valueStart, valueEnd) =>
    visit({type, bytes, elementStart, valueStart, valueEnd}, nameStart, nameEnd)
  )
}

// The hot path: allocates nothing until the name matches.
function findIn(bytes: Uint8Array, docStart: number, name: Uint8Array): RawElement | undefined {
  let found: RawElement | undefined
  scanElements(bytes, docStart, (type, elementStart, nameStart, nameEnd, valueStart, valueEnd) => {
    if (!nameEquals(bytes, nameStart, nameEnd, name)) return false
    found = {type, bytes, elementStart, valueStart, valueEnd}
    return true
  })
  return found
}

function collect(bytes: Uint8Array, docStart: number, segments: Segment[], index: number, out: RawElement[]): void {
  const segment = segments[index]!
  const el = findIn(bytes, docStart, segment.name)
  if (!el) return
  const last = index === segments.length - 1
  if (segment.each) {
    if (el.type !== BSON_TYPE.array) return
    forEachElement(bytes, el.valueStart, item => {
      if (last) out.push(item)
      else if (item.type === BSON_TYPE.document) collect(bytes, item.valueStart, segments, index + 1, out)
    })
  } else if (last) {
    out.push(el)
  } else if (el.type === BSON_TYPE.document) {
    collect(bytes, el.valueStart, segments, index + 1, out)
  }
}

/** Every element the path reaches (several when it has `[]` segments). */
export function getElements(doc: Uint8Array, path: string): RawElement[] {
  const out: RawElement[] = []
  collect(doc, 0, compile(path), 0, out)
  return out
}

/** The element at a path without `[]` segments, or undefined. */
export function getElement(doc: Uint8Array, path: string): RawElement | undefined {
  return getElements(doc, path)[0]
}

function readString(el: RawElement): string {
  const length = int32At(el.bytes, el.valueStart)
  return utf8.decode(el.bytes.subarray(el.valueStart + 4, el.valueStart + 4 + length - 1))
}

/** A string element's value; undefined when missing or of another type. */
export function stringValue(el: RawElement | undefined): string | undefined {
  return el?.type === BSON_TYPE.string ? readString(el) : undefined
}

export function getString(doc: Uint8Array, path: string): string | undefined {
  return stringValue(getElement(doc, path))
}

/** Strings at every place the path reaches, skipping other types. */
export function getStrings(doc: Uint8Array, path: string): string[] {
  return getElements(doc, path).flatMap(el => (el.type === BSON_TYPE.string ? [readString(el)] : []))
}

/** int32, double or int64 as a number; int64 outside ±2^53 is returned as a bigint so no precision is lost. */
export function numberValue(el: RawElement | undefined): number | bigint | undefined {
  if (!el) return undefined
  const v = view(el.bytes)
  switch (el.type) {
    case BSON_TYPE.int32:
      return v.getInt32(el.valueStart, true)
    case BSON_TYPE.double:
      return v.getFloat64(el.valueStart, true)
    case BSON_TYPE.int64: {
      const big = v.getBigInt64(el.valueStart, true)
      const n = Number(big)
      return Number.isSafeInteger(n) ? n : big
    }
    default:
      return undefined
  }
}

/** A BSON Date as epoch ms (a bigint when outside ±2^53). */
export function dateValue(el: RawElement | undefined): number | bigint | undefined {
  if (el?.type !== BSON_TYPE.date) return undefined
  const big = view(el.bytes).getBigInt64(el.valueStart, true)
  const n = Number(big)
  return Number.isSafeInteger(n) ? n : big
}

/** The 24-digit hex of an ObjectId element. */
export function objectIdHex(el: RawElement | undefined): string | undefined {
  if (el?.type !== BSON_TYPE.objectId) return undefined
  return Buffer.from(el.bytes.buffer, el.bytes.byteOffset + el.valueStart, 12).toString('hex')
}

/** Decodes one element with the bson package (types preserved: Int32, Long, Double, ...). */
export function elementValue(el: RawElement): unknown {
  // A one-element document holding exactly this element's bytes.
  const body = el.bytes.subarray(el.elementStart, el.valueEnd)
  const mini = new Uint8Array(body.length + 5)
  view(mini).setInt32(0, mini.length, true)
  mini.set(body, 4)
  const decoded = BSON.deserialize(mini, {promoteValues: false, promoteBuffers: false, bsonRegExp: true})
  return Object.values(decoded)[0]
}

/** Canonical Extended JSON of a value element, e.g. `{"$oid":"..."}`; parse back with EJSON.parse(…, {relaxed: false}). */
export function canonicalEjson(el: RawElement): string {
  const hex = objectIdHex(el)
  if (hex !== undefined) return `{"$oid":"${hex}"}`
  return EJSON.stringify(elementValue(el), {relaxed: false})
}
