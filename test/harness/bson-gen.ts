// Seeded generator of raw BSON documents for differential tests and benchmarks.
//
// Documents are built from a small value model and encoded by our own byte writer (not js-bson) so that they can hold
// what real data may hold but js-bson refuses to build: duplicate keys, invalid UTF-8, old-binary subtype 2, DBPointer,
// non-canonical Decimal128 bit patterns. Two profiles:
//   'full'     every BSON element type and the edge values of mongo-tools-format.md §1.3–1.6;
//   'ferretdb' only what FerretDB v1 stores unchanged (§5.1): 13 types, finite doubles without -0.0, valid UTF-8
//              without NUL or other control characters, no nested arrays, no empty or duplicate keys, no '$', '.', '"' or backslash in keys.

// ---------------------------------------------------------------------------------------------------------------
// Seedable PRNG (sfc32 seeded through splitmix32): fast, 32-bit, reproducible across platforms.

export interface Rng {
  readonly seed: number
  /** Uniform uint32. */
  next(): number
  /** Uniform in [0, 1). */
  float(): number
  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number
  chance(probability: number): boolean
  pick<T>(items: readonly T[]): T
  bytes(count: number): Uint8Array
}

export function createRng(seed: number): Rng {
  let s = seed >>> 0
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
  let a = splitmix()
  let b = splitmix()
  let c = splitmix()
  let d = splitmix()
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0
    d = (d + 1) >>> 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) >>> 0
    c = ((c << 21) | (c >>> 11)) >>> 0
    c = (c + t) >>> 0
    return t
  }
  for (let i = 0; i < 12; i++) next()
  const rng: Rng = {
    seed: seed >>> 0,
    next,
    float: () => next() / 4294967296,
    int: (min, max) => min + Math.floor((next() / 4294967296) * (max - min + 1)),
    chance: (probability) => next() / 4294967296 < probability,
    pick: (items) => items[Math.floor((next() / 4294967296) * items.length)]!,
    bytes: (count) => {
      const out = new Uint8Array(count)
      for (let i = 0; i < count; i++) out[i] = next() & 0xff
      return out
    }
  }
  return rng
}

/** A seed from the environment variable TEST_SEED when set (decimal), else a random one. */
export function seedFromEnv(name = 'TEST_SEED'): number {
  const text = process.env[name]
  if (text !== undefined && text !== '') {
    const seed = Number(text)
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`${name} must be an integer in [0, 2^32), got "${text}"`)
    return seed
  }
  return Math.floor(Math.random() * 0x100000000)
}

// ---------------------------------------------------------------------------------------------------------------
// Value model and encoder.

/** Text as a JS string (encoded as UTF-8) or as raw bytes (which may be invalid UTF-8 or contain NUL). */
export type BsonText = string | Uint8Array

export type BsonValue =
  | { readonly type: 'double'; readonly value: number }
  | { readonly type: 'string'; readonly value: BsonText }
  | { readonly type: 'document'; readonly value: readonly BsonElement[] }
  | { readonly type: 'array'; readonly value: readonly BsonValue[] }
  | {
      readonly type: 'binary'
      readonly subtype: number
      readonly data: Uint8Array
      /** Subtype 2 only: no inner length before the payload, which must then be at most 4 bytes (Go reads it as is). */
      readonly noInnerLength?: boolean
    }
  | { readonly type: 'undefined' }
  | { readonly type: 'objectId'; readonly value: Uint8Array }
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'date'; readonly value: bigint }
  | { readonly type: 'null' }
  | { readonly type: 'regex'; readonly pattern: BsonText; readonly options: BsonText }
  | { readonly type: 'dbPointer'; readonly namespace: BsonText; readonly id: Uint8Array }
  | { readonly type: 'javascript'; readonly value: BsonText }
  | { readonly type: 'symbol'; readonly value: BsonText }
  | { readonly type: 'codeWithScope'; readonly code: BsonText; readonly scope: readonly BsonElement[] }
  | { readonly type: 'int32'; readonly value: number }
  | { readonly type: 'timestamp'; readonly t: number; readonly i: number }
  | { readonly type: 'int64'; readonly value: bigint }
  | { readonly type: 'decimal128'; readonly high: bigint; readonly low: bigint }
  | { readonly type: 'minKey' }
  | { readonly type: 'maxKey' }

export type BsonElement = readonly [key: BsonText, value: BsonValue]

export const BSON_TYPE_CODES: Readonly<Record<BsonValue['type'], number>> = {
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
  codeWithScope: 0x0f,
  int32: 0x10,
  timestamp: 0x11,
  int64: 0x12,
  decimal128: 0x13,
  minKey: 0xff,
  maxKey: 0x7f
}

class ByteWriter {
  buf = new Uint8Array(256)
  view = new DataView(this.buf.buffer)
  len = 0

