// Any ObjectStore as a Store, through one key layout for every object store:
//   PREFIX/<family>/<kind>/<UTC timestamp>-<run id>/…files…, manifest.json
// A set is committed by its manifest: the data files are saved first, the manifest last, and a listing shows only
// folders that hold a manifest, so a failed or killed upload leaves nothing a reader would take for an export.
// Removing a set takes its manifest away first, for the same reason.

import {createWriteStream} from 'node:fs'
import {mkdir, readdir, readFile} from 'node:fs/promises'
import {dirname, join, posix, relative, resolve, sep} from 'node:path'
import {pipeline} from 'node:stream/promises'
import {createReadStream} from 'node:fs'
import {CorruptDataError, errorMessage, RefusedError, ToolError, UsageError} from '../../common/errors.ts'
import {MANIFEST_FILE, MANIFEST_KINDS, parseManifest, type Manifest, type ManifestKind} from '../manifest.ts'
import type {ObjectStore, ProbeAccess, SetListing, SetQuery, Store, StoredSet} from '../store.ts'
import type {Readable} from 'node:stream'

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

/** One set being written: data files first, then the manifest, which commits it. */
export interface SetUpload {
  /** The set's folder key. */
  readonly id: string
  save(file: string, body: Readable | Uint8Array): Promise<{bytes: number}>
  /** Saves the manifest (the commit point) and returns the committed set. */
  commit(manifest: string | Uint8Array): Promise<StoredSet>
  /** Takes back what was saved (best effort): an uncommitted set is invisible anyway, this only saves its cost. */
  abort(): Promise<void>
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

  /** Where a set is, as a URL a user can paste (its folder). */
  locationOf(set: {id: string}): string {
    return `${this.#objects.label}/${set.id}/`
  }

  /** A set's manifest alone (e.g. to tell its branch before downloading it). */
  async readManifest(set: StoredSet): Promise<Manifest> {
    const chunks: Buffer[] = []
    for await (const chunk of await this.#objects.open(`${set.id}/${MANIFEST_FILE}`)) chunks.push(chunk as Buffer)
    return parseManifest(Buffer.concat(chunks).toString('utf8'), `${this.locationOf(set)}${MANIFEST_FILE}`)
  }

  /** The store's prefix, checked before any data is read from MongoDB; returns which credentials were used. */
  probe(access: ProbeAccess): Promise<string> {
    return this.#objects.probe(access, this.#prefix)
  }

  /** Newest first (by the time in the folder name, then the run). */
  async list(q: SetQuery): Promise<SetListing> {
    const sets: StoredSet[] = []
    const root = this.#key('')
    // One family's folder when the family is one name; the whole prefix otherwise.
    const below = q.exactName !== undefined && FOLDER.test(q.exactName) ? `${root}${q.exactName}/` : root
    for await (const object of this.#objects.list(below)) {
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
    sets.sort((a, b) => (a.createdAt! < b.createdAt! ? 1 : a.createdAt! > b.createdAt! ? -1 : (b.runId ?? 0) - (a.runId ?? 0)))
    return {sets, untrusted: 0, exhausted: false}
  }

  /** Starts a set; its files are saved as they come (streamed), the manifest last. */
  begin(set: CommitSet): SetUpload {
    if (!FOLDER.test(set.family) || set.family.startsWith('.')) throw new UsageError(`${this.label}: "${set.family}" cannot be a family's folder name.`)
    const createdAt = set.createdAt ?? new Date()
    const id = this.#key(set.family, set.kind, `${stamp(createdAt)}-${set.runId}`)
    const saved: string[] = []
    const objects = this.#objects
    let committing = false
    return {
      id,
      async save(file, body) {
        if (file === MANIFEST_FILE) throw new UsageError(`${MANIFEST_FILE} is saved by commit(), last.`)
        saved.push(`${id}/${file}`)
        return objects.save(`${id}/${file}`, body)
      },
      async commit(manifest) {
        committing = true
        await objects.save(`${id}/${MANIFEST_FILE}`, typeof manifest === 'string' ? Buffer.from(manifest) : manifest)
        return {name: set.family, id, createdAt: createdAt.toISOString(), runId: set.runId, headBranch: null, size: null}
      },
      async abort() {
        // A manifest save that failed may still have landed (its answer lost): it goes first, and the data files
        // only once it is certainly gone, so a set is never left listed without its data.
        if (committing) {
          try {
            await objects.delete(`${id}/${MANIFEST_FILE}`)
            if ((await objects.stat(`${id}/${MANIFEST_FILE}`)) !== null) return
          } catch {
            return
          }
        }
        for (const key of saved) await objects.delete(key).catch(() => undefined)
      }
    }
  }

  /** Saves every file below `dir` as one set, the manifest last; returns the committed set. */
  async commit(set: CommitSet, dir: string): Promise<StoredSet> {
    const upload = this.begin(set)
    const files = await filesBelow(dir)
    if (!files.includes(MANIFEST_FILE)) throw new UsageError(`${dir} holds no ${MANIFEST_FILE}: only a complete export or backup is stored.`)
    try {
      for (const file of files.filter(f => f !== MANIFEST_FILE)) await upload.save(file, createReadStream(join(dir, ...file.split('/'))))
      return await upload.commit(await readFile(join(dir, MANIFEST_FILE)))
    } catch (error) {
      await upload.abort()
      const note = `${errorMessage(error)} Nothing of ${set.kind} set "${set.family}" was committed (its manifest was not written), so no reader sees it.`
      throw error instanceof ToolError ? new ToolError(error.kind, note, {cause: error, ...(error.code ? {code: error.code} : {})}) : new RefusedError(note, {cause: error})
    }
  }

  async download(set: StoredSet, dir: string): Promise<void> {
    const root = resolve(dir)
    await mkdir(root, {recursive: true})
    for await (const object of this.#objects.list(`${set.id}/`)) {
      const name = object.key.slice(set.id.length + 1)
      // A "folder" marker some consoles and sync tools make holds nothing of the set.
      if (name === '' || name.endsWith('/')) continue
      const target = resolve(root, posix.normalize(name))
      if (name.startsWith('/') || !target.startsWith(root + sep)) throw new CorruptDataError(`${this.label}: ${object.key} would land outside ${dir}; it was not stored by this tool.`)
      await mkdir(dirname(target), {recursive: true})
      try {
        await pipeline(await this.#objects.open(object.key), createWriteStream(target, {flags: 'wx'}))
      } catch (error) {
        if (error instanceof ToolError) throw error
        throw new RefusedError(`${this.#objects.label}: reading ${object.key} failed (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}); nothing of the set is used.`, {cause: error})
      }
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
