// Streams raw BSON documents into a mongoexport-identical JSON file: framing as mongoexport/json.go writes it
// (mongo-tools-format.md §1.2), output built in ~1 MiB chunks, one chunk on disk while the next fills, sha256 and
// byte count taken from the same chunks, and a temporary file renamed into place only once everything is written.

import {createHash, randomBytes} from 'node:crypto'
import {open, rename, rm, type FileHandle} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'
import {appendIndented} from '../ejson/indent.ts'
import {ExtJsonTranscoder} from '../ejson/writer.ts'
import {WorkerSink} from './sink.ts'
import type {ExportOptions, ExportProgress, ExportResult} from './types.ts'

/** Output is handed to the file in chunks of about this size (one write per chunk, not per document). */
export const CHUNK_BYTES = 1024 * 1024
// A chunk is flushed after the document that crosses CHUNK_BYTES, so leave room for a typical last document.
const OUTPUT_BUFFER_BYTES = CHUNK_BYTES + 256 * 1024
const DEFAULT_PROGRESS_INTERVAL_MS = 2000

const COMMA = 0x2c
const NEWLINE = 0x0a

/**
 * Writes the documents to `path` exactly as mongoexport would. `docs === null` means the collection does not exist:
 * mongoexport then writes nothing at all, not even `[` (an empty file).
 */
export async function writeExportFile(
  docs: AsyncIterable<Uint8Array> | null,
  path: string,
  opts: ExportOptions
): Promise<ExportResult> {
  return writeExport(docs, path, opts)
}

/** Like writeExportFile, but the source may also yield whole batches (as a cursor delivers them) to save awaits. */
export async function writeExport(
  source: AsyncIterable<Uint8Array | readonly Uint8Array[]> | null,
  path: string,
  opts: ExportOptions
): Promise<ExportResult> {
  const tempPath = join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`)
  let file: FileHandle
  try {
    file = await open(tempPath, 'wx')
  } catch (error) {
    throw new Error(`Cannot create the temporary export file ${tempPath} for ${path}: ${(error as Error).message}`, { cause: error })
  }

  const format = opts.format
  const jsonArray = opts.jsonArray === true
  const pretty = opts.pretty === true
  const onDocument = opts.onDocument
  const out = new ExtJsonTranscoder(OUTPUT_BUFFER_BYTES)
  const compact = pretty ? new ExtJsonTranscoder() : undefined
  const hash = createHash('sha256')
  const started = performance.now()
  let documents = 0
  let flushedBytes = 0
  let pendingWrite: Promise<void> | undefined

  const progress = (): ExportProgress => {
    const elapsedMs = performance.now() - started
    const bytes = flushedBytes + out.len
    const seconds = elapsedMs / 1000
    return {
      documents,
      bytes,
      elapsedMs,
      docsPerSec: seconds > 0 ? documents / seconds : 0,
      bytesPerSec: seconds > 0 ? bytes / seconds : 0
    }
  }
  const onProgress = opts.onProgress
  const timer =
    onProgress === undefined
      ? undefined
      : setInterval(() => onProgress(progress()), opts.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS)
  timer?.unref()

  // An export that fills more than one chunk hands its chunks to a worker thread that hashes and writes them
  // (sink.ts), so this thread only converts. A smaller one is written from here: two output buffers take turns, one
  // filling while the other is on its way to disk, so encoding overlaps the write and no memory is allocated per chunk.
  let sink: WorkerSink | undefined
  let writingBuffer: Buffer | undefined
  const flush = async (final: boolean): Promise<void> => {
    if (out.len === 0) return
    if (sink === undefined && !final && flushedBytes === 0) sink = new WorkerSink(file.fd, 0, OUTPUT_BUFFER_BYTES)
    if (sink !== undefined) {
      const chunk = out.takeChunk(await sink.take())
      flushedBytes += chunk.length
      sink.write(chunk)
      return
    }
    if (pendingWrite !== undefined) await pendingWrite
    const filled = out.buf
    const chunk = out.takeChunk(writingBuffer ?? Buffer.allocUnsafe(OUTPUT_BUFFER_BYTES))
    writingBuffer = filled
    hash.update(chunk)
    flushedBytes += chunk.length
    pendingWrite = writeFully(file, chunk)
    // Awaited at the next flush or at the end; until then a failure (a full disk) must not be an unhandled rejection.
    pendingWrite.catch(() => undefined)
  }

  const writeOne = (doc: Uint8Array): void => {
    onDocument?.(doc)
    if (documents > 0) {
      if (jsonArray) out.appendByte(COMMA)
      if (pretty) out.appendByte(NEWLINE)
    }
    try {
      if (compact !== undefined) {
        compact.len = 0
        compact.appendDocument(doc, format)
        appendIndented(out, compact.buf, 0, compact.len)
      } else {
        out.appendDocument(doc, format)
      }
    } catch (error) {
      throw new Error(`Export to ${path}: document #${documents + 1} cannot be converted: ${(error as Error).message}`, {
        cause: error
      })
    }
    if (!jsonArray && !pretty) out.appendByte(NEWLINE)
    documents++
  }

  let closed = false
  let sha256 = ''
  try {
    if (source !== null) {
      if (jsonArray) out.appendByte(0x5b)
      for await (const item of source) {
        if (item instanceof Uint8Array) {
          writeOne(item)
          if (out.len >= CHUNK_BYTES) await flush(false)
        } else {
          for (const doc of item) {
            writeOne(doc)
            if (out.len >= CHUNK_BYTES) await flush(false)
          }
        }
      }
      if (jsonArray) {
        out.appendByte(0x5d)
        out.appendByte(NEWLINE)
      }
      if (pretty) out.appendByte(NEWLINE)
    }
    await flush(true)
    if (pendingWrite !== undefined) await pendingWrite
    pendingWrite = undefined
    sha256 = sink !== undefined ? await sink.finish() : hash.digest('hex')
    closed = true
    await file.close()
    await rename(tempPath, path)
  } catch (error) {
    await pendingWrite?.catch(() => undefined)
    await sink?.close().catch(() => undefined)
    if (!closed) await file.close().catch(() => undefined)
    await rm(tempPath, { force: true }).catch(() => undefined)
    throw ioError(error, path)
  } finally {
    if (timer !== undefined) clearInterval(timer)
  }

  const result: ExportResult = {
    path,
    documents,
    bytes: flushedBytes,
    sha256,
    collectionExists: source !== null
  }
  onProgress?.(progress())
  return result
}

const IO_HINTS: Record<string, string> = {
  ENOSPC: 'the disk is full; free space on it or write the export elsewhere',
  EDQUOT: 'the disk quota is exceeded; free space or write the export elsewhere',
  EROFS: 'the file system is read-only; write the export elsewhere',
  EACCES: 'permission denied; write the export to a directory you can write to',
  EPERM: 'permission denied; write the export to a directory you can write to',
  EIO: 'an I/O error of the disk'
}

/** A file system error as a message naming the file and what to do; other errors (the server's) pass through. */
function ioError(error: unknown, path: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code) || (error as {errorLabels?: unknown}).errorLabels !== undefined) return error
  const hint = IO_HINTS[code] ?? (error as Error).message
  return new Error(`Writing the export file ${path} failed (${code}): ${hint}. Nothing of this file was kept.`, { cause: error })
}

async function writeFully(file: FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0
  while (offset < chunk.length) {
    const { bytesWritten } = await file.write(chunk, offset, chunk.length - offset)
    offset += bytesWritten
  }
}
