// Steps 1 and 2 of an archive restore, before anything is written: the plan (each namespace of the prelude, its
// target after --db, --collection or --ns-from/--ns-to, checked against MongoDB's naming rules; its metadata parsed)
// and the verify pass, reading the whole archive once (src/archive/reader.ts checks lengths, structure and every
// namespace's CRC) and checking every document as the server would (well-formed BSON, at most 16 MiB, its _id).

import {ArchiveFormatError, readArchive, type ArchivePreludeNamespace} from '../../archive/reader.ts'
import {extJsonToBson} from '../../ejson/ext-json-to-bson.ts'
import {rawDocumentProblem} from '../../mongo/raw-writes.ts'
import {collectionNameProblem, databaseNameProblem, isSystemCollection, isSystemDatabase, shownName, SYSTEM_DATABASES} from '../../mongo/names.ts'
import {toDriverDocument, type DriverDocument} from './driver-document.ts'
import {applyRules, renameRules} from './archive-namespace-map.ts'
import {clause, RestoreError} from './restore-error.ts'
import type {ArchiveNamespaceResult, ArchiveRestoreOptions} from './archive-types.ts'

/** A namespace's metadata: the options to create its collection (or view) with, and its indexes. */
export interface ParsedMetadata {
  options: DriverDocument
  indexes: DriverDocument[]
}

/** One namespace of the archive, where it goes, and its result (filled in by the verify and write passes). */
export interface PlannedNamespace {
  entry: ArchivePreludeNamespace
  source: string
  database: string
  collection: string
  type: 'collection' | 'view'
  metadata: ParsedMetadata
  result: ArchiveNamespaceResult
}

/** The plan of a verified archive. */
export interface VerifiedArchive {
  gzip: boolean
  planned: PlannedNamespace[]
  /** Each planned namespace by blockKey(): how the archive's document blocks name it. */
  byData: Map<string, PlannedNamespace>
}

/** The key of a namespace's document blocks in the archive: its database and data collection. */
export function blockKey(db: string, collection: string): string {
  return `${db}\u0000${collection}`
}

/**
 * Steps 1 and 2: the plan from the prelude, then every document and every CRC. Each namespace's document count and
 * size end up in its result; what is wrong is a RestoreError saying nothing was written.
 */
export async function verifyArchive(archive: string, opts: ArchiveRestoreOptions): Promise<VerifiedArchive> {
  let planned: PlannedNamespace[] = []
  let gzip = false
  const byData = new Map<string, PlannedNamespace>()
  let verified = 0
  try {
    for await (const event of readArchive(archive)) {
      if (event.type === 'prelude') {
        gzip = event.gzip
        planned = planNamespaces(event.namespaces, archive, opts)
        for (const p of planned) byData.set(blockKey(p.entry.db, p.entry.dataCollection), p)
      } else if (event.type === 'documents') {
        const p = byData.get(blockKey(event.db, event.collection))!
        for (const [i, doc] of event.documents.entries()) {
          const problem = rawDocumentProblem(doc)
          if (problem !== undefined) {
            throw new RestoreError(
              `The archive ${shownName(archive)}: document ${p.result.documents + i + 1} of ${shownName(p.source)}: ${problem}. Nothing was written.`
            )
          }
        }
        p.result.documents += event.documents.length
        verified += event.documents.length
        opts.onProgress?.({phase: 'verify', namespace: p.source, documents: verified, totalDocuments: 0})
      } else {
        const p = byData.get(blockKey(event.db, event.collection))!
        p.result.bytes = event.bytes
      }
    }
  } catch (error) {
    formatError(error)
  }
  return {gzip, planned, byData}
}

