// The archive output thread (output-protocol.ts): for each chunk, the CRC-64 and sha256 of the documents of each
// namespace in it, then the chunk itself to the file (or through gzip), with the file's sha256. Work is done in the
// order the messages came (a gzip write may wait for zlib).

import {createHash, type Hash} from 'node:crypto'
import {writeSync} from 'node:fs'
import type {MessagePort} from 'node:worker_threads'
import {createGzip, type Gzip} from 'node:zlib'
import {handleInOrder} from '../common/threads/in-order.ts'
import {Crc64Set} from './crc64.ts'
import type {ArchiveOutputData, FromArchiveOutput, ToArchiveOutput} from './output-protocol.ts'

const GZIP_OUTPUT_CHUNK_BYTES = 256 * 1024
/** A streamed archive: at most this many bytes sent to the main thread and not yet passed on by it. */
const STREAM_WINDOW_BYTES = 8 * 1024 * 1024

export function serveArchiveOutput(data: ArchiveOutputData, main: MessagePort): void {
  const crcs = Crc64Set.create<number>()
  const namespaces = Array.from({length: data.namespaces}, () => ({sha256: createHash('sha256') as Hash}))
  const fileHash = createHash('sha256')
  let position = 0
  // A streamed archive's flow control: bytes sent and not yet acknowledged, and who waits for room.
  let unacknowledged = 0
  let waitingForRoom: (() => void) | undefined
  main.on('message', (m: ToArchiveOutput) => {
    if (m.type !== 'ack') return
    unacknowledged -= m.bytes
    if (unacknowledged < STREAM_WINDOW_BYTES) {
      const resume = waitingForRoom
      waitingForRoom = undefined
      resume?.()
    }
  })
  const room = async (): Promise<void> => {
    while (data.fd === null && unacknowledged >= STREAM_WINDOW_BYTES) await new Promise<void>(resolve => (waitingForRoom = resolve))
  }
  const writeOut = (bytes: Uint8Array): void => {
    if (data.fd === null) {
      const copy = new Uint8Array(bytes)
      unacknowledged += copy.length
      main.postMessage({type: 'data', buffer: copy.buffer} satisfies FromArchiveOutput, [copy.buffer])
    } else {
      let done = 0
      while (done < bytes.length) done += writeSync(data.fd, bytes, done, bytes.length - done, position + done)
    }
    position += bytes.length
    fileHash.update(bytes)
  }

  let gzip: Gzip | undefined
  let gzipFailure: Error | undefined
  let gzipEnded: Promise<void> | undefined
  if (data.gzip) {
    gzip = createGzip({level: data.gzipLevel, chunkSize: GZIP_OUTPUT_CHUNK_BYTES})
    gzip.on('data', (chunk: Buffer) => {
      try {
        writeOut(chunk)
      } catch (error) {
        gzipFailure ??= error as Error
        gzip!.destroy()
      }
    })
    gzipEnded = new Promise<void>((resolve, reject) => {
      gzip!.on('end', resolve)
      gzip!.on('error', error => reject(gzipFailure ?? error))
      gzip!.on('close', () => (gzipFailure ? reject(gzipFailure) : undefined))
    })
    gzipEnded.catch(() => undefined)
  }

  const handle = async (m: ToArchiveOutput): Promise<void> => {
    if (m.type === 'ack') return // taken above, out of order
    if (m.type === 'chunk') {
      await room()
      const chunk = new Uint8Array(m.buffer, 0, m.length)
      const crc = await crcs
      const s = m.segments
      for (let i = 0; i < s.length; i += 3) {
        const part = chunk.subarray(s[i + 1]!, s[i + 1]! + s[i + 2]!)
        crc.update(s[i]!, part)
        namespaces[s[i]!]!.sha256.update(part)
      }
      if (gzip === undefined) writeOut(chunk)
      else {
        if (gzipFailure) throw gzipFailure
        // The callback comes once zlib has taken the chunk in: only then may its memory go back.
        await new Promise<void>((resolve, reject) => gzip!.write(chunk, error => (error ? reject(gzipFailure ?? error) : resolve())))
      }
      main.postMessage({type: 'free', buffer: m.buffer} satisfies FromArchiveOutput, [m.buffer])
    } else if (m.type === 'digest') {
      const ns = namespaces[m.namespace]!
      main.postMessage({type: 'digest', namespace: m.namespace, crc: (await crcs).digest(m.namespace), sha256: ns.sha256.digest('hex')} satisfies FromArchiveOutput)
    } else {
      if (gzip !== undefined) {
        gzip.end()
        await gzipEnded
      }
      main.postMessage({type: 'done', bytes: position, sha256: fileHash.digest('hex')} satisfies FromArchiveOutput)
    }
  }

  handleInOrder<ToArchiveOutput>(main, handle, error => {
    const e = error as NodeJS.ErrnoException
    main.postMessage({type: 'error', message: e.message, code: e.code, errno: e.errno, syscall: e.syscall} satisfies FromArchiveOutput)
  })
}
