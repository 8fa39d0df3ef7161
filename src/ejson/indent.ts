// mongoexport --pretty: Go's encoding/json.Indent(dst, src, "", "\t") applied to each compact document
// (mongo-tools common/json/indent.go is that algorithm). Tab per level, ": " after keys, empty {} and [] kept on one
// line, whitespace outside strings dropped, string contents copied untouched.

import {ExtJsonTranscoder} from './writer.ts'

const QUOTE = 0x22
const BACKSLASH = 0x5c
const NEWLINE = 0x0a
const TAB = 0x09

/**
 * Appends the indented form of compact JSON bytes [start, end) to `out`. The structural characters are ASCII, so
 * working on UTF-8 bytes is exact.
 */
export function appendIndented(out: ExtJsonTranscoder, src: Uint8Array, start: number, end: number): void {
  // Every input byte is copied at most once; newlines, tabs and ": " spaces are reserved as they are written.
  out.ensure(end - start)
  let depth = 0
  let needIndent = false
  let i = start
  while (i < end) {
    const c = src[i]!
    if (c === QUOTE) {
      if (needIndent) {
        depth++
        newline(out, depth)
        needIndent = false
      }
      // Copy the whole string, escapes included.
      let j = i + 1
      while (j < end) {
        const d = src[j]!
        if (d === BACKSLASH) j += 2
        else if (d === QUOTE) break
        else j++
      }
      const stop = Math.min(j + 1, end)
      out.ensure(stop - i)
      out.buf.set(src.subarray(i, stop), out.len)
      out.len += stop - i
      i = stop
      continue
    }
    if (c === 0x20 || c === TAB || c === NEWLINE || c === 0x0d) {
      i++
      continue
    }
    if (needIndent && c !== 0x7d && c !== 0x5d) {
      depth++
      newline(out, depth)
      needIndent = false
    }
    switch (c) {
      case 0x7b:
      case 0x5b:
        needIndent = true
        out.appendByte(c)
        break
      case 0x2c:
        out.appendByte(c)
        newline(out, depth)
        break
      case 0x3a:
        out.appendByte(c)
        out.appendByte(0x20)
        break
      case 0x7d:
      case 0x5d:
        if (needIndent) {
          needIndent = false
        } else {
          depth--
          newline(out, depth)
        }
        out.appendByte(c)
        break
      default:
        out.appendByte(c)
    }
    i++
  }
}

function newline(out: ExtJsonTranscoder, depth: number): void {
  out.ensure(depth + 1)
  const buf = out.buf
  let o = out.len
  buf[o++] = NEWLINE
  for (let d = 0; d < depth; d++) buf[o++] = TAB
  out.len = o
}

let scratch: ExtJsonTranscoder | undefined

/** Go's json.Indent(dst, compact, "", "\t") for the compact Extended JSON our writer (and MarshalExtJSON) produces. */
export function indentJson(compact: string): string {
  const bytes = Buffer.from(compact, 'utf8')
  scratch ??= new ExtJsonTranscoder()
  scratch.len = 0
  appendIndented(scratch, bytes, 0, bytes.length)
  return scratch.buf.toString('utf8', 0, scratch.len)
}
