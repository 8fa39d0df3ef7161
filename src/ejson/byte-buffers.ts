// The growable byte buffers the parser writes into: Out, the BSON of the document being decoded (never beyond
// MAX_BSON_DOCUMENT_BYTES: passing it throws OUTPUT_LIMIT, which the decoder turns into a DocumentTooLargeError), and
// Arena, scratch storage for the bytes of strings that contained escapes. Both are reused from document to document.

import {MAX_BSON_DOCUMENT_BYTES} from './limits.ts'

/** A copy of the first `used` bytes of `buf` in an array doubled until `needed` more bytes fit. */
function grown(buf: Uint8Array, used: number, needed: number): Uint8Array<ArrayBuffer> {
  let size = buf.length * 2
  while (size < used + needed) size *= 2
  const next = new Uint8Array(size)
  next.set(buf.subarray(0, used))
  return next
}

/** Thrown by Out when the document passes MAX_BSON_DOCUMENT_BYTES; the parser turns it into a DocumentTooLargeError. */
export const OUTPUT_LIMIT = Symbol('output limit')

/**
 * Growable output buffer for BSON, never larger than MAX_BSON_DOCUMENT_BYTES: capacities are 4096
 * times a power of two, so the fast path of ensure() cannot pass the limit either.
 */
export class Out {
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
export class Arena {
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
