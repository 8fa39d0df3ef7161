// Extended JSON → BSON, with exactly the results of mongoimport's parser: Go's
// `bson.UnmarshalExtJSON(data, false, &bson.D)` followed by `bson.Marshal` (mongo-go-driver v2).
//
// Why not EJSON.parse: JSON.parse throws the number lexemes away (`1.0` would become Int32, big
// integers lose precision), reorders integer-like keys and drops duplicate keys. Here every value is
// typed from its text and written straight into BSON bytes in input order.
//
// The Go parser is a lookahead state machine with many corner cases (what it accepts inside wrapper
// objects, which `$` keys it recognises, when it stops reading). To get the same answer on every
// input, the parser below keeps the same states and the same lookahead order, and the differential
// test (__tests__/restore/reader-oracle.test.ts) checks it against the Go code itself.
// Known, documented gaps: see GAPS at the end of this file.

import type {Readable} from 'node:stream'

/** A document that mongoimport would refuse. `offset` is the byte offset in the parsed text. */
export class ExtJsonSyntaxError extends Error {
  /** 1-based byte column where the problem was found, relative to the start of the document. */
  readonly column: number
  readonly offset: number
  /** 1-based line of the problem, when read from a file. */
  readonly line?: number
  constructor(message: string, offset: number, column: number, line?: number) {
    super(message)
    this.name = 'ExtJsonSyntaxError'
    this.offset = offset
    this.column = column
    if (line !== undefined) this.line = line
  }
}

/**
 * A document whose BSON would be larger than MAX_BSON_DOCUMENT_BYTES, the most a MongoDB server stores in
 * one document. The Go parser has no such limit (mongoimport leaves it to the server); it is refused here
 * as soon as the output passes the limit, so the output buffer never grows beyond it.
 */
export class DocumentTooLargeError extends ExtJsonSyntaxError {
  constructor(message: string, offset: number, column: number, line?: number) {
    super(message, offset, column, line)
    this.name = 'DocumentTooLargeError'
  }
}

/** The largest document a MongoDB server stores (its maxBsonObjectSize): 16 MiB of BSON. */
export const MAX_BSON_DOCUMENT_BYTES = 16 * 1024 * 1024
/**
 * The default cap on the text of one value read from a file: 16 times the BSON limit. mongoexport's
 * one-line output of a 16 MiB document is at most about 13.5 times its BSON size (the worst case is a
 * run of empty-key, empty regular expressions), so no exportable document is refused by it; it keeps
 * a hostile or broken file (one endless line) from being buffered without bound.
 */
export const MAX_DOCUMENT_TEXT_BYTES = 16 * MAX_BSON_DOCUMENT_BYTES

/** Counters of the work the splitter does, for tests and benchmarks. */
export interface ReadExtJsonStats {
  /** Bytes copied into (or moved inside) the buffer that holds an unfinished value. */
  bufferedBytes: number
}

/** One value read from an Extended JSON file: its BSON, or why mongoimport would refuse it. */
export interface ExtJsonDocument {
  /** 1-based line where the document starts. */
  line: number
  bson?: Uint8Array
  error?: Error
}

export interface ReadExtJsonOptions {
  /**
   * true: the input is one top-level array of documents (mongoimport --jsonArray); false: documents
   * separated by whitespace (mongoexport's one per line); 'auto' (default): an array when the first
   * non-space byte is `[`.
   */
  jsonArray?: boolean | 'auto'
  /**
   * A value with more text than this is refused (a structural error: reading stops) as soon as that many
   * bytes of it are buffered. Default MAX_DOCUMENT_TEXT_BYTES.
   */
  maxDocumentTextBytes?: number
  /** Filled in while reading. */
  stats?: ReadExtJsonStats
}

/**
 * Splits an Extended JSON stream into documents like mongoimport: a UTF-8 BOM is skipped, values
 * only need whitespace between them and may span lines. Each value is parsed as it completes.
 * A structural error of the file itself (unterminated value, bad array syntax) ends the iteration
 * with an `error` entry; a document that does not parse is reported and reading continues.
 */
export async function* readExtJsonDocuments(
  stream: Readable | AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  opts: ReadExtJsonOptions = {}
): AsyncGenerator<ExtJsonDocument> {
  const splitter = new ValueSplitter(opts.jsonArray ?? 'auto', opts.maxDocumentTextBytes ?? MAX_DOCUMENT_TEXT_BYTES, opts.stats)
  for await (const chunk of stream as AsyncIterable<Uint8Array | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk
    yield* splitter.push(bytes)
    if (splitter.failed) return
  }
  for (const doc of splitter.finish()) yield doc
}

/** Converts one Extended JSON document (canonical, relaxed or the legacy forms mongoimport accepts) to BSON. */
export function extJsonToBson(text: string): Uint8Array {
  const bytes = Buffer.from(text, 'utf8')
  return extJsonBytesToBson(bytes, 0, bytes.length)
}

