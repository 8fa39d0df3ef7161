// Restores a mongodump archive (ours, or the real `mongodump --archive [--gzip]`'s) like mongorestore: each
// namespace's collection created with the options of its metadata, its documents inserted as the archive holds them
// (raw BSON, sent unchanged), then the indexes of its metadata; views last. Nothing is dropped or written unless the
// whole archive and every target check out first.
//
// In order, each step before the first write:
//   1. plan (from the prelude): every namespace's target — --db maps a single-database archive, --ns-from/--ns-to
//      rename with mongorestore's syntax ($var$ variables, or * wild cards; the last matching pair wins) — checked
//      against MongoDB's naming rules; two namespaces into one target, time-series collections and, unless the
//      user's own option names them, admin/local/config and system.* targets are refused. Each namespace's metadata
//      is parsed (options, indexes).
//   2. verify: the whole archive read once (src/archive/reader.ts checks lengths, structure and every namespace's
//      CRC), every document checked: well-formed BSON at every depth, at most 16 MiB, an _id the server accepts.
//   3. the plan is printed (namespace → target, documents, indexes). --dry-run stops here.
//   4. server pre-check, read-only: listCollections on each target database, a one-document find on each target
//      collection (names the server refuses), no view where a collection goes.
//   5. write: --drop, create the collections that do not exist (options as in the metadata), the documents in
//      archive order, as raw BSON (src/mongo/raw-writes.ts; batches of at most 1000 documents and 15 MiB), the indexes (without _id_ and the `ns` option),
//      the views. The archive is read a second time; its CRCs are checked again on the way.
// Modes: insert (default, as mongorestore: duplicates and validation failures are counted and skipped, unordered
// batches; --stop-on-error makes batches ordered and stops at the first), upsert (replace by _id, ordered) and merge
// ($set by _id, ordered). What fails in step 5 is reported with how much was written (ArchiveRestoreError).

import {open, stat} from 'node:fs/promises'
import {join} from 'node:path'
import {createGunzip} from 'node:zlib'
import {MongoClient, type Db, type Document} from 'mongodb'
import {ArchiveFormatError, readArchive, type ArchivePreludeNamespace} from '../../archive/reader.ts'
import {ARCHIVE_MAGIC, GZIP_MAGIC} from '../../archive/format.ts'
import {extJsonToBson} from '../../ejson/reader.ts'
import type {Logger} from '../../common/log.ts'
import {silentLogger} from '../../common/log.ts'
import {redactUrisInText, uriSecrets} from '../../mongo/uri.ts'
import {toDriverDocument, type DriverDocument} from './driver-document.ts'
import {RawBatchWriter, rawDocumentProblem, SKIPPABLE_WRITE_ERRORS, WriteLane} from '../../mongo/raw-writes.ts'
import {collectionNameProblem, databaseNameProblem, isSystemCollection, isSystemDatabase, shownName, SYSTEM_DATABASES} from '../../mongo/names.ts'
import {connectForRestore, RestoreError, RESTORE_MODES, WriteTally, type RestoreMode, type WrittenSummary} from './json.ts'

const UNAUTHORIZED = 13
const NAMESPACE_NOT_FOUND = 26
const NAMESPACE_EXISTS = 48
/**
 * createIndexes errors that mean "this server does not support that index (option)" — FerretDB refuses some —
 * reported as a warning naming the index: BadValue, CannotCreateIndex, CommandNotSupported,
 * InvalidIndexSpecificationOption, NotImplemented. Anything else (duplicate keys under a unique index, a conflicting
 * existing index, a lost connection) is an error.
 */
const UNSUPPORTED_INDEX_ERRORS = new Set([2, 67, 115, 197, 238])

/** The file names `backup --out DIR` writes; a directory holding one is restored as that archive. */
const BACKUP_ARCHIVE_FILES = ['prancer.archive', 'prancer.archive.gz']

export interface ArchiveRestoreOptions {
  /** The archive (plain or gzip), or a `backup --out` directory holding prancer.archive[.gz]. */
  source: string
  uri?: string
  /** Target database for every namespace of a single-database archive (naming a system database allows it). */
  database?: string
  /** Target collection of a single-collection archive. */
  collection?: string
  /** mongorestore's --nsFrom/--nsTo pairs: `$var$` variables or `*` wild cards. */
  nsFrom?: string[]
  nsTo?: string[]
  /** Default 'insert', as mongorestore. */
  mode?: RestoreMode
  drop?: boolean
  dryRun?: boolean
  stopOnError?: boolean
  logger?: Logger
  onProgress?: (progress: ArchiveRestoreProgress) => void
  connectTimeoutMs?: number
}

