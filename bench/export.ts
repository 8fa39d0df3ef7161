// Export engine benchmark, everything side by side in one run on the same data:
//  (a) writer throughput (MB/s of BSON in): ours, js-bson EJSON.stringify(deserialize(...)), and the Go driver's
//      MarshalExtJSON (mongoexport's writer) as the whole ejson-oracle process on the same corpus;
//  (b) end to end, 10k / 100k / 1M Prancer-shaped documents and a few near 16 MiB, against the replay peer (an
//      in-memory server that answers faster than any client consumes, so the client is what is measured) and against
//      FerretDB (up to 100k, without the 16 MiB documents; the notes say why): our export engine vs the real mongoexport vs a bare driver cursor that reads the same documents raw
//      and discards them (the floor). Wall time, CPU time (user + sys), peak RSS of each process, and the server's
//      CPU meanwhile; ratios and the growth from 10k to 1M in the notes;
//  (c) getMore batch size sweep for our export and the floor, on the replay peer.
// Every run is its own process under /usr/bin/time. Standalone: `node bench/export.ts` (bench/results/export.json).
// BENCH_SIZES=10000,100000 picks the corpus sizes; BENCH_FERRETDB_MAX (default 100000) the largest FerretDB is seeded
// with (seeding FerretDB is the slow part).

