// Hashing and writing an export's chunks on a worker thread, so the main thread only converts documents: the
// sha256 of a 1.5 GB export costs about a second of CPU, and each write has to wait for the disk. Chunks go to the
// worker in order (their memory is transferred, not copied) and come back empty for reuse; at most MAX_IN_FLIGHT are
// on their way at once, so memory stays bounded when the disk is slower than the conversion. The worker's code is a
// string (no file to locate in a bundle) that writes each chunk at its offset with pwrite and hashes it.

import {Worker} from 'node:worker_threads'

const MAX_IN_FLIGHT = 4

const WORKER_SOURCE = `
const {parentPort} = require('node:worker_threads')
const {createHash} = require('node:crypto')
const {writeSync} = require('node:fs')
const hash = createHash('sha256')
let failed = false
parentPort.on('message', (m) => {
  if (m.type === 'chunk') {
    const bytes = new Uint8Array(m.buffer, 0, m.length)
    if (!failed) {
      try {
        let done = 0
        while (done < m.length) done += writeSync(m.fd, bytes, done, m.length - done, m.position + done)
        hash.update(bytes)
      } catch (error) {
        failed = true
        parentPort.postMessage({type: 'error', message: error.message, code: error.code, errno: error.errno, syscall: error.syscall})
      }
    }
    parentPort.postMessage({type: 'free', buffer: m.buffer}, [m.buffer])
  } else if (m.type === 'end') {
    if (!failed) parentPort.postMessage({type: 'digest', hex: hash.digest('hex')})
  }
})
`

interface WorkerError {
  type: 'error'
  message: string
  code?: string
  errno?: number
  syscall?: string
}

type FromWorker = {type: 'free'; buffer: ArrayBuffer} | {type: 'digest'; hex: string} | WorkerError

/** Writes chunks to `fd` at increasing offsets from `position` and hashes them, on a worker thread. */
export class WorkerSink {
  private readonly worker: Worker
  private readonly fd: number
  private readonly bufferBytes: number
  private position: number
  private readonly free: Buffer[] = []
  private allocated = 0
  private failure: Error | undefined
  private waiting: Array<{resolve: (buffer: Buffer) => void; reject: (error: Error) => void}> = []
  private digest: {resolve: (hex: string) => void; reject: (error: Error) => void} | undefined

  constructor(fd: number, position: number, bufferBytes: number) {
    this.fd = fd
    this.position = position
    this.bufferBytes = bufferBytes
    // A small heap: the worker only passes buffers through.
    this.worker = new Worker(WORKER_SOURCE, {eval: true, resourceLimits: {maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 16}})
    this.worker.on('message', (m: FromWorker) => this.onMessage(m))
    this.worker.on('error', error => this.fail(error))
    this.worker.on('exit', code => this.fail(new Error(`the export's write thread stopped (exit code ${code})`)))
  }

  private onMessage(m: FromWorker): void {
    if (m.type === 'free') {
      const buffer = Buffer.from(m.buffer)
      const waiter = this.waiting.shift()
      if (waiter) waiter.resolve(buffer)
      else this.free.push(buffer)
    } else if (m.type === 'digest') {
      this.digest?.resolve(m.hex)
    } else {
      const error = Object.assign(new Error(m.message), {code: m.code, errno: m.errno, syscall: m.syscall})
      this.fail(error)
    }
  }

  private fail(error: Error): void {
    if (this.failure !== undefined) return
    this.failure = error
    for (const waiter of this.waiting.splice(0)) waiter.reject(error)
    this.digest?.reject(error)
  }

  /** An empty buffer to fill next: a returned one, a new one while fewer than MAX_IN_FLIGHT exist, or the next to come back. */
  async take(): Promise<Buffer> {
    if (this.failure !== undefined) throw this.failure
    const buffer = this.free.pop()
    if (buffer !== undefined) return buffer
    if (this.allocated < MAX_IN_FLIGHT) {
      this.allocated++
      return Buffer.allocUnsafeSlow(this.bufferBytes)
    }
    return new Promise((resolve, reject) => this.waiting.push({resolve, reject}))
  }

  /**
   * Hands over `chunk` (bytes at the start of a buffer from take() or the transcoder's own, which the sink then owns:
   * its memory moves to the worker) to be written after everything handed over before.
   */
  write(chunk: Buffer): void {
    if (this.failure !== undefined) throw this.failure
    const length = chunk.length // read before the transfer detaches the chunk
    const owned = chunk.byteOffset === 0 ? chunk.buffer : Buffer.from(chunk).buffer
    this.worker.postMessage({type: 'chunk', buffer: owned, length, fd: this.fd, position: this.position}, [owned as ArrayBuffer])
    this.position += length
  }

  /** Waits until every chunk is written; returns the hex sha256 of all of them. */
  async finish(): Promise<string> {
    if (this.failure !== undefined) throw this.failure
    const hex = new Promise<string>((resolve, reject) => (this.digest = {resolve, reject}))
    this.worker.postMessage({type: 'end'})
    try {
      return await hex
    } finally {
      await this.close()
    }
  }

  /** Stops the worker (after finish, or to abandon the export). */
  async close(): Promise<void> {
    this.worker.removeAllListeners('exit')
    this.failure ??= new Error('the export was abandoned')
    await this.worker.terminate()
  }
}
