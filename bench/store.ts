// Object store benchmark (issue: off-site stores), side by side in one run on the same data, versitygw on loopback:
// - `backup --to s3://…` (the archive streamed into a multipart upload while it is written) against (a) `backup --out`
//   to a local directory and (b) an upload of the same bytes with lib-storage alone: the stages must overlap, so the
//   target is wall(--to) ≤ 1.15 × max(a, b), and peak RSS within 50 MB of (a);
// - the same for `export`: `export --to` (files written, then uploaded) against `export --out` and lib-storage.
// The replay peer serves 100k and 1M Prancer-shaped outputs (BENCH_STORE_SIZES), so the clients are what is measured.

import {mkdtemp, readdir, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {prancerCorpusFiles} from './corpus.ts'
import {round, timedProcess, type ProcessRun} from './proc.ts'
import {startReplayPeer} from './replay-peer.ts'
import type {BenchSection} from './run.ts'
import {startVersitygw} from '../test/harness/storage-servers.ts'

const SIZES = (process.env.BENCH_STORE_SIZES ?? '100000,1000000').split(',').map(Number)
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const CLI = path.join(ROOT, 'dist', 'cli', 'index.js')
const BUCKET = 'bench'

type Row = Record<string, string | number>

export async function bench(): Promise<BenchSection> {
  const rows: Row[] = []
  const notes: string[] = []
  const work = await mkdtemp(path.join(os.tmpdir(), 'bench-store-'))
  const s3 = await startVersitygw()
  await s3.createBucket(BUCKET)
  const env = {...process.env, ...s3.env}
  const files = await prancerCorpusFiles(SIZES, line => console.error(`bench/store: ${line}`))
  try {
    for (const size of SIZES) {
      const peer = await startReplayPeer([{db: 'bench', collection: 'outputs', file: files.get(size)!.file}])
      try {
        const config = path.join(work, 'config.ini')
        await writeFile(config, '[MONGODB]\ndbname = bench\nOUTPUT = outputs\n')
        const run = async (job: string, tool: string, args: string[]): Promise<ProcessRun> => {
          console.error(`bench/store: ${size} documents, ${tool} ...`)
          const r = await timedProcess(process.execPath, args, {env, serverPid: peer.pid})
          rows.push({job, documents: size, tool, 'wall s': round(r.wallS, 2), 'cpu s': round(r.cpuS, 2), 'peak RSS MB': round(r.maxRssMb, 0)})
          return r
        }
        for (const job of ['backup', 'export'] as const) {
          const extra = job === 'export' ? ['--since', 'all'] : []
          const local = path.join(work, `${job}-${size}`)
          const a = await run(job, `${job} --out DIR`, [CLI, job, '--out', local, '--config', config, '--uri', peer.uri, '--quiet', ...extra])
          const dataFiles = job === 'backup' ? [path.join(local, 'prancer.archive')] : (await readdir(path.join(local, 'outputs'))).filter(f => f !== 'manifest.json').map(f => path.join(local, 'outputs', f))
          const b = await run(job, 'lib-storage upload of the same bytes', [path.join(ROOT, 'bench', 'lib-storage-upload.ts'), BUCKET, `floor/${job}-${size}`, ...dataFiles])
          const c = await run(job, `${job} --to s3://`, [CLI, job, '--to', `s3://${BUCKET}/ours-${size}`, '--config', config, '--uri', peer.uri, '--quiet', ...extra])
          await rm(local, {recursive: true, force: true})
          const ratio = c.wallS / Math.max(a.wallS, b.wallS)
          notes.push(
            `${job}, ${size} documents: --to s3 / max(--out, lib-storage) wall ${round(ratio, 2)} (target ≤ 1.15 ${ratio <= 1.15 ? '✓' : '✗'}); ` +
              `--to s3 / (--out + lib-storage) ${round(c.wallS / (a.wallS + b.wallS), 2)}; peak RSS ${round(c.maxRssMb)} MB against ${round(a.maxRssMb)} MB local (${round(c.maxRssMb - a.maxRssMb)} MB more; target ≤ 50 ${c.maxRssMb - a.maxRssMb <= 50 ? '✓' : '✗'})`
          )
        }
      } finally {
        await peer.stop()
      }
    }
  } finally {
    await s3.stop()
    await rm(work, {recursive: true, force: true})
  }
  return {title: 'Object store: --to s3:// (versitygw, loopback) against a local directory and lib-storage alone', rows, notes}
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const section = await bench()
  console.table(section.rows)
  for (const note of section.notes ?? []) console.log(`- ${note}`)
}
