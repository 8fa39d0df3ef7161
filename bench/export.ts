// Export engine benchmark, everything side by side in one run on the same data:
//  (a) writer throughput (MB/s of BSON in): ours, js-bson EJSON.stringify(deserialize(...)), and the Go driver's
//      MarshalExtJSON (mongoexport's writer) as the whole ejson-oracle process on the same corpus;
//  (b) end-to-end export of 200,000 Prancer-shaped documents from FerretDB: ours vs mongoexport (wall time, peak RSS),
//      and vs a bare driver cursor that reads the same documents raw and writes nothing (the floor);
//  (c) peak RSS of our export at 50,000 and 500,000 documents (or the largest count FerretDB can be seeded with in
//      five minutes);
//  (d) getMore batch size sweep for our export.
// Every export runs as its own process under /usr/bin/time, so wall time and peak RSS are measured the same way for
// each tool. Standalone: `node bench/export.ts` prints the table and writes bench/results/export.json.

import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdir, mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {BSON, EJSON} from 'bson'
import {MongoClient, type FindCursor} from 'mongodb'
import {bsonToExtJson, ExtJsonTranscoder} from '../src/ejson/writer.ts'
import {DEFAULT_BATCH_SIZE, exportCollection} from '../src/export/index.ts'
import {createRng, encodeDocument, generateDocuments, prancerOutputDocument} from '../test/harness/bson-gen.ts'
import {startTestServer, uniqueDbName} from '../test/harness/mongo.ts'
import {ensurePeers} from '../test/harness/peers.ts'
import type {BenchSection} from './run.ts'

type Row = Record<string, string | number>

const SELF = fileURLToPath(import.meta.url)
const E2E_DOCS = Number(process.env.BENCH_EXPORT_DOCS ?? 200_000)
const RSS_SMALL_DOCS = Number(process.env.BENCH_EXPORT_SMALL_DOCS ?? 50_000)
const RSS_LARGE_DOCS = Number(process.env.BENCH_EXPORT_LARGE_DOCS ?? 500_000)
const SEEDING_BUDGET_MS = 5 * 60 * 1000
const SWEEP_DOCS = Number(process.env.BENCH_EXPORT_SWEEP_DOCS ?? 20_000)
const WRITER_CORPUS_DOCS = Number(process.env.BENCH_EXPORT_WRITER_DOCS ?? 20_000)
const WRITER_REPEATS = 3

const mb = (bytes: number) => bytes / 1e6
const round = (n: number, digits = 1) => Number(n.toFixed(digits))

// ---------------------------------------------------------------------------------------------------------------
// (a) writer throughput

function timeInProcess(docs: Uint8Array[], convert: (doc: Uint8Array) => unknown): number {
  for (const doc of docs.slice(0, 2000)) convert(doc) // warm-up (JIT)
  const times: number[] = []
  for (let r = 0; r < WRITER_REPEATS; r++) {
    const start = performance.now()
    for (const doc of docs) convert(doc)
    times.push(performance.now() - start)
  }
  return median(times)
}

