// Which of Prancer's database logs belong to the exported run (reference prancer-db.md §4).
// Two layouts exist: current Prancer writes documents {name, index, logs: [...]} into one `logs`
// collection; Prancer <= 0.1.7 (and the backup guide) used one collection per run, `logs_<ts>`.
//
// How one Prancer process logs (measured with real Prancer 3.1.1): at start-up it opens <base>_CRAWLER; a run with
// a compliance phase then opens <base'>_COMPLIANCE (base = logs_<UTC yyyymmddhhmmss at that moment>, or env
// DBLOG_NAME). Every module keeps the logger it got at start-up, so the compliance phase's records (TESTID, TITLE,
// RESULT, ...) go into the _CRAWLER log, while the output document's json.log names the _COMPLIANCE log, which holds
// only a few closing records. So the logs of a run are the log json.log names plus its process's _CRAWLER log.
import {createHash} from 'node:crypto'
import {MANIFEST_FILE} from '../artifact/manifest.ts'
import type {Db} from 'mongodb'
import type {LogsSpec} from './logs-spec.ts'

export const LOGS_COLLECTION = 'logs'

export interface LogRun {
  name: string
  layout: 'collection' | 'documents'
}

export interface LogSelection {
  runs: LogRun[]
  notices: string[]
  warnings: string[]
  /** Why nothing was selected, when nothing was. */
  reason?: string
}

export interface LogSelectionContext {
  available: LogRun[]
  /** json.log values of the exported outputs, in order of appearance. */
  referenced: string[]
  /**
   * json.session_id of the exported outputs by their json.log: `session_<epoch ms>`, taken by the Prancer process right
   * after it opened its _CRAWLER log, which pins that log down when its name is not <base>_CRAWLER.
   */
  sessions?: ReadonlyMap<string, string>
  /** Newest log name of the previous export (for `new`). */
  previousNewest: string | null
  /** env DBLOG_NAME: Prancer then names the run's logs <DBLOG_NAME>_CRAWLER and <DBLOG_NAME>_COMPLIANCE. */
  dblogName?: string
  database: string
}

/** Every run's log in the database, in both layouts; a legacy collection wins over documents of the same name. */
export async function discoverLogRuns(db: Db): Promise<LogRun[]> {
  const collections = (await db.listCollections({}, {nameOnly: true}).toArray()).map(c => c.name)
  const runs: LogRun[] = collections.filter(name => name.startsWith('logs_')).map(name => ({name, layout: 'collection' as const}))
  if (collections.includes(LOGS_COLLECTION)) {
    const legacy = new Set(runs.map(r => r.name))
    const names = await db.collection(LOGS_COLLECTION).distinct('name')
    for (const name of names) if (typeof name === 'string' && name !== '' && !legacy.has(name)) runs.push({name, layout: 'documents'})
  }
  return runs.sort((a, b) => compareLogNames(a.name, b.name))
}

// The UTC time Prancer puts in every name (logs_YYYYMMDDHHMMSS[_TYPE]); names without one sort first.
const NAME_TIME_RE = /(\d{14})/

/** Order of log names by the time in the name, then by the name. */
export function compareLogNames(a: string, b: string): number {
  const ta = NAME_TIME_RE.exec(a)?.[1] ?? ''
  const tb = NAME_TIME_RE.exec(b)?.[1] ?? ''
  if (ta !== tb) return ta < tb ? -1 : 1
  return a < b ? -1 : a > b ? 1 : 0
}

export function newestLogName(names: Iterable<string>): string | null {
  let newest: string | null = null
  for (const name of names) if (newest === null || compareLogNames(name, newest) > 0) newest = name
  return newest
}

/** A name as given, else the run names Prancer derives from it (<name>_CRAWLER, <name>_COMPLIANCE). */
function expandName(name: string, byName: Map<string, LogRun>): LogRun[] {
  const exact = byName.get(name)
  if (exact) return [exact]
  return [`${name}_CRAWLER`, `${name}_COMPLIANCE`].flatMap(n => (byName.has(n) ? [byName.get(n)!] : []))
}

