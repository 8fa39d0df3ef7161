// The main thread's side of a large export's worker threads (thread-protocol.ts has the picture). Converting BSON to
// Extended JSON costs more CPU than reading it through the driver (bench/export.ts: ~3.3 µs against ~2 µs per 1.5 KB
// document), and hashing and writing the output another ~1.4 µs, so once an export outgrows its first chunk the main
// thread only reads and packs, converters frame the packs in parallel and a writer puts their output in order on
// disk. At most PACKS_PER_CONVERTER packs per converter are on their way, so memory stays bounded whichever side is
// slower.

import {availableParallelism} from 'node:os'
import {MessageChannel, type Worker} from 'node:worker_threads'
import {ROLES} from '../../common/threads/roles.ts'
import {startWorker} from '../../common/threads/start.ts'
import type {Framing} from './framing.ts'
import type {ConverterData, DocsMessage, FromConverter, FromWriter, ToWriter, WriterData} from './thread-protocol.ts'

const PACK_BYTES = 512 * 1024
const PACKS_PER_CONVERTER = 2

/**
 * Converter threads by default: the cores left after the main thread (the driver) and the writer, at least one, at
 * most four (beyond that the main thread's reading is the limit).
 */
export function defaultConverterThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 2))
}

/** A conversion error names the document (1-based, over the whole export); a write error keeps its code. */
export type ExportThreadError = Error & {document?: number; code?: string; errno?: number; syscall?: string}

interface Converter {
  worker: Worker
  inFlight: number
}

export class ExportThreads {
  /** Output bytes produced so far. */
  bytes: number
  private readonly writer: Worker
  private readonly converters: Converter[] = []
  private readonly pool: ArrayBuffer[] = []
  private written = false
  // Packs sent and not yet back, by seq; and the earliest conversion error heard of.
  private readonly outstanding = new Set<number>()
  private conversionError: {seq: number; message: string; document: number} | undefined
  private seq = 1
  private nextDocument: number
  private pack: Uint8Array | undefined
  private packLength = 0
  private packFirst = 0
  private failure: ExportThreadError | undefined
  private waiter: {resolve: () => void; reject: (error: Error) => void} | undefined
  private result: {resolve: (done: {sha256: string; bytes: number}) => void; reject: (error: Error) => void} | undefined

  /**
   * Starts the writer on `fd` (from offset 0) and `converterThreads` converters. `head` is the output the caller
   * produced for the first `documents` documents; it is written first, and its memory moves to the writer.
   */
  constructor(opts: {fd: number; framing: Framing; converterThreads: number; chunkBytes: number; outputBufferBytes: number; head: Buffer; documents: number}) {
    this.bytes = opts.head.length
    this.nextDocument = opts.documents
    const channels = Array.from({length: Math.max(1, opts.converterThreads)}, () => new MessageChannel())
    const writerData: WriterData = {role: ROLES.exportWriter, fd: opts.fd, converters: channels.map(c => c.port2)}
    this.writer = startWorker(writerData, writerData.converters)
    this.watch(this.writer, 'write')
    this.writer.on('message', (m: FromWriter) => {
      if (m.type === 'done') {
        this.written = true
        this.bytes = m.bytes
        this.result?.resolve(m)
      } else this.fail(Object.assign(new Error(m.message), {code: m.code, errno: m.errno, syscall: m.syscall}))
    })
    try {
      for (const channel of channels) {
        const data: ConverterData = {...opts.framing, role: ROLES.exportConverter, writer: channel.port1, chunkBytes: opts.chunkBytes, outputBufferBytes: opts.outputBufferBytes}
        const converter: Converter = {worker: startWorker(data, [channel.port1]), inFlight: 0}
        this.watch(converter.worker, 'conversion')
        converter.worker.on('message', (m: FromConverter) => this.fromConverter(converter, m))
        this.converters.push(converter)
      }
    } catch (error) {
      // The caller never gets this object to close: stop the threads already started.
      void this.close()
      throw error
    }
    this.toWriter({type: 'bytes', seq: 0, ...this.owned(opts.head)})
  }

  private watch(worker: Worker, what: string): void {
    worker.on('error', error => this.fail(error))
    worker.on('exit', code => this.fail(new Error(`the export's ${what} thread stopped (exit code ${code})`)))
  }

  private owned(bytes: Buffer): {buffer: ArrayBuffer; length: number} {
    const buffer = (bytes.byteOffset === 0 ? bytes.buffer : new Uint8Array(bytes).buffer) as ArrayBuffer
    return {buffer, length: bytes.length}
  }