export interface ArchiveRestoreProgress {
  phase: 'verify' | 'write'
  namespace: string
  /** Documents so far, and of the whole archive (0 while verifying: not known yet). */
  documents: number
  totalDocuments: number
}

export interface ArchiveNamespaceResult {
  /** db.collection in the archive. */
  source: string
  database: string
  collection: string
  type: 'collection' | 'view'
  documents: number
  bytes: number
  /** Indexes of the metadata to create (without _id_). */
  indexes: number
  imported: number
  failed: number
  indexesCreated: number
  /** Indexes the server refused as unsupported, with its message. */
  indexWarnings: string[]
  /** False when the target existed (and was not dropped): its options were left as they are. */
  created: boolean
}

export interface ArchiveRestoreResult {
  dryRun: boolean
  mode: RestoreMode
  archive: string
  gzip: boolean
  namespaces: ArchiveNamespaceResult[]
  documents: number
  imported: number
  failed: number
  warnings: string[]
}

/** What a stopped archive restore had changed (collections created too). */
export interface ArchiveWrittenSummary extends WrittenSummary {
  created: string[]
}

/** An archive restore that could not run or stopped; `partialWarning` says what was changed. */
export class ArchiveRestoreError extends RestoreError {
  readonly archiveWritten: ArchiveWrittenSummary | undefined
  constructor(message: string, written?: ArchiveWrittenSummary) {
    super(message, written)
    this.name = 'ArchiveRestoreError'
    this.archiveWritten = written
    if (written !== undefined && written.created.length > 0) (this as {partial: boolean}).partial = true
  }

  override get partialWarning(): string | undefined {
    const w = this.archiveWritten
    if (w === undefined || !this.partial) return undefined
    const parts = [`${w.documents} document(s) written${w.collections.length > 0 ? ` into ${listNamespaces(w.collections)}` : ''}`]
    parts.push(`${w.filesComplete} of ${w.fileCount} namespace(s) complete`)
    if (w.uncertain > 0) parts.push(`${w.uncertain} more document(s) were sent when the connection failed and may or may not have been written`)
    if (w.dropped.length > 0) parts.push(`dropped first (--drop): ${listNamespaces(w.dropped)}`)
    if (w.created.length > 0) parts.push(`collections created: ${listNamespaces(w.created)}`)
    const redo =
      w.mode === 'insert'
        ? 'run it again with --drop (insert mode would skip or duplicate what is already there)'
        : `run the same command again (${w.mode} mode replaces documents by _id)`
    return `the archive restore stopped after changing the data: ${parts.join('; ')}. When the cause of the error is fixed, ${redo}.`
  }
}

function listNamespaces(namespaces: string[]): string {
  const shown = namespaces.slice(0, 10).map(shownName).join(', ')
  return namespaces.length > 10 ? `${shown} and ${namespaces.length - 10} more` : shown
}

function clause(text: string): string {
  return text.trim().replace(/[.\s]+$/, '')
}

// ------------------------------------------------------------------------------------------------ detection

/**
 * The archive to restore when `path` is one (its first bytes are the archive magic number, directly or after gzip),
 * or a `backup --out` directory holding one; undefined otherwise (an Extended JSON export).
 */
export async function archiveSource(path: string): Promise<string | undefined> {
  let info
  try {
    info = await stat(path)
  } catch {
    return undefined
  }
  if (info.isDirectory()) {
    for (const name of BACKUP_ARCHIVE_FILES) {
      const file = join(path, name)
      if ((await stat(file).catch(() => undefined))?.isFile() && (await isArchiveFile(file))) return file
    }
    return undefined
  }
  return info.isFile() && (await isArchiveFile(path)) ? path : undefined
}

/** Whether the file begins with the archive magic number, plain or gzip-compressed. */
export async function isArchiveFile(path: string): Promise<boolean> {
  let handle
  try {
    handle = await open(path, 'r')
  } catch {
    return false
  }
  try {
    const head = Buffer.alloc(64 * 1024)
    const {bytesRead} = await handle.read(head, 0, head.length, 0)
    const bytes = head.subarray(0, bytesRead)
    if (bytes.length >= 4 && bytes.subarray(0, 4).equals(ARCHIVE_MAGIC)) return true
    if (bytes.length < 2 || bytes[0] !== GZIP_MAGIC[0] || bytes[1] !== GZIP_MAGIC[1]) return false
    return (await gunzipHead(bytes, 4)).subarray(0, 4).equals(ARCHIVE_MAGIC)
  } finally {
    await handle.close()
  }
}

