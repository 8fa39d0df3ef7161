// The export job: the one implementation behind both the action and the CLI `export` command.
// Settings → connect → outputs (incremental) → logs → manifests; see src/jobs/export/types.ts for the contract
// and docs/incremental.md for why the outputs export is exactly-once.
import {mkdir, readdir, rm} from 'node:fs/promises'
import {join} from 'node:path'
import type {MongoClient} from 'mongodb'
import {connect, DEFAULT_CONNECT_TIMEOUT_MS} from '../../mongo/connect.ts'
import {exportCollections} from './collections.ts'
import type {Db} from 'mongodb'
import {exportCollection} from '../../mongo/export/index.ts'
import type {ExportProgress} from '../../mongo/export/index.ts'
import {keepYoungGenerationSmall} from '../../common/heap.ts'
import type {Logger} from '../../common/log.ts'
import {getString, getStrings, getElement, objectIdHex} from '../../bson/raw.ts'
import {DEFAULT_LOOKBACK_MS, advanceWatermark, documentId, excludedIds, planWindow, usableTimestamp, windowFilter, withoutUsableTimestampFilter} from '../../prancer/incremental.ts'
import type {WindowPlan} from '../../prancer/incremental.ts'
import {discoverLogRuns, logFileName, newestLogName, runEndOf, safeFilePart, selectLogRuns, LOGS_COLLECTION} from '../../prancer/logs.ts'
import type {LogRun} from '../../prancer/logs.ts'
import {manifestHeader, MANIFEST_FILE, writeManifest} from '../../artifact/manifest.ts'
import {andFilters, canonicalFilter, excludeIdsFilter, parseUserQuery} from '../../prancer/query.ts'
import {resolveSettings, summarizeSettings} from '../../prancer/settings.ts'
import type {ResolvedSettings} from '../../prancer/settings.ts'
import {createRedactor, hostsFingerprint, redactUri, uriSecrets} from '../../mongo/uri.ts'
import {describeSince} from '../../prancer/since.ts'
import type {ExportJobOptions, ExportJobResult, LogsExport, OutputsExport, RunningOutput} from './types.ts'
import type {FileEntry, Manifest} from '../../artifact/manifest.ts'
import {InternalError, RefusedError} from '../../common/errors.ts'

const PROGRESS_INTERVAL_MS = 5_000


