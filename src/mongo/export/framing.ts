// mongoexport's framing of the documents it writes (mongo-tools-format.md §1.2, mongoexport/json.go): one compact
// document per line by default; `[a,b]` plus a newline with --jsonArray; each document indented (Go json.Indent) with
// --pretty. Shared by the main thread (small exports and the first chunk) and the converter threads (thread-roles.ts),
// which take over an export half-way: `documents` says how many were framed before, so the separators continue correctly.

import {appendIndented} from '../../ejson/indent.ts'
import type {JsonFormat} from '../../ejson/types.ts'
import {ExtJsonTranscoder} from '../../ejson/writer.ts'

const COMMA = 0x2c
const NEWLINE = 0x0a
const OPEN_BRACKET = 0x5b
const CLOSE_BRACKET = 0x5d

export interface Framing {
  format: JsonFormat
  jsonArray: boolean
  pretty: boolean
}

export class JsonFramer {
  readonly out: ExtJsonTranscoder
  /** Documents framed so far, including those framed by whoever wrote the export's earlier part. */
  documents: number
  private readonly framing: Framing
  private readonly compact: ExtJsonTranscoder | undefined

  constructor(framing: Framing, capacity: number, documents = 0) {
    this.framing = framing
    this.out = new ExtJsonTranscoder(capacity)
    this.compact = framing.pretty ? new ExtJsonTranscoder() : undefined
    this.documents = documents
  }

  /** What comes before the first document (`[` with --jsonArray). */
  open(): void {
    if (this.framing.jsonArray) this.out.appendByte(OPEN_BRACKET)
  }

  /** Appends one document with its separators; throws the transcoder's error for a malformed one, leaving `out` as it was before its separator. */
  append(doc: Uint8Array): void {
    const {out, framing, compact} = this
    const mark = out.len
    if (this.documents > 0) {
      if (framing.jsonArray) out.appendByte(COMMA)
      if (framing.pretty) out.appendByte(NEWLINE)
    }
    try {
      if (compact !== undefined) {
        compact.len = 0
        compact.appendDocument(doc, framing.format)
        appendIndented(out, compact.buf, 0, compact.len)
      } else {
        out.appendDocument(doc, framing.format)
      }
    } catch (error) {
      out.len = mark
      throw error
    }
    if (!framing.jsonArray && !framing.pretty) out.appendByte(NEWLINE)
    this.documents++
  }

  /** What comes after the last document (`]` and a newline with --jsonArray, a newline with --pretty). */
  close(): void {
    if (this.framing.jsonArray) {
      this.out.appendByte(CLOSE_BRACKET)
      this.out.appendByte(NEWLINE)
    }
    if (this.framing.pretty) this.out.appendByte(NEWLINE)
  }
}
