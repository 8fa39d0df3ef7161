// What every cloud ObjectStore shares: client options, the part size of streamed uploads, a byte-counting body that
// keeps the reader's own error, the probe's folder, and plain words for network failures.

import {randomBytes} from 'node:crypto'
import {pipeline, Readable, Transform} from 'node:stream'
import type {ObjectStore, ProbeAccess} from '../store.ts'

export interface StoreClientOptions {
  /** Default process.env: where endpoints, regions and credential hints are read. */
  env?: Record<string, string | undefined>
  /** Tries per request, the first included (the SDK's retry with backoff). Default 5. */
  maxAttempts?: number
  connectTimeoutMs?: number
  /** A request that makes no progress for this long is retried, then fails. */
  requestTimeoutMs?: number
}

/** Streamed uploads go in parts of this size, this many at once: about 32 MiB in memory per upload. */
export const PART_BYTES = 8 * 1024 * 1024
export const PARALLEL_PARTS = 4

/** The probe writes and deletes one empty object below this folder of the prefix; listings skip it (no manifest). */
export const PROBE_FOLDER = '.prancer-db-artifacts-probe'

/** The body as a stream that counts its bytes; an error of the source is kept, so the message names it, not the SDK's echo. */
export function countingBody(body: Readable | Uint8Array): {stream: Readable; bytes(): number; error(): Error | undefined; destroy(): void} {
  let bytes = 0
  let failure: Error | undefined
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length
      done(null, chunk)
    }
  })
  const source = body instanceof Uint8Array ? Readable.from([body]) : body
  pipeline(source, counter, error => {
    if (error) failure ??= error
  })
  source.once('error', error => (failure ??= error))
  return {stream: counter, bytes: () => bytes, error: () => failure, destroy: () => void counter.destroy()}
}

const NETWORK: Record<string, string> = {
  ECONNREFUSED: 'the endpoint refused the connection (is the server running, and the port right?)',
  ENOTFOUND: 'the endpoint\'s host name does not resolve',
  EAI_AGAIN: 'the endpoint\'s host name could not be resolved now (DNS)',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: 'the connection timed out',
  EPIPE: 'the connection was closed while sending'
}

/** A plain sentence for a network failure, or undefined when the error is not one. */
export function describeNetworkError(error: unknown): string | undefined {
  for (let e = error as {code?: string; cause?: unknown; name?: string; errors?: unknown[]} | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && NETWORK[e.code]) return `${NETWORK[e.code]} [${e.code}]`
    if (e.name === 'TimeoutError' || e.name === 'RequestTimeout') return 'the request timed out'
    const inner = e.errors?.[0] as {code?: string} | undefined
    if (inner?.code && NETWORK[inner.code]) return `${NETWORK[inner.code]} [${inner.code}]`
  }
  return undefined
}

/**
 * The probe every object store runs before MongoDB is read: the first page below the prefix (list permission), then
 * for 'write' one empty object saved and deleted below PROBE_FOLDER. Each step fails with the store's own message
 * (store, bucket, key, the permission missing); returns the credential source for the log.
 */
export async function probeObjects(store: ObjectStore, access: ProbeAccess, prefix: string, credentials: string): Promise<string> {
  const below = prefix === '' ? '' : `${prefix}/`
  for await (const _ of store.list(below)) break
  if (access === 'write') {
    const key = `${below}${PROBE_FOLDER}/${randomBytes(8).toString('hex')}`
    await store.save(key, new Uint8Array(0))
    await store.delete(key)
  }
  return credentials
}
