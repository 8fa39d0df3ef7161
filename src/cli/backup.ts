// `prancer-db-artifacts backup`: every collection of Prancer's databases as one mongodump archive, with its manifest,
// into a new or empty directory.

import {readdir, rm} from 'node:fs/promises'
import {resolve} from 'node:path'
import type {ParseArgsConfig} from 'node:util'
import {errorMessage, InputError, RefusedError, UsageError} from '../common/errors.ts'
import {runBackupJob} from '../jobs/backup/backup-job.ts'
import {uriSecrets} from '../mongo/uri.ts'
import {connectionString, defineCommand, NAME, type CliContext, type ParsedFlags} from './command.ts'
import {EXIT_CODES_HELP, EXIT_OK} from './exit-codes.ts'
import {createCliLogger, type CliLogger} from './output.ts'
import type {OpenedStore} from '../artifact/stores/open-store.ts'
import {formatBytes} from '../common/format.ts'
import {CLI_SET_NAMES, openCliStore, setName, storeFlagsHelp, storeFlagOptions, nameFlagOption} from './store-flags.ts'
import {mkdtemp} from 'node:fs/promises'
import {join} from 'node:path'
import {tmpdir} from 'node:os'

const backupOptions = {
  out: {type: 'string'},
  config: {type: 'string'},
  uri: {type: 'string'},
  db: {type: 'string', multiple: true},
  include: {type: 'string', multiple: true},
  exclude: {type: 'string', multiple: true},
  gzip: {type: 'boolean'},
  to: {type: 'string'},
  ...storeFlagOptions,
  ...nameFlagOption,
  quiet: {type: 'boolean'},
  help: {type: 'boolean'}
} as const satisfies ParseArgsConfig['options']

export const BACKUP_HELP = `Usage: ${NAME} backup --out DIR | --to URL [options]

Every collection of Prancer's databases ([MONGODB] dbname and [LOGGING] dbname of config.ini, or --db) as one
mongodump archive, DIR/prancer.archive[.gz], that the real 'mongorestore --archive[=FILE] [--gzip]' restores
(collections, options, indexes, UUIDs), and DIR/manifest.json (per collection: documents, bytes, sha256 of what
'mongodump --out' would write; the consistency of the copy). DIR must be new or empty.

Options:
  --out DIR             output directory (new or empty)
  --to URL              also (or, without --out, only) commit the backup to a store (s3://, az://, gs://,
                        file:///) as one set, its manifest last; the store is probed first
  --name NAME           the backup set's name in the store (default prancer-backup)
${storeFlagsHelp(24)}
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

export const backupCommand = defineCommand({options: backupOptions, help: BACKUP_HELP}, ({values}, ctx, session) => {
  session.logger = createCliLogger(ctx.stderr, values.quiet === true)
  return backupTo(values, ctx, session.logger)
})

type BackupValues = ParsedFlags<typeof backupOptions>['values']

async function backupTo(values: BackupValues, ctx: CliContext, logger: CliLogger): Promise<number> {
  const uri = connectionString(values.uri, ctx.env)
  if (uri) for (const secret of uriSecrets(uri)) logger.secret(secret)
  if ((values.out === undefined || values.out === '') && values.to === undefined) throw new UsageError('--out DIR or --to URL is required')
  const name = setName(values.name, CLI_SET_NAMES.backup)
  const target = values.to === undefined ? undefined : await openCliStore(values.to, '--to', 'write', values, ctx.env, logger)
  const scratch = values.out === undefined ? await mkdtemp(join(tmpdir(), 'prancer-db-artifacts-')) : undefined
  const outDir = scratch !== undefined ? join(scratch, 'backup') : resolve(ctx.cwd, values.out!)
  try {
    return await backupInto(outDir, values, ctx, logger, target === undefined ? undefined : {...target, name})
  } finally {
    target?.objects.close()
    if (scratch !== undefined) await rm(scratch, {recursive: true, force: true})
  }
}

async function backupInto(outDir: string, values: BackupValues, ctx: CliContext, logger: CliLogger, target: (OpenedStore & {name: string}) | undefined): Promise<number> {
  const uri = connectionString(values.uri, ctx.env)
  const existing = await readdir(outDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null
    throw new InputError(`--out: ${outDir} cannot be used (${error.code === 'ENOTDIR' ? 'it is a file' : (error.code ?? error.message)}); choose a new or empty directory.`)
  })
  if (existing !== null && existing.length > 0) throw new InputError(`--out: ${outDir} is not empty; a backup goes into a new or empty directory, so that it never mixes with another one.`)
  // Without --out the archive streams straight into the store: no copy of it on disk.
  let complete = false
  const streamed = target !== undefined && values.out === undefined ? target.sets.begin({family: target.name, kind: 'backup', runId: Number(ctx.env.GITHUB_RUN_ID) || 0}) : undefined
  try {
    const result = await runBackupJob({
      ...(streamed !== undefined ? {upload: {label: target!.sets.locationOf(streamed), upload: streamed}} : {}),
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
    complete = values.out !== undefined
    const documents = result.collections.reduce((n, c) => n + c.documents, 0)
    let stored = ''
    if (streamed !== undefined) stored = `\n  store: ${target!.sets.locationOf(streamed)}`
    else if (target !== undefined) {
      // The local backup is complete: a store that refuses it fails the command, never costs the copy in --out.
      const set = await target.sets.commit({family: target.name, kind: 'backup', runId: Number(ctx.env.GITHUB_RUN_ID) || 0}, outDir).catch((error: unknown) => {
        throw new RefusedError(`${errorMessage(error)} The backup in ${outDir} is complete and kept.`, {cause: error})
      })
      stored = `\n  store: ${target.sets.locationOf(set)}`
    }
    ctx.stdout(`${logger.redact(`backup: ${result.collections.length} collections, ${documents} documents → ${values.out === undefined ? 'the store' : result.archivePath} (${formatBytes(result.bytes)}, sha256 ${result.sha256})${stored}\n  restore: ${String(result.manifest.restore)}`)}\n`)
    return EXIT_OK
  } catch (error) {
    // Nothing half-done: a directory this command made is removed again (a complete backup the store refused stays).
    if (existing === null && !complete) await rm(outDir, {recursive: true, force: true}).catch(() => undefined)
    throw error
  }
}

