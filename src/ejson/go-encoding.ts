// Go's encoding/hex, encoding/base64 and unicode/utf8 as the driver applies them to $oid, $dbPointer and $binary
// text and to $regularExpression options (sorted by code point after Go's []rune conversion).

/** hex.DecodeString of exactly `size` bytes (24 hex digits for an ObjectID). */
export function decodeHex(s: string, size: number): Uint8Array | null {
  if (s.length !== size * 2 || !/^[0-9a-fA-F]*$/.test(s)) return null
  return Buffer.from(s, 'hex')
}

/** base64.StdEncoding.DecodeString: padding required, CR/LF ignored, non-zero trailing bits allowed. */
export function decodeBase64(s: string): Uint8Array | null {
  const text = s.includes('\n') || s.includes('\r') ? s.replace(/[\r\n]/g, '') : s
  if (text.length % 4 !== 0) return null
  if (!/^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return null
  return Buffer.from(text, 'base64')
}

/** Go's []rune conversion (invalid bytes become U+FFFD), sorted by code point, back to UTF-8. */
export function sortRunes(b: Uint8Array, s: number, e: number): Uint8Array {
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