/** The first `n` decompressed bytes of a gzip stream's beginning (fewer when it cannot be read). */
function gunzipHead(bytes: Buffer, n: number): Promise<Buffer> {
  return new Promise(resolve => {
    const gunzip = createGunzip()
    const parts: Buffer[] = []
    let have = 0
    const done = (): void => {
      gunzip.removeAllListeners()
      gunzip.on('error', () => undefined)
      gunzip.destroy()
      resolve(Buffer.concat(parts))
    }
    gunzip.on('data', (chunk: Buffer) => {
      parts.push(chunk)
      have += chunk.length
      if (have >= n) done()
    })
    gunzip.on('error', done)
    gunzip.on('end', done)
    gunzip.end(bytes)
  })
}

// -------------------------------------------------------------------------------------------------- renaming

interface RenameRule {
  from: string
  to: string
  matcher: RegExp
  /** For each variable of `to`, in order: its group number in matcher; literal text between. */
  parts: Array<string | number>
  /** Whether the database part (before the first '.') of `to` is literal text, and the whole of it. */
  literalDatabase: boolean
  literal: boolean
}

const REGEX_SPECIAL = /[*[\](){}\\?$^+!.|]/

/** Splits a pattern into literal text and `$name$` variables; `*` wild cards (when no `$`) become variables. */
function tokenize(pattern: string, what: string): Array<{text: string} | {variable: string}> {
  const tokens: Array<{text: string} | {variable: string}> = []
  if (!pattern.includes('$')) {
    let wild = 0
    let text = ''
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i]!
      if (c === '\\' && (pattern[i + 1] === '*' || pattern[i + 1] === '\\')) {
        text += pattern[++i]
      } else if (c === '*') {
        if (text !== '') tokens.push({text})
        text = ''
        tokens.push({variable: String(++wild)})
      } else {
        text += c
      }
    }
    if (text !== '') tokens.push({text})
    return tokens
  }
  let rest = pattern
  while (rest !== '') {
    const at = rest.indexOf('$')
    if (at < 0) {
      tokens.push({text: rest})
      break
    }
    if (at > 0) tokens.push({text: rest.slice(0, at)})
    const end = rest.indexOf('$', at + 1)
    if (end < 0) throw new ArchiveRestoreError(`${what} "${shownName(pattern)}": odd number of dollar signs (variables are written $name$). Nothing was written.`)
    tokens.push({variable: rest.slice(at + 1, end)})
    rest = rest.slice(end + 1)
  }
  return tokens
}

function renameRules(from: string[], to: string[]): RenameRule[] {
  if (from.length !== to.length) {
    throw new ArchiveRestoreError(`--ns-from and --ns-to come in pairs: got ${from.length} --ns-from and ${to.length} --ns-to. Nothing was written.`)
  }
  const rules: RenameRule[] = []
  for (const [i, f] of from.entries()) {
    const t = to[i]!
    const fromTokens = tokenize(f, '--ns-from')
    const toTokens = tokenize(t, '--ns-to')
    const groups = new Map<string, number>()
    let source = '^'
    for (const token of fromTokens) {
      if ('variable' in token) {
        if (groups.has(token.variable)) throw new ArchiveRestoreError(`--ns-from "${shownName(f)}": the variable $${token.variable}$ appears twice. Nothing was written.`)
        groups.set(token.variable, groups.size + 1)
        source += '(.*?)'
      } else {
        for (const c of token.text) source += REGEX_SPECIAL.test(c) ? `\\${c}` : c
      }
    }
    const parts: Array<string | number> = []
    for (const token of toTokens) {
      if ('variable' in token) {
        const group = groups.get(token.variable)
        if (group === undefined) {
          throw new ArchiveRestoreError(
            f.includes('$') || !token.variable.match(/^\d+$/)
              ? `--ns-to "${shownName(t)}" uses $${token.variable}$, which its --ns-from "${shownName(f)}" does not define. Nothing was written.`
              : `--ns-from "${shownName(f)}" and --ns-to "${shownName(t)}" have a different number of * wild cards. Nothing was written.`
          )
        }
        parts.push(group)
      } else {
        parts.push(token.text)
      }
    }
    if (!f.includes('$') && toTokens.filter(tk => 'variable' in tk).length !== groups.size) {
      throw new ArchiveRestoreError(`--ns-from "${shownName(f)}" and --ns-to "${shownName(t)}" have a different number of * wild cards. Nothing was written.`)
    }
    const firstDot = (() => {
      let literal = true
      for (const part of parts) {
        if (typeof part === 'number') return false
        if (part.includes('.')) return literal
      }
      return literal
    })()
    rules.push({from: f, to: t, matcher: new RegExp(`${source}$`, 's'), parts, literalDatabase: firstDot, literal: parts.every(p => typeof p === 'string')})
  }
  return rules
}

