// Messages between the archive writer (writer.ts, main thread) and its output thread (output-thread.ts), which takes
// the CPU-heavy part of a backup off the main thread: the CRC-64 and sha256 of each namespace's documents, the gzip,
// the sha256 of the file and the writes. Chunks are transferred, not copied, and come back empty.

import type {ROLES} from '../common/threads/roles.ts'

export interface ArchiveOutputData {
  role: typeof ROLES.archiveOutput
  /** The file to write; null: every byte goes back to the main thread as 'data' (a streamed archive). */
  fd: number | null
  gzip: boolean
  gzipLevel: number
  namespaces: number
}

export type ToArchiveOutput =
  /** `segments`: [namespace index, start, length] triples: where in the chunk that namespace's documents lie. */
  | {type: 'chunk'; buffer: ArrayBuffer; length: number; segments: number[]}
  /** The CRC-64 and sha256 of a namespace's documents, once every chunk sent before is through. */
  | {type: 'digest'; namespace: number}
  | {type: 'end'}
  /** Streamed archive: the main thread passed on this many bytes of 'data'; the thread may send that much more. */
  | {type: 'ack'; bytes: number}

export type FromArchiveOutput =
  | {type: 'free'; buffer: ArrayBuffer}
  /** Streamed archive: the next bytes of the archive, in order. */
  | {type: 'data'; buffer: ArrayBuffer}
  | {type: 'digest'; namespace: number; crc: bigint; sha256: string}
  | {type: 'done'; bytes: number; sha256: string}
  | {type: 'error'; message: string; code?: string; errno?: number; syscall?: string}
