import {test} from 'node:test'
import assert from 'node:assert/strict'
import {EJSON} from 'bson'
import {parseUserQuery, andFilters, excludeIdsFilter, canonicalFilter} from '../../src/prancer/query.ts'
import {advanceWatermark, excludedIds as excludedIdsOf, planWindow, windowFilter} from '../../src/prancer/incremental.ts'
import {describeSince, parseSince} from '../../src/prancer/since.ts'
import type {Manifest} from '../../src/artifact/manifest.ts'

test('query: strict Extended JSON keeps number types; server-side JavaScript is refused naming the operator', () => {
  const q = parseUserQuery('{"json.status": "Completed", "timestamp": {"$gte": {"$numberLong": "1767225600000"}}, "n": 1, "d": 1.0, "big": 9007199254740993}')
  assert.equal(canonicalFilter(q), '{"json.status":"Completed","timestamp":{"$gte":{"$numberLong":"1767225600000"}},"n":{"$numberInt":"1"},"d":{"$numberDouble":"1.0"},"big":{"$numberLong":"9007199254740993"}}')
  assert.throws(() => parseUserQuery('{"$where": "this.a > 1"}'), {message: 'query: the operator $where (at $where) runs JavaScript on the server and is not accepted; express the condition with query operators instead.'})
  assert.throws(() => parseUserQuery('{"$and": [{"a": 1}, {"$expr": {"$function": {"body": "x", "args": [], "lang": "js"}}}]}'), {message: /^query: the operator \$function \(at \$and\[1\]\.\$expr\.\$function\) runs JavaScript/})
  assert.throws(() => parseUserQuery('{"$expr": {"$gt": [{"$accumulator": {}}, 1]}}'), {message: /operator \$accumulator \(at \$expr\.\$gt\[0\]\.\$accumulator\)/})
  assert.throws(() => parseUserQuery('{"a": {"$code": "f()"}}'), {message: 'query: JavaScript code ($code) at a is not accepted.'})
  assert.throws(() => parseUserQuery("{container: 'x'}"), {name: 'InputError', message: /^query: not valid JSON/})
  assert.throws(() => parseUserQuery('{"a": 1} {"b": 2}'), {name: 'InputError', message: /^query: not valid JSON/})
  assert.throws(() => parseUserQuery('{"a": {"$oid": "xyz"}}'), {name: 'InputError', message: /^query: not valid Extended JSON/})
  assert.throws(() => parseUserQuery('[1]'), {message: 'query: must be a JSON object (a find() filter), e.g. {"container": "my-container"}.'})
})

test('filters: AND of present parts only; seen ids come back with their BSON types', () => {
  assert.deepEqual(andFilters([null, {}, {a: 1}]), {a: 1})
  assert.deepEqual(andFilters([]), {})
  const ex = excludeIdsFilter(['{"$oid":"0123456789abcdef01234567"}', '{"$numberInt":"5"}'])
  assert.equal(EJSON.stringify(ex, {relaxed: false}), '{"_id":{"$nin":[{"$oid":"0123456789abcdef01234567"},{"$numberInt":"5"}]}}')
  assert.equal(excludeIdsFilter([]), null)
})

function manifestWith(watermark: Manifest['watermark']): Manifest {
  return {tool: 'prancer-db-artifacts', manifestVersion: 1, kind: 'outputs', createdAt: '', uriSource: 'default', files: [], watermark}
}

