// Exports one collection the way mongoexport does: existence check through listCollections with a name filter
// (a missing collection gives an empty file, not an error), then a raw find() streamed into the file writer.

import type {Db, FindCursor, FindOptions} from 'mongodb'
import {writeExport} from './file-writer.ts'
import type {ExportOptions, ExportResult, FindSpec} from './types.ts'

/**
 * Documents per batch. Peak RSS grows with the reply size while speed barely changes, so replies stay small; the
 * prefetch in rawBatches hides the extra round trips. Measured with 1.5 KB Prancer-shaped documents (bench/export.ts):
 * on FerretDB, 20,000 documents: 120/124/140/150 MB for 101/500/2000/5000, 200,000 documents: 116-139 MB with 101 (as
 * a bare driver cursor), 272 MB with 2000; on the replay peer, 1,000,000 documents: 208/269/320 MB for 101/300/1000
 * (a bare cursor with the same batch size: 203/279/306 MB) with wall times within 6% of each other.
 */
export const DEFAULT_BATCH_SIZE = 101

export async function exportCollection(
  db: Db,
  collection: string,
  find: FindSpec,
  path: string,
  opts: ExportOptions
): Promise<ExportResult> {
  if (!(await collectionExists(db, collection))) return writeExport(null, path, opts)
  const options: FindOptions = { raw: true, batchSize: find.batchSize ?? DEFAULT_BATCH_SIZE }
  if (find.sort !== undefined) options.sort = find.sort
  if (find.projection !== undefined) options.projection = find.projection
  if (find.limit !== undefined) options.limit = find.limit
  if (find.hint !== undefined) options.hint = find.hint
  const cursor = db.collection(collection).find<Uint8Array>(find.filter ?? {}, options)
  return writeExport(rawBatches(cursor), path, opts)
}

/** mongoexport's check: listCollections filtered by name, then an exact comparison of the names returned. */
export async function collectionExists(db: Db, collection: string): Promise<boolean> {
  const found = await db.listCollections({ name: collection }, { nameOnly: true }).toArray()
  return found.some((info) => info.name === collection)
}

/**
 * Yields the cursor's documents batch by batch. The next getMore is started before the current batch is handed
 * out, so the server prepares batch N+1 while batch N is being converted and written.
 */
export async function* rawBatches(cursor: FindCursor<Uint8Array>): AsyncGenerator<readonly Uint8Array[]> {
  let next: Promise<boolean> | undefined
  try {
    let more = await cursor.hasNext()
    while (more) {
      const batch = cursor.readBufferedDocuments()
      next = cursor.hasNext()
      // If the consumer stops early, the prefetch may fail after nobody listens; `finally` still awaits it.
      next.catch(() => undefined)
      yield batch
      more = await next
      next = undefined
    }
  } finally {
    if (next !== undefined) await next.catch(() => undefined)
    await cursor.close()
  }
}