  private toWriter(m: ToWriter): void {
    this.writer.postMessage(m, m.type === 'bytes' ? [m.buffer] : [])
  }

  private fromConverter(converter: Converter, m: FromConverter): void {
    this.outstanding.delete(m.seq)
    if (m.type === 'error') {
      // Converters run ahead of each other, so a later pack's error can arrive first: the one reported is that of
      // the earliest failing pack, once every pack before it is through (those always finish: the writer waits
      // for them). A failing converter drops its later packs, so nothing else is waited for.
      if (this.conversionError === undefined || m.seq < this.conversionError.seq) this.conversionError = m
    } else {
      converter.inFlight--
      // A converter's last `free` may arrive after the writer's `done`, which already counted its output.
      if (!this.written) this.bytes += m.produced
      if (m.buffer.byteLength === PACK_BYTES) this.pool.push(m.buffer)
    }
    const error = this.conversionError
    if (error !== undefined && ![...this.outstanding].some(seq => seq < error.seq)) {
      this.fail(Object.assign(new Error(error.message), {document: error.document}))
    }
    const waiter = this.waiter
    this.waiter = undefined
    waiter?.resolve()
  }

  private fail(error: ExportThreadError): void {
    if (this.failure !== undefined) return
    this.failure = error
    this.waiter?.reject(error)
    this.waiter = undefined
    this.result?.reject(error)
  }

  /** Hands one document over; returns a promise only when the caller has to wait for the threads to catch up. */
  add(doc: Uint8Array): Promise<void> | undefined {
    if (this.failure !== undefined) throw this.failure
    const pack = this.pack
    if (pack !== undefined && this.packLength + 4 + doc.byteLength <= pack.length) {
      this.copyIn(pack, doc)
      return undefined
    }
    return this.addToNewPack(doc)
  }

  private async addToNewPack(doc: Uint8Array): Promise<void> {
    if (this.pack !== undefined) this.send()
    const converter = this.converters[(this.seq - 1) % this.converters.length]!
    while (converter.inFlight >= PACKS_PER_CONVERTER) {
      await new Promise<void>((resolve, reject) => (this.waiter = {resolve, reject}))
    }
    if (this.failure !== undefined) throw this.failure
    const size = 4 + doc.byteLength
    // A document larger than a pack travels in a buffer of its own, which is dropped when it comes back.
    const buffer = size > PACK_BYTES ? new ArrayBuffer(size) : (this.pool.pop() ?? new ArrayBuffer(PACK_BYTES))
    this.pack = new Uint8Array(buffer)
    this.packLength = 0
    this.packFirst = this.nextDocument
    this.copyIn(this.pack, doc)
  }

  private copyIn(pack: Uint8Array, doc: Uint8Array): void {
    const at = this.packLength
    const n = doc.byteLength
    pack[at] = n & 0xff
    pack[at + 1] = (n >>> 8) & 0xff
    pack[at + 2] = (n >>> 16) & 0xff
    pack[at + 3] = n >>> 24
    pack.set(doc, at + 4)
    this.packLength = at + 4 + n
    this.nextDocument++
  }

  private send(): void {
    const converter = this.converters[(this.seq - 1) % this.converters.length]!
    const buffer = this.pack!.buffer as ArrayBuffer
    const m: DocsMessage = {type: 'docs', seq: this.seq++, first: this.packFirst, buffer, length: this.packLength}
    converter.worker.postMessage(m, [buffer])
    this.outstanding.add(m.seq)
    converter.inFlight++
    this.pack = undefined
    this.packLength = 0
  }

  /**
   * Sends what is packed, then `trailer` (the framing after the last document) and the end; resolves when every byte
   * is written, with the sha256 of the whole output.
   */
  async finish(trailer: Buffer): Promise<{sha256: string; bytes: number}> {
    if (this.failure !== undefined) throw this.failure
    if (this.pack !== undefined) this.send()
    const done = new Promise<{sha256: string; bytes: number}>((resolve, reject) => (this.result = {resolve, reject}))
    this.toWriter({type: 'bytes', seq: this.seq++, ...this.owned(trailer)})
    this.toWriter({type: 'end', parts: this.seq})
    try {
      return await done
    } finally {
      await this.close()
    }
  }

  /** Stops every thread: after finish, or to abandon the export. */
  async close(): Promise<void> {
    this.failure ??= new Error('the export was abandoned')
    const workers = [this.writer, ...this.converters.map(c => c.worker)]
    for (const worker of workers) worker.removeAllListeners('exit')
    await Promise.all(workers.map(worker => worker.terminate()))
  }
}