/** The rule that renames `namespace` (the last matching pair wins, as in mongorestore), and the new name. */
function applyRules(rules: RenameRule[], namespace: string): {rule: RenameRule; name: string} | undefined {
  for (let i = rules.length - 1; i >= 0; i--) {
    const rule = rules[i]!
    const match = rule.matcher.exec(namespace)
    if (match === null) continue
    return {rule, name: rule.parts.map(p => (typeof p === 'number' ? match[p] ?? '' : p)).join('')}
  }
  return undefined
}

// ----------------------------------------------------------------------------------------------------- plan

interface ParsedMetadata {
  options: DriverDocument
  indexes: DriverDocument[]
}

interface PlannedNamespace {
  entry: ArchivePreludeNamespace
  source: string
  database: string
  collection: string
  type: 'collection' | 'view'
  metadata: ParsedMetadata
  result: ArchiveNamespaceResult
}

function parseMetadata(ns: ArchivePreludeNamespace, archive: string): ParsedMetadata {
  if (ns.metadata === '') return {options: new Map(), indexes: []}
  let doc: DriverDocument
  try {
    doc = toDriverDocument(extJsonToBson(ns.metadata))
  } catch (error) {
    throw new ArchiveRestoreError(
      `The archive ${shownName(archive)}: the metadata of ${shownName(`${ns.db}.${ns.collection}`)} is not readable Extended JSON (${clause((error as Error).message)}). Nothing was written.`
    )
  }
  const options = doc.get('options')
  const indexes = doc.get('indexes')
  return {
    options: options instanceof Map ? (options as DriverDocument) : new Map(),
    indexes: Array.isArray(indexes) ? indexes.filter((spec): spec is DriverDocument => spec instanceof Map) : []
  }
}

