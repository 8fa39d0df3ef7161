// Go's strconv as the driver applies it to the text of $numberInt, $numberLong, $numberDouble and a $binary
// subType: the same accepted syntax (signs, underscores, hex floats, inf/nan spellings) and the same range checks.

import * as bsonTypes from './bson-types.ts'

// As in the parser modules, the constants are bound as this module's own (V8 folds those into optimized code).
const {INT64_MAX, INT64_MIN} = bsonTypes

/** strconv.ParseInt(s, 10, 64): optional sign, ASCII digits, no underscores; null on error. */
export function goParseInt64(s: string): bigint | null {
  if (!/^[+-]?[0-9]+$/.test(s)) return null
  const n = BigInt(s)
  return n < INT64_MIN || n > INT64_MAX ? null : n
}

/** strconv.ParseUint(s, 16, 8): hex digits only, leading zeros allowed, at most 0xff. */
export function parseSubtype(s: string): number | null {
  if (!/^[0-9a-fA-F]+$/.test(s)) return null
  const significant = s.replace(/^0+/, '')
  return significant.length > 2 ? null : parseInt(significant || '0', 16)
}

/**
 * strconv.ParseFloat(s, 64): Go float syntax (decimal or hex with a p exponent, `_` between digits,
 * inf/infinity/nan in any case); null on a syntax error or when the value overflows to ±Inf.
 */
export function goParseFloat(s: string): number | null {
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
