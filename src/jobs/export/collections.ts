// More timestamped collections exported with the outputs (issue 12: Prancer's snapshot and resource collections carry
// an int64 epoch-ms `timestamp` too): the outputs' exactly-once watermark generalised, one watermark per collection,
// kept in the outputs manifest (`collectionWatermarks`), so one artifact carries the whole chain's state.
import {join} from 'node:path'
import type {MongoClient} from 'mongodb'
import {exportCollection} from '../../mongo/export/index.ts'
import type {Logger} from '../../common/log.ts'
import {advanceWatermark, documentId, excludedIds, planWindow, usableTimestamp, windowFilter} from '../../prancer/incremental.ts'
import {safeFilePart} from '../../prancer/logs.ts'
import {andFilters, canonicalFilter, excludeIdsFilter} from '../../prancer/query.ts'
import type {ExportJobOptions} from './types.ts'
import {manifestHeader, type FileEntry, type Manifest} from '../../artifact/manifest.ts'
import type {Watermark} from '../../artifact/watermark.ts'

export interface CollectionsExport {
  files: FileEntry[]
  watermarks: Record<string, Watermark>
  documents: Record<string, number>
}

/** `collection` or `database.collection` → [database, collection] (the first dot separates, as in a namespace). */
export function splitNamespace(name: string, defaultDatabase: string): [string, string] {
  const dot = name.indexOf('.')
  return dot > 0 ? [name.slice(0, dot), name.slice(dot + 1)] : [defaultDatabase, name]
}

export async function exportCollections(
  client: MongoClient,
  defaultDatabase: string,
  opts: ExportJobOptions,
  previous: Manifest | null,
  dir: string,
  register: (path: string) => void,
  logger: Logger
): Promise<CollectionsExport> {
  const out: CollectionsExport = {files: [], watermarks: {}, documents: {}}
  const previousMarks = (previous?.collectionWatermarks ?? {}) as Record<string, Watermark>
  for (const name of opts.collections ?? []) {
    const [database, collection] = splitNamespace(name, defaultDatabase)
    const ns = `${database}.${collection}`
    if (ns in out.watermarks) continue
    const mark = previousMarks[ns]
    // Each collection continues its own chain; one it has no watermark for starts with a full export.
    const plan = planWindow(opts.since, mark ? {...manifestHeader('outputs', ''), files: [], watermark: mark} : null, opts.lookbackMs)
    for (const notice of plan.notices) logger.notice(`${ns}: ${notice}`)
    for (const warning of plan.warnings) logger.warning(`${ns}: ${warning}`)
    const filter = andFilters([windowFilter(plan), excludeIdsFilter(excludedIds(plan))])
    const fileName = `${safeFilePart(database)}.${safeFilePart(collection)}.json`
    const path = join(dir, fileName)
    register(path)
    const exported: Array<{id: string; ts: number}> = []
    const written = await exportCollection(client.db(database), collection, {filter}, path, {
      format: opts.jsonFormat,
      onDocument: (doc: Uint8Array) => {
        const ts = usableTimestamp(doc)
        if (ts !== undefined) exported.push({id: documentId(doc), ts})
      }
    })
    const {newOutliers, ...watermark} = advanceWatermark(plan, exported)
    if (newOutliers.length > 0) logger.warning(`${ns}: ${newOutliers.length} exported documents have a timestamp Prancer cannot have written (${newOutliers.slice(0, 5).map(o => `_id ${o.id} timestamp ${o.ts}`).join('; ')}); exported once, they do not move the watermark.`)
    if (!written.collectionExists) logger.warning(`The collection ${ns} (input collections) does not exist.`)
    logger.info(`Exported ${written.documents} documents of ${ns} (${written.bytes} bytes); watermark ${watermark.value ?? 'none'}.`)
    out.files.push({path: fileName, database, collection, filter: canonicalFilter(filter), documents: written.documents, bytes: written.bytes, sha256: written.sha256, jsonFormat: opts.jsonFormat})
    out.watermarks[ns] = watermark
    out.documents[ns] = written.documents
  }
  return out
}
