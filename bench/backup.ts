// Backup benchmark, side by side in one run on the same data: our `backup` (dist/cli/index.js) vs the real
// `mongodump --archive` and `mongodump --archive --gzip`, each its own process (wall, CPU, peak RSS), and the archive
// sizes. Against FerretDB, seeded with Prancer-shaped outputs in three collections (as a Prancer database has
// several): FerretDB's speed bounds both tools here, so the ratios say how much each client adds.
// Standalone: `node bench/backup.ts` (BENCH_BACKUP_DOCS, default 60,000).

import {mkdtemp, rm, stat, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {BSON} from 'bson'
import {MongoClient} from 'mongodb'
import {startTestServer, uniqueDbName} from '../test/harness/mongo.ts'
import {ensurePeers} from '../test/harness/peers.ts'
import {prancerCorpus} from './corpus.ts'
import {childPid, round, timedProcess} from './proc.ts'
import type {BenchSection} from './run.ts'

const DOCS = Number(process.env.BENCH_BACKUP_DOCS ?? 60_000)
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

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
      for (const name of ['outputs', 'snapshots', 'security_groups']) {
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
    const rows: Array<Record<string, string | number>> = []
    const row = async (tool: string, command: string, args: string[], archive: string) => {
      const r = await timedProcess(command, args, {serverPid})
      const size = (await stat(archive)).size
      rows.push({tool, documents: DOCS, 'wall s': round(r.wallS, 2), 'cpu s': round(r.cpuS, 2), 'server cpu s': r.serverCpuS === undefined ? '' : round(r.serverCpuS, 2), 'peak RSS MB': round(r.maxRssMb, 0), 'archive MB': round(size / 1e6, 1)})
      return r
    }
    const oursPlain = await row('ours backup', process.execPath, [path.join(ROOT, 'dist', 'cli', 'index.js'), 'backup', '--out', path.join(work, 'ours'), '--config', path.join(work, 'config.ini'), '--uri', server.uri, '--quiet'], path.join(work, 'ours', 'prancer.archive'))
    const theirsPlain = await row('mongodump --archive', peers.mongodump, ['--uri', server.uri, '--db', database, `--archive=${path.join(work, 'dump.archive')}`, '--quiet'], path.join(work, 'dump.archive'))
    const oursGzip = await row('ours backup --gzip', process.execPath, [path.join(ROOT, 'dist', 'cli', 'index.js'), 'backup', '--out', path.join(work, 'ours-gz'), '--config', path.join(work, 'config.ini'), '--uri', server.uri, '--gzip', '--quiet'], path.join(work, 'ours-gz', 'prancer.archive.gz'))
    const theirsGzip = await row('mongodump --archive --gzip', peers.mongodump, ['--uri', server.uri, '--db', database, `--archive=${path.join(work, 'dump.archive.gz')}`, '--gzip', '--quiet'], path.join(work, 'dump.archive.gz'))
    return {
      title: `Backup: ours vs mongodump --archive (${DOCS} Prancer-shaped documents, ${round(bsonBytes / 1e6, 0)} MB of BSON, in 3 collections, FerretDB)`,
      rows,
      notes: [
        `ours / mongodump wall: plain ${round(oursPlain.wallS / theirsPlain.wallS, 2)}, gzip ${round(oursGzip.wallS / theirsGzip.wallS, 2)}; CPU: plain ${round(oursPlain.cpuS / theirsPlain.cpuS, 2)}, gzip ${round(oursGzip.cpuS / theirsGzip.cpuS, 2)}`,
        'Both tools read through the same FerretDB; its CPU (server cpu s) is most of the wall time here. A replay-peer row would isolate the clients (not built: the peer does not serve mongodump\'s whole catalog yet).'
      ]
    }
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