  reserve(extra: number): void {
    if (this.len + extra <= this.buf.length) return
    let capacity = this.buf.length * 2
    while (capacity < this.len + extra) capacity *= 2
    const next = new Uint8Array(capacity)
    next.set(this.buf.subarray(0, this.len))
    this.buf = next
    this.view = new DataView(next.buffer)
  }
  byte(b: number): void {
    this.reserve(1)
    this.buf[this.len++] = b
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length)
    this.buf.set(b, this.len)
    this.len += b.length
  }
  int32(v: number): void {
    this.reserve(4)
    this.view.setInt32(this.len, v, true)
    this.len += 4
  }
  int32At(at: number, v: number): void {
    this.view.setInt32(at, v, true)
  }
  uint32(v: number): void {
    this.reserve(4)
    this.view.setUint32(this.len, v, true)
    this.len += 4
  }
  int64(v: bigint): void {
    this.reserve(8)
    this.view.setBigInt64(this.len, v, true)
    this.len += 8
  }
  uint64(v: bigint): void {
    this.reserve(8)
    this.view.setBigUint64(this.len, v, true)
    this.len += 8
  }
  float64(v: number): void {
    this.reserve(8)
    this.view.setFloat64(this.len, v, true)
    this.len += 8
  }
}

const textBytes = (text: BsonText): Uint8Array => (typeof text === 'string' ? new Uint8Array(Buffer.from(text, 'utf8')) : text)

function writeCString(w: ByteWriter, text: BsonText): void {
  const bytes = textBytes(text)
  if (bytes.includes(0)) throw new Error('a BSON key, regex or cstring cannot contain NUL')
  w.bytes(bytes)
  w.byte(0)
}

function writeString(w: ByteWriter, text: BsonText): void {
  const bytes = textBytes(text)
  w.int32(bytes.length + 1)
  w.bytes(bytes)
  w.byte(0)
}

function writeElements(w: ByteWriter, elements: readonly BsonElement[]): void {
  const start = w.len
  w.int32(0)
  for (const [key, value] of elements) {
    w.byte(BSON_TYPE_CODES[value.type])
    writeCString(w, key)
    writeValue(w, value)
  }
  w.byte(0)
  w.int32At(start, w.len - start)
}

function writeValue(w: ByteWriter, v: BsonValue): void {
  switch (v.type) {
    case 'double':
      return w.float64(v.value)
    case 'string':
    case 'javascript':
    case 'symbol':
      return writeString(w, v.value)
    case 'document':
      return writeElements(w, v.value)
    case 'array':
      return writeElements(
        w,
        v.value.map((item, index) => [String(index), item] as const)
      )
    case 'binary':
      if (v.subtype === 0x02 && v.data.length > 0 && v.noInnerLength !== true) {
        // Old binary: the payload carries its own length (only written when there is data, as drivers do).
        w.int32(v.data.length + 4)
        w.byte(v.subtype)
        w.int32(v.data.length)
      } else {
        w.int32(v.data.length)
        w.byte(v.subtype)
      }
      return w.bytes(v.data)
    case 'objectId':
      return w.bytes(v.value)
    case 'boolean':
      return w.byte(v.value ? 1 : 0)
    case 'date':
    case 'int64':
      return w.int64(v.value)
    case 'regex':
      writeCString(w, v.pattern)
      return writeCString(w, v.options)
    case 'dbPointer':
      writeString(w, v.namespace)
      return w.bytes(v.id)
    case 'codeWithScope': {
      const start = w.len
      w.int32(0)
      writeString(w, v.code)
      writeElements(w, v.scope)
      return w.int32At(start, w.len - start)
    }
    case 'int32':
      return w.int32(v.value)
    case 'timestamp':
      w.uint32(v.i)
      return w.uint32(v.t)
    case 'decimal128':
      w.uint64(v.low)
      return w.uint64(v.high)
    case 'undefined':
    case 'null':
    case 'minKey':
    case 'maxKey':
      return
  }
}

/** Encodes a document (elements in the given order, duplicates kept) as BSON bytes. */
export function encodeDocument(elements: readonly BsonElement[]): Uint8Array {
  const w = new ByteWriter()
  writeElements(w, elements)
  return w.buf.slice(0, w.len)
}

// ---------------------------------------------------------------------------------------------------------------
// Edge values.

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const DAY_MS = 86400000n
const Y2020 = 1577836800000n

export const EDGE_DOUBLES: readonly number[] = [
  0, -0, NaN, Infinity, -Infinity, 1, -1, 1.0, 0.5, 1e21, 1e20, 1e22, 5e-324, -5e-324, 2.2250738585072014e-308,
  Number.MAX_VALUE, -Number.MAX_VALUE, 1e6, 999999, 999999.5, 999999.9999999999, 100000, 1234567, 0.0001, 0.00001,
  0.000123, 9.999999999999999e-5, 1.5e-7, 1e-7, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 0.1, 0.2, 0.30000000000000004, 1 / 3,
  123456.789, 1e100, 1.7976931348623157e308, 4.35, 12345678901234567890, 1e-300, 3.14159
]

