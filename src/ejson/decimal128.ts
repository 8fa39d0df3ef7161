// bson.ParseDecimal128 of the Go driver for $numberDecimal: the text to the 16 bytes of a BSON Decimal128, exact
// values only (Go refuses what would need rounding), with its clamping and NaN/Infinity spellings.

import * as bsonTypes from './bson-types.ts'

// As in the parser modules, the constants are bound as this module's own (V8 folds those into optimized code).
const {INT64_MAX, INT64_MIN} = bsonTypes

const DEC_MAX_EXP = 6111
const DEC_MIN_EXP = -6176
const DEC_MAX_SIGNIFICAND = 10n ** 34n - 1n

/** bson.ParseDecimal128: exact values only (no rounding), clamping, NaN/Inf spellings; null on error. */
export function parseDecimal128(s: string): Uint8Array | null {
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
