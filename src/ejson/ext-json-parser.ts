// Go's extJSONParser: the lookahead state machine over the scanner's tokens that types each value (peekType), reads
// keys (readKey) and reads the values and wrapper objects ($oid, $binary, $date, $code/$scope, ...) as the Go code
// does, in the same states and the same lookahead order, with the same error texts. It extends the scanner
// (scanner.ts) and is extended by the $-wrapper checks (wrapper-values.ts): one object, no indirection per token.

import * as bsonTypes from './bson-types.ts'
import {typeName} from './bson-types.ts'
import type {ExtJsonSyntaxError} from './errors.ts'
import * as scanner from './scanner.ts'
import {JsonScanner, latin1, utf8Text} from './scanner.ts'

// Constants of other modules are bound here as this module's own: V8 folds a module's own constants into optimized
// code, but loads an imported binding at each use (measured: ~4% slower parsing of canonical Extended JSON).
const {
  T_ARRAY, T_BINARY, T_BOOL, T_CODE, T_CODE_SCOPE, T_DATE, T_DBPOINTER, T_DECIMAL, T_DOC, T_DOUBLE, T_INT32, T_INT64,
  T_MAXKEY, T_MINKEY, T_NULL, T_OID, T_REGEX, T_STRING, T_SYMBOL, T_TIMESTAMP, T_UNDEFINED
} = bsonTypes
const {
  TK_BEGIN_ARR, TK_BEGIN_OBJ, TK_BOOL, TK_COLON, TK_COMMA, TK_DOUBLE, TK_END_ARR, TK_END_OBJ, TK_EOF, TK_INT32, TK_INT64,
  TK_NULL, TK_STRING
} = scanner

/** peekType result at the end of an array (Go's ErrEOA). */
export const END_OF_ARRAY = -1
/** readKey result at the end of a document (Go's ErrEOD). */
export const END_OF_DOC = -2

// Parser states (Go's jpsXxx) and the tokens each accepts, as bit sets.
export const S_START: number = 0
const S_BEGIN_OBJ: number = 1
const S_END_OBJ: number = 2
const S_BEGIN_ARR: number = 3
const S_END_ARR: number = 4
const S_COLON: number = 5
const S_COMMA: number = 6
const S_KEY: number = 7
const S_VALUE: number = 8
const S_DONE: number = 9

const bits = (...tokens: number[]): number => tokens.reduce((set, tk) => set | (1 << tk), 0)
const SCALARS = [TK_INT32, TK_INT64, TK_DOUBLE, TK_STRING, TK_BOOL, TK_NULL]
const VALUE_START = bits(TK_BEGIN_OBJ, TK_BEGIN_ARR, ...SCALARS)
const AFTER_VALUE = bits(TK_END_OBJ, TK_END_ARR, TK_COMMA, TK_EOF)
const ALLOWED_AFTER: number[] = []
ALLOWED_AFTER[S_START] = VALUE_START | bits(TK_EOF)
ALLOWED_AFTER[S_BEGIN_OBJ] = bits(TK_END_OBJ, TK_STRING)
ALLOWED_AFTER[S_END_OBJ] = AFTER_VALUE
ALLOWED_AFTER[S_BEGIN_ARR] = VALUE_START | bits(TK_END_ARR)
ALLOWED_AFTER[S_END_ARR] = AFTER_VALUE
ALLOWED_AFTER[S_COLON] = VALUE_START
ALLOWED_AFTER[S_COMMA] = VALUE_START
ALLOWED_AFTER[S_KEY] = bits(TK_COLON)
ALLOWED_AFTER[S_VALUE] = AFTER_VALUE
ALLOWED_AFTER[S_DONE] = 0

const MODE_OBJECT = 1
const MODE_ARRAY = 2
const MAX_OBJECT_DEPTH = 200
/**
 * Objects and arrays nested in one another, at most. Go limits only objects; a limit of our own keeps the answer the
 * same whatever the call stack (a worker thread's is larger than the main thread's), far above what any server stores
 * (MongoDB: 100 levels).
 */
const MAX_NESTING = 1000

