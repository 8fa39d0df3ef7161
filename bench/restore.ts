// Restore benchmark: our reader's parse throughput beside the Go parser (mongoimport's) and EJSON.parse; and our
// restore beside mongoimport on the same file and server, each as its own process under /usr/bin/time (wall, CPU,
// peak RSS): against the replay peer (writes acknowledged and discarded, so the client is measured) for 10k and 100k
// Prancer-shaped documents (1M on request), and against FerretDB for small counts (its upserts slow down with the
// collection).
// Standalone: `node bench/restore.ts` (writes bench/results/restore.json); also run by bench/run.ts.
// BENCH_RESTORE_DOCS sets the parse corpus size (default 100000); BENCH_RESTORE_SIZES the restore sizes.

import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {BSON, EJSON} from 'bson'
import {createRng, encodeDocument, prancerOutputDocument} from '../test/harness/bson-gen.ts'
import {startTestServer, uniqueDbName} from '../test/harness/mongo.ts'
import {ensurePeers} from '../test/harness/peers.ts'
import {marshalExtJson, unmarshalExtJson} from '../test/harness/oracle.ts'
import {extJsonToBson} from '../src/ejson/ext-json-to-bson.ts'
import {readExtJsonDocuments} from '../src/ejson/reader.ts'
import {exportCollection} from '../src/mongo/export/index.ts'
import {MongoClient} from 'mongodb'
import {prancerCorpusFiles} from './corpus.ts'
import {childPid, round, timedProcess, type ProcessRun} from './proc.ts'
import {buildLib} from './build.ts'
import {startReplayPeer} from './replay-peer.ts'

type Row = Record<string, string | number>

const PARSE_DOCS = Number(process.env.BENCH_RESTORE_DOCS ?? 100_000)
// 1M is left out by default: both tools take minutes for it (BENCH_RESTORE_SIZES=10000,100000,1000000 adds it).
const SIZES = (process.env.BENCH_RESTORE_SIZES ?? '10000,100000').split(',').map(Number)
const CHILD = path.join(import.meta.dirname, 'child.ts')

function prancerDocs(count: number, seed: number): Uint8Array[] {
  const rng = createRng(seed)
  return Array.from({length: count}, (_, i) => encodeDocument(prancerOutputDocument(rng, i)))
}

const mb = (bytes: number, ms: number): number => Math.round((bytes / 1024 / 1024 / (ms / 1000)) * 10) / 10
const perSecond = (count: number, ms: number): number => Math.round(count / (ms / 1000))

async function timed<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const start = performance.now()
  const value = await fn()
  return [value, performance.now() - start]
}

async function parseThroughput(rows: Row[], notes: string[]): Promise<void> {
  const docs = prancerDocs(PARSE_DOCS, 1)
  for (const format of ['canonical', 'relaxed'] as const) {
    const lines = await marshalExtJson(docs, format)
    const text = lines.join('\n') + '\n'
    const bytes = Buffer.byteLength(text)
    const buffer = Buffer.from(text)

    // Best of three for the in-process parsers, after one warm-up round.
    const best = async (fn: () => unknown): Promise<number> => {
      await fn()
      let min = Infinity
      for (let i = 0; i < 3; i++) min = Math.min(min, (await timed(fn))[1])
      return min
    }
    const ours = await best(() => {
      for (const line of lines) extJsonToBson(line)
    })
    const oursStream = await best(async () => {
      for await (const doc of readExtJsonDocuments([buffer])) if (doc.error) throw doc.error
    })
    const ejson = await best(() => {
      for (const line of lines) BSON.serialize(EJSON.parse(line, {relaxed: false}))
    })
    const [, goMs] = await timed(() => unmarshalExtJson(lines))
    const base = {corpus: `${PARSE_DOCS} Prancer docs, ${format}`, 'MB': Math.round(bytes / 1024 / 1024)}
    rows.push(
      {...base, parser: 'ours: extJsonToBson per line', ms: Math.round(ours), 'docs/s': perSecond(PARSE_DOCS, ours), 'MB/s': mb(bytes, ours)},
      {...base, parser: 'ours: readExtJsonDocuments (file)', ms: Math.round(oursStream), 'docs/s': perSecond(PARSE_DOCS, oursStream), 'MB/s': mb(bytes, oursStream)},
      {...base, parser: 'Go UnmarshalExtJSON+Marshal (oracle process)', ms: Math.round(goMs), 'docs/s': perSecond(PARSE_DOCS, goMs), 'MB/s': mb(bytes, goMs)},
      {...base, parser: 'js-bson EJSON.parse + serialize (loses types)', ms: Math.round(ejson), 'docs/s': perSecond(PARSE_DOCS, ejson), 'MB/s': mb(bytes, ejson)}
    )
  }
  notes.push('Parse: the Go figure is one ejson-oracle process over all lines, including start-up and the pipe; ours are in-process, best of 3.')
  notes.push('EJSON.parse is shown for scale only: it types 1.0 as Int32 and rounds large integers, so it cannot restore faithfully.')
}

interface RestoreTarget {
  server: 'replay peer' | 'FerretDB'
  uri: string
  pid: number | undefined
}

