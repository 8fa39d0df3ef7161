// The parser thread of a large Extended JSON read (parser-protocol.ts has the picture): it runs the same reader as a
// small read does (reader.ts) over the chunks the main thread sends, and packs the BSON of every document it yields.
// Started through src/workers (one entry for every kind of worker thread).

import type {MessagePort} from 'node:worker_threads'
import {DocumentTooLargeError, type ExtJsonSyntaxError} from './errors.ts'
import {readExtJsonDocuments} from './reader.ts'
import {ENTRY_HEADER_BYTES, OUTPUT_PACKS, PACK_BYTES, type FromParser, type ParserData, type ToParser} from './parser-protocol.ts'

/** Thrown into the reader when the main thread could not read the input: not a parse error, not the end (a sentinel, never shown). */
const INPUT_ABORTED = Symbol('input aborted')

export function serveParser(data: ParserData, main: MessagePort): void {
  const chunks: Array<Uint8Array | 'end' | 'abort'> = []
  let chunkArrived: (() => void) | undefined
  let packsOut = 0
  let packConsumed: (() => void) | undefined
  const post = (m: FromParser, transfer: ArrayBuffer[] = []): void => main.postMessage(m, transfer)

  main.on('message', (m: ToParser) => {
    if (m.type === 'consumed') {
      packsOut--
      packConsumed?.()
      packConsumed = undefined
      return
    }
    chunks.push(m.type === 'input' ? new Uint8Array(m.buffer, 0, m.length) : m.type)
    chunkArrived?.()
    chunkArrived = undefined
  })

  // The reader asks for the next chunk only when it is done with the previous one (it copies what it keeps).
  async function* input(): AsyncGenerator<Uint8Array> {
    for (;;) {
      while (chunks.length === 0) await new Promise<void>(resolve => (chunkArrived = resolve))
      const chunk = chunks.shift()!
      if (chunk === 'end') return
      if (chunk === 'abort') throw INPUT_ABORTED
      post({type: 'taken'})
      yield chunk
    }
  }

  let pack: Uint8Array | undefined
  let view: DataView | undefined
  let length = 0
  // A pack or a refused document's error: each takes a credit, so a file of bad lines is held back like good ones.
  const credit = async (): Promise<void> => {
    while (packsOut >= OUTPUT_PACKS) await new Promise<void>(resolve => (packConsumed = resolve))
    packsOut++
  }
  const sendPack = async (): Promise<void> => {
    if (pack === undefined || length === 0) return
    await credit()
    const buffer = pack.buffer as ArrayBuffer
    post({type: 'docs', buffer, length}, [buffer])
    pack = undefined
    length = 0
  }

  const run = async (): Promise<void> => {
    for await (const doc of readExtJsonDocuments(input(), data)) {
      if (doc.error !== undefined) {
        await sendPack()
        await credit()
        const error = doc.error as ExtJsonSyntaxError
        post({type: 'error', line: doc.line, tooLarge: error instanceof DocumentTooLargeError, message: error.message, offset: error.offset, column: error.column, errorLine: error.line})
        continue
      }
      const bson = doc.bson!
      const size = ENTRY_HEADER_BYTES + bson.byteLength
      if (pack === undefined || length + size > pack.byteLength) {
        await sendPack()
        // A document larger than a pack travels in a pack of its own.
        pack = new Uint8Array(new ArrayBuffer(Math.max(PACK_BYTES, size)))
        view = new DataView(pack.buffer)
      }
      view!.setFloat64(length, doc.line, true)
      view!.setUint32(length + 8, bson.byteLength, true)
      pack.set(bson, length + ENTRY_HEADER_BYTES)
      length += size
    }
    await sendPack()
    post({type: 'end'})
  }
  run().catch(async (error: unknown) => {
    if (error !== INPUT_ABORTED) return post({type: 'failed', message: error instanceof Error ? error.message : String(error)})
    // The documents read before the failure go first, as the main-thread reader yields them before the error.
    await sendPack()
    post({type: 'aborted'})
  })
}
