// Any ObjectStore as a Store, through one key layout for every object store:
//   PREFIX/<family>/<kind>/<UTC timestamp>-<run id>/…files…, manifest.json
// A set is committed by its manifest: the data files are saved first, the manifest last, and a listing shows only
// folders that hold a manifest, so a failed or killed upload leaves nothing a reader would take for an export.
// Removing a set takes its manifest away first, for the same reason.

import {createWriteStream} from 'node:fs'
import {mkdir, readdir} from 'node:fs/promises'
import {dirname, join, posix, relative, resolve, sep} from 'node:path'
import {pipeline} from 'node:stream/promises'
import {createReadStream} from 'node:fs'
import {CorruptDataError, UsageError} from '../../common/errors.ts'
import {MANIFEST_FILE, MANIFEST_KINDS, type ManifestKind} from '../manifest.ts'
import type {ObjectStore, SetListing, SetQuery, Store, StoredSet} from '../store.ts'

/** A family or kind is one folder name. */
const FOLDER = /^[^/\\\0]+$/

export interface CommitSet {
  family: string
  kind: ManifestKind
  /** The run that made it (GITHUB_RUN_ID, or 0 outside a workflow). */
  runId: number
  /** Default now. */
  createdAt?: Date
}

/** `20261204T141140.123Z`: sorts as time does, and is a valid key part everywhere. */
function stamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '')
}

function unstamp(text: string): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\.\d{3})Z$/.exec(text)
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7]}Z` : null
}

export class ObjectSets implements Store {
  readonly label: string
  readonly #objects: ObjectStore
  readonly #prefix: string

  constructor(objects: ObjectStore, prefix = '') {
    this.#objects = objects
    this.#prefix = prefix.replace(/^\/+|\/+$/g, '')
    this.label = this.#prefix === '' ? objects.label : `${objects.label}/${this.#prefix}`
  }

  #key(...parts: string[]): string {
    return [...(this.#prefix === '' ? [] : [this.#prefix]), ...parts].join('/')
  }

  async list(q: SetQuery): Promise<SetListing> {
    const sets: StoredSet[] = []
    const root = this.#key('')
    for await (const object of this.#objects.list(root)) {
      const parts = object.key.slice(root.length).split('/')
      // family / kind / stamp-run / manifest.json: a committed set
      if (parts.length !== 4 || parts[3] !== MANIFEST_FILE) continue
      const [family, kind, folder] = parts as [string, string, string]
      if (!(MANIFEST_KINDS as readonly string[]).includes(kind) || (q.kind !== undefined && kind !== q.kind) || !q.family.test(family)) continue
      const m = /^(.+)-(\d+)$/.exec(folder)
      const createdAt = m ? unstamp(m[1]!) : null
      if (m === null || createdAt === null) continue
      sets.push({name: family, id: this.#key(family, kind, folder), createdAt, runId: Number(m[2]), headBranch: null, size: null})
    }
    return {sets, untrusted: 0, exhausted: false}
  }

  /** Saves every file below `dir` as one set, the manifest last; returns the committed set. */
  async commit(set: CommitSet, dir: string): Promise<StoredSet> {
    if (!FOLDER.test(set.family) || set.family.startsWith('.')) throw new UsageError(`${this.label}: "${set.family}" cannot be a family's folder name.`)
    const createdAt = set.createdAt ?? new Date()
    const id = this.#key(set.family, set.kind, `${stamp(createdAt)}-${set.runId}`)
    const files = await filesBelow(dir)
    if (!files.includes(MANIFEST_FILE)) throw new UsageError(`${dir} holds no ${MANIFEST_FILE}: only a complete export or backup is stored.`)
    for (const file of files.filter(f => f !== MANIFEST_FILE)) await this.#objects.save(`${id}/${file}`, createReadStream(join(dir, ...file.split('/'))))
    await this.#objects.save(`${id}/${MANIFEST_FILE}`, createReadStream(join(dir, MANIFEST_FILE)))
    return {name: set.family, id, createdAt: createdAt.toISOString(), runId: set.runId, headBranch: null, size: null}
  }

  async download(set: StoredSet, dir: string): Promise<void> {
    const root = resolve(dir)
    await mkdir(root, {recursive: true})
    for await (const object of this.#objects.list(`${set.id}/`)) {
      const name = object.key.slice(set.id.length + 1)
      const target = resolve(root, posix.normalize(name))
      if (name.startsWith('/') || !target.startsWith(root + sep)) throw new CorruptDataError(`${this.label}: ${object.key} would land outside ${dir}; it was not stored by this tool.`)
      await mkdir(dirname(target), {recursive: true})
      await pipeline(await this.#objects.open(object.key), createWriteStream(target, {flags: 'wx'}))
    }
  }

  async remove(set: StoredSet): Promise<void> {
    await this.#objects.delete(`${set.id}/${MANIFEST_FILE}`)
    for await (const object of this.#objects.list(`${set.id}/`)) await this.#objects.delete(object.key)
  }
}

/** Every file below `dir`, as '/'-separated paths relative to it. */
async function filesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, {recursive: true, withFileTypes: true})
  return entries.filter(e => e.isFile()).map(e => relative(dir, join(e.parentPath, e.name)).split(sep).join('/')).sort()
}