/** One measured restore process as a table row. */
function restoreRow(target: RestoreTarget, corpus: string, mode: string, tool: string, docs: number, run: ProcessRun): Row {
  return {
    part: 'restore',
    server: target.server,
    corpus,
    mode,
    tool,
    docs,
    'wall s': round(run.wallS, 2),
    'cpu s': round(run.cpuS, 2),
    'cpu/wall': round(run.cpuS / run.wallS, 2),
    'RSS MB': round(run.maxRssMb),
    'server cpu s': run.serverCpuS === undefined ? '' : round(run.serverCpuS, 2),
    'docs/s': Math.round(docs / run.wallS),
    'µs/doc': round((run.wallS * 1e6) / docs, 2)
  }
}

/** Our restore and mongoimport on the same file and server, each as its own process under /usr/bin/time. */
async function restorePair(target: RestoreTarget, file: string, docs: number, corpus: string, mode: 'upsert' | 'insert', rows: Row[], pairs: RestorePair[]): Promise<void> {
  const {mongoimport, toolsKind} = await ensurePeers()
  const oursDb = uniqueDbName('bench_ours')
  const toolDb = uniqueDbName('bench_tool')
  const ours = await timedProcess(process.execPath, [CHILD, 'restore', target.uri, oursDb, 'outputs', file, mode], {serverPid: target.pid})
  const imported = JSON.parse(ours.stdout).imported as number
  const theirs = await timedProcess(mongoimport, ['--uri', target.uri, '--db', toolDb, '--collection', 'outputs', '--mode', mode, '--file', file, '--quiet'], {serverPid: target.pid})
  if (imported !== docs) throw new Error(`bench: our restore (${mode}) imported ${imported} of ${docs} documents`)
  rows.push(restoreRow(target, corpus, mode, 'ours (restore: verify pass, then write)', docs, ours))
  rows.push(restoreRow(target, corpus, mode, `mongoimport (${toolsKind === 'real' ? 'real Database Tools' : 'Go driver stand-in'})`, docs, theirs))
  pairs.push({server: target.server, corpus, mode, docs, ours, theirs})
}

/** Our restore of a mongodump archive and the real mongorestore of the same archive (insert mode, theirs), each its own process. */
async function archivePair(target: RestoreTarget, archive: string, docs: number, corpus: string, rows: Row[], pairs: RestorePair[]): Promise<void> {
  const {mongorestore} = await ensurePeers()
  if (mongorestore === null) return
  const oursDb = uniqueDbName('bench_ours')
  const toolDb = uniqueDbName('bench_tool')
  const ours = await timedProcess(process.execPath, [CHILD, 'restore-archive', target.uri, oursDb, '-', archive, 'insert'], {serverPid: target.pid})
  const imported = JSON.parse(ours.stdout).imported as number
  const theirs = await timedProcess(mongorestore, ['--uri', target.uri, `--archive=${archive}`, '--nsFrom', 'bench.*', '--nsTo', `${toolDb}.*`, '--quiet'], {serverPid: target.pid})
  if (imported !== docs) throw new Error(`bench: our archive restore imported ${imported} of ${docs} documents`)
  rows.push(restoreRow(target, corpus, 'insert', 'ours (archive restore: check pass, then write)', docs, ours))
  rows.push(restoreRow(target, corpus, 'insert', 'mongorestore --archive (real Database Tools)', docs, theirs))
  pairs.push({server: target.server, corpus, mode: 'insert', docs, ours, theirs, tool: 'mongorestore'})
}

interface RestorePair {
  server: string
  corpus: string
  mode: string
  docs: number
  ours: ProcessRun
  theirs: ProcessRun
  /** What ours is compared with: mongoimport (an exported file) or mongorestore (a mongodump archive). */
  tool?: 'mongorestore'
}

const label = (docs: number): string => (docs >= 1_000_000 ? `${docs / 1_000_000}M` : docs >= 1000 ? `${docs / 1000}k` : String(docs))

