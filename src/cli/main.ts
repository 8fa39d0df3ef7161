// The `prancer-db-artifacts` command: export (the action's export, without the upload), restore and
// config. Returns an exit code instead of exiting, so tests and the entry point share it.

import {mkdtemp, readdir, readFile, rm, stat} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {parseArgs, type ParseArgsConfig} from 'node:util'
import {JSON_FORMATS, type JsonFormat} from '../ejson/types.ts'
import {runExportJob} from '../jobs/export/export-job.ts'
import {runBackupJob} from '../jobs/backup/backup-job.ts'
import type {ExportJobOptions, LogsSpec, Manifest, SinceSpec} from '../jobs/export/types.ts'
import {lockBeside, openLocalExport, type HeldLock, type LocalExport} from '../artifact/stores/local/local-dir.ts'
import {checkManifest, MANIFEST_FILE, manifestInZip} from '../artifact/manifest.ts'
import {resolveSettings, summarizeSettings} from '../prancer/settings.ts'
import {parseSince} from '../prancer/since.ts'
import {DEFAULT_LOOKBACK_MS, MAX_LOOKBACK_MS, watermarkOfExport} from '../prancer/incremental.ts'
import {readExtJsonDocuments} from '../ejson/reader.ts'
import {uriSecrets} from '../mongo/uri.ts'
import {archiveSource, restore, restoreArchive, RestoreError, RESTORE_MODES, type RestoreMode} from '../jobs/restore/index.ts'
import {restoreChain} from '../jobs/restore/chain.ts'
import {downloadGitHubChain} from '../artifact/stores/github/chain.ts'
import packageJson from '../../package.json' with {type: 'json'}
import {createCliLogger, formatBytes, ProgressDisplay, type CliLogger, type Terminal} from './output.ts'
import {LogsSpecError, parseLogsSpec} from '../prancer/logs-spec.ts'
import {reportCommand} from './report.ts'

export const EXIT_OK = 0
/** The command failed: nothing, or not everything, was done. */
export const EXIT_FAILURE = 1
/** Bad command line. */
export const EXIT_USAGE = 2
/** restore finished, but some documents were rejected by the server and skipped (insert mode). */
export const EXIT_PARTIAL = 3

const NAME = 'prancer-db-artifacts'

export interface CliContext {
  env: Record<string, string | undefined>
  cwd: string
  stdout: (text: string) => void
  stderr: Terminal
}

class UsageError extends Error {}

const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  failure (connection, configuration, a corrupt or malformed file, a write error that stopped the restore)
  2  usage error (unknown command or flag, bad flag value)
  3  restore completed, but some documents were rejected by the server and skipped (insert mode, duplicates)`

const MAIN_HELP = `Usage: ${NAME} <command> [options]

Export Prancer's test results and logs like mongoexport, and restore them like mongoimport --mode upsert.

Commands:
  export    export the output collection (incrementally) and the run's logs into a directory
  restore   import exported files (a .json file, a directory with a manifest, or an artifact .zip)
  backup    every collection of Prancer's databases as a mongodump archive (mongorestore restores it)
  report    the failed results of an export on a terminal, or as Markdown, SARIF or JUnit (new failures
            against a baseline export, an exit code for gating)
  config    print the resolved Prancer settings as JSON (secrets masked)

Run '${NAME} <command> --help' for a command's options.
  --help       show this help
  --version    print the version

${EXIT_CODES_HELP}
`

const EXPORT_HELP = `Usage: ${NAME} export --out DIR [options]

The GitHub Action's export, without the upload: same config.ini discovery, connection rules, incremental
window, files and manifests. Writes DIR/outputs/ (outputs.json + manifest.json) and DIR/logs/.

