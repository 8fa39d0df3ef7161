// Reading an Extended JSON file as mongoimport does: the stream is split into values (a UTF-8 BOM skipped, values
// separated by whitespace or in one top-level array, a value may span lines), each value is parsed as it completes
// (ext-json-to-bson.ts), and each document comes with its line, or with why mongoimport would refuse it. Finding
// the end of a value without parsing it, and buffering the unfinished one, is the hot loop of reading a file.

import type {Readable} from 'node:stream'
import {ExtJsonSyntaxError, errorInFile} from './errors.ts'
import {extJsonBytesToBson} from './ext-json-to-bson.ts'
import {MAX_BSON_DOCUMENT_BYTES, MAX_DOCUMENT_TEXT_BYTES} from './limits.ts'
import * as scanner from './scanner.ts'

// Bound as this module's own, as a constant V8 can inline without a check: it is called on bytes between values.
const {isWhite} = scanner

/** Counters of the work the splitter does, for tests and benchmarks. */
export interface ReadExtJsonStats {
  /** Bytes copied into (or moved inside) the buffer that holds an unfinished value. */
  bufferedBytes: number
}

/** One value read from an Extended JSON file: its BSON, or why mongoimport would refuse it. */
export interface ExtJsonDocument {
  /** 1-based line where the document starts. */
  line: number
  bson?: Uint8Array
  error?: Error
}

export interface ReadExtJsonOptions {
  /**
   * true: the input is one top-level array of documents (mongoimport --jsonArray); false: documents
   * separated by whitespace (mongoexport's one per line); 'auto' (default): an array when the first
   * non-space byte is `[`.
   */
  jsonArray?: boolean | 'auto'
  /**
   * A value with more text than this is refused (a structural error: reading stops) as soon as that many
   * bytes of it are buffered. Default MAX_DOCUMENT_TEXT_BYTES.
   */
  maxDocumentTextBytes?: number
  /** Filled in while reading. */
  stats?: ReadExtJsonStats
}

/**
 * Splits an Extended JSON stream into documents like mongoimport: a UTF-8 BOM is skipped, values
 * only need whitespace between them and may span lines. Each value is parsed as it completes.
 * A structural error of the file itself (unterminated value, bad array syntax) ends the iteration
 * with an `error` entry; a document that does not parse is reported and reading continues.
 */
export async function* readExtJsonDocuments(
  stream: Readable | AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  opts: ReadExtJsonOptions = {}
): AsyncGenerator<ExtJsonDocument> {
  const splitter = new ValueSplitter(opts.jsonArray ?? 'auto', opts.maxDocumentTextBytes ?? MAX_DOCUMENT_TEXT_BYTES, opts.stats)
  for await (const chunk of stream as AsyncIterable<Uint8Array | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk
    yield* splitter.push(bytes)
    if (splitter.failed) return
  }
  for (const doc of splitter.finish()) yield doc
}

const EMPTY = new Uint8Array(0)

const SPLIT_START = 0 // before anything (BOM, array detection)
const SPLIT_BETWEEN = 1 // between top-level values
const SPLIT_CONTAINER = 2 // inside an object or array value
const SPLIT_SCALAR = 3 // inside a bare top-level scalar
const SPLIT_ARRAY_OPEN = 4 // jsonArray: after '[' (a value or ']')
const SPLIT_ARRAY_SEP = 5 // jsonArray: after a value (',' or ']')
const SPLIT_ARRAY_VALUE = 6 // jsonArray: after ',' (a value)
const SPLIT_ARRAY_DONE = 7 // jsonArray: after ']' (only whitespace)

/**
 * Finds value boundaries without parsing, resumable across chunks, counting lines.
 *
 * Buffering is linear in the input: a chunk that starts no value is used in place; an unfinished value
 * lives in an owned buffer that is appended to, compacted when it is full but its start is consumed,
 * and doubled otherwise, so each byte is copied a bounded number of times however long the value is
 * (joining every new chunk to the whole unfinished value made one long line quadratic). A value is
 * never buffered beyond `maxText` bytes.
 */
class ValueSplitter {
  failed = false
  /** The bytes being scanned: a chunk as received, or the used part of `store`. */
  private buf: Uint8Array = EMPTY
  /** Owned storage for an unfinished value; `buf` is `store.subarray(0, buf.length)` when `inStore`. */
  private store: Uint8Array = EMPTY
  private inStore = false
  private pos = 0
  private state = SPLIT_START
  private array: boolean | 'auto'
  private readonly maxText: number
  private readonly stats: ReadExtJsonStats | undefined
  private line = 1
  /** Offset in buf of the first byte of the current line (may be negative after a shift). */
  private lineStart = 0
  private valueStart = 0
  private valueLine = 1
  private valueLineStart = 0
  private depth = 0
  private inString = false
  private escaped = false
  private sawBom = false

