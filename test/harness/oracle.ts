// The Extended JSON oracle: the Go driver's bson.MarshalExtJSON / bson.UnmarshalExtJSON, the writer and parser of
// mongoexport and mongoimport, run in batch by tools/mongo-oracle/cmd/ejson-oracle (its header documents the stream
// formats). One process per call; input is streamed with backpressure, so 100,000+ documents are fine.

import {spawn} from 'node:child_process'
import type {Writable} from 'node:stream'
import {ensurePeers} from './peers.ts'

export type UnmarshalResult = {bson: Uint8Array} | {error: string}

const writeChunkBytes = 1 << 20

/** One Extended JSON string per document (no newline), exactly as mongoexport writes it; throws naming a bad document. */
export async function marshalExtJson(docs: Uint8Array[], format: 'relaxed' | 'canonical'): Promise<string[]> {
  docs.forEach((doc, index) => {
    const view = new DataView(doc.buffer, doc.byteOffset, doc.byteLength)
    if (doc.byteLength < 5 || view.getInt32(0, true) !== doc.byteLength) {
      throw new Error(`marshalExtJson: document #${index} is ${doc.byteLength} bytes but its length prefix says otherwise`)
    }
  })
  const output = await runOracle(['marshal', '--format', format], stdin => writeAll(stdin, docs))
  const lines = output.toString('utf8').split('\n')
  lines.pop() // the text after the last "\n"
  if (lines.length !== docs.length) {
    throw new Error(`ejson-oracle returned ${lines.length} lines for ${docs.length} documents`)
  }
  lines.forEach((line, index) => {
    if (line.startsWith('!')) {
      throw new Error(`ejson-oracle could not marshal document #${index}: ${line.slice(1)}`)
    }
  })
  return lines
}

/** Per line, the BSON that mongoimport would build from it, or the parser's error message. */
export async function unmarshalExtJson(lines: string[]): Promise<UnmarshalResult[]> {
  lines.forEach((line, index) => {
    if (line.includes('\n')) throw new Error(`unmarshalExtJson: line #${index} contains a newline`)
  })
  const output = await runOracle(['unmarshal'], stdin => writeAll(stdin, encodeLines(lines)))

  const results: UnmarshalResult[] = []
  let offset = 0
  while (offset < output.length) {
    if (offset + 5 > output.length) throw new Error('ejson-oracle output ends inside a frame header')
    const status = output[offset]
    const length = output.readUInt32LE(offset + 1)
    const payload = output.subarray(offset + 5, offset + 5 + length)
    if (payload.length !== length) throw new Error('ejson-oracle output ends inside a frame')
    if (status === 0x42 /* B */) {
      results.push({bson: payload})
    } else if (status === 0x45 /* E */) {
      results.push({error: payload.toString('utf8')})
    } else {
      throw new Error(`ejson-oracle output has an unknown frame status byte ${status}`)
    }
    offset += 5 + length
  }
  if (results.length !== lines.length) {
    throw new Error(`ejson-oracle returned ${results.length} results for ${lines.length} lines`)
  }
  return results
}

/** The lines, each ending in "\n", grouped into chunks of about writeChunkBytes. */
function* encodeLines(lines: string[]): Generator<Buffer> {
  let batch: string[] = []
  let batchLength = 0
  for (const line of lines) {
    batch.push(line, '\n')
    batchLength += line.length + 1
    if (batchLength >= writeChunkBytes) {
      yield Buffer.from(batch.join(''), 'utf8')
      batch = []
      batchLength = 0
    }
  }
  if (batch.length > 0) yield Buffer.from(batch.join(''), 'utf8')
}

async function writeAll(stdin: Writable, chunks: Iterable<Uint8Array>): Promise<void> {
  for (const chunk of chunks) {
    if (!stdin.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        const onDrain = (): void => {
          stdin.off('close', onClose)
          resolve()
        }
        const onClose = (): void => {
          stdin.off('drain', onDrain)
          reject(new Error('ejson-oracle closed its input early'))
        }
        stdin.once('drain', onDrain).once('close', onClose)
      })
    }
  }
  stdin.end()
}

async function runOracle(args: string[], feed: (stdin: Writable) => Promise<void>): Promise<Buffer> {
  const {ejsonOracle} = await ensurePeers()
  const child = spawn(ejsonOracle, args, {stdio: ['pipe', 'pipe', 'pipe']})
  const stdout: Buffer[] = []
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const closed = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', resolve)
  })
  // If the oracle dies early, writing fails (EPIPE); its exit status and stderr explain why.
  child.stdin.on('error', () => {})
  const fed = feed(child.stdin).catch(() => {})
  const code = await closed
  child.stdin.destroy()
  await fed
  if (code !== 0) {
    throw new Error(`ejson-oracle ${args.join(' ')} exited with ${code}: ${stderr.trim()}`)
  }
  return Buffer.concat(stdout)
}
