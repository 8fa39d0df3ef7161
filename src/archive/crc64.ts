// CRC-64 as the mongodump archive format uses it to check each namespace's data: the ECMA-182 polynomial in its
// reflected form (0xC96C5795D7870F42), all-ones initial value and final inversion, i.e. CRC-64/XZ — what Go's
// hash/crc64 computes with crc64.MakeTable(crc64.ECMA). Check value: "123456789" → 0x995dc9bbdf1939fa.
//
// JavaScript has no fast 64-bit integers, so the state is two 32-bit halves and the tables are split the same way.
// Eight bytes are folded per step (slicing-by-8), a byte at a time for the rest.

const POLY_HI = 0xc96c5795
const POLY_LO = 0xd7870f42

// TABLE_LO[k * 256 + i], TABLE_HI[k * 256 + i]: table k of the slicing-by-8 method (k = 0 is the classic table).
const TABLE_LO = new Uint32Array(8 * 256)
const TABLE_HI = new Uint32Array(8 * 256)

for (let i = 0; i < 256; i++) {
  let lo = i
  let hi = 0
  for (let bit = 0; bit < 8; bit++) {
    const carry = lo & 1
    lo = ((lo >>> 1) | (hi << 31)) >>> 0
    hi = hi >>> 1
    if (carry !== 0) {
      lo = (lo ^ POLY_LO) >>> 0
      hi = (hi ^ POLY_HI) >>> 0
    }
  }
  TABLE_LO[i] = lo
  TABLE_HI[i] = hi
}
for (let k = 1; k < 8; k++) {
  for (let i = 0; i < 256; i++) {
    const prevLo = TABLE_LO[(k - 1) * 256 + i]!
    const prevHi = TABLE_HI[(k - 1) * 256 + i]!
    const index = prevLo & 0xff
    // (prev >>> 8) ^ T0[prev & 0xff]
    TABLE_LO[k * 256 + i] = (((prevLo >>> 8) | (prevHi << 24)) ^ TABLE_LO[index]!) >>> 0
    TABLE_HI[k * 256 + i] = ((prevHi >>> 8) ^ TABLE_HI[index]!) >>> 0
  }
}

// The same tables interleaved (lo, hi of entry j at 2j, 2j + 1) as int32, for the word loop: one array, adjacent loads.
const TABLE = new Int32Array(2 * 8 * 256)
for (let j = 0; j < 8 * 256; j++) {
  TABLE[2 * j] = TABLE_LO[j]! | 0
  TABLE[2 * j + 1] = TABLE_HI[j]! | 0
}

// Whole 32-bit words are read in one load (an Int32Array over the aligned part) on little-endian hosts, which is
// ~1.5x faster than assembling them from bytes (bench: 1.0 GB/s against 0.66 GB/s); shorter inputs go byte by byte.
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1
const WORD_LOOP_MIN_BYTES = 64

/** An incremental CRC-64/XZ. */
export class Crc64 {
  // The running register (already inverted, as the algorithm keeps it between updates), as int32 halves.
  private lo = -1
  private hi = -1

  update(bytes: Uint8Array): this {
    const n = bytes.length
    let lo = this.lo
    let hi = this.hi
    let i = 0
    if (LITTLE_ENDIAN && n >= WORD_LOOP_MIN_BYTES) {
      // Byte by byte up to a 4-byte boundary of the underlying buffer, then eight bytes (two words) per step.
      for (; ((bytes.byteOffset + i) & 3) !== 0; i++) {
        const x = ((lo ^ bytes[i]!) & 0xff) << 1
        lo = ((lo >>> 8) | (hi << 24)) ^ TABLE[x]!
        hi = (hi >>> 8) ^ TABLE[x + 1]!
      }
      const words = new Int32Array(bytes.buffer, bytes.byteOffset + i, (n - i) >>> 3 << 1)
      for (let w = 0; w < words.length; w += 2) {
        const a = lo ^ words[w]!
        const b = hi ^ words[w + 1]!
        const i7 = (7 * 256 + (a & 0xff)) << 1
        const i6 = (6 * 256 + ((a >>> 8) & 0xff)) << 1
        const i5 = (5 * 256 + ((a >>> 16) & 0xff)) << 1
        const i4 = (4 * 256 + (a >>> 24)) << 1
        const i3 = (3 * 256 + (b & 0xff)) << 1
        const i2 = (2 * 256 + ((b >>> 8) & 0xff)) << 1
        const i1 = (256 + ((b >>> 16) & 0xff)) << 1
        const i0 = (b >>> 24) << 1
        lo = TABLE[i7]! ^ TABLE[i6]! ^ TABLE[i5]! ^ TABLE[i4]! ^ TABLE[i3]! ^ TABLE[i2]! ^ TABLE[i1]! ^ TABLE[i0]!
        hi = TABLE[i7 + 1]! ^ TABLE[i6 + 1]! ^ TABLE[i5 + 1]! ^ TABLE[i4 + 1]! ^ TABLE[i3 + 1]! ^ TABLE[i2 + 1]! ^ TABLE[i1 + 1]! ^ TABLE[i0 + 1]!
      }
      i += words.length * 4
    }
    for (; i < n; i++) {
      const x = ((lo ^ bytes[i]!) & 0xff) << 1
      lo = ((lo >>> 8) | (hi << 24)) ^ TABLE[x]!
      hi = (hi >>> 8) ^ TABLE[x + 1]!
    }
    this.lo = lo
    this.hi = hi
    return this
  }

  /** The CRC of everything given so far, as an unsigned 64-bit value. Does not reset the state. */
  digest(): bigint {
    return (BigInt(~this.hi >>> 0) << 32n) | BigInt(~this.lo >>> 0)
  }
}

/** The CRC-64/XZ of the bytes. */
export function crc64(bytes: Uint8Array): bigint {
  return new Crc64().update(bytes).digest()
}
