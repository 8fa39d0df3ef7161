import type {Document} from 'mongodb'
import type {JsonFormat} from '../../ejson/types.ts'

export interface ExportOptions {
  format: JsonFormat
  /** mongoexport --jsonArray: `[doc,doc]` plus a newline. */
  jsonArray?: boolean
  /** mongoexport --pretty: each document indented with tabs (Go json.Indent). */
  pretty?: boolean
  /** Called with each raw document before it is written, so callers can read fields without a second pass. */
  onDocument?: (doc: Uint8Array) => void
  /** Called every `progressIntervalMs` while the export runs, and once when it completes. */
  onProgress?: (progress: ExportProgress) => void
  /** Default 2000 ms. */
  progressIntervalMs?: number
  /** Conversion threads of an export larger than one chunk; by default from the cores (threads.ts). */
  converterThreads?: number
}

export interface ExportProgress {
  documents: number
  /** Output bytes produced so far. */
  bytes: number
  elapsedMs: number
  docsPerSec: number
  bytesPerSec: number
}

export interface ExportResult {
  path: string
  documents: number
  bytes: number
  /** Hex sha256 of the file's bytes. */
  sha256: string
  /** False when the collection did not exist; the file is then empty, as mongoexport leaves it. */
  collectionExists: boolean
}

/** The find() that selects the exported documents. */
export interface FindSpec {
  filter?: Document
  sort?: Document
  projection?: Document
  limit?: number
  batchSize?: number
  hint?: Document
}
