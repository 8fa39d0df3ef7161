// Watermark and window arithmetic of the exactly-once incremental export. The design and its proof
// are in docs/incremental.md; the names here follow it (W = watermark, L = lookback, S = seen).
import {Double, EJSON} from 'bson'
import type {Document} from 'mongodb'
import type {Manifest} from '../artifact/manifest.ts'
import type {Watermark} from '../artifact/watermark.ts'
import type {SinceSpec} from './since.ts'
import {BSON_TYPE, canonicalEjson, dateValue, getElement, numberValue} from '../bson/raw.ts'
import {CorruptDataError, InputError, InternalError} from '../common/errors.ts'

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
/**
 * Plausible Prancer timestamps (epoch ms) start at 1e12 (2001-09-09) and end one lookback L after the export: the
 * same bound beyond which the next run would refuse the watermark as "in the future" (planWindow), so no exported
 * timestamp can ever make a later run start over. Below is epoch seconds (1.7e9) or garbage; beyond is epoch
 * microseconds or a clock ahead by more than L. Such "outliers" are exported once, named in a warning, kept out of
 * later windows by id, and never become the watermark (docs/incremental.md).
 */
export const PLAUSIBLE_MIN_MS = 1e12

export function isPlausible(ts: number, now: number, lookbackMs: number): boolean {
  return ts >= PLAUSIBLE_MIN_MS && ts <= now + lookbackMs
}

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
  /** Outliers exported earlier in the chain: excluded from this run too. */
  outliers: Array<{id: string; ts: number}>
  /** Time of this export (the future bound of plausible timestamps). */
  now: number
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
  if (!el) throw new CorruptDataError('exported document has no _id')
  return canonicalEjson(el)
}

/** Why a manifest's watermark cannot be used, or null when it can. */
function watermarkProblem(value: unknown): string | null {
  const w = value as Watermark | null
  if (typeof w !== 'object' || w === null || w.field !== TIMESTAMP_FIELD) return 'it has no watermark of the timestamp field'
  if (w.value !== null && !(typeof w.value === 'number' && Math.abs(w.value) <= TIMESTAMP_LIMIT_MS)) return `its watermark value ${JSON.stringify(w.value)} is not a time in epoch milliseconds`
  if (!(typeof w.lookbackMs === 'number' && Number.isSafeInteger(w.lookbackMs) && w.lookbackMs >= 0 && w.lookbackMs <= MAX_LOOKBACK_MS)) return `its lookbackMs ${JSON.stringify(w.lookbackMs)} is not a number of milliseconds from 0 to ${MAX_LOOKBACK_MS}`
  for (const [name, list] of [['seen', w.seen], ['outliers', w.outliers ?? []]] as const) {
    if (!Array.isArray(list)) return `its watermark's ${name} is not a list`
    for (const entry of list) {
      if (typeof entry?.id !== 'string' || !(typeof entry.ts === 'number' && Math.abs(entry.ts) <= TIMESTAMP_LIMIT_MS)) return `its watermark's ${name} holds an entry that is not {id, ts}: ${JSON.stringify(entry).slice(0, 200)}`
      try {
        EJSON.parse(entry.id, {relaxed: false})
      } catch {
        return `its watermark's ${name} holds an _id that is not canonical Extended JSON: ${entry.id.slice(0, 200)}`
      }
    }
  }
  return null
}

/** `now` is a parameter so that tests can place the previous watermark in the future. */
export function planWindow(since: SinceSpec, previous: Manifest | null | undefined, lookbackMs: number = DEFAULT_LOOKBACK_MS, now: number = Date.now()): WindowPlan {
  if (!Number.isSafeInteger(lookbackMs) || lookbackMs < 0) throw new InternalError(`lookbackMs must be a non-negative integer, got ${lookbackMs}`)
  const notices: string[] = []
  const warnings: string[] = []
  const all = (): WindowPlan => ({kind: 'all', bound: null, lookbackMs, previousValue: null, seen: [], outliers: [], now, notices, warnings})
  if (since.kind === 'all') return all()
  if (since.kind === 'time') {
    if (!(Math.abs(since.ms) <= TIMESTAMP_LIMIT_MS)) throw new InputError(`since: ${since.ms} is not a time in epoch milliseconds`)
    return {kind: 'after', bound: since.ms, lookbackMs, previousValue: since.ms, seen: [], outliers: [], now, notices, warnings}
  }
  if (!previous) {
    notices.push('since: auto has no previous export manifest; exporting every document (the next export continues from this one).')
    return all()
  }
  const problem = previous.kind !== 'outputs' ? `it is a ${String(previous.kind)} manifest, not an outputs manifest` : watermarkProblem(previous.watermark)
  if (problem !== null) {
    throw new InputError(`The previous manifest cannot be continued: ${problem}. Set since to all (or a time) once to start a new chain.`)
  }
  const w = previous.watermark!
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
  return {kind: 'chained', bound: w.value === null ? null : w.value - effective, lookbackMs: effective, previousValue: w.value, seen: w.seen, outliers: w.outliers ?? [], now, notices, warnings}
}

