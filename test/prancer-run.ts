// A Prancer `--db FULL` run seeded into MongoDB with the shapes real Prancer 3.1.1 writes: built from documents real
// Prancer wrote (test/fixtures/prancer-3.1.1/, captured by test/prancer/capture-fixtures.ts from the real-Prancer
// scenario), re-stamped for the given container, time and number of results. So, as in reality: output documents
// {_id, checksum, collection, container, json, name, timestamp, type} with int64 epoch-ms timestamps, json keys in
// Prancer's order with `snapshot` last (added later by $set), results in insertion order; the run's logs as chunked
// documents {name, index (int32), logs[]} of the `logs` collection, where the _CRAWLER log holds the compliance
// results (TESTID, TITLE, RESULT lines) and the _COMPLIANCE log that json.log names only the closing records.
// Used by the action's tests and by `npm run demo`; the real-Prancer tier (__tests__/prancer-real) checks these shapes
// against a fresh real run.

import {readFileSync} from 'node:fs'
import path from 'node:path'
import {EJSON} from 'bson'
import {Int32, Long, MongoClient, ObjectId} from 'mongodb'
import type {Document} from 'mongodb'

export interface PrancerRunOptions {
  database: string
  outputCollection: string
  logsDatabase: string
  container: string
  /** Start of the run, epoch ms (UTC). */
  startMs: number
  /** Number of compliance results, cycling through the real run's (failed at High, Medium and Low, and passed). */
  results: number
  /** Leave the output at json.status Running with no end logged (a run still in progress). */
  running?: boolean
}

export interface SeededRun {
  crawlerLog: string
  complianceLog: string
  outputIds: ObjectId[]
  /** Timestamps of the two output documents (crawlerOutput, output). */
  timestamps: number[]
  passed: number
  failed: number
  skipped: number
}

const FIXTURES = path.join(import.meta.dirname, 'fixtures', 'prancer-3.1.1')

/** Documents of a fixture file, with their BSON types (canonical Extended JSON). */
export function fixtureDocuments(file: string): Document[] {
  return readFileSync(path.join(FIXTURES, file), 'utf8')
    .split('\n')
    .filter(line => line !== '')
    .map(line => EJSON.parse(line, {relaxed: false}) as Document)
}

const REAL_CONTAINER = 'webapp'

function nameTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14)
}

function asctime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '').replace('.', ',')
}

/** Every string in a value with the replacements applied (container name, session id, log names). */
function mapStrings(value: unknown, replace: (text: string) => string): unknown {
  if (typeof value === 'string') return replace(value)
  if (Array.isArray(value)) return value.map(v => mapStrings(v, replace))
  if (value === null || typeof value !== 'object' || value.constructor !== Object) return value
  const out: Document = {}
  for (const [key, v] of Object.entries(value)) out[key] = mapStrings(v, replace)
  return out
}

