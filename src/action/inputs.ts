// The only place that reads action inputs. Every value is validated here, once, before anything
// touches the database; a bad value throws an Error naming the input and the accepted values.

import * as core from '@actions/core'
import * as path from 'node:path'
import type {JsonFormat} from '../ejson/types.ts'
import {JSON_FORMATS} from '../ejson/types.ts'
import type {LogsSpec} from '../prancer/logs-spec.ts'
import type {SinceSpec} from '../prancer/since.ts'
import {DEFAULT_BACKUP_ARTIFACT_NAME, DEFAULT_LOGS_ARTIFACT_NAME, DEFAULT_OUTPUT_ARTIFACT_NAME, validateNameTemplate} from '../artifact/naming.ts'
import {parseUserQuery} from '../prancer/query.ts'
import {hasMongoScheme, uriSecrets} from '../mongo/uri.ts'
import {parseSince as parseSinceText} from '../prancer/since.ts'
import {parseLogsSpec} from '../prancer/logs-spec.ts'
import {DEFAULT_LOOKBACK_MS, MAX_LOOKBACK_MS} from '../prancer/incremental.ts'
import {FAIL_ON_VALUES, SEVERITY_THRESHOLDS, type FailOn, type SeverityThreshold} from '../results/baseline.ts'
import {InputError, UsageError} from '../common/errors.ts'
import {parseStoreUrl} from '../artifact/stores/store-url.ts'

export const IF_NO_DOCUMENTS = ['warn', 'error', 'ignore'] as const
export type IfNoDocuments = (typeof IF_NO_DOCUMENTS)[number]

export interface ActionInputs {
  /** `config`: explicit config.ini path, resolved against the workspace. */
  configPath?: string
  /** `mongodb-uri`: already registered as a secret. */
  mongodbUri?: string
  since: SinceSpec
  container?: string
  /** `query`: strict Extended JSON object, already checked (no server-side JavaScript). */
  query?: string
  logs: LogsSpec
  jsonFormat: JsonFormat
  /** Name templates, validated (see src/artifact/naming.ts). */
  outputArtifactName: string
  logsArtifactName: string
  /** 0 = the repository's default retention. */
  retentionDays: number
  compressionLevel: number
  overwrite: boolean
  ifNoDocuments: IfNoDocuments
  /** `lookback-ms`: L of the exactly-once watermark (docs/incremental.md). */
  lookbackMs: number
  upload: boolean
  /** `store`: a store URL (s3://, az://, gs://, file:///), checked; exports and backups are committed there too. */
  store?: string
  /** `store-endpoint`: an S3-compatible server, an Azure blob endpoint or a GCS emulator. */
  storeEndpoint?: string
  /** `store-path-style`: S3 addressing; undefined = path-style exactly when an endpoint is given. */
  storePathStyle?: boolean
  /** `path`: absolute directory to keep the files in; undefined = a temporary directory removed afterwards. */
  path?: string
  githubToken?: string
  /** `baseline`: what new failures are compared with. */
  baseline: BaselineSpec
  /** `baseline-artifact-name`: the name template whose family `baseline: auto` searches (default output-artifact-name). */
  baselineArtifactName: string
  /** `fail-on` and `severity-threshold`: when the step fails after the export and uploads. */
  failOn: FailOn
  severityThreshold: SeverityThreshold
  /** `sarif-file` / `junit-file`: absolute paths, or undefined when not asked for. */
  sarifFile?: string
  junitFile?: string
  /** `full-every`: start a new chain with a full export once the current one is this old (ms); 0 = never. */
  fullEveryMs: number
  /** `collections`: more timestamped collections exported incrementally with the outputs. */
  collections: string[]
  /** `mode`: the results export (default) or a backup of all Prancer data. */
  mode: 'export' | 'backup'
  /** `backup-artifact-name`, `gzip`, `databases`, `include`, `exclude`: the backup (mode: backup). */
  backupArtifactName: string
  gzip: boolean
  databases: string[]
  include: string[]
  exclude: string[]
}

/** `baseline`: none, the base branch's last results on pull requests (auto), or a named artifact. */
export type BaselineSpec = {kind: 'none'} | {kind: 'auto'} | {kind: 'artifact'; name: string}

/** An invalid input: main.ts reports it before any other phase starts. */
function invalid(input: string, message: string): UsageError {
  return new UsageError(message, {input})
}

