// An export (its outputs and logs directories, each with its manifest) committed to an object store as two sets, in
// the order that keeps the watermark honest: logs first, outputs last, because the outputs set carries the watermark
// and must exist only when everything else does. When the outputs set cannot be committed, the logs set is taken
// back (without its outputs it would only repeat next run); nothing half-written is ever listed (object-sets.ts).

import type {StoredSet} from './store.ts'
import type {ObjectSets} from './stores/object-sets.ts'

export interface ExportDirs {
  outputs: string
  /** Null when no log runs were exported. */
  logs: string | null
}

export interface CommittedExport {
  outputs: StoredSet
  logs: StoredSet | null
}

export async function commitExport(sets: ObjectSets, dirs: ExportDirs, names: {outputs: string; logs: string}, runId: number): Promise<CommittedExport> {
  const createdAt = new Date()
  const logs = dirs.logs === null ? null : await sets.commit({family: names.logs, kind: 'logs', runId, createdAt}, dirs.logs)
  try {
    return {outputs: await sets.commit({family: names.outputs, kind: 'outputs', runId, createdAt}, dirs.outputs), logs}
  } catch (error) {
    if (logs !== null) await sets.remove(logs).catch(() => undefined)
    throw error
  }
}