const TIMED_NAME_RE = /^logs_(\d{14})_(CRAWLER|COMPLIANCE)$/
/** Prancer opens its _CRAWLER log at most this long before it takes the session id (imports and argument parsing). */
const CRAWLER_BEFORE_SESSION_MAX_MS = 10 * 60 * 1000

function utcNameTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14)
}

function nameTimeMs(t: string): number {
  return Date.UTC(+t.slice(0, 4), +t.slice(4, 6) - 1, +t.slice(6, 8), +t.slice(8, 10), +t.slice(10, 12), +t.slice(12, 14))
}

/**
 * The _CRAWLER log of the Prancer process that wrote the _COMPLIANCE log `name`: <base>_CRAWLER when it exists
 * (DBLOG_NAME runs, or both opened in the same second); else the newest logs_<t>_CRAWLER opened no later than the
 * process's session id (or than the _COMPLIANCE log itself when no session id is known) and at most ten minutes
 * before it. Prancer records no process id, so two processes started within the same seconds cannot be told apart.
 */
export function crawlerLogOf(name: string, byName: ReadonlyMap<string, LogRun>, sorted: readonly LogRun[], session?: string): LogRun | undefined {
  if (!name.endsWith('_COMPLIANCE')) return undefined
  const base = name.slice(0, -'_COMPLIANCE'.length)
  const sameBase = byName.get(`${base}_CRAWLER`)
  if (sameBase) return sameBase
  const timed = TIMED_NAME_RE.exec(name)
  if (!timed) return undefined
  const sessionMs = Number(/^session_(\d{10,13})$/.exec(session ?? '')?.[1] ?? NaN)
  const upperMs = Number.isFinite(sessionMs) ? sessionMs : nameTimeMs(timed[1]!)
  const upper = utcNameTime(upperMs)
  const lower = utcNameTime(upperMs - CRAWLER_BEFORE_SESSION_MAX_MS)
  let found: LogRun | undefined
  for (const run of sorted) {
    const m = TIMED_NAME_RE.exec(run.name)
    if (m && m[2] === 'CRAWLER' && m[1]! <= upper && m[1]! >= lower) found = run
  }
  return found
}

function latest(ctx: LogSelectionContext, byName: Map<string, LogRun>, notices: string[]): LogRun[] {
  if (ctx.dblogName) {
    const runs = expandName(ctx.dblogName, byName)
    if (runs.length > 0) {
      notices.push(`Exporting the logs named by env DBLOG_NAME=${ctx.dblogName}: ${runs.map(r => r.name).join(', ')}.`)
      return runs
    }
    notices.push(`env DBLOG_NAME=${ctx.dblogName}, but ${ctx.database} has no log ${ctx.dblogName}_CRAWLER or ${ctx.dblogName}_COMPLIANCE; taking the newest log instead.`)
  }
  const newest = ctx.available[ctx.available.length - 1]
  return newest ? [newest] : []
}