/** A scalar read by the scanner, or the small object a wrapper such as $binary holds. */
export interface Value {
  t: number
  /** Int32, Double, and Int64 within ±2^53. */
  num: number
  /** Int64 beyond ±2^53. */
  big: bigint | null
  bool: boolean
  /** String bytes: sb[s0..s1). */
  sb: Uint8Array | null
  s0: number
  s1: number
  /** For t === T_DOC: the keys and values of a wrapper's object. */
  keys: string[] | null
  vals: Value[] | null
}

function objectValue(keys: string[], vals: Value[]): Value {
  return {t: T_DOC, num: 0, big: null, bool: false, sb: null, s0: 0, s1: 0, keys, vals}
}

function stringValue(text: string): Value {
  const bytes = Buffer.from(text, 'latin1')
  return {t: T_STRING, num: 0, big: null, bool: false, sb: bytes, s0: 0, s1: bytes.length, keys: null, vals: null}
}

const ENC = new TextEncoder()
const keyBytes = (k: string): Uint8Array => ENC.encode(k)
const K_SCOPE = keyBytes('$scope')
const K_TYPE = keyBytes('$type')
const K_UUID = keyBytes('$uuid')
/** The `$` keys Go recognises as the first key of a wrapper object (wrapperKeyBSONType). */
const WRAPPER_KEYS: Array<[Uint8Array, number]> = Object.entries({
  $numberInt: T_INT32, $numberLong: T_INT64, $oid: T_OID, $symbol: T_SYMBOL, $numberDouble: T_DOUBLE,
  $numberDecimal: T_DECIMAL, $binary: T_BINARY, $code: T_CODE, $scope: T_CODE_SCOPE, $timestamp: T_TIMESTAMP,
  $regularExpression: T_REGEX, $dbPointer: T_DBPOINTER, $date: T_DATE, $minKey: T_MINKEY, $maxKey: T_MAXKEY,
  $undefined: T_UNDEFINED
}).map(([k, t]) => [keyBytes(k), t])

function bytesEqual(b: Uint8Array, s: number, e: number, k: Uint8Array): boolean {
  if (e - s !== k.length) return false
  for (let i = 0; i < k.length; i++) if (b[s + i] !== k[i]) return false
  return true
}

export class ExtJsonParser extends JsonScanner {
  // parser state (Go's extJSONParser)
  protected s = S_START
  protected modes: number[] = []
  protected depth = 0
  protected v: Value | null = null
  private kb: Uint8Array = new Uint8Array(0)
  private k0 = 0
  private k1 = 0
  protected emptyObject = false
  protected relaxedUUID = false
  // key returned by readKey
  protected rkb: Uint8Array = new Uint8Array(0)
  protected rk0 = 0
  protected rk1 = 0

  private tokenValue(): Value {
    switch (this.tk) {
      case TK_INT32: return scalar(T_INT32, this.tkNum)
      case TK_INT64: {
        const v = scalar(T_INT64, this.tkNum)
        v.big = this.tkBig
        this.tkBig = null
        return v
      }
      case TK_DOUBLE: return scalar(T_DOUBLE, this.tkNum)
      case TK_BOOL: {
        const v = scalar(T_BOOL, 0)
        v.bool = this.tkBool
        return v
      }
      case TK_NULL: return scalar(T_NULL, 0)
      default: {
        const v = scalar(T_STRING, 0)
        v.sb = this.tkSb
        v.s0 = this.tkS0
        v.s1 = this.tkS1
        return v
      }
    }
  }