function planNamespaces(namespaces: ArchivePreludeNamespace[], archive: string, opts: ArchiveRestoreOptions): PlannedNamespace[] {
  const rules = renameRules(opts.nsFrom ?? [], opts.nsTo ?? [])
  const databases = new Set(namespaces.map(ns => ns.db))
  if (opts.database !== undefined && rules.length > 0) {
    throw new ArchiveRestoreError('Pass either --db or --ns-from/--ns-to, not both. Nothing was written.')
  }
  if (opts.database !== undefined && databases.size > 1) {
    throw new ArchiveRestoreError(
      `--db would put the ${databases.size} databases of the archive (${[...databases].map(shownName).join(', ')}) into one; rename them with --ns-from/--ns-to (e.g. --ns-from '${shownName([...databases][0]!)}.$c$' --ns-to 'other.$c$'). Nothing was written.`
    )
  }
  if (opts.collection !== undefined && namespaces.length !== 1) {
    throw new ArchiveRestoreError(`--collection applies to an archive of one collection; this one holds ${namespaces.length}. Rename with --ns-from/--ns-to. Nothing was written.`)
  }
  const planned: PlannedNamespace[] = []
  const targets = new Map<string, string>()
  for (const entry of namespaces) {
    const source = `${entry.db}.${entry.collection}`
    const where = `The archive's ${shownName(source)}`
    if (entry.type === 'timeseries') {
      throw new ArchiveRestoreError(`${where} is a time-series collection, which this restore does not handle; restore it with mongorestore (--nsInclude '${shownName(source)}'), the rest with --ns-from/--ns-to or another archive. Nothing was written.`)
    }
    let database = entry.db
    let collection = entry.collection
    let namedDatabase = false
    let namedCollection = false
    let by = 'its name in the archive'
    const renamed = applyRules(rules, source)
    if (renamed !== undefined) {
      const dot = renamed.name.indexOf('.')
      if (dot <= 0 || dot === renamed.name.length - 1) {
        throw new ArchiveRestoreError(`--ns-to "${shownName(renamed.rule.to)}" renames ${shownName(source)} to "${shownName(renamed.name)}", which is not database.collection. Nothing was written.`)
      }
      database = renamed.name.slice(0, dot)
      collection = renamed.name.slice(dot + 1)
      namedDatabase = renamed.rule.literalDatabase
      namedCollection = renamed.rule.literal
      by = `--ns-to "${shownName(renamed.rule.to)}"`
    }
    if (opts.database !== undefined) {
      database = opts.database
      namedDatabase = true
    }
    if (opts.collection !== undefined) {
      collection = opts.collection
      namedCollection = true
    }
    const target = `${database}.${collection}`
    const dbProblem = databaseNameProblem(database)
    if (dbProblem !== undefined) {
      throw new ArchiveRestoreError(`${where} would go to the database "${shownName(database)}" (${by}), which cannot be a database name: ${dbProblem}. Nothing was written; pass --db NAME or --ns-from/--ns-to.`)
    }
    const collProblem = collectionNameProblem(collection, database)
    if (collProblem !== undefined) {
      throw new ArchiveRestoreError(`${where} would go to the collection "${shownName(collection)}" in ${shownName(database)} (${by}), which cannot be a collection name: ${collProblem}. Nothing was written; rename it with --ns-from/--ns-to.`)
    }
    if (isSystemDatabase(database) && !namedDatabase) {
      throw new ArchiveRestoreError(
        `${where} would go to the database "${shownName(database)}", one of MongoDB's system databases (${SYSTEM_DATABASES.join(', ')}). ` +
          `Nothing was written: restore writes there only when you name it yourself (--db ${shownName(database)}, or --ns-from '${shownName(source)}' --ns-to '${shownName(target)}'); or restore elsewhere with --db / --ns-to.`
      )
    }
    if (isSystemCollection(collection) && !namedCollection) {
      throw new ArchiveRestoreError(
        `${where} would go to "${shownName(target)}", a system collection of MongoDB (system.*). ` +
          `Nothing was written: restore writes there only when you name it yourself (--ns-from '${shownName(source)}' --ns-to '${shownName(target)}'); or rename it with --ns-from/--ns-to.`
      )
    }
    const other = targets.get(target)
    if (other !== undefined) {
      throw new ArchiveRestoreError(`${shownName(other)} and ${shownName(source)} of the archive would both go to ${shownName(target)}. Nothing was written; change --db or --ns-from/--ns-to.`)
    }
    targets.set(target, source)
    const metadata = parseMetadata(entry, archive)
    const type = entry.type === 'view' ? 'view' : 'collection'
    const indexes = type === 'view' ? 0 : metadata.indexes.filter(spec => spec.get('name') !== '_id_').length
    planned.push({
      entry,
      source,
      database,
      collection,
      type,
      metadata,
      result: {source, database, collection, type, documents: 0, bytes: 0, indexes, imported: 0, failed: 0, indexesCreated: 0, indexWarnings: [], created: false}
    })
  }
  return planned
}

// --------------------------------------------------------------------------------------------------- verify

function formatError(error: unknown): never {
  if (error instanceof ArchiveFormatError) throw new ArchiveRestoreError(`${clause(error.message)}. Nothing was written; download or copy the archive again.`)
  if (error instanceof RestoreError) throw error
  if (error instanceof Error && /^Cannot (open|read) the archive/.test(error.message)) throw new ArchiveRestoreError(`${clause(error.message)}. Nothing was written.`)
  throw error
}

// ---------------------------------------------------------------------------------------------------- main

