// The writer against the exact outputs listed in ../shared/reference/mongo-tools-format.md §1.3–1.6 (verified there
// with the Go driver), plus its errors on malformed BSON. The oracle test covers the same ground at scale.

import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {indentJson} from '../../src/ejson/indent.ts'
import {bsonToExtJson} from '../../src/ejson/writer.ts'
import {encodeDocument, type BsonValue} from '../../test/harness/bson-gen.ts'

const OID = new Uint8Array(Buffer.from('5f0c1a2b3c4d5e6f7a8b9c0d', 'hex'))

function one(value: BsonValue, format: 'relaxed' | 'canonical' = 'relaxed'): string {
  const json = bsonToExtJson(encodeDocument([['v', value]]), format)
  assert.ok(json.startsWith('{"v":') && json.endsWith('}'), json)
  return json.slice(5, -1)
}

describe('writer: reference table values (mongo-tools-format.md §1.3)', () => {
  test('ObjectId, String, Int32, Int64', () => {
    assert.equal(one({ type: 'objectId', value: OID }), '{"$oid":"5f0c1a2b3c4d5e6f7a8b9c0d"}')
    assert.equal(one({ type: 'string', value: 'x' }), '"x"')
    assert.equal(one({ type: 'int32', value: 7 }), '7')
    assert.equal(one({ type: 'int32', value: 7 }, 'canonical'), '{"$numberInt":"7"}')
    assert.equal(one({ type: 'int64', value: 9223372036854775807n }), '9223372036854775807')
    assert.equal(one({ type: 'int64', value: 9223372036854775807n }, 'canonical'), '{"$numberLong":"9223372036854775807"}')
  })

  test('doubles follow Go strconv G formatting plus ".0" (§1.4)', () => {
    const cases: Array<[number, string]> = [
      [1.0, '1.0'],
      [100000.0, '100000.0'],
      [1e6, '1E+06'],
      [1234567.0, '1.234567E+06'],
      [1e21, '1E+21'],
      [0.0001, '0.0001'],
      [0.00001, '1E-05'],
      [1.5e-7, '1.5E-07'],
      [2 ** 53 + 1, '9.007199254740992E+15'],
      [Number.MAX_VALUE, '1.7976931348623157E+308'],
      [-0, '-0.0']
    ]
    for (const [value, expected] of cases) {
      assert.equal(one({ type: 'double', value }), expected, `relaxed ${value}`)
      assert.equal(one({ type: 'double', value }, 'canonical'), `{"$numberDouble":"${expected}"}`, `canonical ${value}`)
    }
    assert.equal(one({ type: 'double', value: NaN }), '{"$numberDouble":"NaN"}')
    assert.equal(one({ type: 'double', value: Infinity }), '{"$numberDouble":"Infinity"}')
    assert.equal(one({ type: 'double', value: -Infinity }, 'canonical'), '{"$numberDouble":"-Infinity"}')
  })

  test('Decimal128 keeps trailing zeros', () => {
    assert.equal(one({ type: 'decimal128', high: 0x3044000000000000n, low: 10n }), '{"$numberDecimal":"1.0E+3"}')
    assert.equal(one({ type: 'decimal128', high: 0x303c000000000000n, low: 10n }, 'canonical'), '{"$numberDecimal":"0.10"}')
  })

  test('dates: ISO with trimmed milliseconds in 1970..9999, $numberLong otherwise and in canonical (§1.5)', () => {
    const date = (ms: bigint, format: 'relaxed' | 'canonical' = 'relaxed') => one({ type: 'date', value: ms }, format)
    assert.equal(date(1577836800000n), '{"$date":"2020-01-01T00:00:00Z"}')
    assert.equal(date(1577836800120n), '{"$date":"2020-01-01T00:00:00.12Z"}')
    assert.equal(date(1577836800500n), '{"$date":"2020-01-01T00:00:00.5Z"}')
    assert.equal(date(253402300799999n), '{"$date":"9999-12-31T23:59:59.999Z"}')
    assert.equal(date(-1000n), '{"$date":{"$numberLong":"-1000"}}')
    assert.equal(date(253402300800000n), '{"$date":{"$numberLong":"253402300800000"}}')
    assert.equal(date(1577836800120n, 'canonical'), '{"$date":{"$numberLong":"1577836800120"}}')
  })

  test('binary, timestamp, regex, keys and the remaining types', () => {
    const hello = new Uint8Array(Buffer.from('hello'))
    assert.equal(one({ type: 'binary', subtype: 0, data: hello }), '{"$binary":{"base64":"aGVsbG8=","subType":"00"}}')
    assert.equal(one({ type: 'binary', subtype: 4, data: hello }), '{"$binary":{"base64":"aGVsbG8=","subType":"04"}}')
    assert.equal(one({ type: 'binary', subtype: 2, data: hello }), '{"$binary":{"base64":"aGVsbG8=","subType":"02"}}')
    assert.equal(one({ type: 'timestamp', t: 1, i: 2 }), '{"$timestamp":{"t":1,"i":2}}')
    assert.equal(one({ type: 'regex', pattern: 'a.c', options: 'si' }), '{"$regularExpression":{"pattern":"a.c","options":"is"}}')
    assert.equal(one({ type: 'minKey' }), '{"$minKey":1}')
    assert.equal(one({ type: 'maxKey' }), '{"$maxKey":1}')
    assert.equal(one({ type: 'javascript', value: 'function(){}' }), '{"$code":"function(){}"}')
    const scope: BsonValue = { type: 'codeWithScope', code: 'x', scope: [['y', { type: 'int32', value: 1 }]] }
    assert.equal(one(scope), '{"$code":"x","$scope":{"y":1}}')
    assert.equal(one(scope, 'canonical'), '{"$code":"x","$scope":{"y":{"$numberInt":"1"}}}')
    assert.equal(one({ type: 'symbol', value: 'sym' }), '{"$symbol":"sym"}')
    assert.equal(
      one({ type: 'dbPointer', namespace: 'db.coll', id: OID }),
      '{"$dbPointer":{"$ref":"db.coll","$id":{"$oid":"5f0c1a2b3c4d5e6f7a8b9c0d"}}}'
    )
    assert.equal(one({ type: 'undefined' }), '{"$undefined":true}')
    assert.equal(one({ type: 'null' }), 'null')
    assert.equal(one({ type: 'boolean', value: true }), 'true')
    assert.equal(one({ type: 'document', value: [] }), '{}')
    assert.equal(one({ type: 'array', value: [] }), '[]')
    const dup = encodeDocument([['dup', { type: 'int32', value: 1 }], ['dup', { type: 'int32', value: 2 }]])
    assert.equal(bsonToExtJson(dup, 'relaxed'), '{"dup":1,"dup":2}')
  })

  test('string escaping (§1.6)', () => {
    const raw = Buffer.concat([Buffer.from('ctl\u0001\u007f\u2028<&>é"\\\n\t/'), Buffer.from([0xff])])
    assert.equal(one({ type: 'string', value: new Uint8Array(raw) }), '"ctl\\u0001\u007f\\u2028<&>é\\"\\\\\\n\\t/\\ufffd"')
    const key = encodeDocument([['k\u2029"', { type: 'null' }]])
    assert.equal(bsonToExtJson(key, 'relaxed'), '{"k\\u2029\\"":null}')
  })

  test('input may be a view into a larger buffer (byteOffset)', () => {
    const doc = encodeDocument([['a', { type: 'double', value: 1 }]])
    const big = new Uint8Array(doc.length + 7)
    big.set(doc, 3)
    assert.equal(bsonToExtJson(big.subarray(3, 3 + doc.length), 'relaxed'), '{"a":1.0}')
  })
})

