// `prancer-db-artifacts export`: the action's export without the upload, into a local directory (staged, moved into
// place only when complete), continuing the chain from a previous export's manifest.

import {readFile, stat} from 'node:fs/promises'
import {join, resolve} from 'node:path'
import type {ParseArgsConfig} from 'node:util'
import {InputError, UsageError} from '../common/errors.ts'
import {JSON_FORMATS, type JsonFormat} from '../ejson/types.ts'
import {readExtJsonDocuments} from '../ejson/reader.ts'
import {runExportJob} from '../jobs/export/export-job.ts'
import type {ExportJobOptions} from '../jobs/export/types.ts'
import {findManifest, isZipFile, manifestHeader, MANIFEST_FILE, readManifestFile, type Manifest} from '../artifact/manifest.ts'
import {lockBeside, openLocalExport, type HeldLock, type LocalExport} from '../artifact/stores/local/local-dir.ts'
import {DEFAULT_LOOKBACK_MS, MAX_LOOKBACK_MS, watermarkOfExport} from '../prancer/incremental.ts'
import {parseLogsSpec, type LogsSpec} from '../prancer/logs-spec.ts'
import {parseSince, type SinceSpec} from '../prancer/since.ts'
import {uriSecrets} from '../mongo/uri.ts'
import {connectionString, defineCommand, NAME, type CliContext, type ParsedFlags} from './command.ts'
import {EXIT_CODES_HELP, EXIT_OK} from './exit-codes.ts'
import {createCliLogger, type CliLogger} from './output.ts'
import {CLI_SET_NAMES, openCliStore, setName, storeFlagsHelp, storeFlagOptions, nameFlagOption} from './store-flags.ts'
import {downloadNewestSet} from '../artifact/newest-set.ts'
import {commitExport} from '../artifact/commit-export.ts'
import type {OpenedStore} from '../artifact/stores/open-store.ts'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'

