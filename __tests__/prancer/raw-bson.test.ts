// src/bson/raw.ts against the bson package's full deserializer (the oracle) on generated documents.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {BSON, Binary, Code, Decimal128, Double, EJSON, Int32, Long, MaxKey, MinKey, ObjectId, BSONRegExp, Timestamp} from 'bson'
import {canonicalEjson, dateValue, getElement, getElements, getString, getStrings, numberValue, objectIdHex} from '../../src/bson/raw.ts'
import {usableTimestamp} from '../../src/prancer/incremental.ts'
import {createRng} from '../../test/harness/bson-gen.ts'


// Fillers of every type, so the scanner must skip each correctly to reach the fields after them.
const FILLERS: unknown[] = [
  new Double(1.5), 'str', 'ünïcødé ✓', {a: {b: [1, 'x']}}, [1, [2, 3]], new Binary(Buffer.from('abc'), 4), undefined, new ObjectId(), true, new Date(1700000000000), null,
  new BSONRegExp('a+b', 'i'), new Code('f()'), new Code('g()', {x: 1}), new Int32(-7), new Timestamp({t: 5, i: 6}), Long.fromString('-9007199254740993'), Decimal128.fromString('1.25'), new MinKey(), new MaxKey()
]

test('reads top-level and dotted fields exactly as the full deserializer does', () => {
  const rnd = createRng(42).float
  for (let i = 0; i < 500; i++) {
    const id = rnd() < 0.8 ? new ObjectId() : rnd() < 0.5 ? new Int32(i) : `id-${i}`
    const tsKind = Math.floor(rnd() * 6)
    const ms = 1_700_000_000_000 + Math.floor(rnd() * 1e9)
    const timestamp = [Long.fromNumber(ms), new Int32(ms % 2 ** 31), new Double(ms + 0.25), new Date(ms), 'not a number', Long.fromString('9007199254740993')][tsKind]
    const fillers = Object.fromEntries(FILLERS.filter(() => rnd() < 0.5).map((v, j) => [`f${j}`, v]))
    const results = Array.from({length: Math.floor(rnd() * 5)}, (_, j) => ({eval: 'x', result: ['passed', 'failed', 'skipped', 'other'][j % 4], n: j}))
    const doc = {_id: id, ...fillers, timestamp, json: {...fillers, status: rnd() < 0.3 ? 'Running' : 'Completed', log: `logs_2026030112000${i % 10}_COMPLIANCE`, results}, name: `n${i}`}
    const bytes = BSON.serialize(doc, {ignoreUndefined: false})
    const oracle = BSON.deserialize(bytes, {promoteValues: false, bsonRegExp: true})

    assert.equal(canonicalEjson(getElement(bytes, '_id')!), EJSON.stringify(oracle._id, {relaxed: false}))
    assert.equal(getString(bytes, 'json.status'), oracle.json.status.valueOf())
    assert.equal(getString(bytes, 'json.log'), oracle.json.log.valueOf())
    assert.equal(getString(bytes, 'name'), oracle.name.valueOf())
    assert.deepEqual(getStrings(bytes, 'json.results[].result'), oracle.json.results.map((r: {result: {valueOf(): string}}) => r.result.valueOf()))
    assert.equal(getElements(bytes, 'json.results[]').length, oracle.json.results.length)
    assert.equal(getElement(bytes, 'json.missing.deeper'), undefined)
    // the expected timestamp comes from the oracle's typed value
    const t = oracle.timestamp
    const expected =
      t instanceof Long ? (Math.abs(t.toNumber()) <= 8.64e15 ? t.toNumber() : undefined) : t instanceof Int32 || t instanceof Double ? t.valueOf() : t instanceof Date ? t.getTime() : undefined
    assert.equal(usableTimestamp(bytes), expected)
  }
})

test('typed accessors return undefined for other types; int64 beyond 2^53 stays exact as a bigint', () => {
  const bytes = BSON.serialize({a: 'x', big: Long.fromString('9007199254740993'), d: new Date(-5), o: new ObjectId('0123456789abcdef01234567')})
  assert.equal(numberValue(getElement(bytes, 'a')), undefined)
  assert.equal(numberValue(getElement(bytes, 'big')), 9007199254740993n)
  assert.equal(dateValue(getElement(bytes, 'd')), -5)
  assert.equal(objectIdHex(getElement(bytes, 'o')), '0123456789abcdef01234567')
  assert.equal(getString(bytes, 'a.b'), undefined)
})

test('a truncated document is reported, not misread', () => {
  const bytes = BSON.serialize({a: 'hello', b: 1})
  assert.throws(() => getElement(bytes.subarray(0, bytes.length - 3), 'b'), {name: 'CorruptDataError', code: 'invalid-bson'})
})
