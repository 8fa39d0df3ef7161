// The Store seam: where complete exports and backups are kept between runs, and found again. Every reader of
// "an earlier export" (since: auto, the baseline of a pull-request check, a chain restore) goes through it, so a new
// kind of storage plugs in here and nowhere else.
//
// Two levels, as backup tools settled on them (Percona Backup for MongoDB's storage interface, restic's backends):
// - ObjectStore: bytes under keys (save a stream, open a reader, stat, list by prefix, delete, copy). A local
//   directory is one; S3, Azure Blob and GCS are others.
// - Store: complete sets (one export or backup: its data files and its manifest.json). A set is written
//   write-then-commit: the data files first, the manifest last, so a reader that lists sets never sees one without
//   its manifest. GitHub artifacts are a Store of their own (an artifact is a set, finalized whole by the service);
//   an ObjectStore becomes a Store through the key layout of src/artifact/stores/object-sets.ts.

import type {Readable} from 'node:stream'
import type {Manifest, ManifestKind} from './manifest.ts'

/** One complete export or backup in a store. */
export interface StoredSet {
  /** The artifact's name, or the set's folder name in an object store. */
  name: string
  /** The store's own handle: an artifact id, a key prefix. */
  id: string
  /** ISO-8601, as the store reports it; null when it does not. */
  createdAt: string | null
  /** The workflow run that made it (GitHub), when known. */
  runId: number | null
  /** The branch of that run (GitHub), when known. */
  headBranch: string | null
  /** Bytes as stored (a zip for artifacts), when known. */
  size: number | null
}

/** Tells the names of one family (a RegExp is one). */
export interface NameMatcher {
  test(name: string): boolean
}

export interface SetQuery {
  /** Set names of one family (src/artifact/naming.ts nameFamilyPattern, or a glob). */
  family: NameMatcher
  /** The kind of set, where the store's layout tells kinds apart (object stores); artifacts tell them by name. */
  kind?: ManifestKind
  /** When the family is a single name, a store that can filter by name does. */
  exactName?: string | undefined
  /** Stores that list newest first stop after the first page holding a set this accepts. */
  stopAtFirstPageWith?: (set: StoredSet) => boolean
}

export interface SetListing {
  sets: StoredSet[]
  /** Sets of the family left out because nobody should trust them (artifacts of pull requests from forks). */
  untrusted: number
  /** The store lists newest first and the listing stopped at its page limit without a match. */
  exhausted: boolean
}

/** Where complete exports and backups are kept. */
export interface Store {
  /** How messages name the store (never a secret), e.g. `GitHub artifacts of o/r`, `file:///srv/prancer`. */
  readonly label: string
  /** Complete sets only: a set without its manifest is never listed. */
  list(query: SetQuery): Promise<SetListing>
  /** A set's files (its manifest included) into `dir`, created if missing; nothing outside `dir` is written. */
  download(set: StoredSet, dir: string): Promise<void>
  /** Removes a whole set. */
  remove(set: StoredSet): Promise<void>
  /** A set's manifest alone, where the store can read one file of a set (object stores; not artifacts, which are zips). */
  readManifest?(set: StoredSet): Promise<Manifest>
}

/** An object as an ObjectStore lists it. */
export interface ObjectInfo {
  key: string
  size: number
  /** ISO-8601 time of the last write. */
  modified: string
}

/** What a probe checks: reading (list) alone, or writing and deleting too. */
export type ProbeAccess = 'read' | 'write'

/** Bytes under keys ('/'-separated, any Unicode). */
export interface ObjectStore {
  readonly label: string
  /** Writes the whole stream under `key`; the object appears only once it is complete. */
  save(key: string, body: Readable | Uint8Array): Promise<{bytes: number}>
  /** A reader of the object; throws RefusedError (code 'not-found') when there is none. */
  open(key: string): Promise<Readable>
  /** Null when there is no such object. */
  stat(key: string): Promise<ObjectInfo | null>
  /** Every object whose key starts with `prefix`, in key order. */
  list(prefix: string): AsyncIterable<ObjectInfo>
  /** Removes the object; no error when there is none. */
  delete(key: string): Promise<void>
  copy(from: string, to: string): Promise<void>
  /**
   * Before any data is read from MongoDB: lists below `prefix` and, for 'write', saves and deletes one empty object
   * there. Throws RefusedError naming the missing permission; returns which credentials were used (never a secret).
   */
  probe(access: ProbeAccess, prefix: string): Promise<string>
  /** Releases the client's connections. */
  close(): void
}
