// Extended JSON → BSON, with exactly the results of mongoimport's parser: Go's
// `bson.UnmarshalExtJSON(data, false, &bson.D)` followed by `bson.Marshal` (mongo-go-driver v2).
//
// Why not EJSON.parse: JSON.parse throws the number lexemes away (`1.0` would become Int32, big
// integers lose precision), reorders integer-like keys and drops duplicate keys. Here every value is
// typed from its text and written straight into BSON bytes in input order.
//
// The Go parser is a lookahead state machine with many corner cases (what it accepts inside wrapper
// objects, which `$` keys it recognises, when it stops reading). To get the same answer on every
// input, the parser keeps the same states and the same lookahead order, and the differential
// test (__tests__/ejson/reader-oracle.test.ts) checks it against the Go code itself.
// Known, documented gaps: see GAPS at the end of this file.
//
// This file holds the entry points and the decoder (Go's D decoder + bson.Marshal) that writes a document's BSON. The
// parser is one object built in layers, each its own file: scanner.ts (tokens) <- ext-json-parser.ts (Go's state
// machine) <- wrapper-values.ts ($-wrapper values) <- DocumentDecoder here. Splitting a file into documents is
// reader.ts.

import * as bsonTypes from './bson-types.ts'
import {typeName} from './bson-types.ts'
import {Arena, OUTPUT_LIMIT, Out} from './byte-buffers.ts'
import {parseDecimal128} from './decimal128.ts'
import {DocumentTooLargeError, ExtJsonSyntaxError} from './errors.ts'
import * as extJsonParser from './ext-json-parser.ts'
import {MAX_BSON_DOCUMENT_BYTES} from './limits.ts'
import {latin1} from './scanner.ts'
import {WrapperValues} from './wrapper-values.ts'

// Constants of other modules are bound here as this module's own: V8 folds a module's own constants into optimized
// code, but loads an imported binding at each use (measured: ~4% slower parsing of canonical Extended JSON).
const {
  T_ARRAY, T_BINARY, T_BOOL, T_CODE, T_CODE_SCOPE, T_DATE, T_DBPOINTER, T_DECIMAL, T_DOC, T_DOUBLE, T_INT32, T_INT64,
  T_MAXKEY, T_MINKEY, T_NULL, T_OID, T_REGEX, T_STRING, T_SYMBOL, T_TIMESTAMP, T_UNDEFINED
} = bsonTypes
const {END_OF_ARRAY, END_OF_DOC, S_START} = extJsonParser

/** Converts one Extended JSON document (canonical, relaxed or the legacy forms mongoimport accepts) to BSON. */
export function extJsonToBson(text: string): Uint8Array {
  const bytes = Buffer.from(text, 'utf8')
  return extJsonBytesToBson(bytes, 0, bytes.length)
}