import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {createReadStream} from 'node:fs'
import {mkdir, mkdtemp, rm, stat, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {BSON, EJSON} from 'bson'
import {MongoClient} from 'mongodb'
import {bsonToExtJson, ExtJsonTranscoder} from '../src/ejson/writer.ts'
import {DEFAULT_BATCH_SIZE} from '../src/mongo/export/index.ts'
import {createRng, encodeDocument, generateDocuments, prancerOutputDocument} from '../test/harness/bson-gen.ts'
import {startTestServer} from '../test/harness/mongo.ts'
import {ensurePeers} from '../test/harness/peers.ts'
import {largeCorpusFile, prancerCorpusFiles, readBsonFile, type CorpusFile} from './corpus.ts'
import {childPid, round, timedProcess, type ProcessRun} from './proc.ts'
import {startReplayPeer} from './replay-peer.ts'
import {buildLib} from './build.ts'
import type {BenchSection} from './run.ts'

type Row = Record<string, string | number>

const SELF = fileURLToPath(import.meta.url)
const CHILD = path.join(path.dirname(SELF), 'child.ts')
const SIZES = (process.env.BENCH_SIZES ?? '10000,100000,1000000').split(',').map(Number)
const FERRETDB_MAX = Number(process.env.BENCH_FERRETDB_MAX ?? 100_000)
const LARGE_DOCS = Number(process.env.BENCH_LARGE_DOCS ?? 4)
// FerretDB v1 puts several ~15 MiB documents into one reply, which mongoexport (the Go driver) refuses as "length of
// read message too large" after about a minute; BENCH_FERRETDB_LARGE=1 still tries it.
const FERRETDB_LARGE = process.env.BENCH_FERRETDB_LARGE === '1'
const SWEEP_DOCS = Number(process.env.BENCH_SWEEP_DOCS ?? 100_000)
const WRITER_CORPUS_DOCS = Number(process.env.BENCH_EXPORT_WRITER_DOCS ?? 20_000)
const WRITER_REPEATS = 3
const DB = 'bench'
const EMPTY = 'empty collection (start-up)'

const mb = (bytes: number): number => bytes / 1e6
const log = (line: string): void => console.error(`bench/export: ${line}`)

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
  const {ejsonOracle} = await ensurePeers()
  const input = Buffer.concat(docs)
  const times: number[] = []
  for (let r = 0; r < WRITER_REPEATS; r++) {
    const start = performance.now()
    await new Promise<void>((resolve, reject) => {
      const child = spawn(ejsonOracle, ['marshal', '--format', format], {stdio: ['pipe', 'pipe', 'inherit']})
      child.stdout.on('data', () => undefined)
      child.on('error', reject)
      child.on('close', code => (code === 0 ? resolve() : reject(new Error(`ejson-oracle exited with ${code}`))))
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
  const corpora: Array<{name: string; docs: Uint8Array[]; ejson: boolean}> = [
    {name: 'Prancer outputs', docs: Array.from({length: WRITER_CORPUS_DOCS}, (_, i) => encodeDocument(prancerOutputDocument(rng, i))), ejson: true},
    // js-bson rejects some of these (e.g. unusual regex options), so EJSON is measured on the Prancer corpus only.
    {name: 'all BSON types', docs: generateDocuments(7, WRITER_CORPUS_DOCS), ejson: false}
  ]
  const transcoder = new ExtJsonTranscoder(1 << 20)
  for (const corpus of corpora) {
    const bytes = corpus.docs.reduce((n, d) => n + d.length, 0)
    const add = (tool: string, ms: number): void => {
      rows.push({part: 'a writer', corpus: corpus.name, tool, docs: corpus.docs.length, 'BSON MB': round(mb(bytes)), 'wall s': round(ms / 1000, 3), 'MB/s': round(mb(bytes) / (ms / 1000))})
    }
    const ours = timeInProcess(corpus.docs, doc => bsonToExtJson(doc, 'relaxed'))
    add('ours bsonToExtJson (string)', ours)
    add(
      'ours transcoder (bytes, as the exporter uses it)',
      timeInProcess(corpus.docs, doc => {
        transcoder.len = 0
        transcoder.appendDocument(doc, 'relaxed')
      })
    )
    if (corpus.ejson) {
      const ejson = timeInProcess(corpus.docs, doc => EJSON.stringify(BSON.deserialize(doc, {promoteValues: false, bsonRegExp: true}), {relaxed: true}))
      add('js-bson EJSON.stringify(deserialize)', ejson)
      notes.push(`(a) ${corpus.name}: ours is ${round(ejson / ours, 2)}x EJSON.stringify(deserialize)`)
    }
    const go = await timeGoOracle(corpus.docs, 'relaxed')
    add('Go MarshalExtJSON (whole ejson-oracle process)', go)
    notes.push(`(a) ${corpus.name}: ours is ${round(go / ours, 2)}x the Go writer's whole-process time`)
  }
  notes.push(
    `(a) medians of ${WRITER_REPEATS} passes after warm-up, relaxed mode. The Go figure is the whole ejson-oracle process ` +
      '(start-up, reading stdin, bson.Unmarshal into bson.D as mongoexport does, MarshalExtJSON, writing stdout).'
  )
}

// ---------------------------------------------------------------------------------------------------------------
// (b) end to end

interface Target {
  server: 'replay peer' | 'FerretDB'
  uri: string
  pid: number | undefined
}

interface Measured {
  target: Target
  corpus: string
  docs: number
  bsonBytes: number
  tool: string
  run: ProcessRun
  identical?: string
}

interface MainThread {
  wallS: number
  runS: number
  runnableS: number
  blockedS: number
}

/** How the child's main thread spent its life (bench/child.ts prints it), if it is one of ours. */
function mainThread(m: Measured): MainThread | undefined {
  try {
    return (JSON.parse(m.run.stdout) as {main?: MainThread}).main
  } catch {
    return undefined
  }
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

function row(m: Measured, part: string): Row {
  const r: Row = {
    part,
    server: m.target.server,
    corpus: m.corpus,
    tool: m.tool,
    docs: m.docs,
    'BSON MB': round(mb(m.bsonBytes)),
    'wall s': round(m.run.wallS, 2),
    'cpu s': round(m.run.cpuS, 2),
    'cpu/wall': round(m.run.cpuS / m.run.wallS, 2),
    'RSS MB': round(m.run.maxRssMb),
    'server cpu s': m.run.serverCpuS === undefined ? '' : round(m.run.serverCpuS, 2),
    'µs/doc': m.docs === 0 ? '' : round((m.run.wallS * 1e6) / m.docs, 2),
    'MB/s': m.docs === 0 ? '' : round(mb(m.bsonBytes) / m.run.wallS)
  }
  const main = mainThread(m)
  r['main thread run/wait/blocked s'] = main === undefined ? '' : `${round(main.runS, 2)}/${round(main.runnableS, 2)}/${round(main.blockedS, 2)}`
  if (m.identical !== undefined) r['= mongoexport'] = m.identical
  return r
}

class EndToEnd {
  readonly measured: Measured[] = []
  private readonly dir: string
  private readonly mongoexport: string
  readonly toolsLabel: string

  constructor(dir: string, mongoexport: string, toolsLabel: string) {
    this.dir = dir
    this.mongoexport = mongoexport
    this.toolsLabel = toolsLabel
  }

  private async child(target: Target, args: string[], nodeFlags: string[] = []): Promise<ProcessRun> {
    return timedProcess(process.execPath, [...nodeFlags, CHILD, ...args], {serverPid: target.pid})
  }

  /**
   * Ours and the floor with V8's young generation capped (node --max-semi-space-size=2): shows how much of the peak
   * RSS is the young generation V8 grows under the driver's allocation rate. Not how the action runs.
   */
  async youngGenerationCapped(target: Target, collection: string, corpus: string, docs: number): Promise<void> {
    const flags = ['--max-semi-space-size=2']
    const bare = await this.child(target, ['bare', target.uri, DB, collection, '-', String(DEFAULT_BATCH_SIZE)], flags)
    const bsonBytes = JSON.parse(bare.stdout).bsonBytes as number
    const out = path.join(this.dir, 'capped.json')
    const ours = await this.child(target, ['export', target.uri, DB, collection, out, 'default'], flags)
    await rm(out, {force: true})
    this.measured.push({target, corpus, docs, bsonBytes, tool: 'floor, node --max-semi-space-size=2 (not the default)', run: bare})
    this.measured.push({target, corpus, docs, bsonBytes, tool: 'ours, node --max-semi-space-size=2 (not the default)', run: ours})
  }

  /** The floor, ours and mongoexport on one collection, in this order; checks that ours equals mongoexport's file. */
  async compare(target: Target, collection: string, corpus: string, docs: number, extraFloor = false): Promise<void> {
    const bare = await this.child(target, ['bare', target.uri, DB, collection, '-', String(DEFAULT_BATCH_SIZE)])
    const bsonBytes = JSON.parse(bare.stdout).bsonBytes as number
    const add = (tool: string, run: ProcessRun, identical?: string): void => {
      this.measured.push({target, corpus, docs, bsonBytes, tool, run, identical})
    }
    add(`floor: bare raw cursor, batchSize ${DEFAULT_BATCH_SIZE}`, bare)
    if (extraFloor) add('bare raw cursor, server-default batches', await this.child(target, ['bare', target.uri, DB, collection, '-', 'default']))
    const oursFile = path.join(this.dir, 'ours.json')
    const theirsFile = path.join(this.dir, 'theirs.json')
    const ours = await this.child(target, ['export', target.uri, DB, collection, oursFile, 'default'])
    const theirs = await timedProcess(this.mongoexport, ['--uri', target.uri, '--db', DB, '--collection', collection, '--out', theirsFile, '--quiet'], {serverPid: target.pid})
    const identical = (await sha256File(oursFile)) === (await sha256File(theirsFile)) ? 'yes' : 'NO'
    add('ours: export engine', ours, identical)
    add(`mongoexport (${this.toolsLabel})`, theirs)
    await rm(oursFile, {force: true})
    await rm(theirsFile, {force: true})
  }

  async sweep(target: Target, collection: string, corpus: string, docs: number, rows: Row[]): Promise<void> {
    for (const batchSize of [101, 1000, 5000]) {
      const bare = await this.child(target, ['bare', target.uri, DB, collection, '-', String(batchSize)])
      const bsonBytes = JSON.parse(bare.stdout).bsonBytes as number
      const out = path.join(this.dir, 'sweep.json')
      const ours = await this.child(target, ['export', target.uri, DB, collection, out, String(batchSize)])
      await rm(out, {force: true})
      rows.push(row({target, corpus, docs, bsonBytes, tool: `floor, batchSize ${batchSize}`, run: bare}, 'c batch size'))
      rows.push(row({target, corpus, docs, bsonBytes, tool: `ours, batchSize ${batchSize}`, run: ours}, 'c batch size'))
    }
  }
}

async function seedFerretDb(uri: string, collection: string, corpus: CorpusFile, from: number): Promise<number> {
  const client = await new MongoClient(uri).connect()
  const started = performance.now()
  try {
    const coll = client.db(DB).collection(collection)
    let batch = []
    let i = 0
    for await (const doc of readBsonFile(corpus.file)) {
      if (i++ < from) continue
      batch.push(BSON.deserialize(doc, {promoteValues: false}))
      if (batch.length === 1000) {
        await coll.insertMany(batch, {ordered: true})
        batch = []
      }
    }
    if (batch.length > 0) await coll.insertMany(batch, {ordered: true})
  } finally {
    await client.close()
  }
  return performance.now() - started
}

function label(docs: number): string {
  return docs >= 1_000_000 && docs % 1_000_000 === 0 ? `${docs / 1_000_000}M` : docs >= 1000 && docs % 1000 === 0 ? `${docs / 1000}k` : String(docs)
}

async function endToEnd(rows: Row[], notes: string[]): Promise<void> {
  buildLib()
  const peers = await ensurePeers()
  const toolsLabel = peers.toolsKind === 'real' ? 'real Database Tools' : 'Go driver stand-in'
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-export-'))
  const e2e = new EndToEnd(dir, peers.mongoexport, toolsLabel)
  const sizes = [...SIZES].sort((a, b) => a - b)
  const corpus = await prancerCorpusFiles(sizes, log)
  const large = LARGE_DOCS > 0 ? await largeCorpusFile(LARGE_DOCS, log) : undefined
  const bsonMb: Record<string, number> = {}
  for (const size of sizes) bsonMb[label(size)] = round(mb((await stat(corpus.get(size)!.file)).size))

  // Replay peer: start-up (an empty collection), every size, the large documents, and the batch size sweep.
  const emptyFile = path.join(dir, 'empty.bson')
  await writeFile(emptyFile, new Uint8Array(0))
  log('starting the replay peer ...')
  const peer = await startReplayPeer([
    {db: DB, collection: 'empty', file: emptyFile},
    ...sizes.map(size => ({db: DB, collection: `p${label(size)}`, file: corpus.get(size)!.file})),
    ...(large ? [{db: DB, collection: 'large', file: large.file}] : [])
  ])
  const replay: Target = {server: 'replay peer', uri: peer.uri, pid: peer.pid}
  try {
    log('replay peer, start-up (empty collection) ...')
    await e2e.compare(replay, 'empty', EMPTY, 0)
    for (const size of sizes) {
      log(`replay peer, ${label(size)} documents ...`)
      await e2e.compare(replay, `p${label(size)}`, `${label(size)} Prancer outputs`, size, size >= 100_000)
    }
    const largest = sizes[sizes.length - 1]!
    log(`replay peer, ${label(largest)} documents with the young generation capped ...`)
    await e2e.youngGenerationCapped(replay, `p${label(largest)}`, `${label(largest)} Prancer outputs`, largest)
    if (large) {
      log(`replay peer, ${LARGE_DOCS} documents near 16 MiB ...`)
      await e2e.compare(replay, 'large', `${LARGE_DOCS} docs of ~15 MiB`, LARGE_DOCS)
    }
    const sweepSize = sizes.includes(SWEEP_DOCS) ? SWEEP_DOCS : sizes[0]!
    log(`replay peer, batch size sweep on ${label(sweepSize)} ...`)
    await e2e.sweep(replay, `p${label(sweepSize)}`, `${label(sweepSize)} Prancer outputs`, sweepSize, rows)
  } finally {
    await peer.stop()
  }

  // FerretDB: the sizes it can be seeded with in reasonable time, seeded incrementally into one collection.
  const ferretSizes = sizes.filter(size => size <= FERRETDB_MAX)
  const server = await startTestServer()
  const target: Target = {server: 'FerretDB', uri: server.uri, pid: server.kind === 'ferretdb' ? childPid('ferretdb') : undefined}
  if (server.kind !== 'ferretdb') target.server = 'FerretDB' // MONGODB_URI: still labelled as the test server
  let seeded = 0
  let seedMs = 0
  try {
    const client = await new MongoClient(server.uri).connect()
    await client.db(DB).createCollection('empty')
    await client.close()
    log('FerretDB, start-up (empty collection) ...')
    await e2e.compare(target, 'empty', EMPTY, 0)
    for (const size of ferretSizes) {
      log(`FerretDB: seeding up to ${label(size)} documents ...`)
      seedMs += await seedFerretDb(server.uri, 'outputs', corpus.get(size)!, seeded)
      seeded = size
      log(`FerretDB, ${label(size)} documents ...`)
      await e2e.compare(target, 'outputs', `${label(size)} Prancer outputs`, size)
    }
    if (large && !FERRETDB_LARGE) {
      notes.push(
        'Documents near 16 MiB only against the replay peer: FerretDB v1 returns several of them in one reply (over the 48 MB ' +
          'message limit), which mongoexport refuses ("length of read message too large"); BENCH_FERRETDB_LARGE=1 runs it anyway.'
      )
    } else if (large) {
      try {
        log(`FerretDB: ${LARGE_DOCS} documents near 16 MiB ...`)
        await seedFerretDb(server.uri, 'large', large, 0)
        await e2e.compare(target, 'large', `${LARGE_DOCS} docs of ~15 MiB`, LARGE_DOCS)
      } catch (error) {
        const lines = (error as Error).message.split('\n').filter(line => line.trim() !== '')
        notes.push(`FerretDB with documents near 16 MiB failed: ${lines[0]} ... ${lines.length > 1 ? lines[lines.length - 1] : ''}`)
      }
    }
  } finally {
    await server.stop()
    await rm(dir, {recursive: true, force: true})
  }
  const seedRate = seeded / (seedMs / 1000)
  const skipped = sizes.filter(size => size > FERRETDB_MAX)
  notes.push(`FerretDB seeding: ${seeded} documents in ${round(seedMs / 1000)} s (${Math.round(seedRate)} docs/s).`)
  if (skipped.length > 0) {
    notes.push(
      `${skipped.map(label).join(', ')} only against the replay peer: seeding FerretDB with ${label(Math.max(...skipped))} documents would take ` +
        `about ${round(Math.max(...skipped) / seedRate / 60)} min at that rate, and each export from it several minutes more.`
    )
  }

  for (const m of e2e.measured) rows.push(row(m, 'b end to end'))
  summarize(e2e.measured, sizes, bsonMb, notes)
}

function summarize(measured: Measured[], sizes: number[], bsonMb: Record<string, number>, notes: string[]): void {
  const find = (server: string, corpus: string, prefix: string): Measured | undefined =>
    measured.find(m => m.target.server === server && m.corpus === corpus && m.tool.startsWith(prefix))
  const corpora = [...new Set(measured.map(m => m.corpus))]
  for (const server of ['replay peer', 'FerretDB']) {
    for (const corpus of corpora.filter(c => c !== EMPTY)) {
      const floor = find(server, corpus, 'floor:')
      const ours = find(server, corpus, 'ours:')
      const theirs = find(server, corpus, 'mongoexport')
      if (!floor || !ours || !theirs) continue
      notes.push(
        `(b) ${server}, ${corpus}: ours/mongoexport wall ${round(ours.run.wallS / theirs.run.wallS, 2)} ` +
          `(mongoexport takes ${round(theirs.run.wallS / ours.run.wallS, 2)}x ours; target >= 1.5x), ` +
          `ours/floor wall ${round(ours.run.wallS / floor.run.wallS, 2)} (target <= 1.2), cpu ${round(ours.run.cpuS / floor.run.cpuS, 2)}; ` +
          `peak RSS ours ${round(ours.run.maxRssMb)} MB, floor ${round(floor.run.maxRssMb)} MB, mongoexport ${round(theirs.run.maxRssMb)} MB; ` +
          `ours = mongoexport byte for byte: ${ours.identical}`
      )
    }
  }
  const peerSizes = sizes.map(size => `${label(size)} Prancer outputs`)
  for (const prefix of ['floor:', 'ours:', 'mongoexport']) {
    const points = peerSizes.map(c => find('replay peer', c, prefix)).filter((m): m is Measured => m !== undefined)
    if (points.length < 2) continue
    const first = points[0]!
    const last = points[points.length - 1]!
    // Per document, net of the tool's start-up (its run on the empty collection).
    const startup = find('replay peer', EMPTY, prefix)
    const wall0 = startup?.run.wallS ?? 0
    const cpu0 = startup?.run.cpuS ?? 0
    const perDoc = (m: Measured): number => ((m.run.wallS - wall0) * 1e6) / m.docs
    const cpuPerDoc = (m: Measured): number => ((m.run.cpuS - cpu0) * 1e6) / m.docs
    notes.push(
      `(b) growth on the replay peer, ${first.tool}: start-up ${round(wall0, 2)} s wall, then wall µs/doc ${points.map(m => `${label(m.docs)} ${round(perDoc(m), 2)}`).join(', ')} ` +
        `(${label(last.docs)}/${label(first.docs)}: ${round(perDoc(last) / perDoc(first), 2)}); cpu µs/doc ${points.map(m => round(cpuPerDoc(m), 2)).join(', ')}; ` +
        `peak RSS MB: empty ${round(startup?.run.maxRssMb ?? 0)}, ${points.map(m => `${label(m.docs)} ${round(m.run.maxRssMb)}`).join(', ')}`
    )
  }
  for (const corpus of peerSizes.filter(c => !c.startsWith('10k'))) {
    for (const prefix of ['floor:', 'ours:']) {
      const m = find('replay peer', corpus, prefix)
      const main = m && mainThread(m)
      if (m?.run.serverCpuS === undefined || main === undefined) continue
      notes.push(
        `(b) ${prefix === 'floor:' ? 'floor check' : 'ours'}, replay peer, ${corpus}: process cpu/wall ${round(m.run.cpuS / m.run.wallS, 2)}, peer cpu/wall ` +
          `${round(m.run.serverCpuS / m.run.wallS, 2)}; the client's main thread was on a CPU ${round(main.runS, 2)} s, runnable but waiting for a CPU ` +
          `${round(main.runnableS, 2)} s, blocked (network, disk, worker) ${round(main.blockedS, 2)} s of its ${round(main.wallS, 2)} s`
      )
    }
  }
  for (const capped of measured.filter(m => m.tool.includes('--max-semi-space-size'))) {
    notes.push(`(b) ${capped.tool}, ${capped.corpus}: peak RSS ${round(capped.run.maxRssMb)} MB, wall ${round(capped.run.wallS, 2)} s, cpu ${round(capped.run.cpuS, 2)} s`)
  }
  notes.push(
    `Corpus: Prancer-shaped outputs with one result each (${Object.entries(bsonMb).map(([k, v]) => `${k}: ${v} MB`).join(', ')} of BSON); ` +
      'relaxed JSON, default framing. "floor" is a bare driver cursor with the batch size our export uses, reading raw and writing nothing. ' +
      'Each process is timed alone; the machine may be shared, so compare rows of one run.'
  )
}

export async function bench(): Promise<BenchSection> {
  const rows: Row[] = []
  const notes: string[] = []
  await writerThroughput(rows, notes)
  await endToEnd(rows, notes)
  return {title: 'Export engine (bench/export.ts)', rows, notes}
}

if (import.meta.main) {
  const section = await bench()
  console.log(`\n## ${section.title}`)
  console.table(section.rows)
  for (const note of section.notes ?? []) console.log(`- ${note}`)
  const out = path.join(path.dirname(SELF), 'results', 'export.json')
  await mkdir(path.dirname(out), {recursive: true})
  await writeFile(out, JSON.stringify({node: process.version, date: new Date().toISOString(), ...section}, null, 2) + '\n')
  console.log(`\nwrote ${path.relative(process.cwd(), out)}`)
}