export const EDGE_INT32: readonly number[] = [0, 1, -1, 2147483647, -2147483648, 1000000, -999999, 42]

export const EDGE_INT64: readonly bigint[] = [
  0n, 1n, -1n, INT64_MIN, INT64_MAX, 2n ** 53n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 31n, -(2n ** 31n) - 1n,
  2n ** 32n, 1555340917380n, 1732600000000n, 9007199254740993n, -9007199254740993n
]

export const EDGE_DATES: readonly bigint[] = [
  0n, -1n, -999n, -1000n, -1001n, 1n, 120n, 500n, 5n, Y2020, Y2020 + 120n, Y2020 + 500n, Y2020 + 1n, Y2020 + 10n,
  Y2020 + 999n, 253402300799999n, 253402300800000n, 253402300800001n, -62135596800000n, -62135596800001n,
  951782400000n /* 2000-02-29 */, 4107542400000n /* 2100-03-01 (2100 is no leap year) */, INT64_MIN, INT64_MAX, INT64_MIN + 1n, INT64_MAX - 1n,
  -DAY_MS, 1732600000000n, 8640000000000000n, -8640000000000000n, 8640000000000001n
]

const EDGE_STRINGS: readonly BsonText[] = [
  '', 'a', 'ctl\u0001\u007f\u2028<&>é"\\\n\t/', '\u2029', '\u0000', 'nul\u0000inside', '\b\f\r\u001f\u0010', '\ufffd',
  'é', '中文', '😀', 'x'.repeat(100), 'é'.repeat(40) + '"', 'a/b<c>d&e',
  new Uint8Array([0xff]), new Uint8Array([0x80]), new Uint8Array([0xc0, 0x80]), new Uint8Array([0xe2, 0x82]),
  new Uint8Array([0xed, 0xa0, 0x80]), new Uint8Array([0xf4, 0x90, 0x80, 0x80]), new Uint8Array([0xf5, 0x80, 0x80, 0x80]),
  new Uint8Array([0xe0, 0x80, 0x80]), new Uint8Array([0xf0, 0x8f, 0xbf, 0xbf]), new Uint8Array([0x61, 0xe2, 0x80]),
  new Uint8Array([0xe2, 0x80, 0xa8, 0xe2, 0x80, 0xa9, 0xe2, 0x80, 0xaa]), new Uint8Array([0xf0, 0x9f, 0x98]),
  new Uint8Array([0xc3]), new Uint8Array([0xef, 0xbf, 0xbd, 0xef, 0xbf])
]

const REGEX_OPTIONS: readonly BsonText[] = ['', 'i', 'm', 'ims', 'smi', 'xusmi', 'uxsmil', 'zai', 'mm', 'éi', 'Ii9', new Uint8Array([0x73, 0xff, 0x69])]

/** Decimal128 bit patterns: [high, low]. */
export const EDGE_DECIMALS: ReadonlyArray<readonly [bigint, bigint]> = [
  [0x3040000000000000n, 0n], // 0
  [0xb040000000000000n, 0n], // -0
  [0x3040000000000000n, 1n], // 1
  [0x3044000000000000n, 10n], // 1.0E+3
  [0x303c000000000000n, 10n], // 0.10
  [0x7c00000000000000n, 0n], // NaN
  [0xfc00000000000000n, 0n], // NaN with sign
  [0x7800000000000000n, 0n], // Infinity
  [0xf800000000000000n, 0n], // -Infinity
  [0x3041ed09bead87c0n, 0x378d8e63ffffffffn], // max coefficient 10^34-1
  [0x6000000000000000n, 0n], // 0b11 form
  [0x7bffffffffffffffn, 0xffffffffffffffffn], // 0b11 form, large
  [0x0000000000000000n, 1n], // smallest exponent
  [0x5ffe000000000000n, 1n], // largest exponent
  [0x302e000000000000n, 1234n], // 1.234E-? region
  [0x3032000000000000n, 1234567n],
  [0x3040000000000000n, 1000000n],
  [0x3034000000000000n, 5n], // 0.000005
  [0x3036000000000000n, 5n]
]

// ---------------------------------------------------------------------------------------------------------------
// Random values.

export type GenProfile = 'full' | 'ferretdb'

export interface GenOptions {
  profile?: GenProfile
  /** Maximum nesting depth of documents/arrays below the top level (default 3; deep chains are added separately). */
  maxDepth?: number
  /** Maximum number of elements per document (default 10). */
  maxElements?: number
}

const WORDS = [
  'prancer', 'azure', 'aws', 'google', 'storage', 'account', 'vm', 'network', 'policy', 'encryption', 'rule', 'passed',
  'failed', 'container', 'snapshot', 'resource', 'compliance', 'CIS', 'NIST', 'HIPAA', 'ensure', 'enabled', 'disabled'
]

