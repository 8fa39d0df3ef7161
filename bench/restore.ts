// Restore benchmark: our reader's parse throughput beside the Go parser (mongoimport's) and
// EJSON.parse, and restore throughput beside mongoimport on the same file and the same server.
// Standalone: `node bench/restore.ts` (writes bench/results/restore.json); also run by bench/run.ts.
// BENCH_RESTORE_DOCS sets the parse corpus size (default 100000); on FerretDB the upsert comparison
// uses fewer documents because its upserts slow down with the collection size (see the notes).

import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {BSON, EJSON} from 'bson'
import {createRng, encodeDocument, prancerOutputDocument} from '../test/harness/bson-gen.ts'
import {startTestServer, uniqueDbName} from '../test/harness/mongo.ts'
import {runMongoImport} from '../test/harness/mongo-tools.ts'
import {ensurePeers} from '../test/harness/peers.ts'
import {marshalExtJson, unmarshalExtJson} from '../test/harness/oracle.ts'
import {extJsonToBson, readExtJsonDocuments} from '../src/ejson/reader.ts'
import {restore} from '../src/restore/index.ts'

type Row = Record<string, string | number>

const PARSE_DOCS = Number(process.env.BENCH_RESTORE_DOCS ?? 100_000)

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

async function restoreThroughput(rows: Row[], notes: string[]): Promise<void> {
  const server = await startTestServer()
  const work = await mkdtemp(path.join(os.tmpdir(), 'bench-restore-'))
  try {
    const {toolsKind} = await ensurePeers()
    // FerretDB scans the collection for each upsert, so that comparison stays small there.
    const sizes = server.kind === 'ferretdb' ? {upsert: 1_000, insert: 20_000} : {upsert: 100_000, insert: 100_000}
    for (const mode of ['upsert', 'insert'] as const) {
      const count = sizes[mode]
      const file = path.join(work, `${mode}.json`)
      await writeFile(file, (await marshalExtJson(prancerDocs(count, 2), 'canonical')).join('\n') + '\n')
      const oursDb = uniqueDbName('bench_ours')
      const toolDb = uniqueDbName('bench_tool')
      const [result, oursMs] = await timed(() => restore({source: file, uri: server.uri, database: oursDb, collection: 'outputs', mode}))
      const [run, toolMs] = await timed(() =>
        runMongoImport(['--uri', server.uri, '--db', toolDb, '--collection', 'outputs', '--mode', mode, '--file', file, '--quiet'])
      )
      if (run.code !== 0 || result.imported !== count) throw new Error(`bench: restore ${mode} failed (${run.stderr})`)
      const base = {server: server.kind, mode, documents: count}
      rows.push(
        {...base, tool: 'ours (restore)', ms: Math.round(oursMs), 'docs/s': perSecond(count, oursMs), 'ours/tool': Math.round((toolMs / oursMs) * 100) / 100},
        {...base, tool: `mongoimport (${toolsKind})`, ms: Math.round(toolMs), 'docs/s': perSecond(count, toolMs), 'ours/tool': 1}
      )
    }
    notes.push('Restore: same canonical file, same server, fresh databases; ours includes its full verification pass (sha256 + parse) before writing.')
    notes.push('"ours/tool" > 1 means ours is faster (throughput ratio).')
    if (server.kind === 'ferretdb') {
      notes.push('FerretDB v1 upserts take time growing with the collection (about 30 s for 1000 documents for either tool); set MONGODB_URI for a real mongod with 100,000 documents.')
    }
  } finally {
    await server.stop()
    await rm(work, {recursive: true, force: true})
  }
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
