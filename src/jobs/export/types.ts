// Contract of the export job shared by the action (src/action/main.ts) and the CLI (src/cli).
// Both front ends build an ExportJobOptions, call runExportJob (src/jobs/export/export-job.ts) and
// present the ExportJobResult; neither re-implements any step of it.

import type {JsonFormat} from '../../ejson/types.ts'
import type {Logger} from '../../common/log.ts'
import type {ResolvedSettings, ResolvedSettingsSummary} from '../../prancer/settings.ts'
import type {FileEntry, Manifest} from '../../artifact/manifest.ts'
import type {Watermark} from '../../artifact/watermark.ts'
import type {LogsSpec} from '../../prancer/logs-spec.ts'
import type {SinceSpec} from '../../prancer/since.ts'

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

