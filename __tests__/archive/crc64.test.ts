// The archive's CRC is Go's hash/crc64 with the ECMA table, i.e. CRC-64/XZ. Its published check value, and
// incremental updates over arbitrary splits (the writer and reader feed it document by document). That it matches
// what mongodump writes is checked on mongodump's own archives (mongodump.test.ts, corrupt.test.ts).

import assert from 'node:assert/strict'
import {test} from 'node:test'
import {Crc64, crc64} from '../../src/archive/crc64.ts'

test('CRC-64/XZ check value of "123456789" is 0x995dc9bbdf1939fa; empty input gives 0', () => {
  assert.equal(crc64(Buffer.from('123456789')), 0x995dc9bbdf1939fan)
  assert.equal(crc64(new Uint8Array()), 0n)
})

test('any split of the input gives the same CRC', () => {
  const data = Buffer.alloc(1000)
  for (let i = 0; i < data.length; i++) data[i] = (i * 131 + 7) & 0xff
  const whole = crc64(data)
  for (const cut of [1, 7, 8, 9, 63, 500, 999]) {
    assert.equal(new Crc64().update(data.subarray(0, cut)).update(data.subarray(cut)).digest(), whole, `cut at ${cut}`)
  }
  const bytewise = new Crc64()
  for (const byte of data) bytewise.update(Uint8Array.of(byte))
  assert.equal(bytewise.digest(), whole)
})
