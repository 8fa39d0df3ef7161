// Contract of the export job shared by the action (src/action/main.ts) and the CLI (src/cli).
// Both front ends build an ExportJobOptions, call runExportJob (src/jobs/export/export-job.ts) and
// present the ExportJobResult; neither re-implements any step of it.

import type {JsonFormat} from '../../ejson/types.ts'
import type {Logger} from '../../common/log.ts'
import type {ResolvedSettings} from '../../prancer/settings.ts'

/** Where the previous watermark comes from (input `since`). */
export type SinceSpec =
  | {kind: 'auto'} // previous manifest (artifact or file) if one is supplied, else a full export with a notice
  | {kind: 'all'} // full export, ignore any previous manifest
  | {kind: 'time'; ms: number} // documents with timestamp > ms (from a number or an ISO-8601 time)

/** Which runs' logs to export (input `logs`). */
export type LogsSpec =
  | {kind: 'auto'} // names referenced by the exported outputs' json.log; else the logs newer than the previous export, or `latest` on a first export
  | {kind: 'latest'}
  | {kind: 'new'} // every log name newer than the previous export's newest
  | {kind: 'none'}
  | {kind: 'names'; names: string[]}

export interface ExportJobOptions {
  /** Explicit config.ini path; else $FRAMEWORKDIR/config.ini, else <cwd>/config.ini. */
  configPath?: string
  /** Connection string from the `mongodb-uri` input / `--uri` flag (highest priority). */
  mongodbUri?: string
  /** Where mongodbUri came from (the CLI: --uri or env MONGODB_URI); default the action's input. */
  mongodbUriSource?: '--uri' | 'env MONGODB_URI' | 'input mongodb-uri'
  since: SinceSpec
  /** Previous outputs manifest (from the newest earlier artifact, or a file for the CLI). */
  previousManifest?: Manifest | null
  container?: string
  /** Strict Extended JSON filter, AND-ed with the incremental window. */
  query?: string
  logs: LogsSpec
  jsonFormat: JsonFormat
  /** Directory receiving `outputs/` and `logs/` sub-directories. Created if missing. */
  outDir: string
  env: Record<string, string | undefined>
  cwd: string
  logger: Logger
  /** serverSelectionTimeoutMS for the connection (default 10000). */
  connectTimeoutMs?: number
  /** Lookback window of the exactly-once watermark, ms (default 600000). */
  lookbackMs?: number
  /** find() batch size of the outputs export (default: the export engine's). */
  batchSize?: number
  /** Settings the caller already resolved (resolveSettings) from these options; the job then does not read config.ini again. */
  settings?: ResolvedSettings
  /** How a missing output collection is reported (default 'warning'; the action's `if-no-documents: ignore` makes it a notice). */
  missingCollection?: 'warning' | 'notice'
  /** Where previousManifest came from, e.g. `artifact "x" from run 12`, for the manifest's `since`. */
  previousSource?: string
  /**
   * More timestamped collections to export incrementally with the outputs, each with its own watermark in the
   * outputs manifest (`collectionWatermarks`): `collection` (in [MONGODB] dbname) or `database.collection`.
   */
  collections?: string[]
  /** Start a new chain (a full export) once the current one began this long ago (input full-every). */
  fullEveryMs?: number
}

/** One data file written by the job; paths are relative to the directory holding the manifest. */
export interface FileEntry {
  path: string
  database: string
  collection: string
  /** Canonical Extended JSON of the filter sent to find(). */
  filter: string
  /** The sort sent with it as plain JSON, when there is one (a log's chunks by index); mongoexport --sort takes it as is (not canonical: it refuses {"$numberInt": ...} there). */
  sort?: string
  documents: number
  bytes: number
  sha256: string
  jsonFormat: JsonFormat
}

/** Exactly-once state: see docs/incremental.md. */
export interface Watermark {
  field: 'timestamp'
  /** Highest timestamp (epoch ms) exported so far, null when nothing has ever been exported. */
  value: number | null
  lookbackMs: number
  /** Every exported document with timestamp >= value - lookbackMs: canonical Extended JSON of its _id, and its timestamp. */
  seen: Array<{id: string; ts: number}>
  /**
   * Exported documents whose timestamp is usable but implausible for Prancer (before 2001-09-09, e.g. epoch seconds;
   * or more than a day after the export, e.g. epoch microseconds). They never move `value`, so a few bad timestamps
   * cannot poison the chain, and they are kept out of later windows by id. Absent in older manifests.
   */
  outliers?: Array<{id: string; ts: number}>
}

export interface Manifest {
  tool: 'prancer-db-artifacts'
  manifestVersion: 1
  kind: 'outputs' | 'logs' | 'backup'
  createdAt: string
  /** Where the connection string came from (never the string itself). */
  uriSource: string
  window?: {after: number | null; through: number | null; lookbackMs: number}
  watermark?: Watermark
  files: FileEntry[]
  /** For kind 'logs': the runs exported. */
  logs?: Array<{name: string; layout: 'collection' | 'documents'; file: string; documents: number}>
  [extra: string]: unknown
}

/**
 * An output document exported with json.status "Running", and the state of the Prancer run that wrote it, from the
 * "Run Stats" record a Prancer process logs when it ends (it names the session and the --db mode):
 * - running: no such record yet, so Prancer had not finished; the exported copy may lack later results;
 * - snapshot-mode: the run ended and was `prancer --db SNAPSHOT`, which never marks its outputs Completed;
 * - ended: the run ended in another mode without completing the output (it stopped with an error);
 * - unknown: no logs database to ask ([LOGGING] dbname unset) or no json.log.
 */
export interface RunningOutput {
  id: string
  name: string
  container: string
  log: string
  session: string
  state: 'running' | 'snapshot-mode' | 'ended' | 'unknown'
}

export interface OutputsExport {
  dir: string
  manifestPath: string
  manifest: Manifest
  files: FileEntry[]
  documents: number
  watermark: Watermark
  /** json.status still 'Running' at export time: _id hex / name / container of each, and what Prancer's logs say of it. */
  running: RunningOutput[]
  /** Counts of json.results[].result over the exported documents. */
  results: {passed: number; failed: number; skipped: number; other: number}
  database: string
  collection: string
  collectionExists: boolean
}

export interface LogsExport {
  dir: string
  manifestPath: string
  manifest: Manifest
  files: FileEntry[]
  database: string | null
  runs: Array<{name: string; layout: 'collection' | 'documents'; file: string; documents: number}>
  /** Why no logs were exported, when none were. */
  reason?: string
}

export interface ExportJobResult {
  settings: ResolvedSettingsSummary
  outputs: OutputsExport
  logs: LogsExport
}

/** Settings safe to print (connection string redacted). */
export interface ResolvedSettingsSummary {
  configPath: string
  database: string
  outputCollection: string
  logsDatabase: string | null
  uriSource: string
  redactedUri: string
  notices: string[]
}
