// Watermark and window arithmetic of the exactly-once incremental export. The design and its proof
// are in docs/incremental.md; the names here follow it (W = watermark, L = lookback, S = seen).
import {Double} from 'bson'
import type {Document} from 'mongodb'
import type {Manifest, SinceSpec, Watermark} from '../job/types.ts'
import {BSON_TYPE, canonicalEjson, dateValue, getElement, numberValue} from '../bson/raw.ts'

export const TIMESTAMP_FIELD = 'timestamp'
export const DEFAULT_LOOKBACK_MS = 600_000
/** Upper bound of the lookback-ms input / --lookback-ms flag: the seen list grows with it. */
export const MAX_LOOKBACK_MS = 2_592_000_000
/**
 * Usable timestamps lie in [-LIMIT, LIMIT] (the range of a JS Date, below 2^53), so the server's numeric
 * comparison and ours agree exactly. Anything else (strings, NaN, ±Infinity, huge int64, missing) has
 * "no usable timestamp": exported only by full exports (since: all), and counted with a warning.
 */
export const TIMESTAMP_LIMIT_MS = 8.64e15

export interface WindowPlan {
  /** all: no window; after: timestamp > bound (explicit time); chained: timestamp >= bound and _id not in seen. */
  kind: 'all' | 'after' | 'chained'
  /** null for `all`, and for a chain whose watermark is still null (every usable timestamp). */
  bound: number | null
  /** L used for this run's window and the next watermark. */
  lookbackMs: number
  /** W of the previous export (chained) or the explicit time (after). */
  previousValue: number | null
  /** S of the previous export: ids excluded from this run. */
  seen: Array<{id: string; ts: number}>
  notices: string[]
  warnings: string[]
}

/** The usable timestamp of a raw document in epoch ms (int32, int64, double or Date), else undefined. */
export function usableTimestamp(doc: Uint8Array): number | undefined {
  const el = getElement(doc, TIMESTAMP_FIELD)
  if (!el) return undefined
  const value = el.type === BSON_TYPE.date ? dateValue(el) : numberValue(el)
  if (typeof value !== 'number' || !(value >= -TIMESTAMP_LIMIT_MS && value <= TIMESTAMP_LIMIT_MS)) return undefined
  return value
}

/** Canonical Extended JSON of the document's _id (how the watermark's seen list names documents). */
export function documentId(doc: Uint8Array): string {
  const el = getElement(doc, '_id')
  if (!el) throw new Error('exported document has no _id')
  return canonicalEjson(el)
}

function isWatermark(value: unknown): value is Watermark {
  const w = value as Watermark | null
  return (
    typeof w === 'object' &&
    w !== null &&
    w.field === TIMESTAMP_FIELD &&
    (w.value === null || Number.isFinite(w.value)) &&
    Number.isFinite(w.lookbackMs) &&
    w.lookbackMs >= 0 &&
    Array.isArray(w.seen) &&
    w.seen.every(s => typeof s?.id === 'string' && Number.isFinite(s.ts))
  )
}

