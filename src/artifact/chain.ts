// A point-in-time chain found in a store: the newest backup (by name pattern) made no later than `until`, and the
// outputs exports made after it (and by `until`), oldest first. The sets are downloaded into a directory each, for
// restoreChain (src/jobs/restore/chain.ts), which then checks the whole chain before anything is written.

import {join} from 'node:path'
import {InputError} from '../common/errors.ts'
import {globToRegExp} from '../common/glob.ts'
import type {Logger} from '../common/log.ts'
import type {Store, StoredSet} from './store.ts'

export interface ChainQuery {
  /** Set name patterns, `*` matching anything. */
  backupName: string
  outputsName: string
  /** epoch ms; default now */
  until?: number
  /** Where each set is downloaded (one directory per set). */
  dir: string
  logger: Logger
}

const byTime = (a: StoredSet, b: StoredSet): number => Date.parse(a.createdAt ?? '') - Date.parse(b.createdAt ?? '') || Number(a.id) - Number(b.id) || (a.runId ?? 0) - (b.runId ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/** Downloads the chain; returns the local directories in restore order (the backup first). */
export async function downloadChain(store: Store, q: ChainQuery): Promise<string[]> {
  const backupName = globToRegExp(q.backupName)
  const outputsName = globToRegExp(q.outputsName)
  const until = q.until ?? Date.now()
  // Two listings, each of its kind: in an object store a logs set may match the outputs pattern too.
  const sets = [...(await store.list({family: backupName, kind: 'backup'})).sets, ...(await store.list({family: outputsName, kind: 'outputs'})).sets]
  const made = sets.filter(s => Date.parse(s.createdAt ?? '') <= until)
  // The newest backup finished by `until`: a set's time in an object store is when its upload began (a streamed
  // backup's folder is named before its archive is read), so the manifest, written at the end, has the last word.
  let backup: StoredSet | undefined
  for (const candidate of made.filter(s => backupName.test(s.name)).sort(byTime).reverse()) {
    const finished = store.readManifest ? Date.parse((await store.readManifest(candidate)).createdAt) : Date.parse(candidate.createdAt ?? '')
    if (finished <= until) {
      backup = candidate
      break
    }
    q.logger.info(`Chain from ${store.label}: backup "${candidate.name}" (${candidate.createdAt}) finished after ${new Date(until).toISOString()}; looking further back.`)
  }
  if (!backup) throw new InputError(`${store.label} holds no backup matching "${q.backupName}" made by ${new Date(until).toISOString()} (artifacts of forks and expired ones do not count).`)
  const increments = made.filter(s => outputsName.test(s.name) && byTime(s, backup) > 0).sort(byTime)
  q.logger.info(`Chain from ${store.label}: backup "${backup.name}" (${backup.createdAt}), then ${increments.length} exports: ${increments.map(s => s.name).join(', ') || 'none'}.`)
  const dirs: string[] = []
  for (const [i, set] of [backup, ...increments].entries()) {
    const dir = join(q.dir, i === 0 ? 'backup' : `increment-${String(i).padStart(4, '0')}`)
    await store.download(set, dir)
    dirs.push(dir)
  }
  return dirs
}