/** Applies the `logs` input to the logs found in the database. */
export function selectLogRuns(spec: LogsSpec, ctx: LogSelectionContext): LogSelection {
  const notices: string[] = []
  const warnings: string[] = []
  const byName = new Map(ctx.available.map(r => [r.name, r]))
  const sorted = [...ctx.available].sort((a, b) => compareLogNames(a.name, b.name))
  ctx = {...ctx, available: sorted}
  let runs: LogRun[] = []
  switch (spec.kind) {
    case 'none':
      return {runs: [], notices, warnings, reason: 'logs: none'}
    case 'auto': {
      const referenced = [...new Set(ctx.referenced.filter(n => n !== ''))]
      for (const name of referenced) {
        const found = byName.get(name)
        if (found) runs.push(found)
        else warnings.push(`An exported output refers to the log ${name} (json.log), but ${ctx.database} has neither a collection nor documents in "${LOGS_COLLECTION}" with that name.`)
        if (!name.endsWith('_COMPLIANCE')) continue
        // The run's results were logged into its process's _CRAWLER log, which no output names.
        const crawler = crawlerLogOf(name, byName, sorted, ctx.sessions?.get(name))
        if (crawler) runs.push(crawler)
        else if (found) warnings.push(`No _CRAWLER log of the Prancer run that wrote ${name} was found in ${ctx.database}; Prancer logs a run's test results there, so they are missing from this export.`)
      }
      if (runs.length === 0 && ctx.previousNewest !== null) {
        // An incremental run that found no new outputs must not export the same newest log again:
        // take only the logs written since the previous export.
        runs = sorted.filter(r => compareLogNames(r.name, ctx.previousNewest!) > 0)
        if (runs.length > 0) notices.push(`No exported output refers to an existing log (json.log); exporting the logs newer than the previous export's ${ctx.previousNewest}: ${runs.map(r => r.name).join(', ')}.`)
      } else if (runs.length === 0) {
        runs = latest(ctx, byName, notices)
        if (runs.length > 0) notices.push(`No exported output refers to an existing log (json.log); exporting the newest log, ${runs.map(r => r.name).join(', ')}.`)
      }
      break
    }
    case 'latest':
      runs = latest(ctx, byName, notices)
      break
    case 'new':
      if (ctx.previousNewest === null) notices.push('logs: new has no previous export to compare with; exporting every log.')
      runs = sorted.filter(r => ctx.previousNewest === null || compareLogNames(r.name, ctx.previousNewest) > 0)
      break
    case 'names':
      for (const name of spec.names) {
        const found = expandName(name, byName)
        if (found.length === 0) warnings.push(`logs: ${ctx.database} has no log named ${name} (nor ${name}_CRAWLER / ${name}_COMPLIANCE).`)
        runs.push(...found)
      }
      break
  }
  runs = [...new Map(runs.map(r => [r.name, r])).values()]
  if (runs.length > 0) return {runs, notices, warnings}
  const reason = ctx.available.length === 0 ? `${ctx.database} holds no Prancer logs (no "${LOGS_COLLECTION}" documents and no logs_* collection)` : `no log matches logs: ${spec.kind}`
  return {runs, notices, warnings, reason}
}

/**
 * What the logs say of the Prancer run with this session: a process logs one "Run Stats" record when it ends, holding
 * its session_id and --db mode ("database": 1 is SNAPSHOT). Returns null when the run has not logged its end.
 */
export async function runEndOf(db: Db, log: string, session: string): Promise<{database: number | null} | null> {
  const needle = `"session_id": ${JSON.stringify(session)}`
  const cursor = db.collection(LOGS_COLLECTION).find({name: log, 'logs.msg': {$regex: 'Run Stats'}}, {projection: {logs: 1}})
  for await (const doc of cursor) {
    for (const record of (doc.logs ?? []) as Array<{msg?: unknown}>) {
      if (typeof record.msg !== 'string' || !record.msg.includes('Run Stats') || !record.msg.includes(needle)) continue
      const mode = /"database": (\d+)/.exec(record.msg)
      return {database: mode ? Number(mode[1]) : null}
    }
  }
  return null
}

/** A name made safe as (part of) a file name: only [A-Za-z0-9._-], and no leading dot. */
export function safeFilePart(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_')
}

/** Longest file name made from a log name (file systems allow 255 bytes; room for a suffix and `.json`). */
const MAX_FILE_STEM = 120

/**
 * A file name for a run's log: the name itself when safe, else with unsafe characters replaced; a name too long is
 * cut and gets a hash of the original; a clash gets -2, -3, ... (the manifest maps name → file).
 */
export function logFileName(name: string, taken: Set<string>): string {
  let base = safeFilePart(name) || '_'
  if (base.length > MAX_FILE_STEM) base = `${base.slice(0, MAX_FILE_STEM - 17)}-${createHash('sha256').update(name).digest('hex').slice(0, 16)}`
  // manifest.json is the manifest's; and names that differ only in case collide on case-insensitive file systems
  const isTaken = (file: string) => file.toLowerCase() === MANIFEST_FILE || taken.has(file.toLowerCase())
  let candidate = `${base}.json`
  for (let i = 2; isTaken(candidate); i++) candidate = `${base}-${i}.json`
  taken.add(candidate.toLowerCase())
  return candidate
}