export async function restoreArchive(opts: ArchiveRestoreOptions): Promise<ArchiveRestoreResult> {
  const logger = opts.logger ?? silentLogger
  const mode = opts.mode ?? 'insert'
  if (!RESTORE_MODES.includes(mode)) throw new ArchiveRestoreError(`Unknown mode "${String(mode)}": use insert, upsert or merge.`)
  if (opts.uri !== undefined) for (const secret of uriSecrets(opts.uri)) logger.secret(secret)
  if (opts.database !== undefined) {
    const problem = databaseNameProblem(opts.database)
    if (problem !== undefined) throw new ArchiveRestoreError(`--db "${shownName(opts.database)}" cannot be a database name: ${problem}. Nothing was written.`)
  }
  const archive = (await archiveSource(opts.source)) ?? opts.source

  // 1 and 2: plan from the prelude, then every document and every CRC.
  let planned: PlannedNamespace[] = []
  let gzip = false
  const byData = new Map<string, PlannedNamespace>()
  let verified = 0
  try {
    for await (const event of readArchive(archive)) {
      if (event.type === 'prelude') {
        gzip = event.gzip
        planned = planNamespaces(event.namespaces, archive, opts)
        for (const p of planned) byData.set(`${p.entry.db}\u0000${p.entry.dataCollection}`, p)
      } else if (event.type === 'documents') {
        const p = byData.get(`${event.db}\u0000${event.collection}`)!
        for (const [i, doc] of event.documents.entries()) {
          const problem = rawDocumentProblem(doc)
          if (problem !== undefined) {
            throw new ArchiveRestoreError(
              `The archive ${shownName(archive)}: document ${p.result.documents + i + 1} of ${shownName(p.source)}: ${problem}. Nothing was written.`
            )
          }
        }
        p.result.documents += event.documents.length
        verified += event.documents.length
        opts.onProgress?.({phase: 'verify', namespace: p.source, documents: verified, totalDocuments: 0})
      } else {
        const p = byData.get(`${event.db}\u0000${event.collection}`)!
        p.result.bytes = event.bytes
      }
    }
  } catch (error) {
    formatError(error)
  }
  const result: ArchiveRestoreResult = {
    dryRun: opts.dryRun === true,
    mode,
    archive,
    gzip,
    namespaces: planned.map(p => p.result),
    documents: planned.reduce((sum, p) => sum + p.result.documents, 0),
    imported: 0,
    failed: 0,
    warnings: []
  }

  // 3: the plan.
  const collections = planned.filter(p => p.type === 'collection').length
  const views = planned.length - collections
  const what = `${result.documents} document(s) into ${collections} collection(s)${views > 0 ? ` and ${views} view(s)` : ''} from the archive ${shownName(archive)}${gzip ? ' (gzip)' : ''}, ${mode} mode${opts.drop ? ', each dropped first (--drop)' : ''}`
  logger.info(opts.dryRun ? `dry run: a restore would write ${what}:` : `restoring ${what}:`)
  for (const p of planned) {
    logger.info(
      `  ${shownName(p.source)} → ${shownName(p.database)}.${shownName(p.collection)}: ` +
        (p.type === 'view' ? 'a view' : `${p.result.documents} document(s), ${p.result.indexes} index(es)`)
    )
  }
  if (opts.dryRun) return result
  if (opts.uri === undefined || opts.uri === '') throw new ArchiveRestoreError('No connection string: pass --uri (or set MONGODB_URI). Nothing was written.')
  await writeArchive(archive, planned, byData, result, {...opts, mode, logger})
  return result
}

type WriteOptions = ArchiveRestoreOptions & {mode: RestoreMode; logger: Logger}

class Tally extends WriteTally {
  readonly created = new Set<string>()
  override summary(): ArchiveWrittenSummary {
    return {...super.summary(), created: [...this.created]}
  }
}

