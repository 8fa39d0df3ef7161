// The errors of the Extended JSON reader, and where they point. A document (or a file) that mongoimport would refuse
// is damaged data, so ExtJsonSyntaxError is a CorruptDataError (src/common/errors.ts); it adds the position of the
// problem, which the parser gives as a byte offset in the document and the file reader turns into a line and column
// of the file (errorInFile).

import {CorruptDataError} from '../common/errors.ts'

/** A document that mongoimport would refuse. `offset` is the byte offset in the parsed text. */
export class ExtJsonSyntaxError extends CorruptDataError {
  /** 1-based byte column where the problem was found, relative to the start of the document. */
  readonly column: number
  readonly offset: number
  /** 1-based line of the problem, when read from a file. */
  readonly line?: number
  constructor(message: string, offset: number, column: number, line?: number) {
    super(message)
    this.name = 'ExtJsonSyntaxError'
    this.offset = offset
    this.column = column
    if (line !== undefined) this.line = line
  }
}

/**
 * A document whose BSON would be larger than MAX_BSON_DOCUMENT_BYTES, the most a MongoDB server stores in
 * one document. The Go parser has no such limit (mongoimport leaves it to the server); it is refused here
 * as soon as the output passes the limit, so the output buffer never grows beyond it.
 */
export class DocumentTooLargeError extends ExtJsonSyntaxError {
  constructor(message: string, offset: number, column: number, line?: number) {
    super(message, offset, column, line)
    this.name = 'DocumentTooLargeError'
  }
}

/**
 * The parser's error for a document of a file, given again with the document's line (`line`, whose first byte is at
 * `lineStart` in `text`) and the problem's line and column in the file. The document is text[valueStart, end).
 */
export function errorInFile(
  error: ExtJsonSyntaxError,
  text: Uint8Array,
  valueStart: number,
  end: number,
  line: number,
  lineStart: number
): ExtJsonSyntaxError {
  if (error instanceof DocumentTooLargeError) return new DocumentTooLargeError(`line ${line}: ${error.message}`, error.offset, error.column, line)
  // Position of the problem as line and column in the file.
  let errLine = line
  let errLineStart = lineStart
  const stop = Math.min(error.offset, end)
  for (let i = valueStart; i < stop; i++) {
    if (text[i] === 0x0a) {
      errLine++
      errLineStart = i + 1
    }
  }
  const column = error.offset - errLineStart + 1
  const where = errLine === line ? `line ${line}, column ${column}` : `line ${line} (error at line ${errLine}, column ${column})`
  return new ExtJsonSyntaxError(`${where}: ${error.message}`, error.offset, column, line)
}
