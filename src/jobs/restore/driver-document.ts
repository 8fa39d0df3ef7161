// Raw BSON → a value the Node driver serializes back to the same bytes: for what a restore sends inside commands of
// its own (an archive's collection options and index specs). Documents themselves are sent raw (src/mongo/raw-writes.ts).
//
// The driver only accepts JavaScript documents, and js-bson's own deserialize loses what a restore
// must keep: plain objects put integer-like keys first and keep one of two duplicate keys, and
// promoted numbers forget Int32 vs Double. So documents become Maps (insertion order, any key) of
// js-bson value classes (Int32, Double, Long, Decimal128, ...), which js-bson serializes to the
// original bytes. What js-bson cannot write back unchanged is refused with a clear reason instead
// of being altered silently (__tests__/jobs/restore/driver-document.test.ts checks both halves).

import {
  Binary, BSON, BSONRegExp, BSONSymbol, Code, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp
} from 'bson'
import {InputError} from '../../common/errors.ts'

/** The code of the InputError for a document the driver would not write back unchanged. */
export const UNREPRESENTABLE = 'unrepresentable-document'

function unrepresentable(message: string): InputError {
  return new InputError(message, {code: UNREPRESENTABLE})
}

export type DriverDocument = Map<string, unknown>

const utf8 = new TextDecoder('utf-8', {fatal: true})
const REGEX_OPTIONS = /^[imxlsu]*$/
/** JavaScript Dates hold ±8.64e15 ms; BSON dates beyond cannot travel through the driver. */
const DATE_LIMIT_MS = 8.64e15

/** The document as an ordered Map of js-bson values. Throws InputError (code UNREPRESENTABLE). */
export function toDriverDocument(bson: Uint8Array): DriverDocument {
  const view = new DataView(bson.buffer, bson.byteOffset, bson.byteLength)
  return readDocument(bson, view, 0, 'document') as DriverDocument
}

function text(bson: Uint8Array, start: number, end: number, what: string): string {
  try {
    return utf8.decode(bson.subarray(start, end))
  } catch {
    throw unrepresentable(`${what} is not valid UTF-8`)
  }
}

function cstringEnd(bson: Uint8Array, at: number): number {
  const end = bson.indexOf(0, at)
  if (end < 0) throw unrepresentable('malformed BSON: unterminated key')
  return end
}

// Where the value readValue just read ends: a module variable rather than a [value, end] pair per value, which
// was a tenth of the conversion's time in allocations and collections.
let valueEnd = 0

function readDocument(bson: Uint8Array, view: DataView, at: number, kind: 'document' | 'array'): DriverDocument | unknown[] {
  const end = at + view.getInt32(at, true) - 1
  let p = at + 4
  if (kind === 'array') {
    const list: unknown[] = []
    while (p < end) {
      const type = bson[p++]!
      const keyEnd = cstringEnd(bson, p)
      const key = text(bson, p, keyEnd, 'a key')
      list.push(readValue(bson, view, type, keyEnd + 1, key))
      p = valueEnd
    }
    return list
  }
  const map: DriverDocument = new Map()
  while (p < end) {
    const type = bson[p++]!
    const keyEnd = cstringEnd(bson, p)
    const key = text(bson, p, keyEnd, 'a key')
    const size = map.size
    map.set(key, readValue(bson, view, type, keyEnd + 1, key))
    p = valueEnd
    if (map.size === size) throw unrepresentable(`the key "${key}" appears twice in one document`)
  }
  return map
}