/** `now` is a parameter so that tests can place the previous watermark in the future. */
export function planWindow(since: SinceSpec, previous: Manifest | null | undefined, lookbackMs: number = DEFAULT_LOOKBACK_MS, now: number = Date.now()): WindowPlan {
  if (!Number.isSafeInteger(lookbackMs) || lookbackMs < 0) throw new Error(`lookbackMs must be a non-negative integer, got ${lookbackMs}`)
  const notices: string[] = []
  const warnings: string[] = []
  const all = (): WindowPlan => ({kind: 'all', bound: null, lookbackMs, previousValue: null, seen: [], notices, warnings})
  if (since.kind === 'all') return all()
  if (since.kind === 'time') {
    if (!Number.isFinite(since.ms)) throw new Error(`since: ${since.ms} is not a time`)
    return {kind: 'after', bound: since.ms, lookbackMs, previousValue: since.ms, seen: [], notices, warnings}
  }
  if (!previous) {
    notices.push('since: auto has no previous export manifest; exporting every document (the next export continues from this one).')
    return all()
  }
  if (previous.kind !== 'outputs' || !isWatermark(previous.watermark)) {
    throw new Error('The previous manifest is not an outputs manifest with a valid watermark; set since to all or a time to start a new chain.')
  }
  const w = previous.watermark
  // A watermark in the future (a clock error, or a document with a bogus timestamp) would hide every
  // document written until then; a new chain re-exports everything instead.
  if (w.value !== null && w.value > now + lookbackMs) {
    warnings.push(
      `The previous watermark ${w.value} (${new Date(w.value).toISOString()}) lies in the future (now ${new Date(now).toISOString()}); ` +
        'ignoring it and starting a new chain with a full export. Check the timestamps of the exported documents and the clock of the machine running Prancer.'
    )
    return all()
  }
  // S only covers L_prev: a longer window would re-admit exported documents, so L can shrink but never grow.
  let effective = lookbackMs
  if (lookbackMs > w.lookbackMs) {
    effective = w.lookbackMs
    notices.push(`The previous export used a lookback of ${w.lookbackMs} ms; keeping it (it cannot grow within a chain without duplicates). Use since: all to start a new chain with ${lookbackMs} ms.`)
  }
  return {kind: 'chained', bound: w.value === null ? null : w.value - effective, lookbackMs: effective, previousValue: w.value, seen: w.seen, notices, warnings}
}

/** Numeric (int32, int64, double) timestamps in [lower, LIMIT] or Dates in [ceil(lower), LIMIT], never arrays; `strict` makes the lower bound exclusive. */
function timestampRange(lower: number | null, strict: boolean): Document {
  const numberLower = lower === null ? -TIMESTAMP_LIMIT_MS : lower
  // Dates are whole ms: date >= x  <=>  date >= ceil(x), and date > x  <=>  date >= floor(x) + 1.
  const dateLower = lower === null ? -TIMESTAMP_LIMIT_MS : strict ? Math.floor(lower) + 1 : Math.ceil(lower)
  const op = lower !== null && strict ? '$gt' : '$gte'
  // Double keeps the bound a BSON double even when it is a whole number beyond int32 (never an int64 with a lost fraction).
  // $type and the array exclusion make the server select exactly what usableTimestamp accepts: without
  // them a Decimal128 compares as a number and an array matches through any element, and such documents
  // would be exported again by every run (usableTimestamp never puts them in the watermark).
  return {
    $or: [
      {[TIMESTAMP_FIELD]: {$type: ['int', 'long', 'double'], [op]: new Double(numberLower), $lte: new Double(TIMESTAMP_LIMIT_MS), $not: {$type: 'array'}}},
      {[TIMESTAMP_FIELD]: {$type: 'date', $gte: new Date(dateLower), $lte: new Date(TIMESTAMP_LIMIT_MS), $not: {$type: 'array'}}}
    ]
  }
}

/** The window part of the find() filter, or null when every document is wanted. */
export function windowFilter(plan: WindowPlan): Document | null {
  if (plan.kind === 'all') return null
  return timestampRange(plan.bound, plan.kind === 'after')
}

/** Documents an incremental window can never select (no usable timestamp). */
export function withoutUsableTimestampFilter(): Document {
  return {$nor: [timestampRange(null, false)]}
}

/** W' = max(W, exported); S' = (S ∪ exported) restricted to ts >= W' - L. */
export function advanceWatermark(plan: WindowPlan, exported: Array<{id: string; ts: number}>): Watermark {
  let value = plan.kind === 'chained' || plan.kind === 'after' ? plan.previousValue : null
  for (const e of exported) if (value === null || e.ts > value) value = e.ts
  if (value === null) return {field: TIMESTAMP_FIELD, value: null, lookbackMs: plan.lookbackMs, seen: []}
  const lower = value - plan.lookbackMs
  const seen = new Map<string, number>()
  for (const s of [...(plan.kind === 'chained' ? plan.seen : []), ...exported]) if (s.ts >= lower) seen.set(s.id, s.ts)
  return {field: TIMESTAMP_FIELD, value, lookbackMs: plan.lookbackMs, seen: [...seen].map(([id, ts]) => ({id, ts}))}
}
