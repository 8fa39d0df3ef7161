// readExtJsonDocuments on a worker thread, for large files: parsing Extended JSON is most of a restore's CPU (a
// profile of 100k Prancer outputs: ~1.7 s per pass over the file), so while the thread parses, the main thread checks
// and sends what is already parsed. Same documents, same errors, same order as readExtJsonDocuments
// (__tests__/restore/threaded-reader.test.ts compares them); parser-protocol.ts has the messages.

import type {Worker} from 'node:worker_threads'
import {ROLES} from '../common/threads/roles.ts'
import {startWorker} from '../common/threads/start.ts'
import {ENTRY_HEADER_BYTES, INPUT_CHUNK_BYTES, INPUT_CHUNKS, type FromParser, type ParserData, type ToParser} from './parser-protocol.ts'
import {DocumentTooLargeError, ExtJsonSyntaxError} from './errors.ts'
import type {ExtJsonDocument, ReadExtJsonOptions} from './reader.ts'

/**
 * Like readExtJsonDocuments (without `stats`), parsing on a worker thread. The input is read only as fast as the
 * thread parses; when the reader stops early (a structural error) the rest of the input is left unread, as
 * readExtJsonDocuments leaves it. Stopping the iteration stops the thread.
 */
export async function* readExtJsonDocumentsInThread(
  input: AsyncIterable<Uint8Array>,
  opts: Omit<ReadExtJsonOptions, 'stats'> = {}
): AsyncGenerator<ExtJsonDocument> {
  const data: ParserData = {role: ROLES.ejsonParser}
  if (opts.jsonArray !== undefined) data.jsonArray = opts.jsonArray
  if (opts.maxDocumentTextBytes !== undefined) data.maxDocumentTextBytes = opts.maxDocumentTextBytes
  const worker = startWorker(data)
  const received: FromParser[] = []
  let failure: Error | undefined
  // A failure to read the input: thrown once the parser has passed on what it read before it.
  let inputError: unknown
  let stopped = false
  let chunksOut = 0
  // The consumer waits for messages, the pump for credits.
  let wakeConsumer: (() => void) | undefined
  let wakePump: (() => void) | undefined
  const notify = (): void => {
    const consumer = wakeConsumer
    const pump = wakePump
    wakeConsumer = wakePump = undefined
    consumer?.()
    pump?.()
  }
  const send = (m: ToParser, transfer: ArrayBuffer[] = []): void => worker.postMessage(m, transfer)

  worker.on('message', (m: FromParser) => {
    if (m.type === 'taken') chunksOut--
    else received.push(m)
    notify()
  })
  worker.on('error', error => {
    failure ??= error
    notify()
  })
  worker.on('exit', code => {
    failure ??= new Error(`the Extended JSON parser thread stopped (exit code ${code})`)
    notify()
  })

  // Copies the input into chunks of its own (so they can be transferred) and sends them, at most INPUT_CHUNKS ahead.
  const pump = async (): Promise<void> => {
    let chunk = new Uint8Array(INPUT_CHUNK_BYTES)
    let length = 0
    const flush = async (): Promise<void> => {
      while (chunksOut >= INPUT_CHUNKS && !stopped) await new Promise<void>(resolve => (wakePump = resolve))
      if (stopped) return
      send({type: 'input', buffer: chunk.buffer as ArrayBuffer, length}, [chunk.buffer as ArrayBuffer])
      chunksOut++
      chunk = new Uint8Array(INPUT_CHUNK_BYTES)
      length = 0
    }
    try {
      for await (const bytes of noReturn(input)) {
        if (stopped) return
        let at = 0
        while (at < bytes.length) {
          const n = Math.min(bytes.length - at, chunk.length - length)
          chunk.set(bytes.subarray(at, at + n), length)
          length += n
          at += n
          if (length === chunk.length) await flush()
          if (stopped) return
        }
      }
    } catch (error) {
      // What was read before the failure is parsed first, as the main-thread reader would.
      if (length > 0) await flush()
      throw error
    }
    if (length > 0) await flush()
    if (!stopped) send({type: 'end'})
  }
  pump().catch((error: unknown) => {
    inputError = error
    if (!stopped) send({type: 'abort'})
  })

  try {
    for (;;) {
      while (received.length === 0 && failure === undefined) await new Promise<void>(resolve => (wakeConsumer = resolve))
      const m = received.shift()
      if (m === undefined) throw failure!
      switch (m.type) {
        case 'docs': {
          const view = new DataView(m.buffer, 0, m.length)
          for (let at = 0; at < m.length; ) {
            const line = view.getFloat64(at, true)
            const size = view.getUint32(at + 8, true)
            at += ENTRY_HEADER_BYTES
            yield {line, bson: new Uint8Array(m.buffer, at, size)}
            at += size
          }
          send({type: 'consumed'})
          break
        }
        case 'error': {
          const ErrorClass = m.tooLarge ? DocumentTooLargeError : ExtJsonSyntaxError
          yield {line: m.line, error: new ErrorClass(m.message, m.offset, m.column, m.errorLine)}
          send({type: 'consumed'})
          break
        }
        case 'end':
          return
        case 'aborted':
          throw inputError
        case 'failed':
          throw new Error(m.message)
      }
    }
  } finally {
    stopped = true
    notify()
    await stopThread(worker)
  }
}

/** The input's iterator without return(): stopping early must not close the caller's stream (it may drain it). */
function noReturn<T>(iterable: AsyncIterable<T>): AsyncIterable<T> {
  const iterator = iterable[Symbol.asyncIterator]()
  return {[Symbol.asyncIterator]: () => ({next: () => iterator.next()})}
}

async function stopThread(worker: Worker): Promise<void> {
  worker.removeAllListeners('exit')
  await worker.terminate()
}