/** Like extJsonToBson for UTF-8 bytes; invalid UTF-8 inside strings is kept byte for byte, as Go does. */
export function extJsonBytesToBson(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array {
  const parser = sharedParser ?? (sharedParser = new DocumentDecoder())
  if (parser.busy) return new DocumentDecoder().run(bytes, start, end)
  return parser.run(bytes, start, end)
}

let sharedParser: DocumentDecoder | undefined

/** The parser object, whole: the decoding of a document into BSON on top of the layers it extends. */
class DocumentDecoder extends WrapperValues {
  busy = false

  run(bytes: Uint8Array, start: number, end: number): Uint8Array {
    this.busy = true
    try {
      this.b = bytes
      this.pos = start
      this.base = start
      this.end = end
      this.s = S_START
      this.modes.length = 0
      this.depth = 0
      this.v = null
      this.emptyObject = false
      this.relaxedUUID = false
      this.arena.len = 0
      this.out.len = 0
      this.decodeTop()
      return this.out.buf.slice(0, this.out.len)
    } catch (error) {
      if (error instanceof ExtJsonSyntaxError) throw error
      if (error === OUTPUT_LIMIT) {
        throw new DocumentTooLargeError(
          `the document is larger than ${MAX_BSON_DOCUMENT_BYTES} bytes (16 MiB) as BSON, the most a MongoDB server stores in one document`,
          this.pos,
          this.pos - this.base + 1
        )
      }
      if (error instanceof RangeError && /call stack/i.test(error.message)) {
        throw this.fail('nesting too deep for this reader')
      }
      throw error
    } finally {
      this.busy = false
      this.b = EMPTY
      if (this.out.buf.length > 1 << 20) this.out = new Out()
      if (this.arena.buf.length > 1 << 20) this.arena = new Arena()
    }
  }

  private decodeTop(): void {
    let t: number
    try {
      t = this.peekType()
    } catch (error) {
      if (error instanceof ExtJsonSyntaxError) throw this.fail(`invalid JSON input: ${error.message}`, error.offset)
      throw error
    }
    if (t === T_DOC) return this.writeDocument(false)
    // `null` decodes to a nil bson.D, which bson.Marshal then refuses.
    if (t === T_NULL) throw this.fail('a top-level null is not a document')
    if (t === 0) throw this.fail('positioned on invalid type, but attempted to read embedded document')
    throw this.fail(`cannot decode ${typeName(t)} into a D`)
  }

  private writeDocument(isScope: boolean): void {
    const out = this.out
    const at = out.len
    out.int32(0)
    for (;;) {
      const t = this.readKey()
      if (t === END_OF_DOC) {
        // The $scope's closing brace: Go peeks once more (normally the wrapper's closing brace).
        if (isScope) this.peekType()
        break
      }
      const kb = this.rkb
      const k0 = this.rk0
      const k1 = this.rk1
      if (t === 0) throw this.fail('positioned on invalid type, but attempted to read embedded document')
      for (let i = k0; i < k1; i++) if (kb[i] === 0) throw this.fail('BSON element key cannot contain null bytes')
      out.byte(t)
      out.bytes(kb, k0, k1)
      out.byte(0)
      this.writeValue(t)
    }
    out.byte(0)
    out.patchLength(at)
  }

  private writeArray(): void {
    const out = this.out
    const at = out.len
    out.int32(0)
    for (let index = 0; ; index++) {
      const t = this.peekType()
      if (t === END_OF_ARRAY) break
      if (t === 0) throw this.fail('positioned on invalid type, but attempted to read embedded document')
      out.byte(t)
      const key = String(index)
      // Exactly what is written: a margin here would refuse documents just under the size limit.
      out.ensure(key.length)
      out.len += writeAscii(out.buf, out.len, key)
      out.byte(0)
      this.writeValue(t)
    }
    out.byte(0)
    out.patchLength(at)
  }

  private writeValue(t: number): void {
    const out = this.out
    switch (t) {
      case T_DOC:
        return this.writeDocument(false)
      case T_ARRAY:
        return this.writeArray()
      case T_STRING: {
        const v = this.readValue(T_STRING)
        if (v.t !== T_STRING) throw this.fail(`expected type string but got type ${typeName(v.t)}`)
        return out.string(v.sb as Uint8Array, v.s0, v.s1)
      }
      case T_INT32:
        return out.int32(this.parseInt32(this.readValue(T_INT32)))
      case T_INT64: {
        const [num, big] = this.parseInt64(this.readValue(T_INT64), '$numberLong')
        return out.int64(num, big)
      }
      case T_DOUBLE:
        return out.double(this.parseDouble(this.readValue(T_DOUBLE)))
      case T_BOOL: {
        const v = this.readValue(T_BOOL)
        if (v.t !== T_BOOL) throw this.fail(`expected type bool, but got type ${typeName(v.t)}`)
        return out.byte(v.bool ? 1 : 0)
      }
      case T_NULL: {
        const v = this.readValue(T_NULL)
        if (v.t !== T_NULL) throw this.fail(`expected type null but got type ${typeName(v.t)}`)
        return
      }
      case T_OID:
        return this.writeObjectId(this.readValue(T_OID))
      case T_DATE: {
        const [num, big] = this.parseDateTime(this.readValue(T_DATE))
        return out.int64(num, big)
      }
      case T_BINARY:
        return this.writeBinary(this.readValue(T_BINARY))
      case T_REGEX:
        return this.writeRegex(this.readValue(T_REGEX))
      case T_TIMESTAMP:
        return this.writeTimestamp(this.readValue(T_TIMESTAMP))
      case T_DBPOINTER:
        return this.writeDbPointer(this.readValue(T_DBPOINTER))
      case T_CODE:
      case T_SYMBOL: {
        const v = this.readValue(t)
        this.requireString(v, t === T_CODE ? '$code' : '$symbol')
        return out.string(v.sb as Uint8Array, v.s0, v.s1)
      }
      case T_CODE_SCOPE: {
        const code = this.readValue(T_CODE_SCOPE)
        this.requireString(code, '$code')
        const at = out.len
        out.int32(0)
        out.string(code.sb as Uint8Array, code.s0, code.s1)
        this.writeDocument(true)
        return out.patchLength(at)
      }
      case T_DECIMAL: {
        const v = this.readValue(T_DECIMAL)
        if (v.t !== T_STRING) throw this.fail(`$numberDecimal value should be string, but instead is ${typeName(v.t)}`)
        const bytes = parseDecimal128(latin1(v.sb as Uint8Array, v.s0, v.s1))
        if (bytes === null) throw this.fail(`$invalid $numberDecimal string: ${this.text(v)}`)
        return out.bytes(bytes, 0, 16)
      }
      case T_UNDEFINED: {
        const v = this.readValue(T_UNDEFINED)
        if (v.t !== T_BOOL) throw this.fail(`undefined value should be boolean, but instead is ${typeName(v.t)}`)
        if (!v.bool) throw this.fail('$undefined value boolean should be true, but instead is false')
        return
      }
      case T_MINKEY:
      case T_MAXKEY: {
        const v = this.readValue(t)
        const name = t === T_MINKEY ? '$minKey' : '$maxKey'
        if (v.t !== T_INT32) throw this.fail(`${name} value should be int32, but instead is ${typeName(v.t)}`)
        if (v.num !== 1) throw this.fail(`${name} value must be 1, but instead is ${v.num}`)
        return
      }
    }
    throw this.fail(`cannot decode ${typeName(t)}`)
  }
}

const EMPTY = new Uint8Array(0)

function writeAscii(buf: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) buf[at + i] = text.charCodeAt(i)
  return text.length
}

// GAPS (documented differences from the Go parser, none reachable from mongoexport output):
// - Objects and arrays nested more than 1000 levels (MAX_NESTING in ext-json-parser.ts; Go limits only objects, to
//   200) are refused here with "nesting deeper than 1000 levels"; no server stores more than 100.
// - Go caps a float exponent at 5 digits while accumulating (strconv.readFloat); a number with
//   thousands of leading zeros and an exponent of 100000 or more can round differently.
// - Size limits (limits.ts), which Go does not have (mongoimport 100.18.0 buffers a value of any length and leaves
//   the size to the server: mongod refuses a document over 16 MiB, FerretDB v1.24 stores it): a
//   document over MAX_BSON_DOCUMENT_BYTES of BSON is refused here, and so is a value of more than
//   MAX_DOCUMENT_TEXT_BYTES of text (mongoexport's compact output of a legal document stays below it;
//   indented output or padding of a legal document beyond 16 times its size does not).
