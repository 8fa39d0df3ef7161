// The newest complete set of one name (family) and kind in a store, downloaded with its manifest checked: where the
// CLI's `export --to` continues from, what `report --baseline URL` compares with, what `restore --from URL --name`
// restores. (The action's since: auto adds the workflow-run rules of src/action/previous.ts on top of a listing.)

import {join} from 'node:path'
import {InputError} from '../common/errors.ts'
import {MANIFEST_FILE, readManifestFile, type Manifest, type ManifestKind} from './manifest.ts'
import type {Store, StoredSet} from './store.ts'

const newestFirst = (a: StoredSet, b: StoredSet): number => Date.parse(b.createdAt ?? '') - Date.parse(a.createdAt ?? '') || (b.runId ?? 0) - (a.runId ?? 0)

export async function downloadNewestSet(store: Store, q: {name: string; kind: ManifestKind; dir: string}): Promise<{set: StoredSet; manifest: Manifest} | null> {
  const {sets} = await store.list({family: {test: n => n === q.name}, exactName: q.name, kind: q.kind})
  const set = [...sets].sort(newestFirst)[0]
  if (set === undefined) return null
  await store.download(set, q.dir)
  const manifest = await readManifestFile(join(q.dir, MANIFEST_FILE))
  if (manifest.kind !== q.kind) throw new InputError(`${store.label}: the newest "${q.name}" (${set.id}) holds a ${manifest.kind} manifest, not a ${q.kind} one.`)
  return {set, manifest}
}
