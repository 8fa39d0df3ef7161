// Starts the replay peer (tools/mongo-oracle/cmd/replay-peer): an in-memory MongoDB wire-protocol server that serves
// collections loaded from files of concatenated BSON documents, read-only, as fast as a client can take them. Used by
// `npm run bench` (the floor every export is measured against) and by __tests__/bench-peer (that it does not change
// what the tools export). The harness builds it with the other Go helpers (`./cmd/...` of tools/mongo-oracle).

import {spawn, type ChildProcess} from 'node:child_process'
import {createWriteStream} from 'node:fs'
import path from 'node:path'
import {ensurePeers} from '../test/harness/peers.ts'

export interface ReplayPeer {
  uri: string
  pid: number
  /** Stops the peer; safe to call twice. */
  stop(): Promise<void>
}

export interface CollectionFile {
  db: string
  collection: string
  /** A file of concatenated BSON documents, served in file order. */
  file: string
}

const startTimeoutMs = 120_000

/** Path of the replay-peer binary, built by the test harness beside ejson-oracle. */
export async function replayPeerPath(): Promise<string> {
  return path.join(path.dirname((await ensurePeers()).ejsonOracle), 'replay-peer')
}

export async function startReplayPeer(collections: CollectionFile[], opts: {logCommands?: boolean} = {}): Promise<ReplayPeer> {
  const binary = await replayPeerPath()
  const args = ['--stop-on-stdin-eof', ...collections.flatMap(c => ['--load', `${c.db}.${c.collection}=${c.file}`])]
  if (opts.logCommands) args.push('--log-commands')
  const child = spawn(binary, args, {stdio: ['pipe', 'pipe', 'pipe']})
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-16384)
    if (opts.logCommands) process.stderr.write(chunk)
  })
  let stopped: Promise<void> | undefined
  const stop = (): Promise<void> => (stopped ??= stopChild(child))
  try {
    const uri = await new Promise<string>((resolve, reject) => {
      let stdout = ''
      const timer = setTimeout(() => reject(new Error(`replay-peer did not start within ${startTimeoutMs} ms:\n${stderr}`)), startTimeoutMs)
      child.on('error', error => reject(new Error(`Cannot run ${binary}: ${error.message}`)))
      child.on('exit', code => reject(new Error(`replay-peer exited with ${code}:\n${stderr}`)))
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk
        const match = /^listening on (\S+)$/m.exec(stdout)
        if (match) {
          clearTimeout(timer)
          resolve(match[1]!)
        }
      })
    })
    child.removeAllListeners('exit')
    return {uri, pid: child.pid!, stop}
  } catch (error) {
    await stop()
    throw error
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
    child.kill('SIGTERM')
    await exited
  }
  child.stdin?.destroy()
}

/** Writes documents to a file of concatenated BSON, streaming (a million documents never sit in one buffer). */
export async function writeBsonFile(file: string, docs: Iterable<Uint8Array>): Promise<{documents: number; bytes: number}> {
  const out = createWriteStream(file)
  let documents = 0
  let bytes = 0
  const pending: Uint8Array[] = []
  let pendingBytes = 0
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return
    const chunk = Buffer.concat(pending, pendingBytes)
    pending.length = 0
    pendingBytes = 0
    if (!out.write(chunk)) await new Promise<void>(resolve => out.once('drain', () => resolve()))
  }
  for (const doc of docs) {
    pending.push(doc)
    pendingBytes += doc.length
    documents++
    bytes += doc.length
    if (pendingBytes >= 4 << 20) await flush()
  }
  await flush()
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())))
  return {documents, bytes}
}