async function timeGoOracle(docs: Uint8Array[], format: string): Promise<number> {
  const { ejsonOracle } = await ensurePeers()
  const input = Buffer.concat(docs)
  const times: number[] = []
  for (let r = 0; r < WRITER_REPEATS; r++) {
    const start = performance.now()
    await new Promise<void>((resolve, reject) => {
      const child = spawn(ejsonOracle, ['marshal', '--format', format], { stdio: ['pipe', 'pipe', 'inherit'] })
      child.stdout.on('data', () => undefined)
      child.on('error', reject)
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ejson-oracle exited with ${code}`))))
      child.stdin.end(input)
    })
    times.push(performance.now() - start)
  }
  return median(times)
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

async function writerThroughput(rows: Row[], notes: string[]): Promise<void> {
  const rng = createRng(20261126)
  const corpora: Array<{ name: string; docs: Uint8Array[]; ejson: boolean }> = [
    {
      name: 'Prancer outputs',
      docs: Array.from({ length: WRITER_CORPUS_DOCS }, (_, i) => encodeDocument(prancerOutputDocument(rng, i))),
      ejson: true
    },
    // js-bson rejects some of these (e.g. unusual regex options), so EJSON is measured on the Prancer corpus only.
    { name: 'all BSON types', docs: generateDocuments(7, WRITER_CORPUS_DOCS), ejson: false }
  ]
  const transcoder = new ExtJsonTranscoder(1 << 20)
  for (const corpus of corpora) {
    const bytes = corpus.docs.reduce((n, d) => n + d.length, 0)
    const add = (tool: string, ms: number) =>
      rows.push({ part: 'a writer', corpus: corpus.name, tool, docs: corpus.docs.length, 'MB in': round(mb(bytes)), 'wall s': round(ms / 1000, 3), 'MB/s': round(mb(bytes) / (ms / 1000)) })
    const ours = timeInProcess(corpus.docs, (doc) => bsonToExtJson(doc, 'relaxed'))
    add('ours bsonToExtJson (string)', ours)
    add(
      'ours transcoder (bytes, as the exporter uses it)',
      timeInProcess(corpus.docs, (doc) => {
        transcoder.len = 0
        transcoder.appendDocument(doc, 'relaxed')
      })
    )
    if (corpus.ejson) {
      const ejson = timeInProcess(corpus.docs, (doc) =>
        EJSON.stringify(BSON.deserialize(doc, { promoteValues: false, bsonRegExp: true }), { relaxed: true })
      )
      add('js-bson EJSON.stringify(deserialize)', ejson)
      notes.push(`(a) ${corpus.name}: ours is ${round(ejson / ours, 2)}x EJSON.stringify(deserialize) (target >= 2x)`)
    }
    const go = await timeGoOracle(corpus.docs, 'relaxed')
    add('Go MarshalExtJSON (whole ejson-oracle process)', go)
    notes.push(`(a) ${corpus.name}: ours is ${round(go / ours, 2)}x the Go writer's whole-process time (target >= 1x)`)
  }
  notes.push(
    `(a) medians of ${WRITER_REPEATS} passes after warm-up, relaxed mode. The Go figure is the whole ejson-oracle process ` +
      '(start-up, reading stdin, bson.Unmarshal into bson.D as mongoexport does, MarshalExtJSON, writing stdout); ' +
      'tools/ is not ours to change, so there is no marshal-only timing.'
  )
}

// ---------------------------------------------------------------------------------------------------------------
// (b)–(d) end to end against FerretDB, each export in its own process under /usr/bin/time

interface ProcessRun {
  wallMs: number
  maxRssMb: number
  stdout: string
}

function timedProcess(command: string, args: string[]): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const start = performance.now()
    const child = spawn('/usr/bin/time', ['-f', 'MAXRSS_KB %M', command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      const wallMs = performance.now() - start
      const rss = /MAXRSS_KB (\d+)/.exec(stderr)
      if (code !== 0 || rss === null) {
        reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${stderr.slice(-2000)}`))
        return
      }
      resolve({ wallMs, maxRssMb: Number(rss[1]) / 1024, stdout })
    })
  })
}

async function seedUpTo(uri: string, dbName: string, collection: string, from: number, to: number): Promise<number> {
  const client = await new MongoClient(uri).connect()
  const start = performance.now()
  try {
    const coll = client.db(dbName).collection(collection)
    // One generator per position, so a count reached in several steps holds the same documents.
    for (let i = from; i < to; i += 1000) {
      const rng = createRng(i)
      const batch = []
      for (let j = i; j < Math.min(i + 1000, to); j++) {
        batch.push(BSON.deserialize(encodeDocument(prancerOutputDocument(rng, j, { results: 1 })), { promoteValues: false }))
      }
      await coll.insertMany(batch, { ordered: true })
    }
  } finally {
    await client.close()
  }
  return performance.now() - start
}

async function sha256File(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex')
}

async function endToEnd(rows: Row[], notes: string[]): Promise<void> {
  const peers = await ensurePeers()
  const server = await startTestServer()
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-export-'))
  const dbName = uniqueDbName('bench_export')
  const collection = 'outputs'
  const node = process.execPath
  const ours = (docs: number, out: string, batchSize = DEFAULT_BATCH_SIZE) =>
    timedProcess(node, [SELF, '--child', 'export', server.uri, dbName, collection, out, String(batchSize), String(docs)])
  const bare = (docs: number) =>
    timedProcess(node, [SELF, '--child', 'bare', server.uri, dbName, collection, '-', String(DEFAULT_BATCH_SIZE), String(docs)])
  const theirs = (out: string) =>
    timedProcess(peers.mongoexport, ['--uri', server.uri, '--db', dbName, '--collection', collection, '--out', out, '--quiet'])
  const e2eRow = (what: string, docs: number, run: ProcessRun, bytes: number) =>
    rows.push({
      part: 'b/c end to end',
      corpus: `${docs} Prancer outputs`,
      tool: what,
      docs,
      'MB in': round(mb(bytes)),
      'wall s': round(run.wallMs / 1000, 2),
      'MB/s': round(mb(bytes) / (run.wallMs / 1000)),
      'docs/s': Math.round(docs / (run.wallMs / 1000)),
      'peak RSS MB': round(run.maxRssMb)
    })

  try {
    let seeded = 0
    let seedMs = 0
    const seed = async (count: number) => {
      seedMs += await seedUpTo(server.uri, dbName, collection, seeded, count)
      seeded = count
    }

    // (d) batch size sweep on the first SWEEP_DOCS documents.
    await seed(SWEEP_DOCS)
    for (const batchSize of [101, 500, 2000, 5000]) {
      const run = await ours(SWEEP_DOCS, path.join(dir, `sweep-${batchSize}.json`), batchSize)
      const bytes = JSON.parse(run.stdout).bsonBytes as number
      rows.push({
        part: 'd batch size',
        corpus: `${SWEEP_DOCS} Prancer outputs`,
        tool: `ours, batchSize ${batchSize}`,
        docs: SWEEP_DOCS,
        'MB in': round(mb(bytes)),
        'wall s': round(run.wallMs / 1000, 2),
        'docs/s': Math.round(SWEEP_DOCS / (run.wallMs / 1000)),
        'peak RSS MB': round(run.maxRssMb)
      })
    }

    // (c) small point of the RSS curve.
    await seed(RSS_SMALL_DOCS)
    const small = await ours(RSS_SMALL_DOCS, path.join(dir, 'small.json'))
    e2eRow('ours (RSS, small)', RSS_SMALL_DOCS, small, JSON.parse(small.stdout).bsonBytes)

    // (b) ours vs mongoexport vs the bare cursor.
    await seed(E2E_DOCS)
    const seedRate = seeded / seedMs
    notes.push(`FerretDB seeding: ${seeded} documents in ${round(seedMs / 1000)} s (${Math.round(seedRate * 1000)} docs/s)`)
    const oursFile = path.join(dir, 'ours.json')
    const theirsFile = path.join(dir, 'theirs.json')
    const theirsRun = await theirs(theirsFile)
    const oursRun = await ours(E2E_DOCS, oursFile)
    const bareRun = await bare(E2E_DOCS)
    const bsonBytes = JSON.parse(oursRun.stdout).bsonBytes as number
    e2eRow('bare driver cursor (reads raw, writes nothing)', E2E_DOCS, bareRun, bsonBytes)
    e2eRow('ours exportCollection', E2E_DOCS, oursRun, bsonBytes)
    e2eRow(`mongoexport (${peers.toolsKind})`, E2E_DOCS, theirsRun, bsonBytes)
    const identical = (await sha256File(oursFile)) === (await sha256File(theirsFile))
    notes.push(
      `(b) output ${round(mb((await stat(oursFile)).size))} MB; identical to mongoexport's file: ${identical ? 'yes' : 'NO'}`,
      `(b) ours / mongoexport wall time: ${round(oursRun.wallMs / theirsRun.wallMs, 2)} (target <= 1.0)`,
      `(b) ours / bare cursor wall time: ${round(oursRun.wallMs / bareRun.wallMs, 2)} (target <= 1.3)`,
      `(b) peak RSS ours ${round(oursRun.maxRssMb)} MB, mongoexport ${round(theirsRun.maxRssMb)} MB, bare cursor ${round(bareRun.maxRssMb)} MB (target < 150 MB)`
    )
    await rm(oursFile)
    await rm(theirsFile)

    // (c) large point: 500k unless seeding that many would take longer than the budget.
    const projectedMs = seedMs + (RSS_LARGE_DOCS - seeded) / seedRate
    const large =
      projectedMs <= SEEDING_BUDGET_MS
        ? RSS_LARGE_DOCS
        : Math.max(seeded, Math.floor((seedRate * SEEDING_BUDGET_MS) / 10_000) * 10_000)
    if (large < RSS_LARGE_DOCS) {
      notes.push(
        `(c) seeding ${RSS_LARGE_DOCS} documents was projected at ${round(projectedMs / 60000)} min (> 5 min), so the large point uses ${large} documents`
      )
    }
    if (large > seeded) await seed(large)
    const big = await ours(large, path.join(dir, 'large.json'))
    e2eRow('ours (RSS, large)', large, big, JSON.parse(big.stdout).bsonBytes)
    notes.push(
      `(c) peak RSS ours: ${round(small.maxRssMb)} MB at ${RSS_SMALL_DOCS} documents, ${round(big.maxRssMb)} MB at ${large} (flat means about equal)`,
      `FerretDB seeding total: ${seeded} documents in ${round(seedMs / 1000)} s`
    )
    notes.push(
      'Prancer-shaped documents with one result each (about 1.5 KB of BSON), default framing, relaxed. FerretDB (SQLite) ' +
        'runs on the same 2 cores as the exporter, so the server dominates every end-to-end figure.'
    )
  } finally {
    await server.stop()
    await rm(dir, { recursive: true, force: true })
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Child process entry: one export (or a bare read) per process, so /usr/bin/time measures it alone.

async function child(args: string[]): Promise<void> {
  const [mode, uri, dbName, collection, out, batchSizeText, limitText] = args as [string, string, string, string, string, string, string]
  const batchSize = Number(batchSizeText)
  const limit = Number(limitText)
  const client = await new MongoClient(uri).connect()
  try {
    const db = client.db(dbName)
    let bsonBytes = 0
    let documents = 0
    if (mode === 'export') {
      const result = await exportCollection(db, collection, { batchSize, limit }, out, {
        format: 'relaxed',
        onDocument: (doc) => {
          bsonBytes += doc.byteLength
        }
      })
      documents = result.documents
    } else {
      const cursor: FindCursor<Uint8Array> = db.collection(collection).find<Uint8Array>({}, { raw: true, batchSize, limit })
      while (await cursor.hasNext()) {
        for (const doc of cursor.readBufferedDocuments()) {
          bsonBytes += doc.byteLength
          documents++
        }
      }
      await cursor.close()
    }
    process.stdout.write(JSON.stringify({ documents, bsonBytes }) + '\n')
  } finally {
    await client.close()
  }
}

export async function bench(): Promise<BenchSection> {
  const rows: Row[] = []
  const notes: string[] = []
  await writerThroughput(rows, notes)
  await endToEnd(rows, notes)
  return { title: 'Export engine (bench/export.ts)', rows, notes }
}

if (import.meta.main) {
  const args = process.argv.slice(2)
  if (args[0] === '--child') {
    await child(args.slice(1))
  } else {
    const section = await bench()
    console.log(`\n## ${section.title}`)
    console.table(section.rows)
    for (const note of section.notes ?? []) console.log(`- ${note}`)
    const out = path.join(path.dirname(SELF), 'results', 'export.json')
    await mkdir(path.dirname(out), { recursive: true })
    await writeFile(out, JSON.stringify({ node: process.version, date: new Date().toISOString(), ...section }, null, 2) + '\n')
    console.log(`\nwrote ${path.relative(process.cwd(), out)}`)
  }
}