/** Files and directories this run created, removed again if the run fails. */
class CreatedPaths {
  readonly #paths: string[] = []
  async mkdir(dir: string): Promise<void> {
    const first = await mkdir(dir, {recursive: true})
    if (first !== undefined) this.#paths.push(first)
  }
  file(path: string): void {
    this.#paths.push(path)
  }
  async removeAll(): Promise<void> {
    for (const path of this.#paths.reverse()) await rm(path, {recursive: true, force: true})
  }
}

/** Progress lines only for exports long enough to need them (the engine also reports once at the end). */
function progress(logger: Logger, what: string, p: ExportProgress): void {
  if (p.elapsedMs >= PROGRESS_INTERVAL_MS) logger.info(`… ${what}: ${p.documents} documents, ${p.bytes} bytes, ${Math.round(p.docsPerSec)} documents/s`)
}

interface OutputsPhase {
  export: OutputsExport
  referencedLogs: string[]
  /** json.session_id by json.log, to find each run's _CRAWLER log. */
  sessions: Map<string, string>
}

async function exportOutputs(
  db: Db,
  settings: ResolvedSettings,
  opts: ExportJobOptions,
  plan: WindowPlan,
  userFilter: Record<string, unknown> | null,
  dir: string,
  created: CreatedPaths
): Promise<OutputsPhase> {
  const {logger} = opts
  const selection = andFilters([userFilter, opts.container ? {container: opts.container} : null])
  const filter = andFilters([selection, windowFilter(plan), excludeIdsFilter(excludedIds(plan))])
  const fileName = `${safeFilePart(settings.database)}.${safeFilePart(settings.outputCollection)}.json`
  const path = join(dir, fileName)

  const exported: Array<{id: string; ts: number}> = []
  const running: OutputsExport['running'] = []
  const results = {passed: 0, failed: 0, skipped: 0, other: 0}
  const referencedLogs = new Set<string>()
  const sessions = new Map<string, string>()
  let withoutTimestamp = 0
  logger.info(`Exporting ${settings.database}.${settings.outputCollection} with filter ${canonicalFilter(filter)}`)
  created.file(path)
  const written = await exportCollection(db, settings.outputCollection, {filter, ...(opts.batchSize ? {batchSize: opts.batchSize} : {})}, path, {
    format: opts.jsonFormat,
    progressIntervalMs: PROGRESS_INTERVAL_MS,
    onProgress: (p: ExportProgress) => progress(logger, settings.outputCollection, p),
    onDocument: (doc: Uint8Array) => {
      const id = documentId(doc)
      const ts = usableTimestamp(doc)
      if (ts === undefined) withoutTimestamp++
      else exported.push({id, ts})
      const log = getString(doc, 'json.log') ?? ''
      const session = getString(doc, 'json.session_id') ?? ''
      if (getString(doc, 'json.status') === 'Running') {
        running.push({id: objectIdHex(getElement(doc, '_id')) ?? id, name: getString(doc, 'name') ?? '', container: getString(doc, 'container') ?? '', log, session, state: 'unknown'})
      }
      for (const result of getStrings(doc, 'json.results[].result')) {
        if (result === 'passed' || result === 'failed' || result === 'skipped') results[result]++
        else results.other++
      }
      if (log) {
        referencedLogs.add(log)
        if (session && !sessions.has(log)) sessions.set(log, session)
      }
    }
  })

  if (plan.kind === 'all') {
    if (withoutTimestamp > 0) {
      logger.warning(`${withoutTimestamp} exported documents have no usable timestamp (int32, int64, double or Date epoch ms); later incremental exports will never select them.`)
    }
  } else if (written.collectionExists) {
    const unselectable = await db.collection(settings.outputCollection).countDocuments(andFilters([selection, withoutUsableTimestampFilter()]))
    if (unselectable > 0) {
      withoutTimestamp = unselectable
      logger.warning(`${unselectable} documents of ${settings.database}.${settings.outputCollection} have no usable timestamp, so incremental exports skip them; use since: all to export them.`)
    }
  }
  if (!written.collectionExists) {
    const missing = `The collection ${settings.database}.${settings.outputCollection} does not exist (is [MONGODB] OUTPUT right, and did prancer run with --db FULL or SNAPSHOT?).`
    if (opts.missingCollection === 'notice') logger.notice(missing)
    else logger.warning(missing)
  }
  const {newOutliers, ...watermark} = advanceWatermark(plan, exported)
  if (newOutliers.length > 0) {
    const listed = newOutliers.slice(0, 20).map(o => `_id ${o.id} timestamp ${o.ts}`)
    logger.warning(
      `${newOutliers.length} exported documents have a timestamp Prancer cannot have written (before 2001-09-09, e.g. epoch seconds, or later than now plus the lookback, e.g. epoch microseconds or a clock running ahead): ` +
        `${listed.join('; ')}${newOutliers.length > listed.length ? `; and ${newOutliers.length - listed.length} more` : ''}. ` +
        'They are exported once and do not move the watermark, so later exports are not affected; fix the timestamps at their source.'
    )
  }
  logger.info(`Exported ${written.documents} documents (${written.bytes} bytes, sha256 ${written.sha256}); watermark ${watermark.value ?? 'none'}, with the ${watermark.seen.length} ids exported within its ${watermark.lookbackMs} ms lookback.`)

  const file: FileEntry = {
    path: fileName,
    database: settings.database,
    collection: settings.outputCollection,
    filter: canonicalFilter(filter),
    documents: written.documents,
    bytes: written.bytes,
    sha256: written.sha256,
    jsonFormat: opts.jsonFormat
  }
  const manifest: Manifest = {
    ...manifestHeader('outputs', settings.uriSource, new Date(), opts.env),
    database: settings.database,
    collection: settings.outputCollection,
    since: describeSince(opts.since, plan.kind === 'chained' ? (opts.previousSource ?? 'continuing the previous manifest') : null),
    hostsSha256: hostsFingerprint(settings.uri),
    windowKind: plan.kind,
    // When the chain this export belongs to began with its full export (full-every counts from it).
    chainStartedAt: plan.kind === 'chained' ? new Date(chainStartedAt(opts.previousManifest ?? null) ?? Date.now()).toISOString() : new Date().toISOString(),
    window: {after: plan.bound, through: watermark.value, lookbackMs: plan.lookbackMs},
    excludedIds: excludedIds(plan).length,
    previousWatermark: plan.kind === 'chained' ? plan.previousValue : null,
    container: opts.container ?? null,
    query: userFilter ? canonicalFilter(userFilter) : null,
    watermark,
    files: [file],
    // withoutTimestamp: exported ones in a full export, skipped ones (still in the collection) in an incremental one
    counts: {documents: written.documents, withoutTimestamp, running: running.length, results},
    running
  }
  return {
    referencedLogs: [...referencedLogs],
    sessions,
    export: {
      dir,
      manifestPath: join(dir, MANIFEST_FILE),
      manifest,
      files: [file],
      documents: written.documents,
      watermark,
      running,
      results,
      database: settings.database,
      collection: settings.outputCollection,
      collectionExists: written.collectionExists
    }
  }
}

/** Tells outputs of unfinished runs from those SNAPSHOT mode leaves "Running" for good, and says so once per kind. */
async function explainRunning(client: MongoClient, settings: ResolvedSettings, running: RunningOutput[], logger: Logger): Promise<void> {
  if (running.length === 0) return
  if (settings.logsDatabase !== null) {
    const db = client.db(settings.logsDatabase)
    for (const output of running) {
      if (!output.log || !output.session) continue
      const end = await runEndOf(db, output.log, output.session)
      output.state = end === null ? 'running' : end.database === 1 ? 'snapshot-mode' : 'ended'
    }
  }
  const named = (state: RunningOutput['state']) => running.filter(r => r.state === state).map(r => r.name || r.id)
  const still = named('running')
  if (still.length > 0) {
    logger.warning(`${still.length} exported outputs are still "Running" and their Prancer run has not logged its end yet: ${still.join(', ')}. This export holds them as they are now, and results Prancer adds later will not be exported again; run this step after prancer has exited.`)
  }
  const snapshot = named('snapshot-mode')
  if (snapshot.length > 0) {
    logger.notice(`${snapshot.length} exported outputs come from finished prancer --db SNAPSHOT runs, which leave json.status at "Running" for good and write their test results to files under reportOutputFolder, not to MongoDB: ${snapshot.join(', ')}.`)
  }
  const ended = named('ended')
  if (ended.length > 0) {
    logger.warning(`${ended.length} exported outputs were left "Running" by a Prancer run that ended without completing them (it stopped with an error; see its log): ${ended.join(', ')}.`)
  }
  const unknown = named('unknown')
  if (unknown.length > 0) {
    logger.warning(`${unknown.length} exported outputs are still "Running"; whether Prancer had finished them cannot be told (${settings.logsDatabase === null ? '[LOGGING] dbname is not set, so there are no database logs to ask' : 'they name no log or session'}): ${unknown.join(', ')}.`)
  }
}

async function exportLogs(client: MongoClient, settings: ResolvedSettings, opts: ExportJobOptions, previous: Manifest | null, referenced: string[], sessions: ReadonlyMap<string, string>, dir: string, created: CreatedPaths): Promise<LogsExport> {
  const {logger} = opts
  const base = {dir, manifestPath: join(dir, MANIFEST_FILE), database: settings.logsDatabase}
  const empty = (reason: string): LogsExport => {
    logger.notice(`No logs exported: ${reason}.`)
    return {...base, manifest: logsManifest(settings, opts.env, [], [], reason), files: [], runs: [], reason}
  }
  if (settings.logsDatabase === null) return empty('[LOGGING] dbname is not set, so Prancer wrote no database logs')
  if (opts.logs.kind === 'none') return empty('logs: none')
  const db = client.db(settings.logsDatabase)
  const available = await discoverLogRuns(db)
  const previousNewest = previousLogNewest(previous)
  const selection = selectLogRuns(opts.logs, {available, referenced, sessions, previousNewest, dblogName: opts.env.DBLOG_NAME || undefined, database: settings.logsDatabase})
  for (const notice of selection.notices) logger.notice(notice)
  for (const warning of selection.warnings) logger.warning(warning)
  if (selection.runs.length === 0) return empty(selection.reason ?? 'no log selected')

  const taken = new Set<string>()
  const files: FileEntry[] = []
  const runs: LogsExport['runs'] = []
  for (const run of selection.runs) {
    const fileName = logFileName(run.name, taken)
    const path = join(dir, fileName)
    const {collection, filter, sort} = logQuery(run)
    created.file(path)
    const written = await exportCollection(db, collection, {filter, ...(sort ? {sort} : {})}, path, {format: opts.jsonFormat, progressIntervalMs: PROGRESS_INTERVAL_MS, onProgress: (p: ExportProgress) => progress(logger, run.name, p)})
    logger.info(`Exported log ${run.name} (${run.layout === 'collection' ? `collection ${run.name}` : `"${LOGS_COLLECTION}" documents`}): ${written.documents} documents, ${written.bytes} bytes.`)
    files.push({path: fileName, database: settings.logsDatabase, collection, filter: canonicalFilter(filter), ...(sort ? {sort: JSON.stringify(sort)} : {}), documents: written.documents, bytes: written.bytes, sha256: written.sha256, jsonFormat: opts.jsonFormat})
    runs.push({name: run.name, layout: run.layout, file: fileName, documents: written.documents})
  }
  return {...base, manifest: logsManifest(settings, opts.env, files, runs, undefined, opts.logs.kind), files, runs}
}

function logQuery(run: LogRun): {collection: string; filter: Record<string, unknown>; sort?: Record<string, 1>} {
  // Current layout: the run's chunks in order; legacy layout: the run's own collection, whole.
  return run.layout === 'collection' ? {collection: run.name, filter: {}} : {collection: LOGS_COLLECTION, filter: {name: run.name}, sort: {index: 1}}
}

function logsManifest(settings: ResolvedSettings, env: ExportJobOptions['env'], files: FileEntry[], runs: LogsExport['runs'], reason?: string, selection?: string): Manifest {
  return {
    ...manifestHeader('logs', settings.uriSource, new Date(), env),
    database: settings.logsDatabase,
    selection: selection ?? null,
    files,
    logs: runs,
    ...(reason === undefined ? {} : {reason})
  }
}

function previousLogNewest(previous: Manifest | null | undefined): string | null {
  const logRuns = previous?.logRuns as {newest?: unknown} | undefined
  return typeof logRuns?.newest === 'string' ? logRuns.newest : null
}

/** When a manifest's chain began (older manifests: their own creation time, the best that is known). */
function chainStartedAt(manifest: Manifest | null): number | null {
  if (!manifest) return null
  const when = Date.parse(String(manifest.chainStartedAt ?? manifest.createdAt ?? ''))
  return Number.isFinite(when) ? when : null
}


/**
 * The previous manifest when it continues the same selection: database, collection, container, query
 * and deployment (host fingerprint). Anything else would silently skip documents only the new selection
 * matches, so it starts a new chain (a full export) with a notice saying why.
 */
function samePrevious(previous: Manifest | null | undefined, settings: ResolvedSettings, opts: ExportJobOptions, query: string | null, logger: Logger): {outputs: Manifest | null; logs: Manifest | null} {
  if (!previous) return {outputs: null, logs: null}
  // A plain mongoexport file of the manual recipe (CLI --previous-manifest): its selection is unknown, so it is taken
  // to be this export's own.
  if (typeof previous.migratedFrom === 'string') return {outputs: previous, logs: null}
  const reasons: string[] = []
  if (previous.database !== settings.database || previous.collection !== settings.outputCollection) {
    reasons.push(`it is of ${String(previous.database)}.${String(previous.collection)}, not ${settings.database}.${settings.outputCollection}`)
  }
  const hosts = hostsFingerprint(settings.uri)
  // Manifests written before the fingerprint existed have none: the name family still ties them to this job.
  if (typeof previous.hostsSha256 === 'string' && hosts !== null && previous.hostsSha256 !== hosts) {
    reasons.push('it was exported from other MongoDB hosts (host list fingerprint differs)')
  }
  // The logs of the same deployment still continue when only the output selection changed.
  const logs = reasons.length === 0 ? previous : null
  if ((previous.container ?? null) !== (opts.container ?? null)) {
    reasons.push(`its container was ${JSON.stringify(previous.container ?? null)}, now ${JSON.stringify(opts.container ?? null)}`)
  }
  if ((previous.query ?? null) !== query) reasons.push(`its query was ${String(previous.query ?? null)}, now ${String(query)}`)
  if (reasons.length === 0) return {outputs: previous, logs}
  logger.notice(`The previous export does not continue this one (${reasons.join('; ')}); starting a new chain with a full export.`)
  return {outputs: null, logs}
}

/** Runs the export; on failure removes what it wrote and rethrows. See src/jobs/export/types.ts. */
export async function runExportJob(opts: ExportJobOptions): Promise<ExportJobResult> {
  const {logger} = opts
  keepYoungGenerationSmall()
  // resolveSettings registers every connection string as a secret and logs nothing, so it runs before any output.
  const settings = opts.settings ?? (await resolveSettings({configPath: opts.configPath, mongodbUri: opts.mongodbUri, ...(opts.mongodbUriSource ? {mongodbUriSource: opts.mongodbUriSource} : {}), env: opts.env, cwd: opts.cwd, logger}))
  await logger.group('Configuration', async () => {
    for (const warning of settings.warnings) logger.warning(warning)
    for (const notice of settings.notices) logger.notice(notice)
    logger.info(`config.ini: ${settings.configPath}`)
    logger.info(`outputs: ${settings.database}.${settings.outputCollection}; logs database: ${settings.logsDatabase ?? '(none)'}`)
    logger.info(`connection string: ${redactUri(settings.uri)} (from ${settings.uriSource})`)
  })
  // Inputs are validated before anything touches the database.
  const userFilter = opts.query ? parseUserQuery(opts.query) : null
  // Only since: auto continues a chain; with all or a time the previous manifest still tells `logs: new` where it stopped.
  const previousOf =
    opts.since.kind === 'auto'
      ? samePrevious(opts.previousManifest, settings, opts, userFilter ? canonicalFilter(userFilter) : null, logger)
      : {outputs: null, logs: opts.previousManifest ?? null}
  const previousForLogs = previousOf.logs
  // full-every: a chain is restorable only while its first, full export still exists; start a new one in time.
  const chainStart = chainStartedAt(previousOf.outputs)
  if (previousOf.outputs && opts.fullEveryMs && chainStart !== null && Date.now() - chainStart >= opts.fullEveryMs) {
    logger.notice(`The chain of the previous export started ${new Date(chainStart).toISOString()}, ${Math.floor((Date.now() - chainStart) / 3_600_000)} hours ago, which is full-every or more: starting a new chain with a full export.`)
    previousOf.outputs = null
  }
  const plan = planWindow(opts.since, previousOf.outputs, opts.lookbackMs ?? DEFAULT_LOOKBACK_MS)
  for (const notice of plan.notices) logger.notice(notice)
  for (const warning of plan.warnings) logger.warning(warning)

  const created = new CreatedPaths()
  const outputsDir = join(opts.outDir, 'outputs')
  const logsDir = join(opts.outDir, 'logs')
  // The job writes only into directories of its own, so that removing what it wrote after a failure can never touch
  // an earlier export (front ends stage the export: src/artifact/stores/local/local-dir.ts).
  for (const dir of [outputsDir, logsDir]) {
    const entries = await readdir(dir).catch(() => [] as string[])
    if (entries.length > 0) throw new InternalError(`${dir} already holds files; the export job writes only into new or empty directories.`)
  }
  let client: MongoClient | undefined
  // What is being read, for a message that says where an export stopped (a server dying, a full disk, ...).
  let reading: string | null = null
  try {
    client = await logger.group('Connect', () => connect(settings, opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, logger))
    await created.mkdir(outputsDir)
    await created.mkdir(logsDir)
    const db = client.db(settings.database)
    reading = `${settings.database}.${settings.outputCollection}`
    const outputs = await logger.group('Export outputs', async () => {
      const phase = await exportOutputs(db, settings, opts, plan, userFilter, outputsDir, created)
      await explainRunning(client!, settings, phase.export.running, logger)
      return phase
    })
    if ((opts.collections ?? []).length > 0) {
      reading = `the collections ${(opts.collections ?? []).join(', ')}`
      const extra = await logger.group('Export collections', () => exportCollections(client!, settings.database, opts, previousOf.logs, outputsDir, path => created.file(path), logger))
      outputs.export.files.push(...extra.files)
      outputs.export.manifest.files.push(...extra.files)
      outputs.export.manifest.collectionWatermarks = extra.watermarks
    }
    reading = `the logs in ${settings.logsDatabase ?? '(none)'}`
    const logs = await logger.group('Export logs', () => exportLogs(client!, settings, opts, previousForLogs, outputs.referencedLogs, outputs.sessions, logsDir, created))
    reading = null
    // The outputs manifest also records the logs exported, so `since: auto` needs only that one artifact for `logs: new`.
    const exportedNames = logs.runs.map(r => r.name)
    const previousNewest = previousLogNewest(previousForLogs)
    outputs.export.manifest.logRuns = {exported: exportedNames, newest: newestLogName(previousNewest === null ? exportedNames : [...exportedNames, previousNewest])}
    created.file(logs.manifestPath)
    await writeManifest(logsDir, logs.manifest)
    created.file(outputs.export.manifestPath)
    await writeManifest(outputsDir, outputs.export.manifest)
    return {settings: summarizeSettings(settings), outputs: outputs.export, logs}
  } catch (error) {
    await created.removeAll()
    if (reading === null) throw error
    const redactor = createRedactor('****')
    for (const secret of uriSecrets(settings.uri)) redactor.add(secret)
    throw new RefusedError(
      `The export stopped while reading ${reading}: ${redactor.redact((error as Error).message ?? String(error))}. ` +
        'Nothing of this export was kept, earlier exports are as they were, and the next run exports these documents again.',
      {cause: error}
    )
  } finally {
    await client?.close().catch(() => undefined)
  }
}