async function writeArchive(archive: string, planned: PlannedNamespace[], byData: Map<string, PlannedNamespace>, result: ArchiveRestoreResult, opts: WriteOptions): Promise<void> {
  const client = await connectForRestore(opts.uri as string, opts.connectTimeoutMs, message => new ArchiveRestoreError(message))
  const tally = new Tally(opts.mode, planned.length)
  const lane = new WriteLane()
  try {
    // 4: read-only pre-check.
    const existing = await preCheck(client, planned, opts)

    // 5: drop, create, documents, indexes, views.
    if (opts.drop) {
      for (const p of planned) {
        const ns = `${p.database}.${p.collection}`
        opts.logger.info(`dropping ${shownName(ns)}`)
        await client.db(p.database).collection(p.collection).drop().catch((error: {code?: number}) => {
          if (error.code !== NAMESPACE_NOT_FOUND) throw error
        })
        if (existing === null || existing.has(ns)) tally.dropped.add(ns)
        existing?.delete(ns)
      }
    }
    for (const p of planned) {
      if (p.type !== 'collection') continue
      const ns = `${p.database}.${p.collection}`
      if (existing !== null && existing.has(ns)) {
        opts.logger.notice(`${shownName(ns)} exists: its documents are added to it, its options are left as they are (pass --drop to start it over)`)
        continue
      }
      try {
        await client.db(p.database).command({create: p.collection, ...Object.fromEntries(p.metadata.options)})
        tally.created.add(ns)
        p.result.created = true
      } catch (error) {
        if ((error as {code?: number}).code === NAMESPACE_EXISTS) continue
        throw new ArchiveRestoreError(`Creating ${shownName(ns)} (the archive's ${shownName(p.source)}) with its options ${describeOptions(p.metadata.options)} failed: ${clause(redactUrisInText((error as Error).message))}`)
      }
    }

    const writers = new Map<PlannedNamespace, {writer: RawBatchWriter<number>; added: number}>()
    let written = 0
    try {
      for await (const event of readArchive(archive)) {
        if (event.type === 'prelude') continue
        const p = byData.get(`${event.db}\u0000${event.collection}`)
        if (p === undefined) throw new ArchiveRestoreError(`The archive ${shownName(archive)} changed while it was being restored (${shownName(`${event.db}.${event.collection}`)} is new).`)
        let state = writers.get(p)
        if (state === undefined) {
          state = {writer: namespaceWriter(lane, client.db(p.database), p, opts, result, tally), added: 0}
          writers.set(p, state)
        }
        const {writer} = state
        if (event.type === 'documents') {
          for (const doc of event.documents) {
            const waiting = writer.add(doc, ++state.added)
            if (waiting !== undefined) await waiting
          }
          written += event.documents.length
          opts.onProgress?.({phase: 'write', namespace: p.source, documents: written, totalDocuments: result.documents})
        } else {
          await writer.flush()
          await writer.drain()
          if (event.documents !== p.result.documents) {
            throw new ArchiveRestoreError(`The archive ${shownName(archive)} changed while it was being restored: ${shownName(p.source)} now holds ${event.documents} documents, ${p.result.documents} when it was checked.`)
          }
          tally.filesComplete++
        }
      }
    } catch (error) {
      if (error instanceof ArchiveFormatError) throw new ArchiveRestoreError(`The archive changed or became unreadable while it was being restored: ${clause(error.message)}`)
      throw error
    }

    for (const p of planned) {
      if (p.type !== 'collection') continue
      const db = client.db(p.database)
      for (const spec of p.metadata.indexes) {
        const name = String(spec.get('name'))
        if (name === '_id_') continue
        const index = new Map(spec)
        // mongorestore sends `ns` (which FerretDB refuses); the server fills it in where it wants it.
        index.delete('ns')
        try {
          await createIndex(db, p.collection, index)
          p.result.indexesCreated++
        } catch (error) {
          const code = (error as {code?: number}).code
          const message = `the index "${shownName(name)}" of ${shownName(`${p.database}.${p.collection}`)} (${describeOptions(index)}) could not be created: ${clause(redactUrisInText((error as Error).message))}`
          if (code !== undefined && UNSUPPORTED_INDEX_ERRORS.has(code)) {
            p.result.indexWarnings.push(message)
            result.warnings.push(message)
            opts.logger.warning(`${message}; the server does not support it, the restore goes on without it`)
            continue
          }
          throw new ArchiveRestoreError(`${message[0]!.toUpperCase()}${message.slice(1)}`)
        }
      }
    }

    for (const p of planned) {
      if (p.type !== 'view') continue
      const ns = `${p.database}.${p.collection}`
      try {
        await client.db(p.database).command({create: p.collection, ...Object.fromEntries(p.metadata.options)})
        tally.created.add(ns)
        p.result.created = true
      } catch (error) {
        throw new ArchiveRestoreError(`Creating the view ${shownName(ns)} (the archive's ${shownName(p.source)}) failed: ${clause(redactUrisInText((error as Error).message))}`)
      }
      tally.filesComplete++
    }
    result.imported = planned.reduce((sum, p) => sum + p.result.imported, 0)
    result.failed = planned.reduce((sum, p) => sum + p.result.failed, 0)
  } catch (error) {
    // A command still in flight is counted (or marked uncertain) before saying what was written.
    await lane.settle()
    const message = error instanceof RestoreError ? error.message : redactUrisInText((error as Error).message)
    throw new ArchiveRestoreError(message, tally.summary())
  } finally {
    await client.close()
  }
}

/**
 * createIndexes of one index. A server that refuses the index version option `v` (FerretDB: 'Index option "v" is
 * unknown') is asked again without it: it then builds its own default version, which listIndexes reports.
 */
async function createIndex(db: Db, collection: string, index: DriverDocument): Promise<void> {
  try {
    await db.command({createIndexes: collection, indexes: [index]})
  } catch (error) {
    if (!index.has('v') || !/option "v" is unknown/i.test((error as Error).message)) throw error
    const withoutVersion = new Map(index)
    withoutVersion.delete('v')
    await db.command({createIndexes: collection, indexes: [withoutVersion]})
  }
}

function describeOptions(doc: DriverDocument): string {
  const text = JSON.stringify(Object.fromEntries([...doc].map(([k, v]) => [k, v instanceof Map ? Object.fromEntries(v) : v])), (_key, value: unknown) =>
    typeof value === 'bigint' ? String(value) : value
  )
  return text.length > 300 ? `${text.slice(0, 300)}…` : text
}