  private advance(): void {
    if (this.s === S_DONE) return
    this.nextToken()
    const tk = this.tk
    if (!this.validToken(tk)) throw this.unexpected()
    switch (tk) {
      case TK_BEGIN_OBJ:
        this.s = S_BEGIN_OBJ
        this.modes.push(MODE_OBJECT)
        if (this.modes.length > MAX_NESTING) throw this.fail(`nesting deeper than ${MAX_NESTING} levels (MongoDB stores at most 100)`, this.tkPos)
        if (++this.depth > MAX_OBJECT_DEPTH) {
          throw this.fail(`invalid JSON input; nesting too deep (${this.depth} levels) at position ${this.tkPos - this.base}`, this.tkPos)
        }
        return
      case TK_END_OBJ:
        this.s = S_END_OBJ
        this.depth--
        if (this.modes.pop() !== MODE_OBJECT) throw this.unexpected()
        return
      case TK_BEGIN_ARR:
        this.s = S_BEGIN_ARR
        this.modes.push(MODE_ARRAY)
        if (this.modes.length > MAX_NESTING) throw this.fail(`nesting deeper than ${MAX_NESTING} levels (MongoDB stores at most 100)`, this.tkPos)
        return
      case TK_END_ARR:
        this.s = S_END_ARR
        if (this.modes.pop() !== MODE_ARRAY) throw this.unexpected()
        return
      case TK_COLON:
        this.s = S_COLON
        return
      case TK_COMMA:
        this.s = S_COMMA
        return
      case TK_EOF:
        this.s = S_DONE
        if (this.modes.length !== 0) throw this.fail('invalid JSON input; unexpected end of input', this.end)
        return
      case TK_STRING:
        if (this.s === S_BEGIN_OBJ || (this.s === S_COMMA && this.modes[this.modes.length - 1] !== MODE_ARRAY)) {
          this.s = S_KEY
          this.kb = this.tkSb as Uint8Array
          this.k0 = this.tkS0
          this.k1 = this.tkS1
          return
        }
    }
    this.s = S_VALUE
    this.v = this.tokenValue()
  }

  private validToken(tk: number): boolean {
    const mode = this.modes.length === 0 ? 0 : this.modes[this.modes.length - 1]
    if (this.s === S_END_OBJ && tk === TK_BEGIN_OBJ && this.depth === 0) return mode !== MODE_ARRAY
    if (this.s === S_COMMA) {
      if (mode === MODE_OBJECT) return tk === TK_STRING
      if (mode === 0) return false
    }
    return (ALLOWED_AFTER[this.s] & (1 << tk)) !== 0
  }

  private unexpected(): ExtJsonSyntaxError {
    const at = this.tk === TK_EOF ? this.end : this.tkPos
    const what = this.tk === TK_EOF ? 'end of input' : this.tk === TK_STRING ? 'string' : latin1(this.b, this.tkPos, this.tkPos + 1)
    return this.fail(`invalid JSON input; unexpected ${what} at position ${at - this.base}`, at)
  }

  private keyIs(k: Uint8Array): boolean {
    return bytesEqual(this.kb, this.k0, this.k1, k)
  }

  private keyText(): string {
    return utf8Text.decode(this.kb.subarray(this.k0, this.k1))
  }

  private wrapperType(): number {
    if (this.k1 === this.k0 || this.kb[this.k0] !== 0x24) return T_DOC
    for (const [k, t] of WRAPPER_KEYS) if (this.keyIs(k)) return t
    return T_DOC
  }

  protected peekType(): number {
    const initial = this.s
    this.advance()
    switch (this.s) {
      case S_VALUE:
        return (this.v as Value).t
      case S_BEGIN_ARR:
        return T_ARRAY
      case S_COMMA:
        return this.modes[this.modes.length - 1] === MODE_ARRAY ? this.peekType() : 0
      case S_END_ARR:
        return END_OF_ARRAY
      case S_BEGIN_OBJ: {
        this.advance()
        if (this.s === S_END_OBJ) {
          this.emptyObject = true
          return T_DOC
        }
        if (this.s !== S_KEY) return 0
        if (initial === S_START) return T_DOC
        let t = this.wrapperType()
        if (this.keyIs(K_UUID)) {
          this.relaxedUUID = true
          t = T_BINARY
        }
        if (t === T_CODE) {
          // $code alone is JavaScript; followed by $scope it is code with scope.
          this.readValue(T_CODE)
          if (this.s === S_COMMA) {
            this.advance()
            if (this.s === S_KEY && this.keyIs(K_SCOPE)) t = T_CODE_SCOPE
            else throw this.fail(`invalid extended JSON: unexpected key ${this.keyText()} in CodeWithScope object`)
          } else if (this.s !== S_END_OBJ) throw this.fail('invalid JSON input')
        } else if (t === T_CODE_SCOPE) {
          throw this.fail('invalid extended JSON: code with $scope must contain $code before $scope')
        }
        return t
      }
    }
    return 0
  }

