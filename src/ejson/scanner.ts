// The JSON scanner (Go's jsonScanner): bytes to tokens, with Go's number, string and literal rules and its error
// texts. JsonScanner is the base of the parser classes (ext-json-parser.ts, wrapper-values.ts, ext-json-to-bson.ts)
// rather than an object of its own: the current token lives in fields of the one parser object, so reading a token
// costs no extra indirection, and V8 inlines these methods into the parser's as it did when they were one class.

import * as bsonTypes from './bson-types.ts'
import {Arena} from './byte-buffers.ts'
import {ExtJsonSyntaxError} from './errors.ts'

// Constants of other modules are bound here as this module's own: V8 folds a module's own constants into optimized
// code, but loads an imported binding at each use (measured: ~4% slower parsing of canonical Extended JSON).
const {INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN} = bsonTypes

// Tokens of the JSON scanner.
export const TK_BEGIN_OBJ = 0
export const TK_END_OBJ = 1
export const TK_BEGIN_ARR = 2
export const TK_END_ARR = 3
export const TK_COLON = 4
export const TK_COMMA = 5
export const TK_INT32 = 6
export const TK_INT64 = 7
export const TK_DOUBLE = 8
export const TK_STRING = 9
export const TK_BOOL = 10
export const TK_NULL = 11
export const TK_EOF = 12

export const latin1 = (b: Uint8Array, s: number, e: number): string => Buffer.prototype.latin1Slice.call(b, s, e) as string
export const utf8Text = new TextDecoder('utf-8')

export const isWhite = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39
const isTerminator = (c: number): boolean => c === 0x2c || c === 0x7d || c === 0x5d || isWhite(c)

export class JsonScanner {
  // input
  protected b: Uint8Array = new Uint8Array(0)
  protected pos = 0
  protected end = 0
  protected base = 0
  // current token
  protected tk = 0
  protected tkPos = 0
  protected tkNum = 0
  protected tkBig: bigint | null = null
  protected tkBool = false
  protected tkSb: Uint8Array | null = null
  protected tkS0 = 0
  protected tkS1 = 0
  protected arena = new Arena()

  protected fail(message: string, at = this.pos): ExtJsonSyntaxError {
    return new ExtJsonSyntaxError(message, at, at - this.base + 1)
  }

  protected nextToken(): void {
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
