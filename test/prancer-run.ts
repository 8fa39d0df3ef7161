// A realistic Prancer `--db FULL` run, written into MongoDB the way Prancer writes it
// (reference prancer-db.md §4.3 and §5.1): one crawlerOutput and one output document per container
// in [MONGODB] OUTPUT, keys stored sorted, int64 epoch-ms timestamps, and the run's logs as chunked
// documents of the `logs` collection in the [LOGGING] dbname database. Used by the action's tests
// and by `npm run demo`.

import {Long, MongoClient, ObjectId} from 'mongodb'
import type {Document} from 'mongodb'

export interface PrancerRunOptions {
  database: string
  outputCollection: string
  logsDatabase: string
  container: string
  /** Start of the run, epoch ms (UTC). */
  startMs: number
  /** Number of compliance results; every fifth fails, every seventh is skipped. */
  results: number
  /** Leave the output document's json.status at Running (an unfinished run). */
  running?: boolean
}

export interface SeededRun {
  crawlerLog: string
  complianceLog: string
  outputIds: ObjectId[]
  /** Timestamps of the two output documents. */
  timestamps: number[]
  passed: number
  failed: number
  skipped: number
}

/** Prancer inserts sort_dict(doc): keys sorted, recursively. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value === null || typeof value !== 'object' || value instanceof ObjectId || value instanceof Long) return value
  const out: Document = {}
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Document)[key])
  return out
}

function logName(ms: number, type: 'CRAWLER' | 'COMPLIANCE'): string {
  return `logs_${new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14)}_${type}`
}

function asctime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '').replace('.', ',')
}

function logRecord(ms: number, level: string, module: string, line: number, message: string): Document {
  return {
    asctime: asctime(ms),
    level,
    line,
    log_type: 'DEFAULT',
    module,
    msg: `${asctime(ms)} - ${message}`,
    timestamp: Long.fromNumber(ms)
  }
}

function resultItem(container: string, i: number, startMs: number): Document {
  const result = i % 5 === 4 ? 'failed' : i % 7 === 6 ? 'skipped' : 'passed'
  const ruleId = `PR-AWS-CLD-S3-${String(i + 1).padStart(3, '0')}`
  return {
    autoRemediate: false,
    description: `Ensure S3 bucket ${i} has server-side encryption enabled`,
    eval: `data.rule.s3_encryption_${i}`,
    id: ruleId,
    masterSnapshotId: ['TEST_S3_1'],
    masterTestId: `TEST_S3_${i}`,
    message: result === 'failed' ? 'Bucket is not encrypted with a customer managed key' : '',
    remediation_description: 'Enable default encryption with SSE-KMS.',
    remediation_function: 'PR_AWS_CLD_S3_001.py',
    result,
    result_id: `${container.replace(/[-_.\s]/g, '').toLowerCase()}_${Math.floor(startMs / 1000)}`,
    rule: `file(s3_encryption.rego)`,
    severity: ['Low', 'Medium', 'High'][i % 3],
    snapshotId: [`TEST_S3_1${i}`],
    snapshots: [
      {
        collection: 's3',
        id: `TEST_S3_1${i}`,
        path: `arn:aws:s3:::prancer-demo-bucket-${i}`,
        reference: 'master',
        region: 'us-east-1',
        resourceTypes: ['s3'],
        source: 'awsConnector',
        structure: 'aws',
        type: 'aws'
      }
    ],
    status: 'enable',
    tags: [{cloud: 'AWS', compliance: ['CIS', 'PCI-DSS'], service: ['s3']}],
    title: `S3 bucket ${i} encryption`,
    type: 'rego'
  }
}

/** Writes one Prancer run; returns what a correct export must find. */
export async function seedPrancerRun(uri: string, o: PrancerRunOptions): Promise<SeededRun> {
  const client = new MongoClient(uri)
  try {
    const crawlerLog = logName(o.startMs, 'CRAWLER')
    const complianceLog = logName(o.startMs + 42_000, 'COMPLIANCE')
    const session = `session_${o.startMs}`
    const crawlerTs = o.startMs + 1_000
    const outputTs = o.startMs + 43_000
    const results = Array.from({length: o.results}, (_, i) => resultItem(o.container, i, o.startMs))
    const crawler = {
      _id: new ObjectId(),
      checksum: '99914b932bd37a50b983c5e7c90ae93b',
      collection: o.outputCollection,
      container: o.container,
      json: {
        container: o.container,
        contentVersion: '',
        fileType: 'output',
        log: crawlerLog,
        master_snapshot_list: [{id: new ObjectId().toHexString(), name: `${o.container}_mastersnapshot`}],
        master_test_list: [{id: new ObjectId().toHexString(), name: `${o.container}_mastertest`}],
        output_type: 'crawlerrun',
        results: [],
        session_id: session,
        snapshot: '',
        status: 'Completed',
        test: `Crawlertest_${o.container}`,
        timestamp: Long.fromNumber(crawlerTs)
      },
      name: `Crawlertest_${o.container}`,
      timestamp: Long.fromNumber(crawlerTs),
      type: 'crawlerOutput'
    }
    const output = {
      _id: new ObjectId(),
      checksum: '99914b932bd37a50b983c5e7c90ae93b',
      collection: o.outputCollection,
      container: o.container,
      json: {
        cloud_type: 'aws',
        container: o.container,
        contentVersion: '1.0.0.0',
        fileType: 'output',
        log: complianceLog,
        remote_run: false,
        results,
        session_id: session,
        snapshot: `${o.container}_mastersnapshot_gen`,
        status: o.running ? 'Running' : 'Completed',
        test: `${o.container}_mastertest`,
        timestamp: Long.fromNumber(outputTs - 1)
      },
      name: `Compliancetest_${o.container}`,
      timestamp: Long.fromNumber(outputTs),
      type: 'output'
    }
    await client.db(o.database).collection(o.outputCollection).insertMany([crawler, output].map(d => sortKeys(d) as Document))

    const crawlerRecords = [
      logRecord(o.startMs + 10, 'INFO', 'cli_validator', 352, `START: Argument parsing and Run Initialization. Version: 3.1.1`),
      logRecord(o.startMs + 20, 'INFO', 'cli_validator', 371, `Command: 'prancer --db FULL ${o.container}'`),
      logRecord(o.startMs + 900, 'INFO', 'master_snapshot', 521, `Crawler run for container ${o.container} started`),
      logRecord(o.startMs + 1_000, 'INFO', 'master_snapshot', 540, `Crawler run for container ${o.container} completed`)
    ]
    const complianceRecords = results.map((r, i) =>
      logRecord(o.startMs + 42_100 + i, r.result === 'failed' ? 'ERROR' : 'INFO', 'validation', 160, `Testcase ${r.id}: ${r.result.toUpperCase()}`)
    )
    // Prancer starts a new chunk (index + 1) at 15.5 MiB; two chunks here keep the order meaningful.
    const half = Math.ceil(complianceRecords.length / 2)
    await client
      .db(o.logsDatabase)
      .collection('logs')
      .insertMany([
        {name: crawlerLog, index: 0, logs: crawlerRecords},
        {name: complianceLog, index: 0, logs: complianceRecords.slice(0, half)},
        {name: complianceLog, index: 1, logs: complianceRecords.slice(half)}
      ])
    return {
      crawlerLog,
      complianceLog,
      outputIds: [crawler._id, output._id],
      timestamps: [crawlerTs, outputTs],
      passed: results.filter(r => r.result === 'passed').length,
      failed: results.filter(r => r.result === 'failed').length,
      skipped: results.filter(r => r.result === 'skipped').length
    }
  } finally {
    await client.close()
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
