// Messages between the main thread and the thread that parses a large Extended JSON file (threaded-reader.ts is the
// main side, parser-thread.ts the thread's):
//
//   main ──input (text chunk) / end / abort──▶ parser ──docs (pack) / error / end / aborted / failed──▶ main
//        ◀──────────taken──────────           ◀─────────────consumed──────────────
//
// Every buffer is transferred, not copied, and never reused: the main thread's consumer may keep a document's bytes
// (a view into its pack) as long as it likes. `taken` and `consumed` are credits, so at most INPUT_CHUNKS chunks and
// OUTPUT_PACKS packs or errors are on their way at any time and memory stays bounded whichever side is slower.

import type {ROLES} from '../common/threads/roles.ts'

export const INPUT_CHUNK_BYTES = 256 * 1024
export const INPUT_CHUNKS = 4
export const PACK_BYTES = 512 * 1024
export const OUTPUT_PACKS = 4
/** A pack holds, per document: its line (float64), its BSON length (uint32), its BSON. */
export const ENTRY_HEADER_BYTES = 12

export interface ParserData {
  role: typeof ROLES.ejsonParser
  jsonArray?: boolean | 'auto'
  maxDocumentTextBytes?: number
}

/** main → parser */
/** `abort`: reading the input failed; the parser stops where it is (no end-of-input check) and answers `aborted`. */
export type ToParser = {type: 'input'; buffer: ArrayBuffer; length: number} | {type: 'end'} | {type: 'abort'} | {type: 'consumed'}

/** parser → main. `error` is a document the reader refused (an ExtJsonDocument's error), in its place in order. */
export type FromParser =
  | {type: 'docs'; buffer: ArrayBuffer; length: number}
  | {type: 'error'; line: number; tooLarge: boolean; message: string; offset: number; column: number; errorLine?: number}
  | {type: 'taken'}
  | {type: 'end'}
  | {type: 'aborted'}
  | {type: 'failed'; message: string}