test('window: all / explicit time / chained; the lookback never grows within a chain', () => {
  assert.equal(windowFilter(planWindow({kind: 'all'}, null)), null)
  const auto = planWindow({kind: 'auto'}, null)
  assert.equal(auto.kind, 'all')
  assert.match(auto.notices[0]!, /no previous export manifest/)
  const after = planWindow({kind: 'time', ms: 1000}, null)
  assert.equal(EJSON.stringify(windowFilter(after), {relaxed: false}), '{"$or":[{"timestamp":{"$type":["int","long","double"],"$gt":{"$numberDouble":"1000.0"},"$lte":{"$numberDouble":"8640000000000000.0"},"$not":{"$type":"array"}}},{"timestamp":{"$type":"date","$gte":{"$date":{"$numberLong":"1001"}},"$lte":{"$date":{"$numberLong":"8640000000000000"}},"$not":{"$type":"array"}}}]}')
  const T = 1_772_000_000_000 // 2026-02-25: a timestamp Prancer could have written
  const chained = planWindow({kind: 'auto'}, manifestWith({field: 'timestamp', value: T + 5000.5, lookbackMs: 1000, seen: [{id: '{"$numberInt":"1"}', ts: T + 4500}]}), 2000, T + 10_000)
  assert.equal(chained.lookbackMs, 1000)
  assert.equal(chained.bound, T + 4000.5)
  assert.match(chained.notices[0]!, /keeping it/)
  // Dates are whole ms: >= T + 4000.5 means >= T + 4001; and every chained window also looks below 2001-09-09 (1e12),
  // where epoch-seconds timestamps would otherwise hide for ever
  assert.equal(
    EJSON.stringify(windowFilter(chained), {relaxed: false}),
    '{"$or":[{"$or":[{"timestamp":{"$type":["int","long","double"],"$gte":{"$numberDouble":"1772000004000.5"},"$lte":{"$numberDouble":"8640000000000000.0"},"$not":{"$type":"array"}}},{"timestamp":{"$type":"date","$gte":{"$date":{"$numberLong":"1772000004001"}},"$lte":{"$date":{"$numberLong":"8640000000000000"}},"$not":{"$type":"array"}}}]},' +
      '{"$or":[{"timestamp":{"$type":["int","long","double"],"$gte":{"$numberDouble":"-8640000000000000.0"},"$lt":{"$numberDouble":"1000000000000.0"},"$not":{"$type":"array"}}},{"timestamp":{"$type":"date","$gte":{"$date":{"$numberLong":"-8640000000000000"}},"$lt":{"$date":{"$numberLong":"1000000000000"}},"$not":{"$type":"array"}}}]}]}'
  )
  assert.throws(() => planWindow({kind: 'auto'}, {...manifestWith(undefined), kind: 'outputs'}), /^InputError: The previous manifest cannot be continued: it has no watermark of the timestamp field\. Set since to all/)
})

test('window: a previous watermark beyond now + lookback is refused with a warning and starts a new chain', () => {
  const now = 1_000_000
  const at = (value: number) => planWindow({kind: 'auto'}, manifestWith({field: 'timestamp', value, lookbackMs: 1000, seen: []}), 1000, now)
  const plausible = at(now + 1000)
  assert.equal(plausible.kind, 'chained')
  assert.deepEqual(plausible.warnings, [])
  const future = at(now + 1001)
  assert.equal(future.kind, 'all')
  assert.equal(windowFilter(future), null)
  assert.equal(future.warnings.length, 1)
  assert.match(future.warnings[0]!, /^The previous watermark 1001001 \(.*\) lies in the future .*starting a new chain with a full export/)
})

test('watermark: W\' = max(W, exported); S\' keeps exactly the ids with ts >= W\' - L', () => {
  const T = 1_772_000_000_000
  const plan = planWindow({kind: 'auto'}, manifestWith({field: 'timestamp', value: T + 100, lookbackMs: 10, seen: [{id: '"a"', ts: T + 90}, {id: '"b"', ts: T + 100}]}), 10, T + 1000)
  const w = advanceWatermark(plan, [{id: '"c"', ts: T + 95}, {id: '"d"', ts: T + 105}])
  assert.deepEqual(w, {field: 'timestamp', value: T + 105, lookbackMs: 10, seen: [{id: '"b"', ts: T + 100}, {id: '"c"', ts: T + 95}, {id: '"d"', ts: T + 105}], newOutliers: []})
  // nothing new: W and S unchanged
  assert.deepEqual(advanceWatermark(plan, []).seen, [{id: '"a"', ts: T + 90}, {id: '"b"', ts: T + 100}])
  // a full export of nothing timestamped leaves the watermark null
  assert.deepEqual(advanceWatermark(planWindow({kind: 'all'}, null), []), {field: 'timestamp', value: null, lookbackMs: 600000, seen: [], newOutliers: []})
})

test('watermark: implausible timestamps (epoch seconds, epoch microseconds) never move W; they are kept out of later windows by id', () => {
  const T = 1_772_000_000_000
  const now = T + 1000
  const first = advanceWatermark(planWindow({kind: 'all'}, null, 600_000, now), [
    {id: '"ok"', ts: T},
    {id: '"seconds"', ts: 1_772_000_000},
    {id: '"micros"', ts: 1_772_000_000_000_000},
    {id: '"nextweek"', ts: now + 7 * 86_400_000}
  ])
  assert.equal(first.value, T, 'the watermark is the plausible maximum')
  assert.deepEqual(first.newOutliers.map(o => o.id), ['"seconds"', '"micros"', '"nextweek"'])
  const {newOutliers: _, ...manifestWatermark} = first
  const next = planWindow({kind: 'auto'}, manifestWith(manifestWatermark), 600_000, now + 60_000)
  // the next window excludes the seen id and every outlier, and still looks below 1e12 for new seconds-scale ones
  assert.deepEqual(excludedIdsOf(next), ['"ok"', '"seconds"', '"micros"', '"nextweek"'])
  assert.match(EJSON.stringify(windowFilter(next), {relaxed: false}), /"\$lt":\{"\$numberDouble":"1000000000000.0"\}/)
  // a later export at a plausible time keeps the low and future outliers, drops none of them wrongly
  const later = advanceWatermark(next, [{id: '"ok2"', ts: T + 500_000}])
  assert.equal(later.value, T + 500_000)
  assert.deepEqual((later.outliers ?? []).map(o => o.id).sort(), ['"micros"', '"nextweek"', '"seconds"'])
})