  constructor(array: boolean | 'auto', maxText: number, stats?: ReadExtJsonStats) {
    this.array = array
    this.maxText = maxText
    this.stats = stats
  }

  push(chunk: Uint8Array): ExtJsonDocument[] {
    if (this.failed || chunk.length === 0) return []
    // Keep only the unfinished value (or nothing) from the previous chunk.
    const keepFrom = this.state === SPLIT_CONTAINER || this.state === SPLIT_SCALAR ? this.valueStart : this.pos
    const rest = this.buf.length - keepFrom
    let shift = keepFrom
    if (rest === 0) {
      this.buf = chunk
      this.inStore = false
      // A buffer grown for one long value is not kept for the rest of the file.
      if (this.store.length > 1 << 20) this.store = EMPTY
    } else {
      const needed = rest + chunk.length
      let copied = chunk.length
      if (this.inStore && keepFrom + needed <= this.store.length) {
        this.store.set(chunk, this.buf.length)
        this.buf = this.store.subarray(0, keepFrom + needed)
        shift = 0
      } else {
        if (this.inStore && needed <= this.store.length) {
          // Room after moving the unfinished value to the start. Each byte is moved at most once this
          // way: the next move only concerns a value that starts after this one.
          this.store.copyWithin(0, keepFrom, this.buf.length)
        } else {
          const source = this.buf.subarray(keepFrom)
          if (needed > this.store.length) {
            // Doubled (amortized linear), but never far beyond what the value may grow to.
            const doubled = Math.max(2 * this.store.length, 65536)
            this.store = new Uint8Array(Math.max(needed, Math.min(doubled, this.maxText + chunk.length)))
          }
          this.store.set(source)
        }
        copied += rest
        this.store.set(chunk, rest)
        this.buf = this.store.subarray(0, needed)
      }
      this.inStore = true
      if (this.stats) this.stats.bufferedBytes += copied
    }
    this.pos -= shift
    this.valueStart -= shift
    this.lineStart -= shift
    this.valueLineStart -= shift
    return this.scan(false)
  }

  finish(): ExtJsonDocument[] {
    if (this.failed) return []
    const docs = this.scan(true)
    if (this.failed) return docs
    if (this.state === SPLIT_CONTAINER) docs.push(this.structural('unexpected end of input: the document is not terminated', this.valueLine))
    else if (this.state === SPLIT_SCALAR) docs.push(this.emit(this.buf.length))
    else if (this.array === true && this.state !== SPLIT_ARRAY_DONE) {
      docs.push(this.structural(this.state === SPLIT_START ? "bad JSON array format - found no opening bracket '[' in input source" : "bad JSON array format - found no closing bracket ']' in input source", this.line))
    }
    return docs
  }

  private structural(message: string, line: number): ExtJsonDocument {
    this.failed = true
    return {line, error: new ExtJsonSyntaxError(`line ${line}: ${message}`, this.pos, this.pos - this.lineStart + 1, line)}
  }

  private emit(end: number): ExtJsonDocument {
    const line = this.valueLine
    try {
      return {line, bson: extJsonBytesToBson(this.buf, this.valueStart, end)}
    } catch (error) {
      if (!(error instanceof ExtJsonSyntaxError)) throw error
      return {line, error: errorInFile(error, this.buf, this.valueStart, end, line, this.valueLineStart)}
    }
  }

  private startValue(at: number): void {
    this.valueStart = at
    this.valueLine = this.line
    this.valueLineStart = this.lineStart
    this.depth = 0
    this.inString = false
    this.escaped = false
  }