const NON_ASCII = ['é', 'ü', 'ß', '中', '文', '😀', '\u00a0', '\u2028', '\u2029', '\ufffd', 'Ω', '\u200b', '𝄞']
const PRINTABLE_SPECIAL = ['"', '\\', '/', '<', '>', '&', '\u007f']
const CONTROL = ['\u0000', '\u0001', '\b', '\t', '\n', '\f', '\r', '\u001b', '\u001f', '"', '\\', '/', '<', '>', '&', '\u007f']

const concatBytes = (parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts))

function invalidUtf8(rng: Rng): Uint8Array {
  switch (rng.int(0, 7)) {
    case 0:
      return new Uint8Array([rng.int(0x80, 0xbf)]) // stray continuation
    case 1:
      return new Uint8Array([rng.int(0xc0, 0xc1), rng.int(0x80, 0xbf)]) // overlong
    case 2:
      return new Uint8Array([rng.int(0xe0, 0xef)]) // truncated 3-byte
    case 3:
      return new Uint8Array([0xed, rng.int(0xa0, 0xbf), rng.int(0x80, 0xbf)]) // surrogate
    case 4:
      return new Uint8Array([0xf4, rng.int(0x90, 0xbf), 0x80, 0x80]) // > U+10FFFF
    case 5:
      return new Uint8Array([rng.int(0xf5, 0xff)])
    case 6:
      return new Uint8Array([rng.int(0xf0, 0xf4), rng.int(0x80, 0xbf)]) // truncated 4-byte
    default:
      return rng.bytes(rng.int(1, 4)).map((b) => b | 0x80) // random high bytes, valid or not
  }
}

/** A random non-ASCII Unicode scalar value (never a surrogate), from 2-, 3- and 4-byte UTF-8 ranges. */
function randomCodePoint(rng: Rng): number {
  switch (rng.int(0, 3)) {
    case 0:
      return rng.int(0x80, 0x7ff)
    case 1:
      return rng.int(0x800, 0xd7ff)
    case 2:
      return rng.int(0xe000, 0xffff)
    default:
      return rng.int(0x10000, 0x10ffff)
  }
}

interface TextRules {
  /** Invalid UTF-8 sequences (then the text is returned as bytes). */
  invalid: boolean
  /** NUL bytes (never in keys or other cstrings). */
  nul: boolean
  /** C0 control characters (FerretDB's SQLite backend cannot read them back). */
  control: boolean
}
const FULL_TEXT: TextRules = { invalid: true, nul: true, control: true }
const FULL_CSTRING: TextRules = { invalid: true, nul: false, control: true }
const FERRETDB_TEXT: TextRules = { invalid: false, nul: false, control: false }

function randomText(rng: Rng, rules: TextRules, maxPieces = 6): BsonText {
  const pieces = rng.int(0, maxPieces)
  const parts: Uint8Array[] = []
  let raw = false
  for (let p = 0; p < pieces; p++) {
    const kind = rng.int(0, 9)
    let piece: string
    if (kind <= 3) piece = rng.pick(WORDS)
    else if (kind === 4) piece = rng.pick(NON_ASCII)
    else if (kind === 5) piece = rng.pick(rules.control ? CONTROL : PRINTABLE_SPECIAL)
    else if (kind === 6) piece = String.fromCharCode(rng.int(0x20, 0x7e))
    else if (kind === 7) piece = String.fromCodePoint(randomCodePoint(rng))
    else if (kind === 8 && rules.invalid) {
      parts.push(invalidUtf8(rng))
      raw = true
      continue
    } else piece = 'x'.repeat(rng.int(40, 120)) // long runs exercise the bulk-copy path
    if (!rules.nul) piece = piece.replaceAll('\u0000', '0')
    parts.push(new Uint8Array(Buffer.from(piece, 'utf8')))
  }
  const bytes = concatBytes(parts)
  return raw ? bytes : Buffer.from(bytes).toString('utf8')
}