/** Numeric (int32, int64, double) timestamps in [lower, upper] or Dates in [ceil(lower), upper], never arrays; `strict` makes the lower bound exclusive; `upper` (exclusive) defaults to the inclusive LIMIT. */
function timestampRange(lower: number | null, strict: boolean, upper?: number): Document {
  const numberLower = lower === null ? -TIMESTAMP_LIMIT_MS : lower
  // Dates are whole ms: date >= x  <=>  date >= ceil(x), and date > x  <=>  date >= floor(x) + 1.
  const dateLower = lower === null ? -TIMESTAMP_LIMIT_MS : strict ? Math.floor(lower) + 1 : Math.ceil(lower)
  const op = lower !== null && strict ? '$gt' : '$gte'
  // Double keeps the bound a BSON double even when it is a whole number beyond int32 (never an int64 with a lost fraction).
  // $type and the array exclusion make the server select exactly what usableTimestamp accepts: without
  // them a Decimal128 compares as a number and an array matches through any element, and such documents
  // would be exported again by every run (usableTimestamp never puts them in the watermark).
  const upperOp = upper === undefined ? '$lte' : '$lt'
  const upperValue = upper ?? TIMESTAMP_LIMIT_MS
  return {
    $or: [
      {[TIMESTAMP_FIELD]: {$type: ['int', 'long', 'double'], [op]: new Double(numberLower), [upperOp]: new Double(upperValue), $not: {$type: 'array'}}},
      {[TIMESTAMP_FIELD]: {$type: 'date', $gte: new Date(dateLower), [upperOp]: new Date(upperValue), $not: {$type: 'array'}}}
    ]
  }
}

/**
 * The window part of the find() filter, or null when every document is wanted. A chain also looks at timestamps
 * below PLAUSIBLE_MIN_MS every time (seconds-scale ones would otherwise never be exported); the ones exported
 * before are excluded by id with the outliers (query.ts, export-job.ts).
 */
export function windowFilter(plan: WindowPlan): Document | null {
  if (plan.kind === 'all') return null
  const range = timestampRange(plan.bound, plan.kind === 'after')
  if (plan.kind !== 'chained' || plan.bound === null || plan.bound <= PLAUSIBLE_MIN_MS) return range
  return {$or: [range, timestampRange(null, false, PLAUSIBLE_MIN_MS)]}
}

/** The _ids a chained window must leave out: the seen list and the earlier outliers. */
export function excludedIds(plan: WindowPlan): string[] {
  return plan.kind === 'chained' ? [...plan.seen, ...plan.outliers].map(s => s.id) : []
}

/** Documents an incremental window can never select (no usable timestamp). */
export function withoutUsableTimestampFilter(): Document {
  return {$nor: [timestampRange(null, false)]}
}

/**
 * W' = max(W, plausible exported); S' = (S ∪ plausible exported) restricted to ts >= W' - L; outliers O' = O ∪
 * implausible exported, less those no window can select again (ts in [PLAUSIBLE_MIN_MS, W' - L)).
 */
export function advanceWatermark(plan: WindowPlan, exported: Array<{id: string; ts: number}>): Watermark & {newOutliers: Array<{id: string; ts: number}>} {
  const plausible = exported.filter(e => isPlausible(e.ts, plan.now, plan.lookbackMs))
  const newOutliers = exported.filter(e => !isPlausible(e.ts, plan.now, plan.lookbackMs))
  let value = plan.kind === 'chained' || plan.kind === 'after' ? plan.previousValue : null
  for (const e of plausible) if (value === null || e.ts > value) value = e.ts
  const outliers = new Map<string, number>()
  for (const o of [...(plan.kind === 'chained' ? plan.outliers : []), ...newOutliers]) outliers.set(o.id, o.ts)
  const lower = value === null ? null : value - plan.lookbackMs
  const keptOutliers = [...outliers].filter(([, ts]) => lower === null || ts < PLAUSIBLE_MIN_MS || ts >= lower).map(([id, ts]) => ({id, ts}))
  const seen = new Map<string, number>()
  if (lower !== null) for (const s of [...(plan.kind === 'chained' ? plan.seen : []), ...plausible]) if (s.ts >= lower) seen.set(s.id, s.ts)
  return {
    field: TIMESTAMP_FIELD,
    value,
    lookbackMs: plan.lookbackMs,
    seen: [...seen].map(([id, ts]) => ({id, ts})),
    ...(keptOutliers.length > 0 ? {outliers: keptOutliers} : {}),
    newOutliers
  }
}

/**
 * The watermark a plain mongoexport file of the outputs (the manual recipe, with no manifest of ours) implies: its
 * highest plausible timestamp — what the backup guide reads with jq — and, as in our own chains, the ids of its
 * documents within the lookback below it, so documents sharing the boundary millisecond are neither lost nor exported
 * twice. `docs` are the file's documents as raw BSON.
 */
export async function watermarkOfExport(docs: AsyncIterable<Uint8Array>, lookbackMs: number, now: number = Date.now()): Promise<Watermark & {documents: number}> {
  const all: Array<{id: string; ts: number}> = []
  let documents = 0
  for await (const doc of docs) {
    documents++
    const ts = usableTimestamp(doc)
    if (ts !== undefined) all.push({id: documentId(doc), ts})
  }
  const plan: WindowPlan = {kind: 'all', bound: null, lookbackMs, previousValue: null, seen: [], outliers: [], now, notices: [], warnings: []}
  const {newOutliers: _ignored, ...watermark} = advanceWatermark(plan, all)
  return {...watermark, documents}
}