  /** Reads the next key and peeks its value's type; END_OF_DOC at the closing brace. */
  protected readKey(): number {
    if (this.emptyObject) {
      this.emptyObject = false
      return END_OF_DOC
    }
    switch (this.s) {
      case S_START:
        this.advance()
        if (this.s === S_BEGIN_OBJ) this.advance()
        break
      case S_BEGIN_OBJ:
        this.advance()
        break
      case S_VALUE:
      case S_END_OBJ:
      case S_END_ARR:
        this.advance()
        switch (this.s) {
          case S_BEGIN_OBJ:
          case S_COMMA:
            this.advance()
            break
          case S_END_OBJ:
            return END_OF_DOC
          case S_DONE:
            throw this.fail('unexpected end of input')
          default:
            throw this.fail('invalid JSON input')
        }
        break
      case S_KEY:
        break
      default:
        throw this.fail('invalid request to read key')
    }
    if (this.s === S_END_OBJ) return END_OF_DOC
    if (this.s !== S_KEY) throw this.fail('invalid request to read key')
    const kb = this.kb
    const k0 = this.k0
    const k1 = this.k1
    this.advance()
    this.expectColon(kb, k0, k1)
    const t = this.peekType()
    if (t === END_OF_ARRAY) throw this.fail('end of array')
    this.rkb = kb
    this.rk0 = k0
    this.rk1 = k1
    return t
  }

  private expectColon(kb: Uint8Array, k0: number, k1: number): void {
    if (this.s !== S_COLON) {
      throw this.fail(`invalid JSON input: missing colon after key "${utf8Text.decode(kb.subarray(k0, k1))}"`)
    }
  }

  private expectValueType(t: number): boolean {
    const vt = (this.v as Value).t
    switch (t) {
      case T_MINKEY:
      case T_MAXKEY:
        return vt === T_INT32
      case T_UNDEFINED:
        return vt === T_BOOL
      default:
        return vt === T_STRING
    }
  }

  private invalidFor(expected: string, t: number): ExtJsonSyntaxError {
    return this.fail(`invalid JSON input; expected ${expected} for ${typeName(t)}`)
  }

  /** Reads the value whose type peekType returned (Go's readValue). */
  protected readValue(t: number): Value {
    switch (t) {
      case T_NULL:
      case T_BOOL:
      case T_STRING:
        if (this.s !== S_VALUE) throw this.fail(`invalid request to read ${typeName(t)}`)
        return this.v as Value
      case T_INT32:
      case T_INT64:
      case T_DOUBLE:
        // a relaxed number, or the canonical {"$numberInt": "…"} form
        return this.s === S_VALUE ? (this.v as Value) : this.readSingleKeyWrapper(t)
      case T_DECIMAL:
      case T_SYMBOL:
      case T_OID:
      case T_MINKEY:
      case T_MAXKEY:
      case T_UNDEFINED:
        return this.readSingleKeyWrapper(t)
      case T_BINARY:
      case T_REGEX:
      case T_TIMESTAMP:
      case T_DBPOINTER: {
        if (this.s !== S_KEY) throw this.fail(`invalid request to read ${typeName(t)}`)
        this.advance()
        this.expectColon(this.kb, this.k0, this.k1)
        this.advance()
        if (t === T_BINARY && this.s === S_VALUE) {
          if (this.relaxedUUID) return this.readUuid()
          // legacy {"$binary": "<base64>", "$type": "<hex>"}
          const base64 = this.v as Value
          this.advance()
          if (this.s !== S_COMMA) throw this.invalidFor(',', T_BINARY)
          this.advance()
          const subtypeType = this.readKey()
          if (subtypeType === END_OF_DOC) throw this.fail('end of document')
          if (!bytesEqual(this.rkb, this.rk0, this.rk1, K_TYPE)) throw this.invalidFor('$type', T_BINARY)
          const subtype = this.readValue(subtypeType)
          this.advance()
          if (this.s !== S_END_OBJ) throw this.invalidFor('2 key-value pairs and then }', T_BINARY)
          return objectValue(['base64', 'subType'], [base64, subtype])
        }
        if (this.s !== S_BEGIN_OBJ) throw this.invalidFor('{', t)
        const v = this.readObject(2)
        this.advance()
        if (this.s !== S_END_OBJ) throw this.invalidFor('2 key-value pairs and then }', t)
        return v
      }
      case T_DATE:
        if (this.s === S_VALUE) return this.v as Value
        if (this.s !== S_KEY) throw this.fail(`invalid request to read ${typeName(t)}`)
        {
          this.advance()
          this.expectColon(this.kb, this.k0, this.k1)
          this.advance()
          let v: Value
          if (this.s === S_BEGIN_OBJ) v = this.readObject(1)
          else if (this.s === S_VALUE) v = this.v as Value
          else throw this.invalidFor('ISO-8601 Internet Date/Time Format as described in RFC-3339', t)
          this.advance()
          if (this.s !== S_END_OBJ) throw this.invalidFor('value and then }', t)
          return v
        }
      case T_CODE:
        if (this.s === S_KEY) {
          this.advance()
          this.expectColon(this.kb, this.k0, this.k1)
          this.advance()
          if (this.s !== S_VALUE) throw this.invalidFor('value', t)
          const v = this.v as Value
          this.advance() // the closing brace, or the comma before $scope
          return v
        }
        if (this.s === S_END_OBJ) return this.v as Value
        throw this.fail(`invalid request to read ${typeName(t)}`)
      case T_CODE_SCOPE: {
        if (this.s !== S_KEY || !this.keyIs(K_SCOPE)) throw this.fail(`invalid request to read ${typeName(t)}`)
        const code = this.v as Value
        this.advance()
        this.expectColon(this.kb, this.k0, this.k1)
        this.advance()
        if (this.s !== S_BEGIN_OBJ) throw this.fail('invalid JSON input; expected $scope to be embedded document')
        return code
      }
    }
    throw this.fail(`invalid request to read ${typeName(t)}`)
  }