/** Where files go with `upload: false` and no `path`, relative to the workspace. */
export const DEFAULT_PATH = 'prancer-db-artifacts'

const BOOLEAN_TRUE = ['true', 'True', 'TRUE']
const BOOLEAN_FALSE = ['false', 'False', 'FALSE']

function read(name: string): string {
  return core.getInput(name)
}

function optional(name: string): string | undefined {
  const value = read(name)
  return value === '' ? undefined : value
}

function parseBoolean(name: string, fallback: boolean): boolean {
  const value = read(name)
  if (value === '') return fallback
  if (BOOLEAN_TRUE.includes(value)) return true
  if (BOOLEAN_FALSE.includes(value)) return false
  throw invalid(name, `"${value}" is not a boolean; accepted: true or false`)
}

function parseInteger(name: string, fallback: number, min: number, max: number, accepted: string): number {
  const value = read(name)
  if (value === '') return fallback
  if (!/^[0-9]+$/.test(value)) throw invalid(name, `"${value}" is not a whole number; accepted: ${accepted}`)
  const n = Number(value)
  if (n < min || n > max) throw invalid(name, `${value} is out of range; accepted: ${accepted}`)
  return n
}

function parseChoice<T extends string>(name: string, choices: readonly T[], fallback: T): T {
  const value = read(name)
  if (value === '') return fallback
  if ((choices as readonly string[]).includes(value)) return value as T
  throw invalid(name, `"${value}" is not accepted; accepted: ${choices.join(', ')}`)
}

/** `since`: the shared parser (src/prancer/since.ts), so the action and the CLI accept exactly the same values. */
export function parseSince(value: string): SinceSpec {
  try {
    return parseSinceText(value)
  } catch (error) {
    if (error instanceof InputError) throw invalid('since', error.message.replace(/^since: /, ''))
    throw error
  }
}

/** `logs`: the shared parser (src/prancer/logs-spec.ts), so the action and the CLI accept the same values. */
export function parseLogs(value: string): LogsSpec {
  try {
    return parseLogsSpec(value)
  } catch (error) {
    if (error instanceof InputError) throw invalid('logs', error.message)
    throw error
  }
}

/** `query`: checked now with the job's own parser, so a bad filter fails before any connection. */
function parseQuery(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  try {
    parseUserQuery(value)
  } catch (e) {
    throw invalid('query', (e as Error).message.replace(/^query: /, ''))
  }
  return value
}

