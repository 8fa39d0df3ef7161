// The options, progress and result of an archive restore (restoreArchive, archive.ts), shared by its steps.

import type {Logger} from '../../common/log.ts'
import type {RestoreMode} from './json.ts'

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