  private scan(atEnd: boolean): ExtJsonDocument[] {
    const docs: ExtJsonDocument[] = []
    const b = this.buf
    const n = b.length
    let p = this.pos
    while (p < n) {
      const c = b[p]
      switch (this.state) {
        case SPLIT_START:
          if (!this.sawBom && p === 0 && c === 0xef) {
            if (n < 3 && !atEnd) {
              this.pos = p
              return docs
            }
            this.sawBom = true
            if (b[1] === 0xbb && b[2] === 0xbf) {
              p = 3
              continue
            }
          }
          this.sawBom = true
          if (isWhite(c)) break
          if (this.array === 'auto') this.array = c === 0x5b
          if (this.array === true) {
            if (c !== 0x5b) {
              this.pos = p
              docs.push(this.structural("bad JSON array format - found no opening bracket '[' in input source", this.line))
              return docs
            }
            this.state = SPLIT_ARRAY_OPEN
            break
          }
          this.state = SPLIT_BETWEEN
          continue
        case SPLIT_BETWEEN:
        case SPLIT_ARRAY_OPEN:
        case SPLIT_ARRAY_VALUE:
          if (isWhite(c)) break
          if (c === 0x5d && this.state === SPLIT_ARRAY_OPEN) {
            this.state = SPLIT_ARRAY_DONE
            break
          }
          if (this.state !== SPLIT_BETWEEN && (c === 0x2c || c === 0x5d)) {
            this.pos = p
            docs.push(this.structural(`bad JSON array format - found '${String.fromCharCode(c)}' where a document was expected`, this.line))
            return docs
          }
          this.startValue(p)
          this.state = c === 0x7b || c === 0x5b ? SPLIT_CONTAINER : SPLIT_SCALAR
          continue
        case SPLIT_CONTAINER: {
          // The hot loop of file reading: runs over every byte of every document.
          let depth = this.depth
          let inString = this.inString
          let escaped = this.escaped
          let q = p
          for (; q < n; q++) {
            const d = b[q]
            if (inString) {
              if (escaped) escaped = false
              else if (d === 0x5c) escaped = true
              else if (d === 0x22) inString = false
              else if (d === 0x0a) this.newline(q)
            } else if (d === 0x22) inString = true
            else if (d === 0x7b || d === 0x5b) depth++
            else if (d === 0x7d || d === 0x5d) {
              if (--depth === 0) break
            } else if (d === 0x0a) this.newline(q)
          }
          this.depth = depth
          this.inString = inString
          this.escaped = escaped
          if (q === n) {
            p = n
            continue
          }
          if (q + 1 - this.valueStart > this.maxText) {
            this.pos = q + 1
            docs.push(this.tooMuchText())
            return docs
          }
          docs.push(this.emit(q + 1))
          this.state = this.array === true ? SPLIT_ARRAY_SEP : SPLIT_BETWEEN
          p = q + 1
          continue
        }
        case SPLIT_SCALAR:
          if (isWhite(c) || (this.array === true && (c === 0x2c || c === 0x5d))) {
            if (p - this.valueStart > this.maxText) {
              this.pos = p
              docs.push(this.tooMuchText())
              return docs
            }
            docs.push(this.emit(p))
            this.state = this.array === true ? SPLIT_ARRAY_SEP : SPLIT_BETWEEN
            continue
          }
          break
        case SPLIT_ARRAY_SEP:
          if (isWhite(c)) break
          if (c === 0x2c) this.state = SPLIT_ARRAY_VALUE
          else if (c === 0x5d) this.state = SPLIT_ARRAY_DONE
          else {
            this.pos = p
            docs.push(this.structural(`bad JSON array format - found '${String.fromCharCode(c)}' outside JSON object/array in input source`, this.line))
            return docs
          }
          break
        case SPLIT_ARRAY_DONE:
          if (isWhite(c)) break
          this.pos = p
          docs.push(this.structural(`bad JSON array format - found '${String.fromCharCode(c)}' after ']' in input source`, this.line))
          return docs
      }
      if (c === 0x0a) this.newline(p)
      p++
    }
    this.pos = p
    // An unfinished value is buffered until its end: not beyond the cap.
    if ((this.state === SPLIT_CONTAINER || this.state === SPLIT_SCALAR) && n - this.valueStart > this.maxText) docs.push(this.tooMuchText())
    return docs
  }

  private tooMuchText(): ExtJsonDocument {
    const limit = this.maxText % (1 << 20) === 0 ? `${this.maxText / (1 << 20)} MiB` : `${this.maxText} bytes`
    return this.structural(
      `the document starting here is more than ${limit} of text, far beyond the ${MAX_BSON_DOCUMENT_BYTES} bytes (16 MiB) a MongoDB document may hold, so reading stopped ` +
        `(is this an Extended JSON export, one document per line? a damaged file can run lines together)`,
      this.valueLine
    )
  }

  private newline(at: number): void {
    this.line++
    this.lineStart = at + 1
  }
}
