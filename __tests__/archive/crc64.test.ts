// The archive's CRC is Go's hash/crc64 with the ECMA table, i.e. CRC-64/XZ. Its published check value, incremental
// updates over arbitrary splits (the writer and reader feed it document by document), and several namespaces
// interleaved on one hasher, as an archive interleaves them. That it matches what mongodump writes is checked on
// mongodump's own archives (mongodump.test.ts, corrupt.test.ts).

import assert from 'node:assert/strict'
import {test} from 'node:test'
import {Crc64Set, crc64} from '../../src/archive/crc64.ts'

test('CRC-64/XZ check value of "123456789" is 0x995dc9bbdf1939fa; empty input gives 0', async () => {
  assert.equal(await crc64(Buffer.from('123456789')), 0x995dc9bbdf1939fan)
  assert.equal(await crc64(new Uint8Array()), 0n)
})

test('any split of the input gives the same CRC', async () => {
  const data = Buffer.alloc(1000)
  for (let i = 0; i < data.length; i++) data[i] = (i * 131 + 7) & 0xff
  const whole = await crc64(data)
  for (const cut of [1, 7, 8, 9, 63, 500, 999]) {
    const set = await Crc64Set.create<string>()
    set.update('a', data.subarray(0, cut))
    set.update('a', data.subarray(cut))
    assert.equal(set.digest('a'), whole, `cut at ${cut}`)
  }
  const bytewise = await Crc64Set.create<string>()
  for (const byte of data) bytewise.update('a', Uint8Array.of(byte))
  assert.equal(bytewise.digest('a'), whole)
})

test('namespaces interleaved on one hasher each get their own CRC; a digested one starts again', async () => {
  const streams = ['123456789', 'the quick brown fox', 'x'.repeat(5000)].map(s => Buffer.from(s))
  const expected = await Promise.all(streams.map(s => crc64(s)))
  const set = await Crc64Set.create<number>()
  // Round robin, uneven pieces: every update switches stream.
  const at = streams.map(() => 0)
  while (at.some((a, i) => a < streams[i]!.length)) {
    for (const [i, s] of streams.entries()) {
      const n = Math.min(s.length - at[i]!, 3 + i * 11)
      if (n > 0) set.update(i, s.subarray(at[i]!, at[i]! + n))
      at[i]! += n
    }
  }
  assert.deepEqual(streams.map((_, i) => set.digest(i)), expected)
  assert.equal(expected[0], 0x995dc9bbdf1939fan)
  set.update(0, streams[0]!)
  assert.equal(set.digest(0), 0x995dc9bbdf1939fan, 'after its digest a key starts from nothing')
  assert.equal(set.digest(1), 0n, 'a key with nothing given since its digest gives the CRC of nothing')
})
