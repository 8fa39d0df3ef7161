// The benchmark corpus: Prancer-shaped output documents from test/harness/bson-gen.ts (one result each, about 1.5 KB
// of BSON), as files of concatenated BSON that the replay peer loads and FerretDB is seeded from, so every server and
// every tool sees the same bytes. Document i comes from a generator seeded by its block of 1000, so the 10k file is a
// prefix of the 100k file, which is a prefix of the 1M one. Also a few documents near the 16 MiB limit.
// Files are cached in ${XDG_CACHE_HOME:-~/.cache}/prancer-db-artifacts/bench/<key>/, the key hashing the generator.

import {createHash} from 'node:crypto'
import {createWriteStream, type WriteStream} from 'node:fs'
import {access, mkdir, readFile, rename, rm} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {createRng, encodeDocument, prancerOutputDocument} from '../test/harness/bson-gen.ts'

export const LARGE_RESULTS = 16_000 // ~15.1 MiB of BSON per document

export interface CorpusFile {
  file: string
  documents: number
}

const generator = path.join(import.meta.dirname, '..', 'test', 'harness', 'bson-gen.ts')

async function cacheDir(): Promise<string> {
  const hash = createHash('sha256').update(await readFile(generator)).update('\0prancer results=1 blocks=1000 v1').digest('hex').slice(0, 16)
  const dir = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'prancer-db-artifacts', 'bench', hash)
  await mkdir(dir, {recursive: true})
  return dir
}

const exists = (file: string): Promise<boolean> => access(file).then(() => true, () => false)

/** Document i of the corpus. */
export function* prancerCorpus(count: number): Generator<Uint8Array> {
  for (let block = 0; block < count; block += 1000) {
    const rng = createRng(block)
    for (let i = block; i < Math.min(block + 1000, count); i++) yield encodeDocument(prancerOutputDocument(rng, i, {results: 1}))
  }
}

/** The corpus files for each count (generated in one pass, then cached). */
export async function prancerCorpusFiles(counts: number[], log: (line: string) => void): Promise<Map<number, CorpusFile>> {
  const dir = await cacheDir()
  const result = new Map<number, CorpusFile>()
  const missing: number[] = []
  for (const count of counts) {
    const file = path.join(dir, `prancer-${count}.bson`)
    result.set(count, {file, documents: count})
    if (!(await exists(file))) missing.push(count)
  }
  if (missing.length > 0) {
    const max = Math.max(...missing)
    log(`generating ${max} Prancer-shaped documents into ${dir} (once; later runs reuse them) ...`)
    const started = performance.now()
    const outs = missing.map(count => ({count, file: result.get(count)!.file, stream: createWriteStream(`${result.get(count)!.file}.tmp-${process.pid}`)}))
    let pending: Uint8Array[] = []
    let pendingBytes = 0
    let written = 0
    const flush = async (): Promise<void> => {
      const chunk = Buffer.concat(pending, pendingBytes)
      pending = []
      pendingBytes = 0
      for (const out of outs) {
        if (written >= out.count) continue
        // Only the documents below this file's count.
        const take = Math.min(out.count - written, chunkDocs)
        const bytes = take === chunkDocs ? chunk : chunk.subarray(0, chunkOffsets[take]!)
        if (!out.stream.write(bytes)) await drain(out.stream)
      }
    }
    let chunkDocs = 0
    let chunkOffsets: number[] = [0]
    for (const doc of prancerCorpus(max)) {
      pending.push(doc)
      pendingBytes += doc.length
      chunkDocs++
      chunkOffsets.push(pendingBytes)
      if (chunkDocs === 1000) {
        await flush()
        written += chunkDocs
        chunkDocs = 0
        chunkOffsets = [0]
      }
    }
    if (chunkDocs > 0) {
      await flush()
      written += chunkDocs
    }
    for (const out of outs) {
      await new Promise<void>((resolve, reject) => out.stream.end((error?: Error | null) => (error ? reject(error) : resolve())))
      await rename(`${out.file}.tmp-${process.pid}`, out.file)
    }
    log(`generated in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  }
  return result
}

/** `count` Prancer outputs with ~16,000 results each: about 15.1 MiB of BSON apiece, below the 16 MiB limit. */
export async function largeCorpusFile(count: number, log: (line: string) => void): Promise<CorpusFile> {
  const file = path.join(await cacheDir(), `large-${count}.bson`)
  if (!(await exists(file))) {
    log(`generating ${count} documents near 16 MiB ...`)
    const rng = createRng(16)
    const out = createWriteStream(`${file}.tmp-${process.pid}`)
    for (let i = 0; i < count; i++) {
      const doc = encodeDocument(prancerOutputDocument(rng, i, {results: LARGE_RESULTS - i}))
      if (doc.length >= 16 * 1024 * 1024) throw new Error(`large document ${i} has ${doc.length} bytes, over the limit`)
      if (!out.write(doc)) await drain(out)
    }
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())))
    await rename(`${file}.tmp-${process.pid}`, file)
  }
  return {file, documents: count}
}

function drain(stream: WriteStream): Promise<void> {
  return new Promise(resolve => stream.once('drain', () => resolve()))
}

/** The documents of a corpus file, one by one (views into one read of the file). */
export async function* readBsonFile(file: string): AsyncGenerator<Uint8Array> {
  const data = await readFile(file)
  for (let p = 0; p < data.length; ) {
    const size = data.readInt32LE(p)
    yield data.subarray(p, p + size)
    p += size
  }
}

export async function removeQuietly(file: string): Promise<void> {
  await rm(file, {force: true})
}