/** Targets that exist (null when a database could not be listed); refuses what the server would refuse. */
async function preCheck(client: MongoClient, planned: PlannedNamespace[], opts: WriteOptions): Promise<Set<string> | null> {
  let existing: Set<string> | null = new Set()
  const byDatabase = new Map<string, PlannedNamespace[]>()
  for (const p of planned) byDatabase.set(p.database, [...(byDatabase.get(p.database) ?? []), p])
  for (const [database, targets] of byDatabase) {
    const db = client.db(database)
    let infos: Document[]
    try {
      infos = await db.listCollections({name: {$in: targets.map(p => p.collection)}}, {nameOnly: false}).toArray()
    } catch (error) {
      if ((error as {code?: number}).code === UNAUTHORIZED) {
        opts.logger.notice(`could not check the database ${shownName(database)} before writing (not authorized to list its collections); a refusal will show when writing`)
        existing = null
        continue
      }
      throw new ArchiveRestoreError(
        `The server refuses the database "${shownName(database)}" (the target of ${targets.map(p => shownName(p.source)).slice(0, 3).join(', ')}): ${clause(redactUrisInText((error as Error).message))}. Nothing was written; pass --db NAME or --ns-from/--ns-to to restore into a database this server accepts.`
      )
    }
    for (const info of infos) {
      const ns = `${database}.${info.name as string}`
      existing?.add(ns)
      const p = targets.find(t => t.collection === info.name)
      if (p !== undefined && !opts.drop && (info.type === 'view') !== (p.type === 'view')) {
        throw new ArchiveRestoreError(
          `${shownName(ns)} exists and is a ${info.type === 'view' ? 'view' : 'collection'}, where the archive's ${shownName(p.source)} (a ${p.type}) would go. Nothing was written; pass --drop to replace it, or --ns-from/--ns-to to restore elsewhere.`
        )
      }
    }
    for (const p of targets) {
      if (p.type === 'view') continue
      try {
        await db.command({find: p.collection, filter: {}, projection: {_id: 1}, limit: 1, batchSize: 1, singleBatch: true})
      } catch (error) {
        const code = (error as {code?: number}).code
        if (code === UNAUTHORIZED) {
          opts.logger.notice(`could not check ${shownName(database)}.${shownName(p.collection)} before writing (not authorized to read it); a refusal will show when writing`)
          continue
        }
        // A view that --drop will replace cannot be read as a collection; that is fine.
        if (opts.drop && existing?.has(`${database}.${p.collection}`)) continue
        throw new ArchiveRestoreError(
          `The server refuses the collection "${shownName(p.collection)}" in ${shownName(database)} (the target of ${shownName(p.source)}): ${clause(redactUrisInText((error as Error).message))}. Nothing was written; rename it with --ns-from/--ns-to.`
        )
      }
    }
  }
  return existing
}

/** One namespace's documents as raw insert (upsert and merge: update) commands, in archive order; tags number them. */
function namespaceWriter(lane: WriteLane, db: Db, planned: PlannedNamespace, opts: WriteOptions, result: ArchiveRestoreResult, tally: Tally): RawBatchWriter<number> {
  const namespace = `${planned.database}.${planned.collection}`
  const where = `${shownName(namespace)} (the archive's ${shownName(planned.source)})`
  const writer: RawBatchWriter<number> = new RawBatchWriter<number>(lane, db, planned.collection, opts.mode, opts.stopOnError === true, {
    failed: (numbers, error) => {
      tally.uncertain += numbers.length
      return new ArchiveRestoreError(`${where}, documents ${numbers[0]}–${numbers[numbers.length - 1]}: the write failed: ${clause(redactUrisInText((error as Error).message))}`)
    },
    replied: (batch) => {
      const {tags: numbers, writeErrors, writeConcernError} = batch
      tally.count(namespace, planned.result, batch)
      if (writeConcernError !== undefined) throw new ArchiveRestoreError(`${where}, documents ${numbers[0]}–${numbers[numbers.length - 1]}: write concern error: ${writeConcernError}`)
      for (const error of writeErrors) {
        const number = numbers[error.index]
        if (writer.ordered || !SKIPPABLE_WRITE_ERRORS.has(error.code)) {
          throw new ArchiveRestoreError(
            `${where}: document ${number}: write error ${error.code}: ${error.errmsg}. ${planned.result.imported} document(s) of this namespace were written before it.`
          )
        }
        if (result.warnings.length < 20) opts.logger.warning(`continuing through error: ${shownName(namespace)}: document ${number}: ${error.errmsg}`)
      }
    }
  })
  return writer
}