describe('writer: malformed BSON is rejected with the byte offset', () => {
  const valid = encodeDocument([['a', { type: 'int32', value: 1 }], ['b', { type: 'string', value: 'xy' }]])
  // Layout: 0 length | 4 type 0x10 | 5 "a\0" | 7 int32 | 11 type 0x02 | 12 "b\0" | 14 len | 18 "xy\0" | 21 terminator

  test('length field disagreeing with the buffer', () => {
    const bad = valid.slice()
    bad[0] = bad[0]! + 1
    assert.throws(() => bsonToExtJson(bad, 'relaxed'), /Malformed BSON at byte 0: document length field says 23 bytes but the buffer holds 22/)
    assert.throws(() => bsonToExtJson(new Uint8Array([4, 0, 0, 0]), 'relaxed'), /Malformed BSON at byte 0/)
  })

  test('unknown element type', () => {
    const bad = valid.slice()
    bad[11] = 0x42
    assert.throws(() => bsonToExtJson(bad, 'relaxed'), /Malformed BSON at byte 11: unknown element type 0x42/)
  })

  test('missing document terminator', () => {
    const bad = valid.slice()
    bad[21] = 1
    assert.throws(() => bsonToExtJson(bad, 'relaxed'), /Malformed BSON at byte 21: document is missing its 0x00 terminator/)
  })

  test('string length running past the document', () => {
    const bad = valid.slice()
    bad[14] = 9
    assert.throws(() => bsonToExtJson(bad, 'relaxed'), /Malformed BSON at byte 14: string length 9 is invalid here/)
  })
})

describe('indentJson (Go json.Indent with a tab)', () => {
  test('the reference sample layout (§1.2)', () => {
    assert.equal(
      indentJson('{"_id":1,"a":{"b":1.0},"e":[],"f":{}}'),
      '{\n\t"_id": 1,\n\t"a": {\n\t\t"b": 1.0\n\t},\n\t"e": [],\n\t"f": {}\n}'
    )
  })
  test('punctuation inside strings is left alone', () => {
    assert.equal(indentJson('{"a,b":"x:{[\\"]}"}'), '{\n\t"a,b": "x:{[\\"]}"\n}')
  })
})