async function restoreThroughput(rows: Row[], notes: string[]): Promise<void> {
  buildLib()
  const work = await mkdtemp(path.join(os.tmpdir(), 'bench-restore-'))
  const pairs: RestorePair[] = []
  const log = (line: string): void => console.error(`bench/restore: ${line}`)
  try {
    // The files to restore: the corpus exported (canonical) by our exporter from the replay peer, which is
    // byte-identical to mongoexport's file (bench/export.ts checks that).
    const sizes = [...SIZES].sort((a, b) => a - b)
    const corpus = await prancerCorpusFiles(sizes, log)
    const peer = await startReplayPeer(sizes.map(size => ({db: 'bench', collection: `p${label(size)}`, file: corpus.get(size)!.file})))
    const files = new Map<number, string>()
    const archives = new Map<number, string>()
    try {
      const client = await new MongoClient(peer.uri).connect()
      try {
        for (const size of sizes) {
          const file = path.join(work, `p${label(size)}.json`)
          await exportCollection(client.db('bench'), `p${label(size)}`, {}, file, {format: 'canonical'})
          files.set(size, file)
        }
      } finally {
        await client.close()
      }
      // The replay peer acknowledges and discards writes, so the client is what is measured.
      const target: RestoreTarget = {server: 'replay peer', uri: peer.uri, pid: peer.pid}
      for (const size of sizes) {
        for (const mode of size <= 100_000 ? (['upsert', 'insert'] as const) : (['upsert'] as const)) {
          log(`replay peer, ${label(size)}, ${mode} ...`)
          await restorePair(target, files.get(size)!, size, `${label(size)} Prancer outputs`, mode, rows, pairs)
        }
      }
      // The same corpus as a mongodump archive (the real mongodump's), restored by ours and by mongorestore.
      const {mongodump} = await ensurePeers()
      if (mongodump !== null) {
        for (const size of sizes) {
          const archive = path.join(work, `p${label(size)}.archive`)
          await timedProcess(mongodump, ['--uri', peer.uri, '--db', 'bench', '--collection', `p${label(size)}`, `--archive=${archive}`, '--quiet'])
          archives.set(size, archive)
          log(`replay peer, ${label(size)}, archive restore ...`)
          await archivePair(target, archive, size, `${label(size)} Prancer outputs (archive)`, rows, pairs)
        }
      }
    } finally {
      await peer.stop()
    }

    // FerretDB: inserts of the 10k file; upserts of a 1000-document file (FerretDB v1 scans for each upsert).
    const server = await startTestServer()
    try {
      const target: RestoreTarget = {server: 'FerretDB', uri: server.uri, pid: server.kind === 'ferretdb' ? childPid('ferretdb') : undefined}
      const small = Math.min(...sizes)
      log(`FerretDB, ${label(small)}, insert ...`)
      await restorePair(target, files.get(small)!, small, `${label(small)} Prancer outputs`, 'insert', rows, pairs)
      const upsertFile = path.join(work, 'p1k.json')
      const lines = (await readFile(files.get(small)!, 'utf8')).split('\n').slice(0, 1000)
      await writeFile(upsertFile, lines.join('\n') + '\n')
      log('FerretDB, 1k, upsert ...')
      await restorePair(target, upsertFile, 1000, '1k Prancer outputs', 'upsert', rows, pairs)
      const smallArchive = archives.get(small)
      if (smallArchive !== undefined) {
        log(`FerretDB, ${label(small)}, archive restore ...`)
        await archivePair(target, smallArchive, small, `${label(small)} Prancer outputs (archive)`, rows, pairs)
      }
    } finally {
      await server.stop()
    }
  } finally {
    await rm(work, {recursive: true, force: true})
  }
  for (const p of pairs) {
    notes.push(
      `restore, ${p.server}, ${p.corpus}, ${p.mode}: ours/${p.tool ?? 'mongoimport'} wall ${round(p.ours.wallS / p.theirs.wallS, 2)} (target <= 1.0), ` +
        `cpu ${round(p.ours.cpuS / p.theirs.cpuS, 2)}; peak RSS ours ${round(p.ours.maxRssMb)} MB, ${p.tool ?? 'mongoimport'} ${round(p.theirs.maxRssMb)} MB`
    )
  }
  const largest = pairs.filter(p => p.server === 'replay peer' && p.tool === undefined).sort((a, b) => b.docs - a.docs)[0]
  if (largest !== undefined && !SIZES.includes(1_000_000)) {
    notes.push(
      `1M restore left out by default (BENCH_RESTORE_SIZES=10000,100000,1000000 adds it): at the ${label(largest.docs)} rate it would take about ` +
        `${round((largest.ours.wallS * 1_000_000) / largest.docs / 60)} min for ours and ${round((largest.theirs.wallS * 1_000_000) / largest.docs / 60)} min for mongoimport.`
    )
  }
  notes.push(
    'Restore: the same canonical file (exported by ours, identical to mongoexport\'s), each tool its own process into a fresh database; ' +
      'ours reads the file twice (a full verification pass, then the writes), mongoimport once. The replay peer acknowledges writes ' +
      'without storing them; FerretDB v1 upserts scan the collection, so that comparison stays at 1000 documents. ' +
      'Archive restore: the real mongodump\'s archive of the same collection, restored by ours (every length, CRC and document checked ' +
      'before the first write, then read again to write) and by mongorestore --archive (one pass), both inserting, both sending the raw BSON.'
  )
}

export async function bench(): Promise<{title: string; rows: Row[]; notes?: string[]}> {
  const rows: Row[] = []
  const notes: string[] = []
  await parseThroughput(rows, notes)
  await restoreThroughput(rows, notes)
  return {title: 'Restore and Extended JSON reader (bench/restore.ts)', rows, notes}
}

if (import.meta.main) {
  const section = await bench()
  console.log(`\n## ${section.title}`)
  console.table(section.rows)
  for (const note of section.notes ?? []) console.log(`- ${note}`)
  const out = path.join(import.meta.dirname, 'results', 'restore.json')
  await mkdir(path.dirname(out), {recursive: true})
  await writeFile(out, JSON.stringify({node: process.version, date: new Date().toISOString(), ...section}, null, 2) + '\n')
  console.log(`\nwrote ${path.relative(process.cwd(), out)}`)
}