/** Writes one Prancer run; returns what a correct export must find. */
export async function seedPrancerRun(uri: string, o: PrancerRunOptions): Promise<SeededRun> {
  const [crawlerTemplate, outputTemplate] = fixtureDocuments('full.outputs.json') as [Document, Document]
  const logTemplates = fixtureDocuments('full.logs.json')
  const crawlerLogTemplate = logTemplates.find(d => String(d.name).endsWith('_CRAWLER'))!
  const complianceLogTemplate = logTemplates.find(d => String(d.name).endsWith('_COMPLIANCE'))!
  const firstRecordMs = Number((crawlerLogTemplate.logs[0] as Document).timestamp)
  const shift = (ms: number) => ms - firstRecordMs + o.startMs
  const shiftName = (name: string) => name.replace(/^logs_(\d{14})_/, (_, t: string) => `logs_${nameTime(shift(Date.UTC(+t.slice(0, 4), +t.slice(4, 6) - 1, +t.slice(6, 8), +t.slice(8, 10), +t.slice(10, 12), +t.slice(12, 14))))}_`)
  const crawlerLog = shiftName(String(crawlerLogTemplate.name))
  const complianceLog = shiftName(String(complianceLogTemplate.name))
  const oldSession = String(outputTemplate.json.session_id)
  const session = `session_${shift(Number(oldSession.slice('session_'.length)))}`
  const replace = (text: string) =>
    text
      .replaceAll(String(crawlerLogTemplate.name), crawlerLog)
      .replaceAll(String(complianceLogTemplate.name), complianceLog)
      .replaceAll(oldSession, session)
      .replaceAll(REAL_CONTAINER, o.container)

  const stamp = (template: Document): Document => {
    const doc = mapStrings(template, replace) as Document
    const ts = Long.fromNumber(shift(Number(template.timestamp)))
    doc._id = new ObjectId()
    doc.timestamp = ts
    doc.json.timestamp = Long.fromNumber(shift(Number(template.json.timestamp)))
    return doc
  }
  const crawler = stamp(crawlerTemplate)
  const output = stamp(outputTemplate)
  const realResults = outputTemplate.json.results as Document[]
  const resultId = `${o.container.replace(/[-_.\s]/g, '').toLowerCase()}_${Math.floor(shift(Number(outputTemplate.timestamp)) / 1000)}`
  output.json.results = Array.from({length: o.results}, (_, i) => {
    const item = mapStrings(realResults[i % realResults.length], replace) as Document
    item.result_id = resultId
    // Beyond the real run's results, the same tests on other modules (storage2/main.tf, ...), as a larger
    // repository would give: each result is about its own resource, as in reality.
    const round = Math.floor(i / realResults.length)
    if (round > 0) {
      for (const snapshot of (item.snapshots ?? []) as Document[]) {
        if (Array.isArray(snapshot.paths)) snapshot.paths = (snapshot.paths as string[]).map(p => p.replace(/^([^/]+)\//, `$1${round + 1}/`))
      }
    }
    return item
  })
  if (o.running) {
    // A run still in progress: Prancer sets json.snapshot and Completed only at the end.
    output.json.status = 'Running'
    delete output.json.snapshot
  }

  const record = (template: Document): Document => {
    const ms = shift(Number(template.timestamp))
    const doc = mapStrings(template, replace) as Document
    doc.timestamp = Long.fromNumber(ms)
    doc.asctime = asctime(ms)
    doc.msg = String(doc.msg).replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}/, asctime(ms))
    return doc
  }
  const crawlerRecords = (crawlerLogTemplate.logs as Document[]).map(record)
  // A still-running run has not logged its end (END and Run Stats are the _COMPLIANCE log's last records).
  const complianceRecords = (complianceLogTemplate.logs as Document[]).map(record).filter(r => !o.running || !/END: |Run Stats/.test(String(r.msg)))
  // Prancer starts a new chunk (index + 1) at 15.5 MiB; two chunks here keep the order meaningful.
  const half = Math.ceil(crawlerRecords.length / 2)

  const client = new MongoClient(uri)
  try {
    await client.db(o.database).collection(o.outputCollection).insertMany([crawler, output])
    await client
      .db(o.logsDatabase)
      .collection('logs')
      .insertMany([
        {name: crawlerLog, index: new Int32(0), logs: crawlerRecords.slice(0, half)},
        {name: complianceLog, index: new Int32(0), logs: complianceRecords},
        {name: crawlerLog, index: new Int32(1), logs: crawlerRecords.slice(half)}
      ])
  } finally {
    await client.close()
  }
  const results = output.json.results as Document[]
  return {
    crawlerLog,
    complianceLog,
    outputIds: [crawler._id, output._id],
    timestamps: [Number(crawler.timestamp), Number(output.timestamp)],
    passed: results.filter(r => r.result === 'passed').length,
    failed: results.filter(r => r.result === 'failed').length,
    skipped: results.filter(r => r.result === 'skipped').length
  }
}

/** A config.ini as Prancer's own repository ships it (prancer-db.md §1.4 A), pointing at these databases. */
export function prancerConfigIni(o: {database: string; outputCollection: string; logsDatabase: string | null; dburl?: string}): string {
  return [
    '[TESTS]',
    'containerFolder = realm/validation/',
    'database = FULL',
    '',
    '[REPORTING]',
    'reportOutputFolder = realm/validation/',
    '',
    '[LOGGING]',
    'level = INFO',
    'propagate = true',
    'logFolder = log',
    ...(o.logsDatabase === null ? [] : [`dbname = ${o.logsDatabase}`]),
    '',
    '[MONGODB]',
    ...(o.dburl === undefined ? [] : [`dburl = ${o.dburl}`]),
    `dbname = ${o.database}`,
    'COLLECTION = resources',
    'SNAPSHOT = snapshots',
    'TEST = tests',
    'STRUCTURE = structures',
    'MASTERSNAPSHOT = mastersnapshots',
    'MASTERTEST = mastertests',
    `OUTPUT = ${o.outputCollection}`,
    'NOTIFICATIONS = notifications',
    '',
    '[RESULT]',
    'console_min_severity_error=Low',
    ''
  ].join('\n')
}