/** Like extJsonToBson for UTF-8 bytes; invalid UTF-8 inside strings is kept byte for byte, as Go does. */
export function extJsonBytesToBson(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array {
  const parser = sharedParser ?? (sharedParser = new Parser())
  if (parser.busy) return new Parser().run(bytes, start, end)
  return parser.run(bytes, start, end)
}

let sharedParser: Parser | undefined

// ---------------------------------------------------------------------------------------------
// BSON type numbers; 0 is "no type yet" (Go's Type(0)).
const T_DOUBLE = 0x01
const T_STRING = 0x02
const T_DOC = 0x03
const T_ARRAY = 0x04
const T_BINARY = 0x05
const T_UNDEFINED = 0x06
const T_OID = 0x07
const T_BOOL = 0x08
const T_DATE = 0x09
const T_NULL = 0x0a
const T_REGEX = 0x0b
const T_DBPOINTER = 0x0c
const T_CODE = 0x0d
const T_SYMBOL = 0x0e
const T_CODE_SCOPE = 0x0f
const T_INT32 = 0x10
const T_TIMESTAMP = 0x11
const T_INT64 = 0x12
const T_DECIMAL = 0x13
const T_MAXKEY = 0x7f
const T_MINKEY = 0xff
/** peekType result at the end of an array (Go's ErrEOA). */
const END_OF_ARRAY = -1
/** readKey result at the end of a document (Go's ErrEOD). */
const END_OF_DOC = -2

const TYPE_NAMES: Record<number, string> = {
  [T_DOUBLE]: 'double', [T_STRING]: 'string', [T_DOC]: 'embedded document', [T_ARRAY]: 'array',
  [T_BINARY]: 'binary', [T_UNDEFINED]: 'undefined', [T_OID]: 'objectID', [T_BOOL]: 'boolean',
  [T_DATE]: 'UTC datetime', [T_NULL]: 'null', [T_REGEX]: 'regex', [T_DBPOINTER]: 'dbPointer',
  [T_CODE]: 'javascript', [T_SYMBOL]: 'symbol', [T_CODE_SCOPE]: 'code with scope', [T_INT32]: '32-bit integer',
  [T_TIMESTAMP]: 'timestamp', [T_INT64]: '64-bit integer', [T_DECIMAL]: '128-bit decimal',
  [T_MAXKEY]: 'max key', [T_MINKEY]: 'min key'
}
const typeName = (t: number): string => TYPE_NAMES[t] ?? `invalid type 0x${t.toString(16)}`

// Tokens of the JSON scanner.
const TK_BEGIN_OBJ = 0
const TK_END_OBJ = 1
const TK_BEGIN_ARR = 2
const TK_END_ARR = 3
const TK_COLON = 4
const TK_COMMA = 5
const TK_INT32 = 6
const TK_INT64 = 7
const TK_DOUBLE = 8
const TK_STRING = 9
const TK_BOOL = 10
const TK_NULL = 11
const TK_EOF = 12

// Parser states (Go's jpsXxx) and the tokens each accepts, as bit sets.
const S_START: number = 0
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
interface Value {
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

const latin1 = (b: Uint8Array, s: number, e: number): string => Buffer.prototype.latin1Slice.call(b, s, e) as string
const utf8Text = new TextDecoder('utf-8')

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

const isWhite = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39
const isTerminator = (c: number): boolean => c === 0x2c || c === 0x7d || c === 0x5d || isWhite(c)

const INT32_MIN = -2147483648
const INT32_MAX = 2147483647
const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

/** A copy of the first `used` bytes of `buf` in an array doubled until `needed` more bytes fit. */
function grown(buf: Uint8Array, used: number, needed: number): Uint8Array<ArrayBuffer> {
  let size = buf.length * 2
  while (size < used + needed) size *= 2
  const next = new Uint8Array(size)
  next.set(buf.subarray(0, used))
  return next
}

/** Thrown by Out when the document passes MAX_BSON_DOCUMENT_BYTES; the parser turns it into a DocumentTooLargeError. */
const OUTPUT_LIMIT = Symbol('output limit')

/**
 * Growable output buffer for BSON, never larger than MAX_BSON_DOCUMENT_BYTES: capacities are 4096
 * times a power of two, so the fast path of ensure() cannot pass the limit either.
 */
class Out {
  buf = new Uint8Array(4096)
  view = new DataView(this.buf.buffer)
  len = 0
  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return
    if (this.len + n > MAX_BSON_DOCUMENT_BYTES) throw OUTPUT_LIMIT
    this.buf = grown(this.buf, this.len, n)
    this.view = new DataView(this.buf.buffer)
  }
  byte(b: number): void {
    this.ensure(1)
    this.buf[this.len++] = b
  }
  int32(v: number): void {
    this.ensure(4)
    this.view.setInt32(this.len, v, true)
    this.len += 4
  }
  int64(num: number, big: bigint | null): void {
    this.ensure(8)
    if (big !== null) this.view.setBigInt64(this.len, big, true)
    else {
      const hi = Math.floor(num / 4294967296)
      this.view.setUint32(this.len, num - hi * 4294967296, true)
      this.view.setInt32(this.len + 4, hi, true)
    }
    this.len += 8
  }
  double(d: number): void {
    this.ensure(8)
    if (Number.isNaN(d)) {
      // Go's math.NaN() bit pattern, which is what the Go parser stores for "NaN".
      this.view.setUint32(this.len, 1, true)
      this.view.setUint32(this.len + 4, 0x7ff80000, true)
    } else this.view.setFloat64(this.len, d, true)
    this.len += 8
  }
  bytes(src: Uint8Array, s: number, e: number): void {
    this.ensure(e - s)
    // Most keys and strings are short: a loop beats creating a subarray view for set().
    if (e - s < 32) {
      const buf = this.buf
      let at = this.len
      for (let i = s; i < e; i++) buf[at++] = src[i]
    } else this.buf.set(src.subarray(s, e), this.len)
    this.len += e - s
  }
  /** int32 length + bytes + NUL. */
  string(src: Uint8Array, s: number, e: number): void {
    this.int32(e - s + 1)
    this.bytes(src, s, e)
    this.byte(0)
  }
  patchLength(at: number): void {
    this.view.setInt32(at, this.len - at, true)
  }
}

/** Scratch storage for strings that contained escapes; references stay valid until reset. */
class Arena {
  buf = new Uint8Array(1024)
  len = 0
  grow(n: number): void {
    if (this.len + n <= this.buf.length) return
    // Older Values keep pointing at the old array, whose bytes never change again.
    this.buf = grown(this.buf, this.len, n)
  }
  rune(r: number): void {
    this.grow(4)
    const b = this.buf
    if (r < 0 || r > 0x10ffff || (r >= 0xd800 && r < 0xe000)) r = 0xfffd
    if (r < 0x80) b[this.len++] = r
    else if (r < 0x800) {
      b[this.len++] = 0xc0 | (r >> 6)
      b[this.len++] = 0x80 | (r & 0x3f)
    } else if (r < 0x10000) {
      b[this.len++] = 0xe0 | (r >> 12)
      b[this.len++] = 0x80 | ((r >> 6) & 0x3f)
      b[this.len++] = 0x80 | (r & 0x3f)
    } else {
      b[this.len++] = 0xf0 | (r >> 18)
      b[this.len++] = 0x80 | ((r >> 12) & 0x3f)
      b[this.len++] = 0x80 | ((r >> 6) & 0x3f)
      b[this.len++] = 0x80 | (r & 0x3f)
    }
  }
}

class Parser {
  busy = false
  // input
  private b: Uint8Array = new Uint8Array(0)
  private pos = 0
  private end = 0
  private base = 0
  // current token
  private tk = 0
  private tkPos = 0
  private tkNum = 0
  private tkBig: bigint | null = null
  private tkBool = false
  private tkSb: Uint8Array | null = null
  private tkS0 = 0
  private tkS1 = 0
  // parser state (Go's extJSONParser)
  private s = S_START
  private modes: number[] = []
  private depth = 0
  private v: Value | null = null
  private kb: Uint8Array = new Uint8Array(0)
  private k0 = 0
  private k1 = 0
  private emptyObject = false
  private relaxedUUID = false
  // key returned by readKey
  private rkb: Uint8Array = new Uint8Array(0)
  private rk0 = 0
  private rk1 = 0
  private arena = new Arena()
  private out = new Out()

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

  private fail(message: string, at = this.pos): ExtJsonSyntaxError {
    return new ExtJsonSyntaxError(message, at, at - this.base + 1)
  }

  // ----------------------------------------------------------------- scanner (Go's jsonScanner)

  private nextToken(): void {
    const b = this.b
    let p = this.pos
    while (p < this.end && isWhite(b[p])) p++
    this.pos = p
    if (p >= this.end) {
      this.tk = TK_EOF
      this.tkPos = 0
      return
    }
    const c = b[p]
    this.tkPos = p
    this.pos = p + 1
    switch (c) {
      case 0x7b: this.tk = TK_BEGIN_OBJ; return
      case 0x7d: this.tk = TK_END_OBJ; return
      case 0x5b: this.tk = TK_BEGIN_ARR; return
      case 0x5d: this.tk = TK_END_ARR; return
      case 0x3a: this.tk = TK_COLON; return
      case 0x2c: this.tk = TK_COMMA; return
      case 0x22: this.scanString(); return
    }
    if (c === 0x2d || isDigit(c)) return this.scanNumber(c)
    if (c === 0x74 || c === 0x66 || c === 0x6e) return this.scanLiteral()
    throw this.fail(`invalid JSON input. Position: ${p - this.base}. Character: ${String.fromCharCode(c)}`, p)
  }

  private scanString(): void {
    const b = this.b
    const end = this.end
    const start = this.pos
    let p = start
    // Fast path: no escapes, the bytes are used in place.
    while (p < end) {
      const c = b[p]
      if (c === 0x22) {
        this.tk = TK_STRING
        this.tkSb = b
        this.tkS0 = start
        this.tkS1 = p
        this.pos = p + 1
        return
      }
      if (c === 0x5c) break
      p++
    }
    if (p >= end) throw this.fail('end of input in JSON string', end)
    const arena = this.arena
    arena.grow(p - start)
    arena.buf.set(b.subarray(start, p), arena.len)
    const s0 = arena.len
    arena.len += p - start
    const eof = (): ExtJsonSyntaxError => this.fail('end of input in JSON string', end)
    for (;;) {
      if (p >= end) throw eof()
      let c = b[p++]
      // `c` is evaluated as a plain character, or (after a backslash) as an escape character.
      let escape = false
      if (c === 0x5c) {
        if (p >= end) throw eof()
        c = b[p++]
        escape = true
      }
      for (;;) {
        if (!escape) {
          if (c === 0x22) {
            this.tk = TK_STRING
            this.tkSb = arena.buf
            this.tkS0 = s0
            this.tkS1 = arena.len
            this.pos = p
            return
          }
          arena.grow(1)
          arena.buf[arena.len++] = c
          break
        }
        // escape character
        let simple = -1
        switch (c) {
          case 0x22: case 0x5c: case 0x2f: simple = c; break
          case 0x62: simple = 0x08; break
          case 0x66: simple = 0x0c; break
          case 0x6e: simple = 0x0a; break
          case 0x72: simple = 0x0d; break
          case 0x74: simple = 0x09; break
          case 0x75: break
          default:
            throw this.fail(`invalid escape sequence in JSON string '\\${String.fromCharCode(c)}'`, p - 1)
        }
        if (simple >= 0) {
          arena.grow(1)
          arena.buf[arena.len++] = simple
          break
        }
        if (p + 4 > end) throw this.fail('invalid unicode sequence in JSON string', end)
        const r = hex4(b, p)
        p += 4
        if (r >= 0xd800 && r < 0xe000) {
          // A surrogate: try to pair it with a following \uXXXX.
          if (p >= end) throw eof()
          c = b[p++]
          if (c !== 0x5c) {
            arena.rune(0xfffd)
            escape = false
            continue
          }
          if (p >= end) throw eof()
          c = b[p++]
          if (c !== 0x75) {
            arena.rune(0xfffd)
            escape = true
            continue
          }
          if (p + 4 > end) throw this.fail('invalid unicode sequence in JSON string', end)
          const r2 = hex4(b, p)
          p += 4
          if (r < 0xdc00 && r2 >= 0xdc00 && r2 < 0xe000) {
            arena.rune(0x10000 + ((r - 0xd800) << 10) + (r2 - 0xdc00))
          } else {
            arena.rune(0xfffd)
            arena.rune(r2)
          }
          break
        }
        arena.rune(r)
        break
      }
    }
  }

  private scanLiteral(): void {
    const b = this.b
    const p = this.tkPos
    if (p + 4 > this.end) throw this.fail('unexpected end of input in literal', this.end)
    const text = latin1(b, p, p + 4)
    const at = p + 4
    const terminated = (i: number): boolean => i >= this.end || isTerminator(b[i])
    if (text === 'true' && terminated(at)) {
      this.tk = TK_BOOL
      this.tkBool = true
      this.pos = at
      return
    }
    if (text === 'null' && terminated(at)) {
      this.tk = TK_NULL
      this.pos = at
      return
    }
    if (text === 'fals' && at < this.end && b[at] === 0x65 && terminated(at + 1)) {
      this.tk = TK_BOOL
      this.tkBool = false
      this.pos = at + 1
      return
    }
    throw this.fail(`invalid JSON literal. Position: ${p - this.base}, literal: ${text}`, p)
  }

  private scanNumber(first: number): void {
    const b = this.b
    const end = this.end
    const start = this.pos - 1
    let p = this.pos
    let isDouble = false
    // RFC 8259 grammar, with the terminators Go accepts after a number: , } ] whitespace, end of input.
    if (first === 0x2d) {
      if (p >= end || !isDigit(b[p])) throw this.badNumber(start)
      first = b[p++]
    }
    if (first !== 0x30) while (p < end && isDigit(b[p])) p++
    if (p < end && b[p] === 0x2e) {
      isDouble = true
      p++
      if (p >= end || !isDigit(b[p])) throw this.badNumber(start)
      while (p < end && isDigit(b[p])) p++
    }
    if (p < end && (b[p] === 0x65 || b[p] === 0x45)) {
      isDouble = true
      p++
      if (p < end && (b[p] === 0x2b || b[p] === 0x2d)) p++
      if (p >= end || !isDigit(b[p])) throw this.badNumber(start)
      while (p < end && isDigit(b[p])) p++
    }
    if (p < end && !isTerminator(b[p])) throw this.badNumber(start)
    this.pos = p
    const text = latin1(b, start, p)
    if (!isDouble) {
      const digits = p - start - (b[start] === 0x2d ? 1 : 0)
      if (digits <= 15) {
        const n = Number(text)
        this.setInteger(n, null)
        return
      }
      const big = BigInt(text)
      if (big >= INT64_MIN && big <= INT64_MAX) {
        const n = Number(big)
        this.setInteger(n, Number.isSafeInteger(n) ? null : big)
        return
      }
    }
    const d = Number(text)
    if (!Number.isFinite(d)) throw this.fail(`strconv.ParseFloat: parsing "${text}": value out of range`, start)
    this.tk = TK_DOUBLE
    this.tkNum = d
  }

  private setInteger(n: number, big: bigint | null): void {
    if (big === null && n >= INT32_MIN && n <= INT32_MAX) {
      this.tk = TK_INT32
      this.tkNum = n === 0 ? 0 : n // "-0" is the integer 0
    } else {
      this.tk = TK_INT64
      this.tkNum = n
      this.tkBig = big
    }
  }

  private badNumber(start: number): ExtJsonSyntaxError {
    return this.fail(`invalid JSON number. Position: ${start - this.base}`, start)
  }

  // ------------------------------------------------------------ parser (Go's extJSONParser)

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

  private peekType(): number {
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
  private readKey(): number {
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
  private readValue(t: number): Value {
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

  // ---------------------------------------------- decoding into BSON (Go's D decoder + Marshal)

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

  // ----------------------------------------------------------- wrapper values (extjson_wrappers)

  private text(v: Value): string {
    return utf8Text.decode((v.sb as Uint8Array).subarray(v.s0, v.s1))
  }

  private requireString(v: Value, wrapper: string): void {
    if (v.t !== T_STRING) throw this.fail(`${wrapper} value should be string, but instead is ${typeName(v.t)}`)
  }

  private parseInt32(v: Value): number {
    if (v.t === T_INT32) return v.num
    this.requireString(v, '$numberInt')
    const n = goParseInt64(latin1(v.sb as Uint8Array, v.s0, v.s1))
    if (n === null) throw this.fail(`strconv.ParseInt: parsing "${this.text(v)}": invalid syntax or out of range`)
    if (n < BigInt(INT32_MIN) || n > BigInt(INT32_MAX)) {
      throw this.fail(`$numberInt value should be int32 but instead is int64: ${n}`)
    }
    return Number(n)
  }

  private parseInt64(v: Value, wrapper: string): [number, bigint | null] {
    if (v.t === T_INT64) return [v.num, v.big]
    this.requireString(v, wrapper)
    const n = goParseInt64(latin1(v.sb as Uint8Array, v.s0, v.s1))
    if (n === null) throw this.fail(`strconv.ParseInt: parsing "${this.text(v)}": invalid syntax or out of range`)
    const num = Number(n)
    return [num, Number.isSafeInteger(num) ? null : n]
  }

  private parseDouble(v: Value): number {
    if (v.t === T_DOUBLE) return v.num
    if (v.t !== T_STRING) throw this.fail(`$numberDouble value should be string, but instead is ${typeName(v.t)}`)
    const text = latin1(v.sb as Uint8Array, v.s0, v.s1)
    if (text === 'Infinity') return Infinity
    if (text === '-Infinity') return -Infinity
    if (text === 'NaN') return NaN
    const d = goParseFloat(text)
    if (d === null) throw this.fail(`strconv.ParseFloat: parsing "${this.text(v)}": invalid syntax or out of range`)
    return d
  }

  private parseDateTime(v: Value): [number, bigint | null] {
    switch (v.t) {
      case T_INT32:
        return [v.num, null]
      case T_INT64:
        return [v.num, v.big]
      case T_STRING: {
        const ms = parseGoDateString(latin1(v.sb as Uint8Array, v.s0, v.s1))
        if (ms === null) throw this.fail(`invalid $date value string: ${this.text(v)}`)
        return [ms, null]
      }
      case T_DOC: {
        let found: [number, bigint | null] | null = null
        const keys = v.keys as string[]
        for (let i = 0; i < keys.length; i++) {
          const val = (v.vals as Value[])[i]
          if (keys[i] !== '$numberLong') throw this.fail(`invalid key in $date object: ${keys[i]}`)
          if (found !== null) throw this.fail('duplicate $numberLong key in $date')
          if (val.t !== T_STRING) throw this.fail(`$date $numberLong field should be string, but instead is ${typeName(val.t)}`)
          found = this.parseInt64(val, '$numberLong')
        }
        if (found === null) throw this.fail('missing $numberLong field in $date object')
        return found
      }
    }
    throw this.fail(`$date value should be string or object, but instead is ${typeName(v.t)}`)
  }

  private writeObjectId(v: Value): void {
    this.requireString(v, '$oid')
    const bytes = decodeHex(latin1(v.sb as Uint8Array, v.s0, v.s1), 12)
    if (bytes === null) throw this.fail(`the provided hex string is not a valid ObjectID: ${this.text(v)}`)
    this.out.bytes(bytes, 0, 12)
  }

  /** Fields of a wrapper object, each allowed once; Go's error texts. */
  private fields(v: Value, wrapper: string, names: string[]): Value[] {
    if (v.t !== T_DOC) throw this.fail(`${wrapper} value should be object, but instead is ${typeName(v.t)}`)
    const found: Value[] = []
    const keys = v.keys as string[]
    for (let i = 0; i < keys.length; i++) {
      const slot = names.indexOf(keys[i])
      if (slot < 0) throw this.fail(`invalid key in ${wrapper} object: ${keys[i]}`)
      if (found[slot] !== undefined) throw this.fail(`duplicate ${keys[i]} key in ${wrapper}`)
      found[slot] = (v.vals as Value[])[i]
      this.checkField(wrapper, keys[i], found[slot])
    }
    names.forEach((name, slot) => {
      if (found[slot] === undefined) throw this.fail(`missing ${name} field in ${wrapper} object`)
    })
    return found
  }

  /** Per-field checks made while iterating, so the first failing field gives the error, as in Go. */
  private checkField(wrapper: string, key: string, val: Value): void {
    if (wrapper === '$timestamp') {
      this.uint32Field(key, val)
      return
    }
    if (val.t !== T_STRING) throw this.fail(`${wrapper} ${key} value should be string, but instead is ${typeName(val.t)}`)
    if (wrapper === '$binary' && key === 'base64' && decodeBase64(latin1(val.sb as Uint8Array, val.s0, val.s1)) === null) {
      throw this.fail(`invalid $binary base64 string: ${this.text(val)}`)
    }
    if (wrapper === '$binary' && key === 'subType' && parseSubtype(latin1(val.sb as Uint8Array, val.s0, val.s1)) === null) {
      throw this.fail(`invalid $binary subType string: ${JSON.stringify(this.text(val))}`)
    }
    if (wrapper === '$dbPointer' && key === '$id' && decodeHex(latin1(val.sb as Uint8Array, val.s0, val.s1), 12) === null) {
      throw this.fail(`the provided hex string is not a valid ObjectID: ${this.text(val)}`)
    }
  }

  private uint32Field(key: string, val: Value): number {
    const n = val.t === T_INT32 || (val.t === T_INT64 && val.big === null) ? val.num : val.t === T_INT64 ? -1 : NaN
    if (Number.isNaN(n)) throw this.fail(`$timestamp ${key} value should be uint32, but instead is ${typeName(val.t)}`)
    if (n < 0 || n > 0xffffffff) throw this.fail(`$timestamp ${key} number should be uint32: ${val.big ?? val.num}`)
    return n
  }

  private writeBinary(v: Value): void {
    const [base64, subtypeText] = this.fields(v, '$binary', ['base64', 'subType'])
    const data = decodeBase64(latin1(base64.sb as Uint8Array, base64.s0, base64.s1)) as Uint8Array
    const subtype = parseSubtype(latin1(subtypeText.sb as Uint8Array, subtypeText.s0, subtypeText.s1)) as number
    const out = this.out
    if (subtype === 0x02) {
      // The old binary subtype carries its own inner length (bsoncore.AppendBinary).
      out.int32(data.length + 4)
      out.byte(subtype)
      out.int32(data.length)
    } else {
      out.int32(data.length)
      out.byte(subtype)
    }
    out.bytes(data, 0, data.length)
  }

  private writeRegex(v: Value): void {
    const [pattern, options] = this.fields(v, '$regularExpression', ['pattern', 'options'])
    const pb = pattern.sb as Uint8Array
    const ob = options.sb as Uint8Array
    if (pb.subarray(pattern.s0, pattern.s1).includes(0) || ob.subarray(options.s0, options.s1).includes(0)) {
      throw this.fail('BSON regex values cannot contain null bytes')
    }
    const out = this.out
    out.bytes(pb, pattern.s0, pattern.s1)
    out.byte(0)
    const sorted = sortRunes(ob, options.s0, options.s1)
    out.bytes(sorted, 0, sorted.length)
    out.byte(0)
  }

  private writeTimestamp(v: Value): void {
    const [t, i] = this.fields(v, '$timestamp', ['t', 'i'])
    this.out.ensure(8)
    this.out.view.setUint32(this.out.len, this.uint32Field('i', i), true)
    this.out.view.setUint32(this.out.len + 4, this.uint32Field('t', t), true)
    this.out.len += 8
  }

  private writeDbPointer(v: Value): void {
    const [ref, id] = this.fields(v, '$dbPointer', ['$ref', '$id'])
    this.out.string(ref.sb as Uint8Array, ref.s0, ref.s1)
    this.out.bytes(decodeHex(latin1(id.sb as Uint8Array, id.s0, id.s1), 12) as Uint8Array, 0, 12)
  }
}

const EMPTY = new Uint8Array(0)

function scalar(t: number, num: number): Value {
  return {t, num, big: null, bool: false, sb: null, s0: 0, s1: 0, keys: null, vals: null}
}

function writeAscii(buf: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) buf[at + i] = text.charCodeAt(i)
  return text.length
}

function hex4(b: Uint8Array, p: number): number {
  let r = 0
  for (let i = 0; i < 4; i++) {
    const c = b[p + i]
    let d: number
    if (c >= 0x30 && c <= 0x39) d = c - 0x30
    else if (c >= 0x61 && c <= 0x66) d = c - 0x57
    else if (c >= 0x41 && c <= 0x46) d = c - 0x37
    else return -1 // written as U+FFFD, as Go does
    r = r * 16 + d
  }
  return r
}

// ------------------------------------------------------------- Go standard library semantics

/** strconv.ParseInt(s, 10, 64): optional sign, ASCII digits, no underscores; null on error. */
function goParseInt64(s: string): bigint | null {
  if (!/^[+-]?[0-9]+$/.test(s)) return null
  const n = BigInt(s)
  return n < INT64_MIN || n > INT64_MAX ? null : n
}

/** strconv.ParseUint(s, 16, 8): hex digits only, leading zeros allowed, at most 0xff. */
function parseSubtype(s: string): number | null {
  if (!/^[0-9a-fA-F]+$/.test(s)) return null
  const significant = s.replace(/^0+/, '')
  return significant.length > 2 ? null : parseInt(significant || '0', 16)
}

/** hex.DecodeString of exactly `size` bytes (24 hex digits for an ObjectID). */
function decodeHex(s: string, size: number): Uint8Array | null {
  if (s.length !== size * 2 || !/^[0-9a-fA-F]*$/.test(s)) return null
  return Buffer.from(s, 'hex')
}

/** base64.StdEncoding.DecodeString: padding required, CR/LF ignored, non-zero trailing bits allowed. */
function decodeBase64(s: string): Uint8Array | null {
  const text = s.includes('\n') || s.includes('\r') ? s.replace(/[\r\n]/g, '') : s
  if (text.length % 4 !== 0) return null
  if (!/^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return null
  return Buffer.from(text, 'base64')
}

/** Go's []rune conversion (invalid bytes become U+FFFD), sorted by code point, back to UTF-8. */
function sortRunes(b: Uint8Array, s: number, e: number): Uint8Array {
  let ascii = true
  for (let i = s; i < e; i++) if (b[i] >= 0x80) ascii = false
  if (ascii) return Uint8Array.from(b.subarray(s, e)).sort()
  const runes: number[] = []
  for (let i = s; i < e; ) {
    const [r, size] = decodeRune(b, i, e)
    runes.push(r)
    i += size
  }
  runes.sort((x, y) => x - y)
  return Buffer.from(String.fromCodePoint(...runes), 'utf8')
}

/** utf8.DecodeRune: the rune and its size, (U+FFFD, 1) for an invalid sequence. */
function decodeRune(b: Uint8Array, i: number, e: number): [number, number] {
  const c0 = b[i]
  if (c0 < 0x80) return [c0, 1]
  let size: number
  let lo = 0x80
  let hi = 0xbf
  if (c0 >= 0xc2 && c0 <= 0xdf) size = 2
  else if (c0 >= 0xe0 && c0 <= 0xef) {
    size = 3
    if (c0 === 0xe0) lo = 0xa0
    if (c0 === 0xed) hi = 0x9f
  } else if (c0 >= 0xf0 && c0 <= 0xf4) {
    size = 4
    if (c0 === 0xf0) lo = 0x90
    if (c0 === 0xf4) hi = 0x8f
  } else return [0xfffd, 1]
  if (i + size > e) return [0xfffd, 1]
  if (b[i + 1] < lo || b[i + 1] > hi) return [0xfffd, 1]
  for (let k = 2; k < size; k++) if (b[i + k] < 0x80 || b[i + k] > 0xbf) return [0xfffd, 1]
  let r = c0 & (size === 2 ? 0x1f : size === 3 ? 0x0f : 0x07)
  for (let k = 1; k < size; k++) r = (r << 6) | (b[i + k] & 0x3f)
  return [r, size]
}

/**
 * strconv.ParseFloat(s, 64): Go float syntax (decimal or hex with a p exponent, `_` between digits,
 * inf/infinity/nan in any case); null on a syntax error or when the value overflows to ±Inf.
 */
function goParseFloat(s: string): number | null {
  const special = /^([+-]?)(inf|infinity)$/i.exec(s)
  if (special) return special[1] === '-' ? -Infinity : Infinity
  if (/^nan$/i.test(s)) return NaN
  if (s.includes('_') && !underscoresOk(s)) return null
  const clean = s.replaceAll('_', '')
  const hex = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?[0-9]+)$/.exec(clean)
  if (hex) {
    const [, sign, whole, frac = '', exp] = hex
    if (whole.length + frac.length === 0) return null
    const d = hexFloat(BigInt('0x' + (whole + frac || '0')), Math.max(-100000, Math.min(100000, Number(exp))) - 4 * frac.length)
    if (!Number.isFinite(d)) return null
    return sign === '-' ? -d : d
  }
  if (!/^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(clean)) return null
  const d = Number(clean)
  return Number.isFinite(d) ? d : null
}

/** Go's underscoreOK: underscores only between digits (or after a base prefix). */
function underscoresOk(s: string): boolean {
  let i = 0
  if (s[0] === '+' || s[0] === '-') i = 1
  let saw = '^'
  let hex = false
  if (s.length >= i + 2 && s[i] === '0' && /[bBoOxX]/.test(s[i + 1])) {
    hex = /[xX]/.test(s[i + 1])
    i += 2
    saw = '0'
  }
  for (; i < s.length; i++) {
    const c = s[i]
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
      saw = '0'
      continue
    }
    if (c === '_') {
      if (saw !== '0') return false
      saw = '_'
      continue
    }
    if (saw === '_') return false
    saw = '!'
  }
  return saw !== '_'
}

/** mantissa × 2^exp rounded to the nearest double, ties to even. */
function hexFloat(mantissa: bigint, exp: number): number {
  if (mantissa === 0n) return 0
  const bitsLen = mantissa.toString(2).length
  // Value = mantissa × 2^exp = 1.xxx × 2^(bitsLen - 1 + exp)
  let e = bitsLen - 1 + exp
  if (e > 1023) return Infinity
  // Number of mantissa bits kept: 53 for normals, fewer for subnormals.
  const keep = e >= -1022 ? 53 : 53 - (-1022 - e)
  if (keep <= 0) {
    // Below half the smallest subnormal (or exactly half: ties to even gives 0).
    if (keep === 0 && mantissa > 1n << BigInt(bitsLen - 1)) return 2 ** -1074
    return 0
  }
  let m = mantissa
  const drop = bitsLen - keep
  if (drop > 0) {
    const dropped = m & ((1n << BigInt(drop)) - 1n)
    m >>= BigInt(drop)
    const half = 1n << BigInt(drop - 1)
    if (dropped > half || (dropped === half && (m & 1n) === 1n)) m += 1n
    if (m === 1n << BigInt(keep)) {
      m >>= 1n
      e += 1
      if (e > 1023) return Infinity
    }
  } else m <<= BigInt(-drop)
  return Number(m) * 2 ** (e - (keep - 1))
}

const DAYS_BEFORE_MONTH = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]

/**
 * Go's time.Parse with the two layouts the driver accepts for {"$date": "<string>"}:
 * "2006-01-02T15:04:05.999Z07:00" and "2006-01-02T15:04:05.999Z0700". Milliseconds since the epoch, or null.
 */
function parseGoDateString(s: string): number | null {
  return parseGoLayout(s, true) ?? parseGoLayout(s, false)
}

function parseGoLayout(s: string, colonOffset: boolean): number | null {
  const digit = (i: number): boolean => i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39
  const two = (i: number): number => (s.charCodeAt(i) - 0x30) * 10 + s.charCodeAt(i + 1) - 0x30
  let i = 0
  if (!(digit(0) && digit(1) && digit(2) && digit(3))) return null
  const year = Number(s.slice(0, 4))
  i = 4
  if (s[i++] !== '-' || !digit(i) || !digit(i + 1)) return null
  const month = two(i)
  i += 2
  if (month < 1 || month > 12) return null
  if (s[i++] !== '-' || !digit(i) || !digit(i + 1)) return null
  const day = two(i)
  i += 2
  if (s[i++] !== 'T' || !digit(i)) return null
  // The hour takes one or two digits (Go's "15" layout element is not zero-padded).
  let hour: number
  if (digit(i + 1)) {
    hour = two(i)
    i += 2
  } else hour = s.charCodeAt(i++) - 0x30
  if (hour > 23) return null
  if (s[i++] !== ':' || !digit(i) || !digit(i + 1)) return null
  const minute = two(i)
  i += 2
  if (minute > 59) return null
  if (s[i++] !== ':' || !digit(i) || !digit(i + 1)) return null
  const second = two(i)
  i += 2
  if (second > 59) return null
  let nanos = 0
  if ((s[i] === '.' || s[i] === ',') && digit(i + 1)) {
    let j = i + 1
    while (digit(j)) j++
    const frac = s.slice(i + 1, Math.min(j, i + 10))
    nanos = Number(frac) * 10 ** (9 - frac.length)
    i = j
  }
  let offsetSeconds = 0
  if (s[i] === 'Z') i++
  else {
    const width = colonOffset ? 6 : 5
    if (s.length - i < width) return null
    if (colonOffset && s[i + 3] !== ':') return null
    const minuteAt = colonOffset ? i + 4 : i + 3
    if (!digit(i + 1) || !digit(i + 2) || !digit(minuteAt) || !digit(minuteAt + 1)) return null
    const hh = two(i + 1)
    const mm = two(minuteAt)
    if (hh > 24 || mm > 60) return null
    if (s[i] !== '+' && s[i] !== '-') return null
    offsetSeconds = (hh * 60 + mm) * 60 * (s[i] === '-' ? -1 : 1)
    i += width
  }
  if (i !== s.length) return null
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  const daysInMonth = month === 2 ? (leap ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
  if (day < 1 || day > daysInMonth) return null
  const days = daysFromCivil(year, month, day)
  const seconds = days * 86400 + hour * 3600 + minute * 60 + second - offsetSeconds
  return seconds * 1000 + Math.floor(nanos / 1e6)
}

/** Days since 1970-01-01 in the proleptic Gregorian calendar (year 0 exists). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = year - 1
  // Days before January 1st of `year`, counted from 0001-01-01, then shifted to the Unix epoch.
  const daysBeforeYear = y * 365 + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400)
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  const dayOfYear = DAYS_BEFORE_MONTH[month - 1] + (leap && month > 2 ? 1 : 0) + day - 1
  return daysBeforeYear + dayOfYear - 719162
}

const DEC_MAX_EXP = 6111
const DEC_MIN_EXP = -6176
const DEC_MAX_SIGNIFICAND = 10n ** 34n - 1n

/** bson.ParseDecimal128: exact values only (no rounding), clamping, NaN/Inf spellings; null on error. */
function parseDecimal128(s: string): Uint8Array | null {
  if (s === '') return null
  const m = /^([-+]?[0-9]*)(?:\.([0-9]*))?(?:[eE]([-+]?[0-9]+))?$/.exec(s)
  if (!m) {
    const neg = s[0] === '-'
    const rest = neg || s[0] === '+' ? s.slice(1) : s
    if (/^nan$/i.test(rest)) return decimalBits(0x7c00000000000000n, 0n)
    if (/^(inf|infinity)$/i.test(rest)) return decimalBits(neg ? 0xf800000000000000n : 0x7800000000000000n, 0n)
    return null
  }
  const [, intPart, decPart = '', expPart] = m
  let exp = 0
  if (expPart !== undefined) {
    const e = BigInt(expPart)
    if (e < INT64_MIN || e > INT64_MAX) return null
    exp = Number(e)
  }
  exp -= decPart.length
  if (trimChars(intPart + decPart, '-0').length > 35) return null
  const digits = intPart + decPart
  if (!/^[+-]?[0-9]+$/.test(digits)) return null
  let sig = BigInt(digits)
  const negative = sig < 0n || (sig === 0n && s[0] === '-')
  if (sig < 0n) sig = -sig
  if (sig === 0n) exp = Math.max(DEC_MIN_EXP, Math.min(DEC_MAX_EXP, exp))
  while (sig > DEC_MAX_SIGNIFICAND) {
    if (sig % 10n !== 0n) return null
    sig /= 10n
    if (++exp > DEC_MAX_EXP) return null
  }
  while (exp < DEC_MIN_EXP) {
    if (sig % 10n !== 0n) return null
    sig /= 10n
    exp++
  }
  while (exp > DEC_MAX_EXP) {
    sig *= 10n
    if (sig > DEC_MAX_SIGNIFICAND) return null
    exp--
  }
  let high = (sig >> 64n) | ((BigInt(exp - DEC_MIN_EXP) & 0x3fffn) << 49n)
  if (negative) high |= 1n << 63n
  return decimalBits(high, sig & 0xffffffffffffffffn)
}

function trimChars(s: string, chars: string): string {
  let a = 0
  let b = s.length
  while (a < b && chars.includes(s[a])) a++
  while (b > a && chars.includes(s[b - 1])) b--
  return s.slice(a, b)
}

function decimalBits(high: bigint, low: bigint): Uint8Array {
  const bytes = new Uint8Array(16)
  const view = new DataView(bytes.buffer)
  view.setBigUint64(0, low, true)
  view.setBigUint64(8, high, true)
  return bytes
}

// ------------------------------------------------------------------ splitting a file into values

const SPLIT_START = 0 // before anything (BOM, array detection)
const SPLIT_BETWEEN = 1 // between top-level values
const SPLIT_CONTAINER = 2 // inside an object or array value
const SPLIT_SCALAR = 3 // inside a bare top-level scalar
const SPLIT_ARRAY_OPEN = 4 // jsonArray: after '[' (a value or ']')
const SPLIT_ARRAY_SEP = 5 // jsonArray: after a value (',' or ']')
const SPLIT_ARRAY_VALUE = 6 // jsonArray: after ',' (a value)
const SPLIT_ARRAY_DONE = 7 // jsonArray: after ']' (only whitespace)

/**
 * Finds value boundaries without parsing, resumable across chunks, counting lines.
 *
 * Buffering is linear in the input: a chunk that starts no value is used in place; an unfinished value
 * lives in an owned buffer that is appended to, compacted when it is full but its start is consumed,
 * and doubled otherwise, so each byte is copied a bounded number of times however long the value is
 * (joining every new chunk to the whole unfinished value made one long line quadratic). A value is
 * never buffered beyond `maxText` bytes.
 */
class ValueSplitter {
  failed = false
  /** The bytes being scanned: a chunk as received, or the used part of `store`. */
  private buf: Uint8Array = EMPTY
  /** Owned storage for an unfinished value; `buf` is `store.subarray(0, buf.length)` when `inStore`. */
  private store: Uint8Array = EMPTY
  private inStore = false
  private pos = 0
  private state = SPLIT_START
  private array: boolean | 'auto'
  private readonly maxText: number
  private readonly stats: ReadExtJsonStats | undefined
  private line = 1
  /** Offset in buf of the first byte of the current line (may be negative after a shift). */
  private lineStart = 0
  private valueStart = 0
  private valueLine = 1
  private valueLineStart = 0
  private depth = 0
  private inString = false
  private escaped = false
  private sawBom = false

  constructor(array: boolean | 'auto', maxText: number, stats?: ReadExtJsonStats) {
    this.array = array
    this.maxText = maxText
    this.stats = stats
  }

  push(chunk: Uint8Array): ExtJsonDocument[] {
    if (this.failed || chunk.length === 0) return []
    // Keep only the unfinished value (or nothing) from the previous chunk.
    const keepFrom = this.state === SPLIT_CONTAINER || this.state === SPLIT_SCALAR ? this.valueStart : this.pos
    const rest = this.buf.length - keepFrom
    let shift = keepFrom
    if (rest === 0) {
      this.buf = chunk
      this.inStore = false
      // A buffer grown for one long value is not kept for the rest of the file.
      if (this.store.length > 1 << 20) this.store = EMPTY
    } else {
      const needed = rest + chunk.length
      let copied = chunk.length
      if (this.inStore && keepFrom + needed <= this.store.length) {
        this.store.set(chunk, this.buf.length)
        this.buf = this.store.subarray(0, keepFrom + needed)
        shift = 0
      } else {
        if (this.inStore && needed <= this.store.length) {
          // Room after moving the unfinished value to the start. Each byte is moved at most once this
          // way: the next move only concerns a value that starts after this one.
          this.store.copyWithin(0, keepFrom, this.buf.length)
        } else {
          const source = this.buf.subarray(keepFrom)
          if (needed > this.store.length) {
            // Doubled (amortized linear), but never far beyond what the value may grow to.
            const doubled = Math.max(2 * this.store.length, 65536)
            this.store = new Uint8Array(Math.max(needed, Math.min(doubled, this.maxText + chunk.length)))
          }
          this.store.set(source)
        }
        copied += rest
        this.store.set(chunk, rest)
        this.buf = this.store.subarray(0, needed)
      }
      this.inStore = true
      if (this.stats) this.stats.bufferedBytes += copied
    }
    this.pos -= shift
    this.valueStart -= shift
    this.lineStart -= shift
    this.valueLineStart -= shift
    return this.scan(false)
  }

  finish(): ExtJsonDocument[] {
    if (this.failed) return []
    const docs = this.scan(true)
    if (this.failed) return docs
    if (this.state === SPLIT_CONTAINER) docs.push(this.structural('unexpected end of input: the document is not terminated', this.valueLine))
    else if (this.state === SPLIT_SCALAR) docs.push(this.emit(this.buf.length))
    else if (this.array === true && this.state !== SPLIT_ARRAY_DONE) {
      docs.push(this.structural(this.state === SPLIT_START ? "bad JSON array format - found no opening bracket '[' in input source" : "bad JSON array format - found no closing bracket ']' in input source", this.line))
    }
    return docs
  }

  private structural(message: string, line: number): ExtJsonDocument {
    this.failed = true
    return {line, error: new ExtJsonSyntaxError(`line ${line}: ${message}`, this.pos, this.pos - this.lineStart + 1, line)}
  }

  private emit(end: number): ExtJsonDocument {
    const line = this.valueLine
    try {
      return {line, bson: extJsonBytesToBson(this.buf, this.valueStart, end)}
    } catch (error) {
      if (!(error instanceof ExtJsonSyntaxError)) throw error
      if (error instanceof DocumentTooLargeError) return {line, error: new DocumentTooLargeError(`line ${line}: ${error.message}`, error.offset, error.column, line)}
      // Position of the problem as line and column in the file.
      let errLine = line
      let errLineStart = this.valueLineStart
      const stop = Math.min(error.offset, end)
      for (let i = this.valueStart; i < stop; i++) {
        if (this.buf[i] === 0x0a) {
          errLine++
          errLineStart = i + 1
        }
      }
      const column = error.offset - errLineStart + 1
      const where = errLine === line ? `line ${line}, column ${column}` : `line ${line} (error at line ${errLine}, column ${column})`
      return {line, error: new ExtJsonSyntaxError(`${where}: ${error.message}`, error.offset, column, line)}
    }
  }

  private startValue(at: number): void {
    this.valueStart = at
    this.valueLine = this.line
    this.valueLineStart = this.lineStart
    this.depth = 0
    this.inString = false
    this.escaped = false
  }

  private scan(atEnd: boolean): ExtJsonDocument[] {
    const docs: ExtJsonDocument[] = []
    const b = this.buf
    const n = b.length
    let p = this.pos
    while (p < n) {
      const c = b[p]
      switch (this.state) {
        case SPLIT_START:
          if (!this.sawBom && p === 0 && c === 0xef) {
            if (n < 3 && !atEnd) {
              this.pos = p
              return docs
            }
            this.sawBom = true
            if (b[1] === 0xbb && b[2] === 0xbf) {
              p = 3
              continue
            }
          }
          this.sawBom = true
          if (isWhite(c)) break
          if (this.array === 'auto') this.array = c === 0x5b
          if (this.array === true) {
            if (c !== 0x5b) {
              this.pos = p
              docs.push(this.structural("bad JSON array format - found no opening bracket '[' in input source", this.line))
              return docs
            }
            this.state = SPLIT_ARRAY_OPEN
            break
          }
          this.state = SPLIT_BETWEEN
          continue
        case SPLIT_BETWEEN:
        case SPLIT_ARRAY_OPEN:
        case SPLIT_ARRAY_VALUE:
          if (isWhite(c)) break
          if (c === 0x5d && this.state === SPLIT_ARRAY_OPEN) {
            this.state = SPLIT_ARRAY_DONE
            break
          }
          if (this.state !== SPLIT_BETWEEN && (c === 0x2c || c === 0x5d)) {
            this.pos = p
            docs.push(this.structural(`bad JSON array format - found '${String.fromCharCode(c)}' where a document was expected`, this.line))
            return docs
          }
          this.startValue(p)
          this.state = c === 0x7b || c === 0x5b ? SPLIT_CONTAINER : SPLIT_SCALAR
          continue
        case SPLIT_CONTAINER: {
          // The hot loop of file reading: runs over every byte of every document.
          let depth = this.depth
          let inString = this.inString
          let escaped = this.escaped
          let q = p
          for (; q < n; q++) {
            const d = b[q]
            if (inString) {
              if (escaped) escaped = false
              else if (d === 0x5c) escaped = true
              else if (d === 0x22) inString = false
              else if (d === 0x0a) this.newline(q)
            } else if (d === 0x22) inString = true
            else if (d === 0x7b || d === 0x5b) depth++
            else if (d === 0x7d || d === 0x5d) {
              if (--depth === 0) break
            } else if (d === 0x0a) this.newline(q)
          }
          this.depth = depth
          this.inString = inString
          this.escaped = escaped
          if (q === n) {
            p = n
            continue
          }
          if (q + 1 - this.valueStart > this.maxText) {
            this.pos = q + 1
            docs.push(this.tooMuchText())
            return docs
          }
          docs.push(this.emit(q + 1))
          this.state = this.array === true ? SPLIT_ARRAY_SEP : SPLIT_BETWEEN
          p = q + 1
          continue
        }
        case SPLIT_SCALAR:
          if (isWhite(c) || (this.array === true && (c === 0x2c || c === 0x5d))) {
            if (p - this.valueStart > this.maxText) {
              this.pos = p
              docs.push(this.tooMuchText())
              return docs
            }
            docs.push(this.emit(p))
            this.state = this.array === true ? SPLIT_ARRAY_SEP : SPLIT_BETWEEN
            continue
          }
          break
        case SPLIT_ARRAY_SEP:
          if (isWhite(c)) break
          if (c === 0x2c) this.state = SPLIT_ARRAY_VALUE
          else if (c === 0x5d) this.state = SPLIT_ARRAY_DONE
          else {
            this.pos = p
            docs.push(this.structural(`bad JSON array format - found '${String.fromCharCode(c)}' outside JSON object/array in input source`, this.line))
            return docs
          }
          break
        case SPLIT_ARRAY_DONE:
          if (isWhite(c)) break
          this.pos = p
          docs.push(this.structural(`bad JSON array format - found '${String.fromCharCode(c)}' after ']' in input source`, this.line))
          return docs
      }
      if (c === 0x0a) this.newline(p)
      p++
    }
    this.pos = p
    // An unfinished value is buffered until its end: not beyond the cap.
    if ((this.state === SPLIT_CONTAINER || this.state === SPLIT_SCALAR) && n - this.valueStart > this.maxText) docs.push(this.tooMuchText())
    return docs
  }

  private tooMuchText(): ExtJsonDocument {
    const limit = this.maxText % (1 << 20) === 0 ? `${this.maxText / (1 << 20)} MiB` : `${this.maxText} bytes`
    return this.structural(
      `the document starting here is more than ${limit} of text, far beyond the ${MAX_BSON_DOCUMENT_BYTES} bytes (16 MiB) a MongoDB document may hold, so reading stopped ` +
        `(is this an Extended JSON export, one document per line? a damaged file can run lines together)`,
      this.valueLine
    )
  }

  private newline(at: number): void {
    this.line++
    this.lineStart = at + 1
  }
}

// GAPS (documented differences from the Go parser, none reachable from mongoexport output):
// - Objects and arrays nested more than 1000 levels (MAX_NESTING; Go limits only objects, to 200) are refused here
//   with "nesting deeper than 1000 levels"; no server stores more than 100.
// - Go caps a float exponent at 5 digits while accumulating (strconv.readFloat); a number with
//   thousands of leading zeros and an exponent of 100000 or more can round differently.
// - Size limits, which Go does not have (mongoimport 100.18.0 buffers a value of any length and leaves
//   the size to the server: mongod refuses a document over 16 MiB, FerretDB v1.24 stores it): a
//   document over MAX_BSON_DOCUMENT_BYTES of BSON is refused here, and so is a value of more than
//   MAX_DOCUMENT_TEXT_BYTES of text (mongoexport's compact output of a legal document stays below it;
//   indented output or padding of a legal document beyond 16 times its size does not).