export const EXPORT_HELP = `Usage: ${NAME} export --out DIR | --to URL [options]

The GitHub Action's export, without the upload: same config.ini discovery, connection rules, incremental
window, files and manifests. Writes DIR/outputs/ (outputs.json + manifest.json) and DIR/logs/.

Options:
  --out DIR                 output directory (created if missing; required without --to). A DIR that already holds an
                            export is refused: each export is an increment a restore of the chain needs.
                            Write each run to a new DIR and continue with --previous-manifest.
  --to URL                  also (or, without --out, only) commit the export to a store: s3://bucket/prefix,
                            az://account/container/prefix, gs://bucket/prefix or file:///path, as two sets
                            (logs first, outputs last; each manifest written last). With since auto and no
                            --previous-manifest, continues from the newest outputs set of --name there.
                            Credentials: the SDKs' default chains only. The store is probed first.
  --name NAME               the outputs set's name in the store (default prancer-outputs); the logs set is
                            NAME-logs (default prancer-logs)
${storeFlagsHelp(28)}
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
  to: {type: 'string'},
  ...storeFlagOptions,
  ...nameFlagOption,
  quiet: {type: 'boolean'},
  help: {type: 'boolean'}
} as const satisfies ParseArgsConfig['options']

export const exportCommand = defineCommand({options: exportOptions, help: EXPORT_HELP}, ({values}, ctx, session) => {
  session.logger = createCliLogger(ctx.stderr, values.quiet === true)
  return exportTo(values, ctx, session.logger)
})

type ExportValues = ParsedFlags<typeof exportOptions>['values']

async function exportTo(values: ExportValues, ctx: CliContext, logger: CliLogger): Promise<number> {
  const uri = connectionString(values.uri, ctx.env)
  if (uri) for (const secret of uriSecrets(uri)) logger.secret(secret)
  if (values.out === '') throw new UsageError('--out needs a directory')
  if (values.out === undefined && values.to === undefined) throw new UsageError('--out DIR or --to URL is required')
  if (values.replace === true && values.out === undefined) throw new UsageError('--replace needs --out')
  const names = {outputs: setName(values.name, CLI_SET_NAMES.outputs), logs: setName(values.name === undefined ? undefined : `${values.name}-logs`, CLI_SET_NAMES.logs)}
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
  // The store before MongoDB: a credential or permission problem shows before anything is read.
  const target = values.to === undefined ? undefined : await openCliStore(values.to, '--to', 'write', values, ctx.env, logger)
  const scratch = await mkdtemp(join(tmpdir(), 'prancer-db-artifacts-'))
  try {
    return await exportWith(values, ctx, logger, {uri, since, logs, jsonFormat, lookbackMs, names, target, scratch})
  } finally {
    target?.objects.close()
    await rm(scratch, {recursive: true, force: true})
  }
}

async function exportWith(
  values: ExportValues,
  ctx: CliContext,
  logger: CliLogger,
  p: Omit<ExportPlan, 'previousManifest' | 'local'> & {names: {outputs: string; logs: string}; target: OpenedStore | undefined; scratch: string}
): Promise<number> {
  const {uri, since, logs, jsonFormat, lookbackMs, target} = p
  const outDir = values.out === undefined ? join(p.scratch, 'export') : resolve(ctx.cwd, values.out)
  // The export is staged inside DIR and moved into place only once complete: a failure leaves DIR as it was.
  const local = await openLocalExport(outDir, {
    label: '--out',
    replace: values.replace === true,
    refuseHint: `Write this export to a new directory and continue from that one (--out <new dir> --previous-manifest ${values.out}), or pass --replace to replace it once the new export has succeeded.`,
    logger
  })
  let lock: HeldLock | undefined
  try {
    // With --to the store is where the chain stands (not an earlier export in --out).
    const previous = await findPreviousManifest(values['previous-manifest'], values.out === undefined || target !== undefined ? null : outDir, ctx.cwd, logger)
    let previousManifest = previous?.manifest ?? null
    // A local previous export is locked against a second export continuing from it; a store's set is not a file.
    if (previous !== null) lock = await lockBeside(previous.source, 'previous export', logger)
    else if (target !== undefined && since.kind === 'auto') {
      const newest = await downloadNewestSet(target.sets, {name: p.names.outputs, kind: 'outputs', dir: join(p.scratch, 'previous')})
      if (newest !== null) logger.info(`continuing from ${target.sets.locationOf(newest.set)}`)
      else logger.info(`${target.sets.label} holds no outputs set "${p.names.outputs}" yet: a full export starts the chain.`)
      previousManifest = newest?.manifest ?? null
    }
    // With --to, the store is committed before --out is swapped in: a store that refuses leaves --out as it was, so
    // the two never disagree on where the chain stands.
    const commit = target === undefined ? undefined : async (staged: string, logRuns: number): Promise<void> => {
      const committed = await commitExport(target.sets, {outputs: join(staged, 'outputs'), logs: logRuns > 0 ? join(staged, 'logs') : null}, p.names, Number(ctx.env.GITHUB_RUN_ID) || 0)
      ctx.stdout(`${logger.redact(`store: outputs → ${target.sets.locationOf(committed.outputs)}${committed.logs ? `\n  logs → ${target.sets.locationOf(committed.logs)}` : ''}`)}\n`)
    }
    return await runExport(values, ctx, logger, {uri, since, logs, jsonFormat, lookbackMs, previousManifest, local}, commit)
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

async function runExport(values: ExportValues, ctx: CliContext, logger: CliLogger, plan: ExportPlan, beforeSwap?: (staged: string, logRuns: number) => Promise<void>): Promise<number> {
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
  await beforeSwap?.(local.stagingDir, result.logs.runs.length)
  await local.swapIn()
  const {outputs, logs: logsExport} = result
  // With --to alone the files lived in a scratch directory that is gone now: the store's line above says where they are.
  const kept = (kind: 'outputs' | 'logs'): string => (values.out === undefined ? 'the store (no --out)' : join(local.dir, kind, MANIFEST_FILE))
  const summary = [
    `outputs: ${outputs.documents} document(s) of ${outputs.database}.${outputs.collection} → ${kept('outputs')}`,
    outputs.running.length > 0 ? `  still running at export time: ${outputs.running.map((r) => r.name || r.id).join(', ')}` : '',
    `  results: ${outputs.results.passed} passed, ${outputs.results.failed} failed, ${outputs.results.skipped} skipped, ${outputs.results.other} other`,
    logsExport.runs.length > 0
      ? `logs: ${logsExport.runs.map((r) => `${r.name} (${r.documents})`).join(', ')} → ${kept('logs')}`
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
    if (error instanceof InputError) throw new UsageError(`--logs: ${error.message}`)
    throw error
  }
}

/**
 * The previous export's outputs manifest: --previous-manifest names the manifest itself, the directory
 * of a previous `export --out` (or its outputs/), or an artifact .zip; without it, an earlier export
 * in the same --out directory continues the chain.
 */
async function findPreviousManifest(flag: string | undefined, outDir: string | null, cwd: string, logger: CliLogger): Promise<{manifest: Manifest; source: string} | null> {
  if (flag === undefined) {
    if (outDir === null) return null
    const own = join(outDir, 'outputs', MANIFEST_FILE)
    if ((await stat(own).catch(() => null)) === null) return null
    logger.info(`continuing from the earlier export in ${own}`)
    return {manifest: outputsManifest(await readManifestFile(own), own), source: own}
  }
  const path = resolve(cwd, flag)
  const info = await stat(path).catch(() => null)
  if (info === null) throw new UsageError(`--previous-manifest: ${flag} does not exist`)
  if (info.isFile() && !(await isZipFile(path))) {
    const text = await readFile(path, 'utf8')
    // The manual recipe's plain mongoexport file (no manifest of ours): continue from its highest timestamp.
    if (!/^\s*\{\s*"tool"\s*:/.test(text)) return {manifest: await manifestFromPlainExport(path, text, logger), source: path}
  }
  const found = await findManifest(path)
  if (found === null) {
    throw new UsageError(info.isDirectory() ? `--previous-manifest: ${flag} holds neither outputs/${MANIFEST_FILE} nor ${MANIFEST_FILE}` : `--previous-manifest: ${path} contains no ${MANIFEST_FILE}`)
  }
  return {manifest: outputsManifest(found.manifest, found.source), source: found.source}
}

function outputsManifest(manifest: Manifest, source: string): Manifest {
  // A logs manifest is a wrong flag value (exit 2); a backup one was never an export at all (exit 1, as always).
  if (manifest.kind === 'backup') throw new InputError(`--previous-manifest: ${source} is a backup manifest, not an export's; pass the outputs manifest of an export`)
  if (manifest.kind !== 'outputs') throw new UsageError(`--previous-manifest: ${source} is a ${manifest.kind} manifest; pass the outputs one`)
  return manifest
}

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
  return {...manifestHeader('outputs', 'a plain mongoexport file'), files: [], watermark: mark, migratedFrom: path}
}