  /** {"$oid": "…"} and the like: the value, then the closing brace. */
  private readSingleKeyWrapper(t: number): Value {
    if (this.s !== S_KEY) throw this.fail(`invalid request to read ${typeName(t)}`)
    this.advance()
    this.expectColon(this.kb, this.k0, this.k1)
    this.advance()
    if (this.s !== S_VALUE || !this.expectValueType(t)) throw this.invalidFor('value', t)
    const v = this.v as Value
    this.advance()
    if (this.s !== S_END_OBJ) throw this.invalidFor('} after value', t)
    return v
  }

  private readUuid(): Value {
    this.relaxedUUID = false
    const v = this.v as Value
    if (v.t !== T_STRING) throw this.fail(`$symbol value should be string, but instead is ${typeName(v.t)}`)
    const sb = v.sb as Uint8Array
    const text = latin1(sb, v.s0, v.s1)
    const shapeError = (): ExtJsonSyntaxError => this.fail('$uuid value does not follow RFC 4122 format regarding length and hyphens')
    if (text.length !== 36 || text[8] !== '-' || text[13] !== '-' || text[18] !== '-' || text[23] !== '-') throw shapeError()
    const hexDigits = text.replaceAll('-', '')
    if (hexDigits.length !== 32) throw shapeError()
    if (!/^[0-9a-fA-F]*$/.test(hexDigits)) throw this.fail('$uuid value does not follow RFC 4122 format regarding hex bytes')
    this.advance()
    if (this.s !== S_END_OBJ) throw this.invalidFor('$uuid and value and then }', T_BINARY)
    return objectValue(['base64', 'subType'], [stringValue(Buffer.from(hexDigits, 'hex').toString('base64')), stringValue('04')])
  }

  /** Reads `count` key/value pairs of a wrapper object, then its closing brace. */
  private readObject(count: number): Value {
    const keys: string[] = []
    const vals: Value[] = []
    for (let i = 0; i < count; i++) {
      const t = this.readKey()
      if (t === END_OF_DOC) throw this.fail('end of document')
      const key = utf8Text.decode(this.rkb.subarray(this.rk0, this.rk1))
      if (this.s === S_KEY) vals.push(this.readValue(t))
      else if (this.s === S_VALUE) vals.push(this.v as Value)
      else throw this.fail('invalid JSON input; expected value')
      keys.push(key)
    }
    this.advance()
    if (this.s !== S_END_OBJ) throw this.fail('invalid JSON input; expected }')
    return objectValue(keys, vals)
  }
}

function scalar(t: number, num: number): Value {
  return {t, num, big: null, bool: false, sb: null, s0: 0, s1: 0, keys: null, vals: null}
}