function parseBaseline(value: string): BaselineSpec {
  if (value === '' || value === 'auto') return {kind: 'auto'}
  if (value === 'none') return {kind: 'none'}
  if (/["':<>|*?\r\n\\/]/.test(value)) throw invalid('baseline', `"${value}" is not an artifact name; accepted: auto, none or an artifact name (no " : < > | * ? \\ / or line breaks)`)
  return {kind: 'artifact', name: value}
}

function parseTemplate(name: string, fallback: string): string {
  const value = read(name) || fallback
  try {
    validateNameTemplate(value)
  } catch (e) {
    throw invalid(name, (e as Error).message)
  }
  return value
}

/**
 * Reads and validates every input. `env` supplies GITHUB_WORKSPACE for relative paths; `registerSecret`
 * receives the secrets found (main.ts passes its logger's, which also redacts them from files it writes).
 */
export function getInputs(
  env: Record<string, string | undefined> = process.env,
  registerSecret: (value: string) => void = core.setSecret
): ActionInputs {
  // Mask first: nothing below may print before the connection string and its password are secrets.
  const mongodbUri = optional('mongodb-uri')
  if (mongodbUri !== undefined) {
    for (const secret of uriSecrets(mongodbUri)) registerSecret(secret)
    if (!hasMongoScheme(mongodbUri)) {
      throw invalid('mongodb-uri', 'must start with mongodb:// or mongodb+srv:// (the value is not shown because it is a secret)')
    }
  }
  const githubToken = optional('github-token')
  if (githubToken !== undefined) registerSecret(githubToken)

  const workspace = env['GITHUB_WORKSPACE'] || process.cwd()
  const configInput = optional('config')
  const pathInput = optional('path')
  const container = optional('container')
  const upload = parseBoolean('upload', true)
  const store = optional('store')
  if (store !== undefined) parseStoreUrl(store, 'store')
  const storeEndpoint = optional('store-endpoint')
  if (storeEndpoint !== undefined && !/^https?:\/\/[^\s/@]+(\/[^\s@?#]*)?$/.test(storeEndpoint)) {
    throw invalid('store-endpoint', `"${storeEndpoint}" is not an endpoint URL; accepted: http(s)://host[:port][/path], with no user name or password in it`)
  }
  const pathStyle = read('store-path-style')
  const outputArtifactName = parseTemplate('output-artifact-name', DEFAULT_OUTPUT_ARTIFACT_NAME)
  const logsArtifactName = parseTemplate('logs-artifact-name', DEFAULT_LOGS_ARTIFACT_NAME)
  if (upload && outputArtifactName === logsArtifactName) {
    throw invalid('logs-artifact-name', `is the same template as output-artifact-name ("${outputArtifactName}"); the two artifacts need different names`)
  }

  return {
    configPath: configInput === undefined ? undefined : path.resolve(workspace, configInput),
    mongodbUri,
    since: parseSince(read('since')),
    container,
    query: parseQuery(optional('query')),
    logs: parseLogs(read('logs')),
    jsonFormat: parseChoice('json-format', JSON_FORMATS, 'relaxed'),
    outputArtifactName,
    logsArtifactName,
    retentionDays: parseInteger('retention-days', 0, 0, 400, 'a whole number of days from 1 to 400, or 0 for the repository default'),
    compressionLevel: parseInteger('compression-level', 6, 0, 9, 'a whole number from 0 (no compression) to 9 (best)'),
    overwrite: parseBoolean('overwrite', false),
    ifNoDocuments: parseChoice('if-no-documents', IF_NO_DOCUMENTS, 'warn'),
    lookbackMs: parseInteger('lookback-ms', DEFAULT_LOOKBACK_MS, 0, MAX_LOOKBACK_MS, `a whole number of milliseconds from 0 to ${MAX_LOOKBACK_MS} (30 days)`),
    upload,
    ...(store !== undefined ? {store} : {}),
    ...(storeEndpoint !== undefined ? {storeEndpoint} : {}),
    ...(pathStyle === '' || pathStyle === 'auto' ? {} : {storePathStyle: parseBoolean('store-path-style', false)}),
    // Without an upload or a store the files are the result, so they need a place that outlives the step.
    path: pathInput !== undefined ? path.resolve(workspace, pathInput) : upload || store !== undefined ? undefined : path.resolve(workspace, DEFAULT_PATH),
    githubToken,
    baseline: parseBaseline(read('baseline')),
    baselineArtifactName: parseTemplate('baseline-artifact-name', outputArtifactName),
    failOn: parseChoice('fail-on', FAIL_ON_VALUES, 'never'),
    severityThreshold: parseChoice('severity-threshold', SEVERITY_THRESHOLDS, 'low'),
    sarifFile: optional('sarif-file') === undefined ? undefined : path.resolve(workspace, read('sarif-file')),
    junitFile: optional('junit-file') === undefined ? undefined : path.resolve(workspace, read('junit-file')),
    collections: list(read('collections')),
    fullEveryMs: parseDuration('full-every', read('full-every')),
    mode: parseChoice('mode', ['export', 'backup'] as const, 'export'),
    backupArtifactName: parseTemplate('backup-artifact-name', DEFAULT_BACKUP_ARTIFACT_NAME),
    gzip: parseBoolean('gzip', true),
    databases: list(read('databases')),
    include: list(read('include')),
    exclude: list(read('exclude'))
  }
}

/** `7d`, `36h`, `90m`, or empty / `0` for never. */
export function parseDuration(name: string, value: string): number {
  const text = value.trim()
  if (text === '' || text === '0') return 0
  const m = /^(\d+)\s*([dhm])$/.exec(text)
  if (!m || Number(m[1]) === 0) throw invalid(name, `"${value}" is not a duration; accepted: a whole number of days, hours or minutes such as 7d, 36h or 90m, or 0 for never`)
  return Number(m[1]) * {d: 86_400_000, h: 3_600_000, m: 60_000}[m[2] as 'd' | 'h' | 'm']
}

/** A comma- or newline-separated list input. */
function list(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map(item => item.trim())
    .filter(item => item !== '')
}