test('window: a previous manifest that cannot be continued says why (malformed ids, values out of the Date range)', () => {
  const bad = (watermark: unknown) => () => planWindow({kind: 'auto'}, manifestWith(watermark as Manifest['watermark']))
  assert.throws(bad({field: 'timestamp', value: 1e20, lookbackMs: 0, seen: []}), /cannot be continued: its watermark value 100000000000000000000 is not a time in epoch milliseconds/)
  assert.throws(bad({field: 'timestamp', value: 1, lookbackMs: 0, seen: [{id: '{"$oid":"nothex"}', ts: 1}]}), /its watermark's seen holds an _id that is not canonical Extended JSON/)
  assert.throws(bad({field: 'timestamp', value: 1, lookbackMs: 0, seen: [{id: 5, ts: 1}]}), /its watermark's seen holds an entry that is not \{id, ts\}/)
  assert.throws(bad({field: 'timestamp', value: 1, lookbackMs: -1, seen: []}), /its lookbackMs -1 is not a number of milliseconds/)
  assert.throws(() => parseSince('9000000000000000'), /beyond the last representable time/)
})

test('since: auto, all, epoch ms, ISO-8601 with calendar checks; garbage refused with the accepted values', () => {
  assert.deepEqual(parseSince(''), {kind: 'auto'})
  assert.deepEqual(parseSince('auto'), {kind: 'auto'})
  assert.deepEqual(parseSince('all'), {kind: 'all'})
  assert.deepEqual(parseSince('1767225600000'), {kind: 'time', ms: 1767225600000})
  // expected values from the ISO strings Date itself accepts in full form
  assert.deepEqual(parseSince('2026-01-01'), {kind: 'time', ms: Date.parse('2026-01-01T00:00:00.000Z')})
  assert.deepEqual(parseSince('2026-03-01T09:30'), {kind: 'time', ms: Date.parse('2026-03-01T09:30:00.000Z')})
  assert.deepEqual(parseSince('2026-03-01T09:30:15.123456+05:30'), {kind: 'time', ms: Date.parse('2026-03-01T09:30:15.123+05:30')})
  assert.deepEqual(parseSince('2024-02-29T23:59:59-0100'), {kind: 'time', ms: Date.parse('2024-02-29T23:59:59.000-01:00')})
  assert.deepEqual(parseSince('0099-01-01T00:00:00Z'), {kind: 'time', ms: Date.parse('0099-01-01T00:00:00.000Z')})
  for (const bad of ['2026-02-30', '2025-02-29T00:00Z', '2026-13-01', '2026-01-01T24:00Z', '2026-01-01T10:60Z', 'yesterday', '1e12', '-5', '2026-01-01T10:00+25:00', '99999999999999999999']) {
    assert.throws(() => parseSince(bad), {name: 'InputError', message: /^since: .*accepted: auto, all, a number of epoch milliseconds/}, bad)
  }
})

test('describeSince: one wording for the manifest, the CLI and the job summary', () => {
  assert.equal(describeSince({kind: 'all'}, null), 'since: all (full export)')
  assert.equal(describeSince({kind: 'time', ms: 1767225600000}, null), 'since: 2026-01-01T00:00:00.000Z (1767225600000)')
  assert.equal(describeSince({kind: 'auto'}, null), 'since: auto; no usable previous export, so a full export')
  assert.equal(describeSince({kind: 'auto'}, 'manifest of artifact "x" from run 6'), 'since: auto; manifest of artifact "x" from run 6')
})

test('watermark: a timestamp ahead by more than the lookback (a host clock running ahead) is an outlier, so no later run starts over', () => {
  const T = 1_772_000_000_000
  const L = 600_000
  const first = advanceWatermark(planWindow({kind: 'all'}, null, L, T), [{id: '"ok"', ts: T - 1000}, {id: '"ahead"', ts: T + 3 * 3_600_000}])
  assert.equal(first.value, T - 1000)
  assert.deepEqual(first.newOutliers.map(o => o.id), ['"ahead"'])
  const {newOutliers: _, ...w} = first
  // an hour later: the chain continues (the old behaviour took the 3-hours-ahead value as W and fell back to full exports)
  const next = planWindow({kind: 'auto'}, manifestWith(w), L, T + 3_600_000)
  assert.equal(next.kind, 'chained')
  assert.deepEqual(next.warnings, [])
  assert.deepEqual(excludedIdsOf(next).sort(), ['"ahead"', '"ok"'])
})