function readValue(bson: Uint8Array, view: DataView, type: number, p: number, key: string): unknown {
  switch (type) {
    case 0x01: {
      const value = view.getFloat64(p, true)
      // js-bson writes every NaN as the quiet NaN 0x7ff8000000000000.
      if (Number.isNaN(value) && (view.getUint32(p, true) !== 0 || view.getUint32(p + 4, true) !== 0x7ff80000)) {
        throw unrepresentable(`"${key}" is a NaN with a payload js-bson would not keep`)
      }
      valueEnd = p + 8
      return new Double(value)
    }
    case 0x02:
    case 0x0d:
    case 0x0e: {
      const length = view.getInt32(p, true)
      const value = text(bson, p + 4, p + 4 + length - 1, `the string "${key}"`)
      valueEnd = p + 4 + length
      return type === 0x02 ? value : type === 0x0d ? new Code(value) : new BSONSymbol(value)
    }
    case 0x03:
    case 0x04: {
      const value = readDocument(bson, view, p, type === 0x03 ? 'document' : 'array')
      valueEnd = p + view.getInt32(p, true)
      return value
    }
    case 0x05: {
      let length = view.getInt32(p, true)
      const subtype = bson[p + 4]!
      let start = p + 5
      if (subtype === 0x02) {
        // Old binary: js-bson re-adds an inner length on serialization, so it must be the usual one.
        if (length < 4 || view.getInt32(start, true) !== length - 4) {
          throw unrepresentable(`the old-style binary "${key}" has an inner length js-bson would rewrite`)
        }
        length -= 4
        start += 4
      }
      const value = new Binary(Uint8Array.prototype.slice.call(bson, start, start + length), subtype)
      if (subtype === 0x09) {
        // js-bson validates vectors when it writes them; ask it now rather than fail mid-restore.
        try {
          BSON.serialize({v: value})
        } catch (error) {
          throw unrepresentable(`the vector "${key}" is refused by js-bson: ${(error as Error).message}`)
        }
      }
      valueEnd = start + length
      return value
    }
    case 0x06:
      throw unrepresentable(`"${key}" is BSON Undefined, which the Node driver writes as null`)
    case 0x07:
      valueEnd = p + 12
      return new ObjectId(Uint8Array.prototype.slice.call(bson, p, p + 12))
    case 0x08:
      valueEnd = p + 1
      return bson[p] === 1
    case 0x09: {
      // Exact below 2^53 ms, so exact wherever the limit is decided; beyond that far outside it anyway.
      const ms = view.getInt32(p + 4, true) * 0x1_0000_0000 + view.getUint32(p, true)
      if (ms > DATE_LIMIT_MS || ms < -DATE_LIMIT_MS) {
        throw unrepresentable(`the date "${key}" (${view.getBigInt64(p, true)} ms) is outside what a JavaScript Date holds`)
      }
      valueEnd = p + 8
      return new Date(ms)
    }
    case 0x0a:
      valueEnd = p
      return null
    case 0x0b: {
      const patternEnd = cstringEnd(bson, p)
      const optionsEnd = cstringEnd(bson, patternEnd + 1)
      const options = text(bson, patternEnd + 1, optionsEnd, 'regex options')
      // js-bson accepts only these option letters and always writes them sorted.
      if (!REGEX_OPTIONS.test(options) || [...options].sort().join('') !== options) {
        throw unrepresentable(`the regex "${key}" has options "${options}" that js-bson would refuse or reorder`)
      }
      const value = new BSONRegExp(text(bson, p, patternEnd, 'a regex pattern'), options)
      valueEnd = optionsEnd + 1
      return value
    }
    case 0x0c:
      throw unrepresentable(`"${key}" is a BSON DBPointer, which the Node driver turns into a DBRef`)
    case 0x0f: {
      const codeLength = view.getInt32(p + 4, true)
      const code = text(bson, p + 8, p + 8 + codeLength - 1, 'JavaScript code')
      const scope = readDocument(bson, view, p + 8 + codeLength, 'document')
      valueEnd = p + view.getInt32(p, true)
      return new Code(code, scope as unknown as Record<string, unknown>)
    }
    case 0x10:
      valueEnd = p + 4
      return new Int32(view.getInt32(p, true))
    case 0x11:
      valueEnd = p + 8
      return new Timestamp({i: view.getUint32(p, true), t: view.getUint32(p + 4, true)})
    case 0x12:
      valueEnd = p + 8
      return Long.fromBits(view.getInt32(p, true), view.getInt32(p + 4, true))
    case 0x13:
      valueEnd = p + 16
      return new Decimal128(Uint8Array.prototype.slice.call(bson, p, p + 16))
    case 0x7f:
      valueEnd = p
      return new MaxKey()
    case 0xff:
      valueEnd = p
      return new MinKey()
  }
  throw unrepresentable(`"${key}" has the unknown BSON type 0x${type.toString(16)}`)
}
