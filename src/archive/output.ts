// The main thread's side of the archive output thread (output-protocol.ts). Chunk buffers are lent to the caller
// (take), filled, and sent with where each namespace's documents lie in them; at most IN_FLIGHT are on their way, so
// memory stays bounded when the disk or gzip is slower than the reading.

import {Readable} from 'node:stream'
import type {Worker} from 'node:worker_threads'
import {ROLES} from '../common/threads/roles.ts'
import {startWorker} from '../common/threads/start.ts'
import type {ArchiveOutputData, FromArchiveOutput, ToArchiveOutput} from './output-protocol.ts'

const IN_FLIGHT = 3

export type ArchiveOutputError = Error & {code?: string; errno?: number; syscall?: string}

export class ArchiveOutput {
  private readonly worker: Worker
  private readonly chunkBytes: number
  private readonly pool: Buffer[] = []
  private inFlight = 0
  private failure: ArchiveOutputError | undefined
  private waiter: {resolve: () => void; reject: (error: Error) => void} | undefined
  private readonly digests = new Map<number, {resolve: (d: {crc: bigint; sha256: string}) => void; reject: (error: Error) => void}>()
  private result: {resolve: (done: {bytes: number; sha256: string}) => void; reject: (error: Error) => void} | undefined
  /** fd null: the archive's bytes, in order, ending when the archive is complete (and failing when it fails). */
  readonly stream: Readable | null
  // Bytes pushed into the stream while it was full: acknowledged to the thread once the reader wants more.
  private unacknowledged = 0
  private complete = false

  constructor(opts: {fd: number | null; gzip: boolean; gzipLevel: number; namespaces: number; chunkBytes: number}) {
    this.chunkBytes = opts.chunkBytes
    this.stream =
      opts.fd !== null
        ? null
        : new Readable({
            highWaterMark: 4 * 1024 * 1024,
            read: () => {
              if (this.unacknowledged === 0) return
              const bytes = this.unacknowledged
              this.unacknowledged = 0
              this.ack(bytes)
            }
          })
    const data: ArchiveOutputData = {role: ROLES.archiveOutput, fd: opts.fd, gzip: opts.gzip, gzipLevel: opts.gzipLevel, namespaces: opts.namespaces}
    this.worker = startWorker(data)
    this.worker.on('message', (m: FromArchiveOutput) => this.onMessage(m))
    this.worker.on('error', error => this.fail(error))
    this.worker.on('exit', code => this.fail(new Error(`the archive's output thread stopped (exit code ${code})`)))
  }

  private onMessage(m: FromArchiveOutput): void {
    if (m.type === 'free') {
      this.inFlight--
      if (m.buffer.byteLength === this.chunkBytes) this.pool.push(Buffer.from(m.buffer))
      const waiter = this.waiter
      this.waiter = undefined
      waiter?.resolve()
    } else if (m.type === 'digest') {
      const waiting = this.digests.get(m.namespace)
      this.digests.delete(m.namespace)
      waiting?.resolve(m)
    } else if (m.type === 'data') {
      const bytes = m.buffer.byteLength
      if (this.stream!.push(Buffer.from(m.buffer))) this.ack(bytes)
      else this.unacknowledged += bytes
    } else if (m.type === 'done') {
      this.complete = true
      this.stream?.push(null)
      this.result?.resolve(m)
    } else {
      this.fail(Object.assign(new Error(m.message), {code: m.code, errno: m.errno, syscall: m.syscall}))
    }
  }

  /** Fails every waiting and later call with `error` (the reader of a streamed archive gave up). */
  cancel(error: Error): void {
    this.fail(error)
  }

  private ack(bytes: number): void {
    if (this.failure === undefined) this.worker.postMessage({type: 'ack', bytes} satisfies ToArchiveOutput)
  }

  private fail(error: ArchiveOutputError): void {
    if (this.failure !== undefined) return
    this.failure = error
    if (this.stream !== null && !this.complete) this.stream.destroy(error)
    this.waiter?.reject(error)
    this.waiter = undefined
    for (const waiting of this.digests.values()) waiting.reject(error)
    this.digests.clear()
    this.result?.reject(error)
  }

  private post(m: ToArchiveOutput, transfer: ArrayBuffer[] = []): void {
    if (this.failure !== undefined) throw this.failure
    this.worker.postMessage(m, transfer)
  }

  /** Waits while IN_FLIGHT chunks are on their way: call before every send. */
  async room(): Promise<void> {
    while (this.inFlight >= IN_FLIGHT) {
      if (this.failure !== undefined) throw this.failure
      await new Promise<void>((resolve, reject) => (this.waiter = {resolve, reject}))
    }
    if (this.failure !== undefined) throw this.failure
  }

  /** An empty chunk buffer of chunkBytes, once there is room for it. */
  async take(): Promise<Buffer> {
    await this.room()
    return this.pool.pop() ?? Buffer.allocUnsafeSlow(this.chunkBytes)
  }

  /**
   * Sends the first `length` bytes of `buffer` (from take(), or any buffer of the caller's own starting at offset 0;
   * its memory moves to the thread). `segments`: [namespace, start, length] triples of documents in it.
   */
  send(buffer: Buffer, length: number, segments: number[]): void {
    const owned = (buffer.byteOffset === 0 ? buffer.buffer : new Uint8Array(buffer.subarray(0, length)).buffer) as ArrayBuffer
    this.post({type: 'chunk', buffer: owned, length, segments}, [owned])
    this.inFlight++
  }

  /** The CRC-64 and sha256 of a namespace's documents in every chunk sent so far. */
  digest(namespace: number): Promise<{crc: bigint; sha256: string}> {
    const digest = new Promise<{crc: bigint; sha256: string}>((resolve, reject) => this.digests.set(namespace, {resolve, reject}))
    this.post({type: 'digest', namespace})
    return digest
  }

  /** Flushes gzip and waits for every write; the file's size and sha256. */
  async end(): Promise<{bytes: number; sha256: string}> {
    const done = new Promise<{bytes: number; sha256: string}>((resolve, reject) => (this.result = {resolve, reject}))
    this.post({type: 'end'})
    return done
  }

  /** Stops the thread (after end, or to abandon the archive). */
  async close(): Promise<void> {
    this.worker.removeAllListeners('exit')
    this.failure ??= new Error('the archive was abandoned')
    // A streamed archive that did not end complete must fail its reader, never look complete.
    if (this.stream !== null && !this.complete) this.stream.destroy(this.failure)
    await this.worker.terminate()
  }
}
