// Messages between the threads of a large export (threads.ts starts them; thread-roles.ts is their code).
//
//   main ──docs (seq, first)──▶ converter i ──chunk (seq, last)──▶ writer
//        ◀──────free─────────              ◀────────free────────
//   main ──bytes (seq) / end──────────────────────────────────────▶ writer ──done / error──▶ main
//
// The main thread reads from the cursor and packs documents into buffers (each document after a 4-byte length, since
// its own length field may be wrong); pack `seq` goes to converter (seq - 1) % n. Every buffer is transferred, not
// copied, and goes back to its owner empty. The writer writes the output of seq 0, 1, 2, … in that order, whichever
// converter finishes first, and hashes it as it goes.

import type {MessagePort} from 'node:worker_threads'
import type {Framing} from './framing.ts'

import type {ROLES} from '../../common/threads/roles.ts'

export interface ConverterData extends Framing {
  role: typeof ROLES.exportConverter
  /** Where this converter sends its output: a port to the writer. */
  writer: MessagePort
  chunkBytes: number
  outputBufferBytes: number
}

export interface WriterData {
  role: typeof ROLES.exportWriter
  fd: number
  /** One port per converter. */
  converters: MessagePort[]
}

/** main → converter */
export interface DocsMessage {
  type: 'docs'
  seq: number
  /** Index (0-based, over the whole export) of the pack's first document: the framing before it depends on it. */
  first: number
  buffer: ArrayBuffer
  length: number
}

/** converter → main */
export type FromConverter =
  | {type: 'free'; seq: number; buffer: ArrayBuffer; produced: number}
  | {type: 'error'; seq: number; message: string; document: number}

/** converter → writer: part of seq's output; `last` on the final part (which may be empty). */
export interface ChunkMessage {
  type: 'chunk'
  seq: number
  last: boolean
  buffer: ArrayBuffer
  length: number
}

/** writer → converter */
export interface FreeMessage {
  type: 'free'
  buffer: ArrayBuffer
}

/** main → writer: the output main produced itself (the head and the trailer) as whole parts, then the end. */
export type ToWriter = {type: 'bytes'; seq: number; buffer: ArrayBuffer; length: number} | {type: 'end'; parts: number}

/** writer → main */
export type FromWriter =
  | {type: 'done'; sha256: string; bytes: number}
  | {type: 'error'; message: string; code?: string; errno?: number; syscall?: string}
