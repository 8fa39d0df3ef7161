// Streams raw BSON documents into a mongoexport-identical JSON file: framing as mongoexport/json.go writes it
// (framing.ts), output in ~1 MiB chunks; once the export outgrows its first chunk, converter threads frame the rest
// and a writer thread hashes and writes it in order (threads.ts, thread-roles.ts). sha256 and byte count are taken
// from the bytes written, and a temporary file is renamed into place only once everything is written.

import {createHash, randomBytes} from 'node:crypto'
import {open, rename, rm, type FileHandle} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'
import {JsonFramer, type Framing} from './framing.ts'
import {defaultConverterThreads, ExportThreads, type ExportThreadError} from './threads.ts'
import type {ExportOptions, ExportProgress, ExportResult} from './types.ts'
import {CorruptDataError, RefusedError} from '../../common/errors.ts'

/** Output is handed to the file in chunks of about this size (one write per chunk, not per document). */
export const CHUNK_BYTES = 1024 * 1024
// A chunk is flushed after the document that crosses CHUNK_BYTES, so leave room for a typical last document.
const OUTPUT_BUFFER_BYTES = CHUNK_BYTES + 256 * 1024
const DEFAULT_PROGRESS_INTERVAL_MS = 2000

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
    throw new RefusedError(`Cannot create the temporary export file ${tempPath} for ${path}: ${(error as Error).message}`, { cause: error })
  }

  const framing: Framing = {format: opts.format, jsonArray: opts.jsonArray === true, pretty: opts.pretty === true}
  const onDocument = opts.onDocument
  const framer = new JsonFramer(framing, OUTPUT_BUFFER_BYTES)
  const out = framer.out
  const started = performance.now()
  let documents = 0
  let flushedBytes = 0

  // An export that fills more than one chunk is handed to worker threads (threads.ts): converters frame the rest and
  // a writer hashes and writes it in order, while this thread only reads and packs. A smaller one is converted and
  // written from here, without starting threads.
  let threads: ExportThreads | undefined

  const progress = (): ExportProgress => {
    const elapsedMs = performance.now() - started
    const bytes = threads !== undefined ? threads.bytes : flushedBytes + out.len
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

  const handOver = (): void => {
    threads = new ExportThreads({
      fd: file.fd,
      framing,
      converterThreads: opts.converterThreads ?? defaultConverterThreads(),
      chunkBytes: CHUNK_BYTES,
      outputBufferBytes: OUTPUT_BUFFER_BYTES,
      head: out.takeChunk(Buffer.allocUnsafeSlow(64)), // the rest of main's output is the trailer
      documents: framer.documents
    })
  }

  const convertHere = (doc: Uint8Array): void => {
    try {
      framer.append(doc)
    } catch (error) {
      throw conversionError(path, documents + 1, (error as Error).message, error)
    }
  }

  let closed = false
  let sha256 = ''
  try {
    if (source !== null) {
      framer.open()
      for await (const item of source) {
        const docs = item instanceof Uint8Array ? [item] : item
        for (const doc of docs) {
          onDocument?.(doc)
          if (threads !== undefined) {
            const wait = threads.add(doc)
            if (wait !== undefined) await wait
          } else {
            convertHere(doc)
            if (out.len >= CHUNK_BYTES) handOver()
          }
          documents++
        }
      }
    }
    if (source !== null) framer.close()
    if (threads !== undefined) {
      const done = await threads.finish(out.takeChunk(Buffer.allocUnsafeSlow(64)))
      sha256 = done.sha256
      flushedBytes = done.bytes
    } else {
      const all = out.buf.subarray(0, out.len)
      await writeFully(file, all)
      sha256 = createHash('sha256').update(all).digest('hex')
      flushedBytes = all.length
    }
    closed = true
    await file.close()
    await rename(tempPath, path)
  } catch (error) {
    await threads?.close().catch(() => undefined)
    if (!closed) await file.close().catch(() => undefined)
    await rm(tempPath, { force: true }).catch(() => undefined)
    const failure = error as ExportThreadError
    throw failure.document !== undefined ? conversionError(path, failure.document, failure.message, error) : ioError(error, path)
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
function conversionError(path: string, document: number, message: string, cause: unknown): Error {
  return new CorruptDataError(`Export to ${path}: document #${document} cannot be converted: ${message}`, {cause})
}

function ioError(error: unknown, path: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code) || (error as {errorLabels?: unknown}).errorLabels !== undefined) return error
  const hint = IO_HINTS[code] ?? (error as Error).message
  return new RefusedError(`Writing the export file ${path} failed (${code}): ${hint}. Nothing of this file was kept.`, { cause: error })
}

async function writeFully(file: FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0
  while (offset < chunk.length) {
    const { bytesWritten } = await file.write(chunk, offset, chunk.length - offset)
    offset += bytesWritten
  }
}
