// CRC-64 as the mongodump archive format uses it to check each namespace's data: the ECMA-182 polynomial in its
// reflected form (0xC96C5795D7870F42), all-ones initial value and final inversion, i.e. CRC-64/XZ — what Go's
// hash/crc64 computes with crc64.MakeTable(crc64.ECMA). Check value: "123456789" → 0x995dc9bbdf1939fa.
//
// JavaScript has no fast 64-bit integers, so the state is two uint32 halves and the tables are split the same way.
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

/** An incremental CRC-64/XZ. */
export class Crc64 {
  // The running register (already inverted, as the algorithm keeps it between updates).
  private lo = 0xffffffff
  private hi = 0xffffffff

  update(bytes: Uint8Array): this {
    let lo = this.lo
    let hi = this.hi
    let i = 0
    const n = bytes.length
    const end8 = n - (n % 8)
    while (i < end8) {
      const a = (lo ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24))) >>> 0
      const b = (hi ^ (bytes[i + 4]! | (bytes[i + 5]! << 8) | (bytes[i + 6]! << 16) | (bytes[i + 7]! << 24))) >>> 0
      const i7 = 7 * 256 + (a & 0xff)
      const i6 = 6 * 256 + ((a >>> 8) & 0xff)
      const i5 = 5 * 256 + ((a >>> 16) & 0xff)
      const i4 = 4 * 256 + (a >>> 24)
      const i3 = 3 * 256 + (b & 0xff)
      const i2 = 2 * 256 + ((b >>> 8) & 0xff)
      const i1 = 256 + ((b >>> 16) & 0xff)
      const i0 = b >>> 24
      lo = TABLE_LO[i7]! ^ TABLE_LO[i6]! ^ TABLE_LO[i5]! ^ TABLE_LO[i4]! ^ TABLE_LO[i3]! ^ TABLE_LO[i2]! ^ TABLE_LO[i1]! ^ TABLE_LO[i0]!
      hi = TABLE_HI[i7]! ^ TABLE_HI[i6]! ^ TABLE_HI[i5]! ^ TABLE_HI[i4]! ^ TABLE_HI[i3]! ^ TABLE_HI[i2]! ^ TABLE_HI[i1]! ^ TABLE_HI[i0]!
      i += 8
    }
    for (; i < n; i++) {
      const index = (lo ^ bytes[i]!) & 0xff
      lo = (((lo >>> 8) | (hi << 24)) ^ TABLE_LO[index]!) >>> 0
      hi = ((hi >>> 8) ^ TABLE_HI[index]!) >>> 0
    }
    this.lo = lo >>> 0
    this.hi = hi >>> 0
    return this
  }

  /** The CRC of everything given so far, as an unsigned 64-bit value. Does not reset the state. */
  digest(): bigint {
    return (BigInt((~this.hi) >>> 0) << 32n) | BigInt((~this.lo) >>> 0)
  }
}

/** The CRC-64/XZ of the bytes. */
export function crc64(bytes: Uint8Array): bigint {
  return new Crc64().update(bytes).digest()
}