/** The options and indexes of a namespace's metadata (Extended JSON in the prelude; none when empty). */
function parseMetadata(ns: ArchivePreludeNamespace, archive: string): ParsedMetadata {
  if (ns.metadata === '') return {options: new Map(), indexes: []}
  let doc: DriverDocument
  try {
    doc = toDriverDocument(extJsonToBson(ns.metadata))
  } catch (error) {
    throw new RestoreError(
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

/**
 * Step 1: each namespace's target. Refused: --db with --ns-from/--ns-to, --db for several databases, --collection for
 * several namespaces, time-series collections, names MongoDB does not accept, system databases and collections the
 * user did not name, two namespaces into one target.
 */
function planNamespaces(namespaces: ArchivePreludeNamespace[], archive: string, opts: ArchiveRestoreOptions): PlannedNamespace[] {
  const rules = renameRules(opts.nsFrom ?? [], opts.nsTo ?? [])
  const databases = new Set(namespaces.map(ns => ns.db))
  if (opts.database !== undefined && rules.length > 0) {
    throw new RestoreError('Pass either --db or --ns-from/--ns-to, not both. Nothing was written.')
  }
  if (opts.database !== undefined && databases.size > 1) {
    throw new RestoreError(
      `--db would put the ${databases.size} databases of the archive (${[...databases].map(shownName).join(', ')}) into one; rename them with --ns-from/--ns-to (e.g. --ns-from '${shownName([...databases][0]!)}.$c$' --ns-to 'other.$c$'). Nothing was written.`
    )
  }
  if (opts.collection !== undefined && namespaces.length !== 1) {
    throw new RestoreError(`--collection applies to an archive of one collection; this one holds ${namespaces.length}. Rename with --ns-from/--ns-to. Nothing was written.`)
  }
  const planned: PlannedNamespace[] = []
  const targets = new Map<string, string>()
  for (const entry of namespaces) {
    const source = `${entry.db}.${entry.collection}`
    const where = `The archive's ${shownName(source)}`
    if (entry.type === 'timeseries') {
      throw new RestoreError(`${where} is a time-series collection, which this restore does not handle; restore it with mongorestore (--nsInclude '${shownName(source)}'), the rest with --ns-from/--ns-to or another archive. Nothing was written.`)
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
        throw new RestoreError(`--ns-to "${shownName(renamed.rule.to)}" renames ${shownName(source)} to "${shownName(renamed.name)}", which is not database.collection. Nothing was written.`)
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
      throw new RestoreError(`${where} would go to the database "${shownName(database)}" (${by}), which cannot be a database name: ${dbProblem}. Nothing was written; pass --db NAME or --ns-from/--ns-to.`)
    }
    const collProblem = collectionNameProblem(collection, database)
    if (collProblem !== undefined) {
      throw new RestoreError(`${where} would go to the collection "${shownName(collection)}" in ${shownName(database)} (${by}), which cannot be a collection name: ${collProblem}. Nothing was written; rename it with --ns-from/--ns-to.`)
    }
    if (isSystemDatabase(database) && !namedDatabase) {
      throw new RestoreError(
        `${where} would go to the database "${shownName(database)}", one of MongoDB's system databases (${SYSTEM_DATABASES.join(', ')}). ` +
          `Nothing was written: restore writes there only when you name it yourself (--db ${shownName(database)}, or --ns-from '${shownName(source)}' --ns-to '${shownName(target)}'); or restore elsewhere with --db / --ns-to.`
      )
    }
    if (isSystemCollection(collection) && !namedCollection) {
      throw new RestoreError(
        `${where} would go to "${shownName(target)}", a system collection of MongoDB (system.*). ` +
          `Nothing was written: restore writes there only when you name it yourself (--ns-from '${shownName(source)}' --ns-to '${shownName(target)}'); or rename it with --ns-from/--ns-to.`
      )
    }
    const other = targets.get(target)
    if (other !== undefined) {
      throw new RestoreError(`${shownName(other)} and ${shownName(source)} of the archive would both go to ${shownName(target)}. Nothing was written; change --db or --ns-from/--ns-to.`)
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

/** A damaged or unreadable archive, in the words of a restore that wrote nothing. */
function formatError(error: unknown): never {
  if (error instanceof ArchiveFormatError) throw new RestoreError(`${clause(error.message)}. Nothing was written; download or copy the archive again.`)
  if (error instanceof RestoreError) throw error
  if (error instanceof Error && /^Cannot (open|read) the archive/.test(error.message)) throw new RestoreError(`${clause(error.message)}. Nothing was written.`)
  throw error
}
