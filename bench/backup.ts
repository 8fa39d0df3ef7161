// Backup benchmark, side by side in one run on the same data: our `backup` (dist/cli/index.js, as users run it) vs
// the real `mongodump --archive` and `mongodump --archive --gzip`, each its own process (wall, CPU, peak RSS), and
// the archive sizes. First against the replay peer (bench/replay-peer.ts: replies pre-encoded, so the clients are
// what is measured), three collections of Prancer-shaped outputs at three sizes; then against FerretDB, seeded the
// same way, where FerretDB's speed bounds both tools, so the ratios say how much each client adds.
// Standalone: `node bench/backup.ts` (BENCH_BACKUP_DOCS, default 60,000, for FerretDB; BENCH_BACKUP_PEER_SIZES, the
// per-collection sizes on the replay peer, default 10000,100000 and 1000000 for the first collection).

import {mkdtemp, rm, stat, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {BSON} from 'bson'
import {MongoClient} from 'mongodb'
import {startTestServer, uniqueDbName} from '../test/harness/mongo.ts'
import {ensurePeers} from '../test/harness/peers.ts'
import {prancerCorpus, prancerCorpusFiles} from './corpus.ts'
import {childPid, round, timedProcess, type ProcessRun} from './proc.ts'
import {startReplayPeer} from './replay-peer.ts'
import type {BenchSection} from './run.ts'

const DOCS = Number(process.env.BENCH_BACKUP_DOCS ?? 60_000)
const PEER_SIZES = (process.env.BENCH_BACKUP_PEER_SIZES ?? '10000,100000,1000000').split(',').map(Number)
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const CLI = path.join(ROOT, 'dist', 'cli', 'index.js')
const COLLECTIONS = ['outputs', 'snapshots', 'security_groups']

type Row = Record<string, string | number>

async function measure(rows: Row[], labels: Row, tool: string, command: string, args: string[], archive: string, serverPid: number | undefined): Promise<ProcessRun> {
  const r = await timedProcess(command, args, {serverPid})
  const size = (await stat(archive)).size
  rows.push({...labels, tool, 'wall s': round(r.wallS, 2), 'cpu s': round(r.cpuS, 2), 'server cpu s': r.serverCpuS === undefined ? '' : round(r.serverCpuS, 2), 'peak RSS MB': round(r.maxRssMb, 0), 'archive MB': round(size / 1e6, 1)})
  await rm(archive, {force: true})
  return r
}

/**
 * The replay peer serving three collections: per size, `outputs` holds that many documents and the other two the
 * same (the largest size: a million outputs beside two collections of the previous size, as outputs outgrow the rest).
 */
async function replayPeerRows(work: string, rows: Row[], notes: string[]): Promise<void> {
  const {mongodump} = await ensurePeers()
  const sizes = [...PEER_SIZES].sort((a, b) => a - b)
  const files = await prancerCorpusFiles(sizes, line => console.error(`bench/backup: ${line}`))
  for (const [i, size] of sizes.entries()) {
    const others = i === sizes.length - 1 && i > 0 ? sizes[i - 1]! : size
    const counts = [size, others, others]
    const peer = await startReplayPeer(COLLECTIONS.map((collection, c) => ({db: 'bench', collection, file: files.get(counts[c]!)!.file})))
    try {
      const config = path.join(work, 'peer-config.ini')
      await writeFile(config, '[MONGODB]\ndbname = bench\nOUTPUT = outputs\n')
      const total = counts.reduce((a, b) => a + b, 0)
      const labels: Row = {server: 'replay peer', documents: total, collections: counts.join(' + ')}
      const gzipToo = i === Math.min(1, sizes.length - 1)
      console.error(`bench/backup: replay peer, ${counts.join(' + ')} documents ...`)
      const ours = await measure(rows, labels, 'ours backup', process.execPath, [CLI, 'backup', '--out', path.join(work, 'peer-ours'), '--config', config, '--uri', peer.uri, '--quiet'], path.join(work, 'peer-ours', 'prancer.archive'), peer.pid)
      await rm(path.join(work, 'peer-ours'), {recursive: true, force: true})
      const theirs = await measure(rows, labels, 'mongodump --archive', mongodump!, ['--uri', peer.uri, '--db', 'bench', `--archive=${path.join(work, 'peer-dump.archive')}`, '--quiet'], path.join(work, 'peer-dump.archive'), peer.pid)
      notes.push(`replay peer, ${counts.join(' + ')} documents: ours / mongodump wall ${round(ours.wallS / theirs.wallS, 2)} (target < 1), CPU ${round(ours.cpuS / theirs.cpuS, 2)}, peak RSS ${round(ours.maxRssMb)} MB against ${round(theirs.maxRssMb)} MB`)
      if (gzipToo) {
        const oursGz = await measure(rows, labels, 'ours backup --gzip', process.execPath, [CLI, 'backup', '--out', path.join(work, 'peer-ours-gz'), '--config', config, '--uri', peer.uri, '--gzip', '--quiet'], path.join(work, 'peer-ours-gz', 'prancer.archive.gz'), peer.pid)
        await rm(path.join(work, 'peer-ours-gz'), {recursive: true, force: true})
        const theirsGz = await measure(rows, labels, 'mongodump --archive --gzip', mongodump!, ['--uri', peer.uri, '--db', 'bench', `--archive=${path.join(work, 'peer-dump.archive.gz')}`, '--gzip', '--quiet'], path.join(work, 'peer-dump.archive.gz'), peer.pid)
        notes.push(`replay peer, ${counts.join(' + ')} documents, gzip: ours / mongodump wall ${round(oursGz.wallS / theirsGz.wallS, 2)}, CPU ${round(oursGz.cpuS / theirsGz.cpuS, 2)}`)
      }
    } finally {
      await peer.stop()
    }
  }
}

export async function bench(): Promise<BenchSection> {
  const peers = await ensurePeers()
  if (!peers.mongodump) throw new Error('the real mongodump is needed (../shared/peers or MONGO_TOOLS_BIN)')
  const server = await startTestServer()
  const work = await mkdtemp(path.join(os.tmpdir(), 'bench-backup-'))
  try {
    const database = uniqueDbName('bench')
    const client = new MongoClient(server.uri)
    let bsonBytes = 0
    try {
      const per = Math.ceil(DOCS / 3)
      let n = 0
      for (const name of COLLECTIONS) {
        let batch: Buffer[] = []
        const flush = async () => {
          if (batch.length === 0) return
          await client.db(database).collection(name).insertMany(batch.map(b => BSON.deserialize(b, {promoteLongs: false, promoteValues: false})))
          batch = []
        }
        for (const doc of prancerCorpus(per)) {
          bsonBytes += doc.length
          batch.push(Buffer.from(doc))
          if (batch.length === 1000) await flush()
          if (++n >= DOCS) break
        }
        await flush()
      }
    } finally {
      await client.close()
    }
    await writeFile(path.join(work, 'config.ini'), `[MONGODB]\ndbname = ${database}\nOUTPUT = outputs\n`)
    const serverPid = server.kind === 'ferretdb' ? childPid('ferretdb') : undefined
    const rows: Row[] = []
    const notes: string[] = []
    await replayPeerRows(work, rows, notes)
    const labels: Row = {server: 'FerretDB', documents: DOCS, collections: '3'}
    const oursPlain = await measure(rows, labels, 'ours backup', process.execPath, [CLI, 'backup', '--out', path.join(work, 'ours'), '--config', path.join(work, 'config.ini'), '--uri', server.uri, '--quiet'], path.join(work, 'ours', 'prancer.archive'), serverPid)
    const theirsPlain = await measure(rows, labels, 'mongodump --archive', peers.mongodump, ['--uri', server.uri, '--db', database, `--archive=${path.join(work, 'dump.archive')}`, '--quiet'], path.join(work, 'dump.archive'), serverPid)
    const oursGzip = await measure(rows, labels, 'ours backup --gzip', process.execPath, [CLI, 'backup', '--out', path.join(work, 'ours-gz'), '--config', path.join(work, 'config.ini'), '--uri', server.uri, '--gzip', '--quiet'], path.join(work, 'ours-gz', 'prancer.archive.gz'), serverPid)
    const theirsGzip = await measure(rows, labels, 'mongodump --archive --gzip', peers.mongodump, ['--uri', server.uri, '--db', database, `--archive=${path.join(work, 'dump.archive.gz')}`, '--gzip', '--quiet'], path.join(work, 'dump.archive.gz'), serverPid)
    notes.push(
      `FerretDB, ${DOCS} documents (${round(bsonBytes / 1e6, 0)} MB of BSON): ours / mongodump wall: plain ${round(oursPlain.wallS / theirsPlain.wallS, 2)}, gzip ${round(oursGzip.wallS / theirsGzip.wallS, 2)}; CPU: plain ${round(oursPlain.cpuS / theirsPlain.cpuS, 2)}, gzip ${round(oursGzip.cpuS / theirsGzip.cpuS, 2)}. Both read through the same FerretDB, whose CPU (server cpu s) is most of the wall time.`,
      'Ours computes, besides the CRC-64 the format needs, a sha256 of each collection (the digest of its mongodump --out .bson file) and of the archive, both recorded in the manifest; mongodump computes the CRC only.'
    )
    return {title: 'Backup: ours vs mongodump --archive (Prancer-shaped documents in 3 collections)', rows, notes}
  } finally {
    await server.stop()
    await rm(work, {recursive: true, force: true})
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const section = await bench()
  console.log(`## ${section.title}`)
  console.table(section.rows)
  for (const note of section.notes ?? []) console.log(`- ${note}`)
}