function randomKey(rng: Rng, profile: GenProfile): BsonText {
  if (profile === 'ferretdb') {
    const key = rng.chance(0.7) ? rng.pick(WORDS) + rng.int(0, 99) : String(randomText(rng, FERRETDB_TEXT, 3))
    // FerretDB's SQLite backend also fails ("malformed JSON") on keys containing '"' or '\\'.
    const clean = key.replaceAll(/[.$\u0000"\\]/g, '_')
    // Integer-like keys would be reordered by JS objects when a test inserts through the driver.
    return clean === '' || /^\d+$/.test(clean) ? `k${clean}` : clean
  }
  const r = rng.int(0, 19)
  if (r === 0) return ''
  if (r === 1) return '$' + rng.pick(['ref', 'id', 'db', 'oid', 'date', 'numberLong', 'x'])
  if (r === 2) return 'a.b'
  if (r <= 11) return rng.pick(WORDS)
  return randomText(rng, FULL_CSTRING, 4)
}

function randomDouble(rng: Rng, profile: GenProfile): number {
  const finiteOnly = profile === 'ferretdb'
  for (;;) {
    let v: number
    switch (rng.int(0, 6)) {
      case 0:
        v = rng.pick(EDGE_DOUBLES)
        break
      case 1: {
        const view = new DataView(rng.bytes(8).buffer)
        v = view.getFloat64(0, true)
        break
      }
      case 2:
        v = rng.int(-2000000, 2000000)
        break
      case 3:
        v = (rng.float() - 0.5) * 10 ** rng.int(-12, 25)
        break
      case 4:
        v = Math.round((rng.float() - 0.5) * 1e6) / 10 ** rng.int(0, 8)
        break
      case 5:
        v = rng.int(-9, 9) * 10 ** rng.int(-8, 23)
        break
      default:
        v = rng.float() * 1000
    }
    if (!finiteOnly || (Number.isFinite(v) && !Object.is(v, -0))) return v
  }
}

function random64(rng: Rng): bigint {
  return BigInt.asIntN(64, (BigInt(rng.next()) << 32n) | BigInt(rng.next()))
}

function randomDate(rng: Rng, profile: GenProfile): bigint {
  switch (rng.int(0, 4)) {
    case 0:
      return profile === 'ferretdb' ? Y2020 + BigInt(rng.int(0, 999)) : rng.pick(EDGE_DATES)
    case 1:
      return BigInt(rng.int(-1000000, 1000000)) * 1000000n + BigInt(rng.int(0, 999999)) // years ~1938..2001
    case 2:
      return BigInt(Math.floor(rng.float() * 253402300800000 * 1.2)) // up to just past 9999
    case 3:
      return profile === 'ferretdb' ? BigInt(rng.int(0, 2 ** 31)) * 1000n : random64(rng)
    default:
      return Y2020 + BigInt(rng.int(0, 400000000)) * 1000n + BigInt(rng.pick([0, 120, 500, 5, 50, 999, rng.int(0, 999)]))
  }
}

function randomInt64(rng: Rng): bigint {
  switch (rng.int(0, 3)) {
    case 0:
      return rng.pick(EDGE_INT64)
    case 1:
      return random64(rng)
    case 2:
      return BigInt(rng.int(-100000, 100000))
    default:
      return 1700000000000n + BigInt(rng.int(0, 100000000))
  }
}

function randomDecimal(rng: Rng): readonly [bigint, bigint] {
  if (rng.chance(0.3)) return rng.pick(EDGE_DECIMALS)
  const negative = rng.chance(0.3) ? 1n : 0n
  // Exponent bias 6176; pick near zero most of the time so both plain and E notation occur.
  const exponent = BigInt(rng.chance(0.8) ? 6176 + rng.int(-40, 10) : rng.int(0, 12287))
  let coefficient: bigint
  switch (rng.int(0, 3)) {
    case 0:
      coefficient = BigInt(rng.int(0, 1000))
      break
    case 1:
      coefficient = BigInt(rng.int(0, 9)) * 10n ** BigInt(rng.int(0, 20))
      break
    case 2:
      coefficient = (BigInt(rng.next()) << 32n) | BigInt(rng.next())
      break
    default:
      coefficient = ((BigInt(rng.next() & 0x1ffff) << 96n) | (BigInt(rng.next()) << 64n) | (BigInt(rng.next()) << 32n) | BigInt(rng.next()))
  }
  const high = (negative << 63n) | (exponent << 49n) | (coefficient >> 64n)
  return [high, coefficient & 0xffffffffffffffffn]
}

const FULL_TYPES: readonly BsonValue['type'][] = [
  'double', 'string', 'document', 'array', 'binary', 'undefined', 'objectId', 'boolean', 'date', 'null', 'regex',
  'dbPointer', 'javascript', 'symbol', 'codeWithScope', 'int32', 'timestamp', 'int64', 'decimal128', 'minKey', 'maxKey'
]
const FERRETDB_TYPES: readonly BsonValue['type'][] = [
  'double', 'string', 'document', 'array', 'binary', 'objectId', 'boolean', 'date', 'null', 'regex', 'int32', 'timestamp', 'int64'
]
const FULL_BINARY_SUBTYPES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x80, 0x81, 0xff]
const FERRETDB_BINARY_SUBTYPES = [0, 1, 3, 4, 5, 6, 0x80]

interface GenContext {
  rng: Rng
  profile: GenProfile
  maxDepth: number
  maxElements: number
}

function randomValue(ctx: GenContext, depth: number, insideArray: boolean): BsonValue {
  const { rng, profile } = ctx
  const ferret = profile === 'ferretdb'
  let types = ferret ? FERRETDB_TYPES : FULL_TYPES
  if (depth >= ctx.maxDepth || (ferret && insideArray)) types = types.filter((t) => t !== 'array' && (depth < ctx.maxDepth || t !== 'document'))
  const type = rng.pick(types)
  const text = (): BsonText => (ferret ? String(randomText(rng, FERRETDB_TEXT)) : rng.chance(0.15) ? rng.pick(EDGE_STRINGS) : randomText(rng, FULL_TEXT))
  switch (type) {
    case 'double':
      return { type, value: randomDouble(rng, profile) }
    case 'string':
      return { type, value: text() }
    case 'document':
      return { type, value: randomElements(ctx, depth + 1) }
    case 'array': {
      const count = rng.int(0, ctx.maxElements)
      const items: BsonValue[] = []
      for (let i = 0; i < count; i++) items.push(randomValue(ctx, depth + 1, true))
      return { type, value: items }
    }
    case 'binary': {
      const subtype = rng.pick(ferret ? FERRETDB_BINARY_SUBTYPES : FULL_BINARY_SUBTYPES)
      const length = subtype === 4 || subtype === 3 ? 16 : rng.int(0, 40)
      return { type, subtype, data: rng.bytes(length) }
    }
    case 'objectId':
      return { type, value: rng.bytes(12) }
    case 'boolean':
      return { type, value: rng.chance(0.5) }
    case 'date':
      return { type, value: randomDate(rng, profile) }
    case 'regex': {
      const pattern = ferret ? rng.pick(['^a.c$', 'abc', '[0-9]+', 'x|y', '\\d+\\.\\d*', 'é+']) : stripNul(text())
      const options = ferret ? rng.pick(['', 'i', 'm', 'im', 'mi', 'sx', 'xsim']) : rng.pick(REGEX_OPTIONS)
      return { type, pattern, options }
    }
    case 'dbPointer':
      return { type, namespace: rng.pick(['db.coll', 'test.things', 'a.b.c', 'x']), id: rng.bytes(12) }
    case 'javascript':
    case 'symbol':
      return { type, value: text() }
    case 'codeWithScope':
      return { type, code: text(), scope: depth >= ctx.maxDepth ? [] : randomElements(ctx, depth + 1) }
    case 'int32':
      return { type, value: rng.chance(0.3) ? rng.pick(EDGE_INT32) : rng.next() | 0 }
    case 'timestamp':
      return { type, t: rng.chance(0.2) ? rng.pick([0, 1, 0xffffffff]) : rng.next(), i: rng.chance(0.2) ? rng.pick([0, 1, 0xffffffff]) : rng.next() }
    case 'int64':
      return { type, value: randomInt64(rng) }
    case 'decimal128': {
      const [high, low] = randomDecimal(rng)
      return { type, high, low }
    }
    default:
      return { type } as BsonValue
  }
}

function stripNul(text: BsonText): BsonText {
  if (typeof text === 'string') return text.replaceAll('\u0000', '0')
  return text.map((b) => (b === 0 ? 0x30 : b))
}

function randomElements(ctx: GenContext, depth: number): BsonElement[] {
  const { rng, profile } = ctx
  const count = rng.int(0, ctx.maxElements)
  const elements: BsonElement[] = []
  const used = new Set<string>()
  for (let i = 0; i < count; i++) {
    let key: BsonText
    if (profile === 'full' && elements.length > 0 && rng.chance(0.05)) key = elements[rng.int(0, elements.length - 1)]![0] // duplicate
    else key = randomKey(rng, profile)
    if (profile === 'ferretdb') {
      const k = String(key)
      if (used.has(k) || k === '_id') continue
      used.add(k)
    }
    elements.push([key, randomValue(ctx, depth, false)])
  }
  return elements
}

/** A chain of `depth` nested documents/arrays ending in a scalar (arrays only in the full profile). */
export function deepValue(rng: Rng, depth: number, profile: GenProfile = 'full'): BsonValue {
  let value: BsonValue = { type: 'int32', value: depth }
  for (let d = 0; d < depth; d++) {
    value = profile === 'full' && rng.chance(0.5) ? { type: 'array', value: [value] } : { type: 'document', value: [[rng.pick(WORDS), value]] }
  }
  return value
}

/** One random document. It starts with an ObjectId `_id` unless the full profile decides otherwise (rarely). */
export function generateDocument(rng: Rng, options: GenOptions = {}): BsonElement[] {
  const ctx: GenContext = { rng, profile: options.profile ?? 'full', maxDepth: options.maxDepth ?? 3, maxElements: options.maxElements ?? 10 }
  const elements = randomElements(ctx, 0)
  if (rng.chance(0.03)) elements.push(['deep', deepValue(rng, rng.int(20, 120), ctx.profile)])
  if (ctx.profile === 'full' && rng.chance(0.02)) return elements // no _id at all, or _id not first below
  const id: BsonElement = ['_id', { type: 'objectId', value: rng.bytes(12) }]
  return ctx.profile === 'full' && rng.chance(0.02) ? [...elements, id] : [id, ...elements]
}

/** `count` random documents as BSON, reproducible from `seed`. */
export function generateDocuments(seed: number, count: number, options: GenOptions = {}): Uint8Array[] {
  const rng = createRng(seed)
  const docs: Uint8Array[] = []
  for (let i = 0; i < count; i++) docs.push(encodeDocument(generateDocument(rng, options)))
  return docs
}

/**
 * Fixed documents that put every edge value of the full profile in front of the writer at least once: each edge
 * double/int/date/string/decimal, every binary subtype (incl. old binary 2 with and without payload), each regex
 * option order, empty and duplicate keys, DBRef-shaped documents, every element type, deep nesting.
 */
export function edgeCaseDocuments(): Uint8Array[] {
  const rng = createRng(1)
  const docs: BsonElement[][] = []
  docs.push(EDGE_DOUBLES.map((value, i) => [`d${i}`, { type: 'double', value }]))
  docs.push(EDGE_INT32.map((value, i) => [`i${i}`, { type: 'int32', value }]))
  docs.push(EDGE_INT64.map((value, i) => [`l${i}`, { type: 'int64', value }]))
  docs.push(EDGE_DATES.map((value, i) => [`t${i}`, { type: 'date', value }]))
  docs.push(EDGE_STRINGS.map((value, i) => [`s${i}`, { type: 'string', value }]))
  docs.push(EDGE_STRINGS.filter((s) => !textBytes(s).includes(0)).map((key, i) => [key, { type: 'int32', value: i }]))
  docs.push(EDGE_DECIMALS.map(([high, low], i) => [`m${i}`, { type: 'decimal128', high, low }]))
  docs.push(
    [...FULL_BINARY_SUBTYPES, 0x02, 0x02].map((subtype, i) => [
      `b${i}`,
      { type: 'binary', subtype, data: i === FULL_BINARY_SUBTYPES.length + 1 ? new Uint8Array(0) : rng.bytes(i % 7) }
    ])
  )
  docs.push(
    // Go reads an inner length only when the outer one is > 4, so these short payloads stay as they are.
    [0, 1, 3, 4].map((length, i) => [
      `old${i}`,
      { type: 'binary', subtype: 2, data: rng.bytes(length), noInnerLength: true }
    ])
  )
  docs.push(REGEX_OPTIONS.map((options, i) => [`r${i}`, { type: 'regex', pattern: i % 2 ? 'a"b\\c' : '^x.*é$', options }]))
  docs.push([
    ['', { type: 'int32', value: 1 }],
    ['', { type: 'int32', value: 2 }],
    ['dup', { type: 'int32', value: 1 }],
    ['dup', { type: 'string', value: 'two' }],
    ['$ref', { type: 'string', value: 'coll' }],
    ['$id', { type: 'objectId', value: rng.bytes(12) }],
    ['$db', { type: 'string', value: 'db' }]
  ])
  docs.push([
    ['empty', { type: 'document', value: [] }],
    ['emptyArray', { type: 'array', value: [] }],
    ['nestedEmpty', { type: 'array', value: [{ type: 'array', value: [] }, { type: 'document', value: [] }] }],
    ['u', { type: 'undefined' }],
    ['n', { type: 'null' }],
    ['min', { type: 'minKey' }],
    ['max', { type: 'maxKey' }],
    ['code', { type: 'javascript', value: 'function(){return "\u2028";}' }],
    ['sym', { type: 'symbol', value: 'sym' }],
    ['cws', { type: 'codeWithScope', code: 'x', scope: [['y', { type: 'int32', value: 1 }], ['z', { type: 'double', value: 1 }]] }],
    ['cwsEmpty', { type: 'codeWithScope', code: '', scope: [] }],
    ['ptr', { type: 'dbPointer', namespace: 'db.coll', id: rng.bytes(12) }],
    ['ts', { type: 'timestamp', t: 1, i: 2 }],
    ['tsMax', { type: 'timestamp', t: 0xffffffff, i: 0xffffffff }],
    ['bool', { type: 'boolean', value: true }],
    ['deep', deepValue(rng, 150)]
  ])
  docs.push([])
  return docs.map(encodeDocument)
}

// ---------------------------------------------------------------------------------------------------------------
// Prancer-shaped output documents (prancer-db.md §5.1): keys sorted recursively after `_id`, int64 timestamps,
// `json.results` an array of result documents.

export interface PrancerDocOptions {
  /** Number of entries in json.results (default 1..4 at random). */
  results?: number
  /** Epoch ms of the first document; each next one is later (default 2026-11-01). */
  baseTimestamp?: number
}

const SEVERITIES = ['Low', 'Medium', 'High']
const RESULTS = ['passed', 'failed', 'skipped']
const CLOUDS = ['azure', 'aws', 'google', 'kubernetes']

const str = (value: string): BsonValue => ({ type: 'string', value })
const i64 = (value: number): BsonValue => ({ type: 'int64', value: BigInt(value) })
const sortedDoc = (fields: Record<string, BsonValue>): BsonValue => ({
  type: 'document',
  value: Object.keys(fields)
    .sort()
    .map((k) => [k, fields[k]!] as const)
})

/** The `index`-th Prancer compliance output document of a synthetic run, reproducible from `rng`. */
export function prancerOutputDocument(rng: Rng, index: number, options: PrancerDocOptions = {}): BsonElement[] {
  const timestamp = (options.baseTimestamp ?? 1793491200000) + index * 1000 + rng.int(0, 999)
  const container = `container_${rng.int(1, 20)}`
  const resultCount = options.results ?? rng.int(1, 4)
  const cloud = rng.pick(CLOUDS)
  const results: BsonValue[] = []
  for (let r = 0; r < resultCount; r++) {
    const ruleId = `PR-${cloud.toUpperCase()}-${rng.int(1, 400)}`
    results.push(
      sortedDoc({
        autoRemediate: { type: 'boolean', value: false },
        description: str(`Ensure that the ${rng.pick(WORDS)} ${rng.pick(WORDS)} has "${rng.pick(WORDS)}" enabled — see §${rng.int(1, 9)}.`),
        eval: str(`data.rule.${rng.pick(WORDS)}_${rng.int(1, 99)}`),
        id: str(ruleId),
        masterSnapshotId: { type: 'array', value: [str(`CLD_TEMPLATE_SNAPSHOT_${rng.int(1, 50)}`)] },
        masterTestId: str(`TEST_${ruleId}`),
        message: str(rng.chance(0.5) ? '' : `Resource ${rng.pick(WORDS)} is not compliant`),
        remediation_description: str(`az ${rng.pick(WORDS)} update --set properties.${rng.pick(WORDS)}=true`),
        remediation_function: str(`${ruleId.toLowerCase().replaceAll('-', '_')}.py`),
        result: str(rng.pick(RESULTS)),
        result_id: str(`${container.replaceAll('_', '')}_${Math.floor(timestamp / 1000)}`),
        rule: str(`data.rule.${rng.pick(WORDS)}`),
        severity: str(rng.pick(SEVERITIES)),
        snapshotId: { type: 'array', value: [str(`CLD_TEMPLATE_SNAPSHOT_${rng.int(1, 50)}${rng.pick(['', '_gen'])}`)] },
        snapshots: {
          type: 'array',
          value: [
            sortedDoc({
              collection: str('microsofttemplate'),
              id: str(`CLD_TEMPLATE_SNAPSHOT_${rng.int(1, 50)}`),
              path: str(`/azure/${rng.pick(WORDS)}/${rng.pick(WORDS)}.json`),
              reference: str('master'),
              resourceTypes: { type: 'array', value: [str(`Microsoft.${rng.pick(WORDS)}/${rng.pick(WORDS)}`)] },
              source: str('gitConnectorAzure'),
              structure: str('azure')
            })
          ]
        },
        status: str('enable'),
        tags: {
          type: 'array',
          value: [
            sortedDoc({
              cloud: str(cloud),
              compliance: { type: 'array', value: [str('CIS'), str(`NIST 800-53-${rng.pick(['AC', 'SC', 'IA'])}-${rng.int(1, 20)}`)] },
              service: { type: 'array', value: [str(rng.pick(WORDS))] }
            })
          ]
        },
        title: str(`${rng.pick(WORDS)} ${rng.pick(WORDS)} should be ${rng.pick(['enabled', 'disabled'])}`),
        type: str('rego')
      })
    )
  }
  const sessionMs = timestamp - rng.int(1000, 60000)
  const json = sortedDoc({
    cloud_type: str(cloud),
    container: str(container),
    contentVersion: str('1.0.0.0'),
    fileType: str('output'),
    log: str(`logs_${container}_20261101${String(rng.int(0, 235959)).padStart(6, '0')}_COMPLIANCE`),
    remote_run: { type: 'boolean', value: false },
    results: { type: 'array', value: results },
    session_id: str(`session_${sessionMs}`),
    snapshot: str(`${container}_snapshot`),
    status: str(rng.pick(['Completed', 'Completed', 'Running', 'Cancelled'])),
    test: str(`Compliancetest_${container}`),
    timestamp: i64(timestamp - rng.int(0, 1))
  })
  const top = sortedDoc({
    checksum: str('99914b932bd37a50b983c5e7c90ae93b'),
    collection: str('outputs'),
    container: str(container),
    json,
    name: str(`Compliancetest_${container}`),
    timestamp: i64(timestamp),
    type: str('output')
  })
  const id = new Uint8Array(12)
  new DataView(id.buffer).setUint32(0, Math.floor(timestamp / 1000))
  id.set(rng.bytes(8), 4)
  return [['_id', { type: 'objectId', value: id }], ...(top.type === 'document' ? top.value : [])]
}
