// `prancer-db-artifacts restore`: exported files (like mongoimport), a mongodump archive (like mongorestore), or a
// chain (a backup and the exports after it, given as paths or found among a repository's artifacts).

import {mkdtemp, rm, stat} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import type {ParseArgsConfig} from 'node:util'
import {UsageError} from '../common/errors.ts'
import {archiveSource, restore, restoreArchive, RestoreError, RESTORE_MODES, type RestoreMode} from '../jobs/restore/index.ts'
import {restoreChain} from '../jobs/restore/chain.ts'
import {downloadChain} from '../artifact/chain.ts'
import {GitHubArtifacts} from '../artifact/stores/github/artifacts.ts'
import {parseSince} from '../prancer/since.ts'
import {uriSecrets} from '../mongo/uri.ts'
import {connectionString, defineCommand, NAME, type CliContext, type ParsedFlags} from './command.ts'
import {EXIT_CODES_HELP, EXIT_OK, EXIT_PARTIAL} from './exit-codes.ts'
import {createCliLogger, ProgressDisplay, type CliLogger} from './output.ts'
import {formatBytes} from '../common/format.ts'
import {openCliStore, setName, storeFlagsHelp, storeFlagOptions, nameFlagOption} from './store-flags.ts'
import type {Store} from '../artifact/store.ts'

export const RESTORE_HELP = `Usage: ${NAME} restore PATH [options]
       ${NAME} restore BACKUP INCREMENT... [--until TIME] [--drop] [--dry-run]
       ${NAME} restore --from-github OWNER/REPO [--backup-name PATTERN] [--outputs-name PATTERN] [--until TIME]
       ${NAME} restore --from URL [--backup-name PATTERN] [--outputs-name PATTERN] [--until TIME]
       ${NAME} restore --from URL --name NAME

A point in time: BACKUP (a mongodump archive or a backup directory) and the outputs exports made after it
(artifact zips or directories), oldest first. The whole chain is checked before anything is written (every
source verified; each increment continues the one before it without a gap; the first starts no later than
the backup), then the backup is restored like mongorestore and each increment upserted by _id. --until
applies only the increments made by that time (epoch ms or ISO-8601). --from-github finds the chain among a
repository's artifacts (token in env GITHUB_TOKEN, API in GITHUB_API_URL): the newest backup artifact matching
--backup-name (default prancer-backup-*) made by --until, then the outputs artifacts matching --outputs-name
(default prancer-outputs-*) made after it; artifacts of pull requests from forks never count. --from finds
the same chain in a store (s3://bucket/prefix, az://account/container/prefix, gs://bucket/prefix,
file:///path; credentials from the SDKs' default chains), streaming each set back; with --name it restores
the newest set of that one name instead (an export, or a backup).

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
  --from URL            a store to restore from (see above)
  --name NAME           with --from: the newest set of this name, restored alone
${storeFlagsHelp(24)}
  --quiet               no progress or informational output
  --help                show this help

${EXIT_CODES_HELP}
`

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
  from: {type: 'string'},
  ...storeFlagOptions,
  ...nameFlagOption,
  quiet: {type: 'boolean'},
  help: {type: 'boolean'}
} as const satisfies ParseArgsConfig['options']

export const restoreCommand = defineCommand({options: restoreOptions, help: RESTORE_HELP, positionals: true}, ({values, positionals}, ctx, session) => {
  const progress = new ProgressDisplay(ctx.stderr, values.quiet !== true)
  session.logger = createCliLogger(ctx.stderr, values.quiet === true, progress)
  return restoreFrom(values, positionals, ctx, session.logger, progress)
})

type RestoreValues = ParsedFlags<typeof restoreOptions>['values']

async function restoreFrom(values: RestoreValues, positionals: string[], ctx: CliContext, logger: CliLogger, progress: ProgressDisplay): Promise<number> {
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
  if (values.from !== undefined) {
    if (values['from-github'] !== undefined) throw new UsageError('--from and --from-github name two sources; give one')
    if (positionals.length > 0) throw new UsageError('--from finds what to restore itself: give no PATH')
    const opened = await openCliStore(values.from, '--from', 'read', values, ctx.env, logger)
    try {
      if (values.name === undefined) return await restoreChainCommand(values, positionals, uri, ctx, logger, opened.sets)
      const name = setName(values.name, values.name)
      const {sets} = await opened.sets.list({family: {test: n => n === name}, exactName: name})
      const newest = sets.filter(s => s.name === name)[0]
      if (newest === undefined) throw new UsageError(`--name: ${opened.sets.label} holds no set named "${name}"`)
      const dir = await mkdtemp(join(tmpdir(), 'prancer-restore-'))
      try {
        logger.info(`restoring ${opened.sets.locationOf(newest)}`)
        await opened.sets.download(newest, join(dir, 'set'))
        return await restoreFrom({...values, from: undefined, name: undefined}, [join(dir, 'set')], ctx, logger, progress)
      } finally {
        await rm(dir, {recursive: true, force: true})
      }
    } finally {
      opened.objects.close()
    }
  }
  if (values.name !== undefined) throw new UsageError('--name applies with --from')
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
async function restoreChainCommand(values: RestoreValues, positionals: string[], uri: string, ctx: CliContext, logger: CliLogger, fromStore?: Store): Promise<number> {
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
  let store: Store | undefined = fromStore
  if (fromStore !== undefined) downloaded = await mkdtemp(join(tmpdir(), 'prancer-chain-'))
  if (values['from-github'] !== undefined) {
    if (positionals.length > 0) throw new UsageError('--from-github finds the chain itself: give no PATH')
    const token = ctx.env.GITHUB_TOKEN || ctx.env.GH_TOKEN
    if (!token) throw new UsageError('--from-github needs a token with actions: read in env GITHUB_TOKEN (or GH_TOKEN)')
    logger.secret(token)
    store = new GitHubArtifacts({repository: values['from-github'], token, apiUrl: ctx.env.GITHUB_API_URL})
    downloaded = await mkdtemp(join(tmpdir(), 'prancer-chain-'))
  }
  let steps
  try {
    if (store !== undefined && downloaded !== undefined) {
      sources = await downloadChain(store, {
        // In a store, the CLI's own names (prancer-backup) and the action's (prancer-backup-...) both match.
        backupName: values['backup-name'] ?? (fromStore ? 'prancer-backup*' : 'prancer-backup-*'),
        outputsName: values['outputs-name'] ?? (fromStore ? 'prancer-outputs*' : 'prancer-outputs-*'),
        ...(until !== undefined ? {until} : {}),
        dir: downloaded,
        logger
      })
    }
    steps = await restoreChain({sources, uri, drop: values.drop === true, dryRun: values['dry-run'] === true, ...(until !== undefined ? {until} : {}), logger})
  } finally {
    // A failed download or restore leaves nothing of the chain behind.
    if (downloaded !== undefined) await rm(downloaded, {recursive: true, force: true})
  }
  const lines = steps.map(s => `${s.kind} ${s.source}${s.createdAt ? ` (${s.createdAt})` : ''}: ${s.documents} document(s)${values['dry-run'] === true ? '' : `, ${s.imported} restored`}`)
  lines.push(values['dry-run'] === true ? `dry run: the chain of ${steps.length} checked, nothing written.` : `chain of ${steps.length} restored.`)
  ctx.stdout(`${logger.redact(lines.join('\n'))}\n`)
  return EXIT_OK
}