Options:
  --out DIR                 output directory (required; created if missing). A DIR that already holds an
                            export is refused: each export is an increment a restore of the chain needs.
                            Write each run to a new DIR and continue with --previous-manifest.
  --replace                 replace the export in DIR, continuing from it, once the new one has succeeded
                            (a failed export leaves DIR exactly as it was)
  --config PATH             Prancer's config.ini (default: $FRAMEWORKDIR/config.ini, else ./config.ini)
  --uri URI                 connection string (default: env MONGODB_URI, then env DBURL, then config.ini
                            [MONGODB] dburl, then mongodb://localhost:27017)
  --since VALUE             auto (default) | all | epoch milliseconds | ISO-8601 time
  --previous-manifest PATH  the previous export, to continue from (since auto): its outputs manifest.json,
                            its directory (the --out of the previous run) or its artifact .zip.
                            Default with --replace: DIR's own export.
                            So 'export --out run2 --previous-manifest run1' continues where run1 stopped.
                            Two exports continuing from the same previous export at once are refused.
  --container NAME          only this Prancer container
  --query JSON              extra filter, strict Extended JSON, AND-ed with the window
  --logs VALUE              auto (default) | latest | new | none | log names separated by commas
  --json-format FORMAT      relaxed (default, as mongoexport) | canonical
  --collection NAME         also export this timestamped collection incrementally (NAME in [MONGODB] dbname, or
                            DB.NAME), with its own watermark in the outputs manifest; repeatable
  --lookback-ms MS          lookback of the watermark, whole milliseconds (default 600000; it can only
                            shrink within a chain, see docs/incremental.md)
  --quiet                   no progress or informational output (warnings and errors still shown)
  --help                    show this help

${EXIT_CODES_HELP}
`

const RESTORE_HELP = `Usage: ${NAME} restore PATH [options]
       ${NAME} restore BACKUP INCREMENT... [--until TIME] [--drop] [--dry-run]
       ${NAME} restore --from-github OWNER/REPO [--backup-name PATTERN] [--outputs-name PATTERN] [--until TIME]

A point in time: BACKUP (a mongodump archive or a backup directory) and the outputs exports made after it
(artifact zips or directories), oldest first. The whole chain is checked before anything is written (every
source verified; each increment continues the one before it without a gap; the first starts no later than
the backup), then the backup is restored like mongorestore and each increment upserted by _id. --until
applies only the increments made by that time (epoch ms or ISO-8601). --from-github finds the chain among a
repository's artifacts (token in env GITHUB_TOKEN, API in GITHUB_API_URL): the newest backup artifact matching
--backup-name (default prancer-backup-*) made by --until, then the outputs artifacts matching --outputs-name
(default prancer-outputs-*) made after it; artifacts of pull requests from forks never count.

Imports exported Extended JSON into MongoDB with mongoimport's typing rules. PATH is a .json file, a
directory with manifest.json (or outputs/ and logs/ manifests, as 'export --out' writes them), or a
downloaded artifact .zip. Everything is checked before the first drop or write: every target name,
every file (manifest fields, sha256 and size, every document parsed and at most 16 MiB as BSON), then
the server (read-only: it accepts each target database and collection). A problem anywhere stops the
restore with nothing written. Each target (file → database.collection, documents) is printed first.

A manifest cannot send documents into MongoDB's system databases (admin, local, config) or system.*
collections: restore writes there only when you name them yourself with --db / --collection.

A mongodump archive (ours from 'backup', or the real 'mongodump --archive [--gzip]'; told by its first
bytes, whatever its name; or a 'backup --out' directory) is restored like mongorestore: after the whole
archive was read and checked (every length, every namespace's CRC, every document, every target name,
then the server), each collection is created with its options, its documents inserted (--mode insert
by default, as mongorestore), its indexes created (one the server does not support is a warning), views
last. --db maps a single-database archive; --ns-from/--ns-to rename like mongorestore's --nsFrom/--nsTo.

Options:
  --uri URI             connection string (default: env MONGODB_URI, then env DBURL, then
                        mongodb://localhost:27017)
  --db NAME             target database (default: from the manifest; required for a file without one)
  --collection NAME     target collection (default: from the manifest, else the file name without .json)
  --mode MODE           upsert (default: replace by _id, insert when there is no _id) | insert | merge ($set);
                        for an archive the default is insert (duplicates are counted and skipped)
  --ns-from PATTERN     archive: rename namespaces matching PATTERN ($var$ or * wild cards, e.g.
                        'prod.$c$'); repeatable, paired in order with --ns-to; the last matching pair wins
  --ns-to PATTERN       archive: the new name, using the variables of its --ns-from (e.g. 'staging.$c$')
  --drop                drop each target collection first (after everything was checked)
  --dry-run             check and count only; connects to nothing, writes nothing
  --stop-on-error       insert mode: stop at the first write error (upsert and merge always stop)
  --quiet               no progress or informational output
  --help                show this help

${EXIT_CODES_HELP}
`

const CONFIG_HELP = `Usage: ${NAME} config [options]

Prints the settings the export would use, as JSON on stdout: config.ini path, database, output
collection, logs database, where the connection string comes from and the string with its password
masked, and notices.

Options:
  --config PATH   Prancer's config.ini (default: $FRAMEWORKDIR/config.ini, else ./config.ini)
  --uri URI       connection string, as for export
  --help          show this help

${EXIT_CODES_HELP}
`

const exportOptions = {
  out: {type: 'string'},
  config: {type: 'string'},
  uri: {type: 'string'},
  since: {type: 'string'},
  'previous-manifest': {type: 'string'},
  'lookback-ms': {type: 'string'},
  container: {type: 'string'},
  query: {type: 'string'},
  logs: {type: 'string'},
  'json-format': {type: 'string'},
  collection: {type: 'string', multiple: true},
  replace: {type: 'boolean'},
  quiet: {type: 'boolean'},
  help: {type: 'boolean'}
} as const satisfies ParseArgsConfig['options']

const restoreOptions = {
  uri: {type: 'string'},
  db: {type: 'string'},
  collection: {type: 'string'},
  mode: {type: 'string'},
  drop: {type: 'boolean'},
  'dry-run': {type: 'boolean'},
  'stop-on-error': {type: 'boolean'},
  'ns-from': {type: 'string', multiple: true},
  'ns-to': {type: 'string', multiple: true},
  until: {type: 'string'},
  'from-github': {type: 'string'},
  'backup-name': {type: 'string'},
  'outputs-name': {type: 'string'},
  quiet: {type: 'boolean'},
  help: {type: 'boolean'}
} as const satisfies ParseArgsConfig['options']

const backupOptions = {
  out: {type: 'string'},
  config: {type: 'string'},
  uri: {type: 'string'},
  db: {type: 'string', multiple: true},
  include: {type: 'string', multiple: true},
  exclude: {type: 'string', multiple: true},
  gzip: {type: 'boolean'},
  quiet: {type: 'boolean'},
  help: {type: 'boolean'}
} as const satisfies ParseArgsConfig['options']

const BACKUP_HELP = `Usage: ${NAME} backup --out DIR [options]

Every collection of Prancer's databases ([MONGODB] dbname and [LOGGING] dbname of config.ini, or --db) as one
mongodump archive, DIR/prancer.archive[.gz], that the real 'mongorestore --archive[=FILE] [--gzip]' restores
(collections, options, indexes, UUIDs), and DIR/manifest.json (per collection: documents, bytes, sha256 of what
'mongodump --out' would write; the consistency of the copy). DIR must be new or empty.

Options:
  --out DIR             output directory (required; new or empty)
  --config PATH         Prancer's config.ini (default: $FRAMEWORKDIR/config.ini, else ./config.ini)
  --uri URI             connection string (default: env MONGODB_URI, then env DBURL, then config.ini
                        [MONGODB] dburl, then mongodb://localhost:27017)
  --db NAME             a database to back up (repeat for several; default: the config's two)
  --include PATTERN     only db.collection names matching (* matches anything; repeatable)
  --exclude PATTERN     leave out db.collection names matching (repeatable)
  --gzip                compress the archive as mongodump --gzip does
  --quiet               no informational output
  --help                show this help

${EXIT_CODES_HELP}
`

const configOptions = {
  config: {type: 'string'},
  uri: {type: 'string'},
  help: {type: 'boolean'}
} as const satisfies ParseArgsConfig['options']

export async function main(argv: string[], ctx: CliContext): Promise<number> {
  const [command, ...rest] = argv
  // Errors are printed before any secret is known, so connection strings in them are still redacted.
  let logger = createCliLogger(ctx.stderr, false)
  try {
    switch (command) {
      case undefined:
        ctx.stderr.write(MAIN_HELP)
        return EXIT_USAGE
      case '--help':
      case '-h':
      case 'help':
        return help(ctx, MAIN_HELP)
      case '--version':
      case '-v':
        ctx.stdout(`${packageJson.version}\n`)
        return EXIT_OK
      case 'export': {
        const {values} = parse(rest, exportOptions, false)
        if (values.help) return help(ctx, EXPORT_HELP)
        logger = createCliLogger(ctx.stderr, values.quiet === true)
        return await exportCommand(values, ctx, logger)
      }
      case 'restore': {
        const {values, positionals} = parse(rest, restoreOptions, true)
        if (values.help) return help(ctx, RESTORE_HELP)
        const progress = new ProgressDisplay(ctx.stderr, values.quiet !== true)
        logger = createCliLogger(ctx.stderr, values.quiet === true, progress)
        return await restoreCommand(values, positionals, ctx, logger, progress)
      }
      case 'config': {
        const {values} = parse(rest, configOptions, false)
        if (values.help) return help(ctx, CONFIG_HELP)
        return await configCommand(values, ctx, logger)
      }
      case 'backup': {
        const {values} = parse(rest, backupOptions, false)
        if (values.help) return help(ctx, BACKUP_HELP)
        logger = createCliLogger(ctx.stderr, values.quiet === true)
        return await backupCommand(values, ctx, logger)
      }
      case 'report':
        return await reportCommand(rest, {stdout: ctx.stdout, stderr: text => ctx.stderr.write(logger.redact(text)), cwd: ctx.cwd, env: ctx.env})
      default:
        throw new UsageError(`unknown command "${command}"; the commands are export, restore, backup, report and config`)
    }
  } catch (error) {
    if (error instanceof UsageError) {
      logger.error(`${error.message}\nRun '${NAME} ${command === 'export' || command === 'restore' || command === 'config' ? `${command} ` : ''}--help' for usage.`)
      return EXIT_USAGE
    }
    // A clear message, no stack trace: every error of ours says what to do.
    logger.error(error instanceof Error ? error.message : String(error))
    return EXIT_FAILURE
  }
}

function help(ctx: CliContext, text: string): number {
  ctx.stdout(text)
  return EXIT_OK
}

function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, positionals: boolean) {
  try {
    return parseArgs({args, options, allowPositionals: positionals, strict: true})
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

function connectionString(flag: string | undefined, env: Record<string, string | undefined>): string | undefined {
  if (flag !== undefined) return flag
  return env.MONGODB_URI || undefined
}

// ---------------------------------------------------------------------------------------------- export

type ExportValues = ReturnType<typeof parse<typeof exportOptions>>['values']

async function exportCommand(values: ExportValues, ctx: CliContext, logger: CliLogger): Promise<number> {
  const uri = connectionString(values.uri, ctx.env)
  if (uri) for (const secret of uriSecrets(uri)) logger.secret(secret)
  if (values.out === undefined || values.out === '') throw new UsageError('--out DIR is required')
  const outDir = resolve(ctx.cwd, values.out)
  const jsonFormat = (values['json-format'] ?? 'relaxed') as JsonFormat
  if (!JSON_FORMATS.includes(jsonFormat)) throw new UsageError(`--json-format must be relaxed or canonical, not "${jsonFormat}"`)
  let since
  try {
    since = parseSince(values.since ?? 'auto')
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const logs = parseLogs(values.logs ?? 'auto')
  const lookbackMs = parseLookback(values['lookback-ms'])
  // The export is staged inside DIR and moved into place only once complete: a failure leaves DIR as it was.
  const local = await openLocalExport(outDir, {
    label: '--out',
    replace: values.replace === true,
    refuseHint: `Write this export to a new directory and continue from that one (--out <new dir> --previous-manifest ${values.out}), or pass --replace to replace it once the new export has succeeded.`,
    logger
  })
  let lock: HeldLock | undefined
  try {
    const previous = await findPreviousManifest(values['previous-manifest'], outDir, ctx.cwd, logger)
    if (previous !== null) lock = await lockBeside(previous.source, 'previous export', logger)
    return await runExport(values, ctx, logger, {uri, since, logs, jsonFormat, lookbackMs, previousManifest: previous?.manifest ?? null, local})
  } finally {
    await lock?.release()
    await local.finish()
  }
}

interface ExportPlan {
  uri: string | undefined
  since: SinceSpec
  logs: LogsSpec
  jsonFormat: JsonFormat
  lookbackMs: number | undefined
  previousManifest: Manifest | null
  local: LocalExport
}

async function runExport(values: ExportValues, ctx: CliContext, logger: CliLogger, plan: ExportPlan): Promise<number> {
  const {uri, since, logs, jsonFormat, lookbackMs, previousManifest, local} = plan
  const options: ExportJobOptions = {
    since,
    previousManifest,
    logs,
    jsonFormat,
    outDir: local.stagingDir,
    env: ctx.env,
    cwd: ctx.cwd,
    logger
  }
  if (values.config !== undefined) options.configPath = values.config
  if (uri !== undefined) {
    options.mongodbUri = uri
    options.mongodbUriSource = values.uri !== undefined ? '--uri' : 'env MONGODB_URI'
  }
  if (values.container !== undefined) options.container = values.container
  if (values.collection !== undefined) options.collections = values.collection
  if (values.query !== undefined) options.query = values.query
  if (lookbackMs !== undefined) options.lookbackMs = lookbackMs
  const result = await runExportJob(options)
  await local.swapIn()
  const {outputs, logs: logsExport} = result
  const summary = [
    `outputs: ${outputs.documents} document(s) of ${outputs.database}.${outputs.collection} → ${join(local.dir, 'outputs', MANIFEST_FILE)}`,
    outputs.running.length > 0 ? `  still running at export time: ${outputs.running.map((r) => r.name || r.id).join(', ')}` : '',
    `  results: ${outputs.results.passed} passed, ${outputs.results.failed} failed, ${outputs.results.skipped} skipped, ${outputs.results.other} other`,
    logsExport.runs.length > 0
      ? `logs: ${logsExport.runs.map((r) => `${r.name} (${r.documents})`).join(', ')} → ${join(local.dir, 'logs', MANIFEST_FILE)}`
      : `logs: none exported${logsExport.reason ? ` (${logsExport.reason})` : ''}`
  ]
  ctx.stdout(`${logger.redact(summary.filter((l) => l !== '').join('\n'))}\n`)
  return EXIT_OK
}

/** `--lookback-ms`: the same range as the action's `lookback-ms` input. */
function parseLookback(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = /^[0-9]+$/.test(value) ? Number(value) : NaN
  if (!(n <= MAX_LOOKBACK_MS)) throw new UsageError(`--lookback-ms must be a whole number of milliseconds from 0 to ${MAX_LOOKBACK_MS}, not "${value}"`)
  return n
}

/** `--logs`: the shared parser, so the CLI accepts exactly what the action's `logs` input does. */
function parseLogs(value: string): LogsSpec {
  try {
    return parseLogsSpec(value)
  } catch (error) {
    if (error instanceof LogsSpecError) throw new UsageError(`--logs: ${error.message}`)
    throw error
  }
}

/**
 * The previous export's outputs manifest: --previous-manifest names the manifest itself, the directory
 * of a previous `export --out` (or its outputs/), or an artifact .zip; without it, an earlier export
 * in the same --out directory continues the chain.
 */
async function findPreviousManifest(flag: string | undefined, outDir: string, cwd: string, logger: CliLogger): Promise<{manifest: Manifest; source: string} | null> {
  if (flag === undefined) {
    const own = join(outDir, 'outputs', MANIFEST_FILE)
    const text = await readFile(own, 'utf8').catch(() => null)
    if (text === null) return null
    logger.info(`continuing from the earlier export in ${own}`)
    return {manifest: parseManifest(text, own), source: own}
  }
  const path = resolve(cwd, flag)
  const info = await stat(path).catch(() => null)
  if (info === null) throw new UsageError(`--previous-manifest: ${flag} does not exist`)
  if (info.isDirectory()) {
    for (const candidate of [join(path, 'outputs', MANIFEST_FILE), join(path, MANIFEST_FILE)]) {
      const text = await readFile(candidate, 'utf8').catch(() => null)
      if (text !== null) return {manifest: parseManifest(text, candidate), source: candidate}
    }
    throw new UsageError(`--previous-manifest: ${flag} holds neither outputs/${MANIFEST_FILE} nor ${MANIFEST_FILE}`)
  }
  if (path.toLowerCase().endsWith('.zip')) return {manifest: await manifestFromZip(path), source: path}
  const text = await readFile(path, 'utf8')
  // The manual recipe's plain mongoexport file (no manifest of ours): continue from its highest timestamp.
  if (!/^\s*\{\s*"tool"\s*:/.test(text)) return {manifest: await manifestFromPlainExport(path, text, logger), source: path}
  return {manifest: parseManifest(text, path), source: path}
}

/**
 * A manifest for a file written by mongoexport by hand (Prancer's backup guide): its watermark is the file's highest
 * timestamp with the ids within the lookback below it, so the chain continues exactly once from there. Its
 * selection (database, collection, container, query) is unknown, so it is taken to be this export's own.
 */
async function manifestFromPlainExport(path: string, text: string, logger: CliLogger): Promise<Manifest> {
  const docs = (async function* () {
    for await (const doc of readExtJsonDocuments([text])) {
      if (doc.error) throw new UsageError(`--previous-manifest: ${path} is neither a manifest of this tool nor a mongoexport file: line ${doc.line}: ${doc.error.message}`)
      yield doc.bson!
    }
  })()
  const watermark = await watermarkOfExport(docs, DEFAULT_LOOKBACK_MS)
  if (watermark.value === null) throw new UsageError(`--previous-manifest: ${path} holds no document with a usable timestamp (${watermark.documents} documents); export with --since all or a time instead.`)
  logger.notice(`${path} is a plain mongoexport file (${watermark.documents} documents): continuing after its highest timestamp ${watermark.value}, with the ${watermark.seen.length} ids within the lookback below it excluded.`)
  const {documents: _count, ...mark} = watermark
  return {tool: 'prancer-db-artifacts', manifestVersion: 1, kind: 'outputs', createdAt: new Date().toISOString(), uriSource: 'a plain mongoexport file', files: [], watermark: mark, migratedFrom: path}
}

function parseManifest(text: string, source: string): Manifest {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new Error(`${source} is not valid JSON (${(error as Error).message}).`)
  }
  const manifest = checkManifest(value, source)
  if (manifest.kind !== 'outputs') throw new UsageError(`--previous-manifest: ${source} is a ${manifest.kind} manifest; pass the outputs one`)
  return manifest
}

async function manifestFromZip(path: string): Promise<Manifest> {
  const found = await manifestInZip(path)
  if (found === null) throw new UsageError(`--previous-manifest: ${path} contains no ${MANIFEST_FILE}`)
  return parseManifest(found.text, `${path}:${found.entry}`)
}

// --------------------------------------------------------------------------------------------- restore

type RestoreValues = ReturnType<typeof parse<typeof restoreOptions>>['values']

async function restoreCommand(values: RestoreValues, positionals: string[], ctx: CliContext, logger: CliLogger, progress: ProgressDisplay): Promise<number> {
  let uri = connectionString(values.uri, ctx.env)
  let uriFrom = values.uri !== undefined ? '--uri' : 'env MONGODB_URI'
  if (uri === undefined && ctx.env.DBURL) {
    uri = ctx.env.DBURL
    uriFrom = 'env DBURL'
  }
  if (uri === undefined) {
    uri = 'mongodb://localhost:27017'
    uriFrom = 'the default'
  }
  for (const secret of uriSecrets(uri)) logger.secret(secret)
  if (values['from-github'] !== undefined) return restoreChainCommand(values, positionals, uri, ctx, logger)
  if (positionals.length === 0) throw new UsageError('restore needs the PATH to restore')
  if (positionals.length > 1) return restoreChainCommand(values, positionals, uri, ctx, logger)
  if (values.until !== undefined) throw new UsageError('--until applies to a chain: a backup followed by its increments')
  const archive = await archiveSource(resolve(ctx.cwd, positionals[0]))
  const mode = (values.mode ?? (archive !== undefined ? 'insert' : 'upsert')) as RestoreMode
  if (!RESTORE_MODES.includes(mode)) throw new UsageError(`--mode must be upsert, insert or merge, not "${mode}"`)
  if (values['stop-on-error'] && mode !== 'insert') logger.notice(`--stop-on-error is implied in ${mode} mode`)
  const dryRun = values['dry-run'] === true
  if (archive === undefined && (values['ns-from'] !== undefined || values['ns-to'] !== undefined)) {
    throw new UsageError('--ns-from/--ns-to rename the namespaces of a mongodump archive; for exported files use --db and --collection')
  }
  if (!dryRun) logger.info(`connection string from ${uriFrom}: ${logger.redact(uri)}`)

  const started = performance.now()
  if (archive !== undefined) {
    const result = await restoreArchive({
      source: archive,
      uri,
      ...(values.db !== undefined ? {database: values.db} : {}),
      ...(values.collection !== undefined ? {collection: values.collection} : {}),
      nsFrom: values['ns-from'] ?? [],
      nsTo: values['ns-to'] ?? [],
      mode,
      drop: values.drop === true,
      dryRun,
      stopOnError: values['stop-on-error'] === true,
      logger,
      onProgress: (p) => {
        const seconds = (performance.now() - started) / 1000
        progress.update({
          label: `${p.phase === 'verify' ? 'checking' : 'writing'} ${shortName(p.namespace)}`,
          done: p.documents,
          total: p.totalDocuments,
          detail: `${p.documents} docs, ${seconds > 0 ? Math.round(p.documents / seconds) : 0} docs/s`
        })
      }
    }).catch(partialWritten(progress, logger))
    // mongorestore's wording for archives, mongoimport's for exported files
    return printRestored(ctx, logger, progress, values.quiet === true, result, result.namespaces.map(
      (n) =>
        `${n.source} → ${n.database}.${n.collection}: ${n.type === 'view' ? 'view' : `${n.documents} document(s), ${n.indexes} index(es)`}` +
        (result.dryRun || n.type === 'view' ? '' : `, ${n.imported} restored, ${n.failed} failed, ${n.indexesCreated} index(es) created`)
    ), 'restored', 'restore')
  }
  const result = await restore({
    source: resolve(ctx.cwd, positionals[0]),
    uri,
    ...(values.db !== undefined ? {database: values.db} : {}),
    ...(values.collection !== undefined ? {collection: values.collection} : {}),
    mode,
    drop: values.drop === true,
    dryRun,
    stopOnError: values['stop-on-error'] === true,
    logger,
    onProgress: (p) => {
      const seconds = (performance.now() - started) / 1000
      progress.update(
        {
          label: `${p.phase === 'verify' ? 'checking' : 'writing'} ${p.fileCount > 1 ? `${p.fileIndex}/${p.fileCount} ` : ''}${shortName(p.file)}`,
          done: p.bytes,
          total: p.totalBytes,
          detail: `${p.documents} docs, ${formatBytes(p.bytes)}, ${seconds > 0 ? Math.round(p.documents / seconds) : 0} docs/s`
        },
        p.bytes >= p.totalBytes
      )
    }
  }).catch(partialWritten(progress, logger))
  return printRestored(ctx, logger, progress, values.quiet === true, result, result.files.map(
    (f) =>
      `${f.file} → ${f.database}.${f.collection}: ${f.documents} document(s)${f.verified ? ', sha256 verified' : ''}` +
      (result.dryRun ? '' : `, ${f.imported} imported, ${f.failed} failed`)
  ), 'imported', 'import')
}

/** A failed restore: the progress line cleared and, only when something was changed, how much, where, and how to finish. */
function partialWritten(progress: ProgressDisplay, logger: CliLogger): (error: unknown) => never {
  return (error: unknown) => {
    progress.clear()
    if (error instanceof RestoreError && error.partialWarning !== undefined) logger.warning(error.partialWarning)
    throw error
  }
}

/** One line per target (none with --quiet: the closing count is the one line a script reads), the count; exit 3 when documents failed. */
function printRestored(
  ctx: CliContext,
  logger: CliLogger,
  progress: ProgressDisplay,
  quiet: boolean,
  result: {dryRun: boolean; documents: number; imported: number; failed: number},
  targets: string[],
  done: string,
  verb: string
): number {
  progress.clear()
  const lines = quiet ? [] : targets
  lines.push(
    result.dryRun
      ? `dry run: ${result.documents} document(s) checked, nothing written.`
      : `${result.imported} document(s) ${done} successfully. ${result.failed} document(s) failed to ${verb}.`
  )
  ctx.stdout(`${logger.redact(lines.join('\n'))}\n`)
  return result.failed > 0 ? EXIT_PARTIAL : EXIT_OK
}

function shortName(file: string): string {
  return file.split(/[/\\]/).slice(-2).join('/')
}

/** `restore BACKUP INCREMENT...`: the chain, checked whole first, then applied oldest first (src/jobs/restore/chain.ts). */
async function restoreChainCommand(values: RestoreValues, positionals: string[], uri: string, ctx: CliContext, logger: CliLogger): Promise<number> {
  for (const p of positionals) {
    if ((await stat(resolve(ctx.cwd, p)).catch(() => null)) === null) throw new UsageError(`restore BACKUP INCREMENT...: ${p} does not exist`)
  }
  let until: number | undefined
  if (values.until !== undefined) {
    const since = parseSince(values.until)
    if (since.kind !== 'time') throw new UsageError(`--until must be a time (epoch milliseconds or ISO-8601), not "${values.until}"`)
    until = since.ms
  }
  let sources = positionals.map(p => resolve(ctx.cwd, p))
  let downloaded: string | undefined
  if (values['from-github'] !== undefined) {
    if (positionals.length > 0) throw new UsageError('--from-github finds the chain itself: give no PATH')
    const token = ctx.env.GITHUB_TOKEN || ctx.env.GH_TOKEN
    if (!token) throw new UsageError('--from-github needs a token with actions: read in env GITHUB_TOKEN (or GH_TOKEN)')
    logger.secret(token)
    downloaded = await mkdtemp(join(tmpdir(), 'prancer-chain-'))
    sources = await downloadGitHubChain({
      repository: values['from-github'],
      backupName: values['backup-name'] ?? 'prancer-backup-*',
      outputsName: values['outputs-name'] ?? 'prancer-outputs-*',
      ...(until !== undefined ? {until} : {}),
      token,
      ...(ctx.env.GITHUB_API_URL ? {apiUrl: ctx.env.GITHUB_API_URL} : {}),
      dir: downloaded,
      logger
    })
  }
  const steps = await restoreChain({sources, uri, drop: values.drop === true, dryRun: values['dry-run'] === true, ...(until !== undefined ? {until} : {}), logger}).finally(async () => {
    if (downloaded !== undefined) await rm(downloaded, {recursive: true, force: true})
  })
  const lines = steps.map(s => `${s.kind} ${s.source}${s.createdAt ? ` (${s.createdAt})` : ''}: ${s.documents} document(s)${values['dry-run'] === true ? '' : `, ${s.imported} restored`}`)
  lines.push(values['dry-run'] === true ? `dry run: the chain of ${steps.length} checked, nothing written.` : `chain of ${steps.length} restored.`)
  ctx.stdout(`${logger.redact(lines.join('\n'))}\n`)
  return EXIT_OK
}

// ---------------------------------------------------------------------------------------------- backup

type BackupValues = ReturnType<typeof parse<typeof backupOptions>>['values']

async function backupCommand(values: BackupValues, ctx: CliContext, logger: CliLogger): Promise<number> {
  const uri = connectionString(values.uri, ctx.env)
  if (uri) for (const secret of uriSecrets(uri)) logger.secret(secret)
  if (values.out === undefined || values.out === '') throw new UsageError('--out DIR is required')
  const outDir = resolve(ctx.cwd, values.out)
  const existing = await readdir(outDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null
    throw new Error(`--out: ${outDir} cannot be used (${error.code === 'ENOTDIR' ? 'it is a file' : (error.code ?? error.message)}); choose a new or empty directory.`)
  })
  if (existing !== null && existing.length > 0) throw new Error(`--out: ${outDir} is not empty; a backup goes into a new or empty directory, so that it never mixes with another one.`)
  try {
    const result = await runBackupJob({
      ...(values.config !== undefined ? {configPath: values.config} : {}),
      ...(uri !== undefined ? {mongodbUri: uri, mongodbUriSource: values.uri !== undefined ? ('--uri' as const) : ('env MONGODB_URI' as const)} : {}),
      ...(values.db ? {databases: values.db} : {}),
      ...(values.include ? {include: values.include} : {}),
      ...(values.exclude ? {exclude: values.exclude} : {}),
      gzip: values.gzip === true,
      outDir,
      env: ctx.env,
      cwd: ctx.cwd,
      logger
    })
    const documents = result.collections.reduce((n, c) => n + c.documents, 0)
    ctx.stdout(`${logger.redact(`backup: ${result.collections.length} collections, ${documents} documents → ${result.archivePath} (${formatBytes(result.bytes)}, sha256 ${result.sha256})\n  restore: ${String(result.manifest.restore)}`)}\n`)
    return EXIT_OK
  } catch (error) {
    // Nothing half-done: a directory this command made is removed again.
    if (existing === null) await rm(outDir, {recursive: true, force: true}).catch(() => undefined)
    throw error
  }
}

// ---------------------------------------------------------------------------------------------- config

type ConfigValues = ReturnType<typeof parse<typeof configOptions>>['values']

async function configCommand(values: ConfigValues, ctx: CliContext, logger: CliLogger): Promise<number> {
  const uri = connectionString(values.uri, ctx.env)
  const settings = await resolveSettings({
    ...(values.config !== undefined ? {configPath: values.config} : {}),
    ...(uri !== undefined ? {mongodbUri: uri, mongodbUriSource: values.uri !== undefined ? ('--uri' as const) : ('env MONGODB_URI' as const)} : {}),
    env: ctx.env,
    cwd: ctx.cwd,
    logger
  })
  // Structured output is never redacted by substring (a password "null" would break the JSON): it holds no secret,
  // the connection string only in its redacted form.
  ctx.stdout(`${JSON.stringify(summarizeSettings(settings), null, 2)}\n`)
  return EXIT_OK
}
