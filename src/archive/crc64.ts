// CRC-64 as the mongodump archive format uses it to check each namespace's data: the ECMA-182 polynomial in its
// reflected form (0xC96C5795D7870F42), all-ones initial value and final inversion, i.e. CRC-64/XZ — what Go's
// hash/crc64 computes with crc64.MakeTable(crc64.ECMA). Check value: "123456789" → 0x995dc9bbdf1939fa.
//
// Computed by hash-wasm's WebAssembly CRC-64 (its default polynomial is this one): 1.34 GB/s here against 0.77 GB/s
// for the slicing-by-8 JavaScript we had, which needed 32-bit halves for lack of fast 64-bit integers. An archive
// interleaves its namespaces, so one hasher serves all of them: each namespace's running state (12 bytes) is saved
// and loaded when the stream switches (~0.7 µs).

import type {IHasher} from 'hash-wasm'
import hashWasmCrc64 from 'hash-wasm/dist/crc64.umd.min.js'

/** The running CRC-64/XZ of several streams, told apart by a key. */
export class Crc64Set<K> {
  private readonly hasher: IHasher
  private readonly saved = new Map<K, Uint8Array>()
  private current: {key: K} | undefined

  private constructor(hasher: IHasher) {
    this.hasher = hasher
  }

  static async create<K>(): Promise<Crc64Set<K>> {
    return new Crc64Set<K>(await hashWasmCrc64.createCRC64())
  }

  private select(key: K): void {
    if (this.current !== undefined && this.current.key === key) return
    if (this.current !== undefined) this.saved.set(this.current.key, this.hasher.save())
    const state = this.saved.get(key)
    if (state === undefined) this.hasher.init()
    else this.hasher.load(state)
    this.current = {key}
  }

  update(key: K, bytes: Uint8Array): void {
    this.select(key)
    this.hasher.update(bytes)
  }

  /** The CRC of everything given for `key`, as an unsigned 64-bit value; the key starts from nothing afterwards. */
  digest(key: K): bigint {
    this.select(key)
    const value = BigInt(`0x${this.hasher.digest('hex')}`)
    this.saved.delete(key)
    this.current = undefined
    return value
  }
}

/** The CRC-64/XZ of the bytes. */
export async function crc64(bytes: Uint8Array): Promise<bigint> {
  const set = await Crc64Set.create<0>()
  set.update(0, bytes)
  return set.digest(0)
}
