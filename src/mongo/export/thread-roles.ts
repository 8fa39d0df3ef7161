// What a large export's worker threads do (thread-protocol.ts has the picture): a converter frames packed BSON
// documents as mongoexport would; the writer writes every part of the output at its place in order, and hashes it.
// Started through src/workers (one entry for every kind of worker thread).

import {createHash} from 'node:crypto'
import {writeSync} from 'node:fs'
import type {MessagePort} from 'node:worker_threads'
import {handleInOrder} from '../../common/threads/in-order.ts'
import {JsonFramer} from './framing.ts'
import type {
  ChunkMessage,
  ConverterData,
  DocsMessage,
  FreeMessage,
  FromConverter,
  FromWriter,
  ToWriter,
  WriterData
} from './thread-protocol.ts'

// Output buffers a converter may have on their way to the writer; it waits for one to come back beyond that.
const OUTPUT_BUFFERS = 4

export function serveConverter(data: ConverterData, main: MessagePort): void {
  const writer = data.writer
  const framer = new JsonFramer(data, data.outputBufferBytes)
  const out = framer.out
  const free: Buffer[] = []
  let allocated = 0
  let waiting: ((buffer: Buffer) => void) | undefined

  writer.on('message', (m: FreeMessage) => {
    // A buffer that grew for a huge document is replaced by one of the usual size rather than kept.
    const buffer = m.buffer.byteLength > 2 * data.outputBufferBytes ? Buffer.allocUnsafeSlow(data.outputBufferBytes) : Buffer.from(m.buffer)
    const resolve = waiting
    waiting = undefined
    if (resolve !== undefined) resolve(buffer)
    else free.push(buffer)
  })

  const take = async (): Promise<Buffer> => {
    const buffer = free.pop()
    if (buffer !== undefined) return buffer
    if (allocated < OUTPUT_BUFFERS) {
      allocated++
      return Buffer.allocUnsafeSlow(data.outputBufferBytes)
    }
    return new Promise(resolve => (waiting = resolve))
  }

  const send = async (seq: number, last: boolean): Promise<void> => {
    const length = out.len
    const chunk = out.takeChunk(await take())
    // The chunk is the start of a buffer of our own (allocUnsafeSlow, or grown by the transcoder), so it can move.
    const buffer = (chunk.byteOffset === 0 ? chunk.buffer : new Uint8Array(chunk).buffer) as ArrayBuffer
    writer.postMessage({type: 'chunk', seq, last, buffer, length} satisfies ChunkMessage, [buffer])
  }

  const convert = async (m: DocsMessage): Promise<void> => {
    const packed = new Uint8Array(m.buffer, 0, m.length)
    framer.documents = m.first
    let produced = 0
    let offset = 0
    while (offset < m.length) {
      const size = packed[offset]! | (packed[offset + 1]! << 8) | (packed[offset + 2]! << 16) | (packed[offset + 3]! << 24)
      try {
        framer.append(packed.subarray(offset + 4, offset + 4 + size))
      } catch (error) {
        throw Object.assign(new Error((error as Error).message), {document: framer.documents + 1})
      }
      offset += 4 + size
      if (out.len >= data.chunkBytes && offset < m.length) {
        produced += out.len
        await send(m.seq, false)
      }
    }
    produced += out.len
    await send(m.seq, true)
    main.postMessage({type: 'free', seq: m.seq, buffer: m.buffer, produced} satisfies FromConverter, [m.buffer])
  }

  // One pack at a time, in the order they came: a send may wait for the writer to give a buffer back.
  handleInOrder<DocsMessage>(main, convert, (error, m) => {
    const e = error as Error & {document?: number}
    main.postMessage({type: 'error', seq: m.seq, message: e.message, document: e.document ?? m.first + 1} satisfies FromConverter)
  })
}

export function serveWriter(data: WriterData, main: MessagePort): void {
  const hash = createHash('sha256')
  let position = 0
  let expected = 0
  let parts = Number.POSITIVE_INFINITY
  let failed = false
  // Parts that arrived before their turn, by seq: their chunks, and whether the last one is among them.
  const early = new Map<number, {chunks: Array<{bytes: Uint8Array; owner: MessagePort | undefined}>; complete: boolean}>()

  const writeChunk = (bytes: Uint8Array, owner: MessagePort | undefined): void => {
    if (!failed) {
      try {
        let done = 0
        while (done < bytes.length) done += writeSync(data.fd, bytes, done, bytes.length - done, position + done)
        hash.update(bytes)
        position += bytes.length
      } catch (error) {
        failed = true
        const e = error as NodeJS.ErrnoException
        main.postMessage({type: 'error', message: e.message, code: e.code, errno: e.errno, syscall: e.syscall} satisfies FromWriter)
      }
    }
    if (owner !== undefined) owner.postMessage({type: 'free', buffer: bytes.buffer as ArrayBuffer} satisfies FreeMessage, [bytes.buffer as ArrayBuffer])
  }

  const finishIfDone = (): void => {
    if (expected === parts && !failed) main.postMessage({type: 'done', sha256: hash.digest('hex'), bytes: position} satisfies FromWriter)
  }

  const receive = (seq: number, last: boolean, bytes: Uint8Array, owner: MessagePort | undefined): void => {
    if (seq !== expected) {
      let part = early.get(seq)
      if (part === undefined) early.set(seq, (part = {chunks: [], complete: false}))
      part.chunks.push({bytes, owner})
      part.complete = last
      return
    }
    writeChunk(bytes, owner)
    if (!last) return
    expected++
    // Later parts that were waiting for this one, as far as they are complete.
    for (let part = early.get(expected); part !== undefined; part = early.get(expected)) {
      early.delete(expected)
      for (const chunk of part.chunks) writeChunk(chunk.bytes, chunk.owner)
      if (!part.complete) break // its remaining chunks now arrive in turn
      expected++
    }
    finishIfDone()
  }

  for (const port of data.converters) {
    port.on('message', (m: ChunkMessage) => receive(m.seq, m.last, new Uint8Array(m.buffer, 0, m.length), port))
  }
  main.on('message', (m: ToWriter) => {
    if (m.type === 'bytes') {
      receive(m.seq, true, new Uint8Array(m.buffer, 0, m.length), undefined)
    } else {
      parts = m.parts
      finishIfDone()
    }
  })
}
