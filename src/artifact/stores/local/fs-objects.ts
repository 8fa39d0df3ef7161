// A local directory as an ObjectStore: each key is a file below the root ('/' in a key is a directory). A save goes
// to a temporary file in the same directory and is renamed into place once complete, so a reader never sees half an
// object, and a failed or killed save leaves only a temporary file no listing shows.

import {randomBytes} from 'node:crypto'
import {createReadStream, createWriteStream} from 'node:fs'
import {copyFile, mkdir, readdir, rename, rm, stat, writeFile} from 'node:fs/promises'
import {dirname, join, relative, resolve, sep} from 'node:path'
import {Readable} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import {RefusedError, UsageError} from '../../../common/errors.ts'
import type {ObjectInfo, ObjectStore, ProbeAccess} from '../../store.ts'

const TEMP_MARK = '.partial-'

export class FsObjects implements ObjectStore {
  readonly label: string
  readonly #root: string

  constructor(root: string) {
    this.#root = resolve(root)
    this.label = `file://${this.#root}`
  }

  #path(key: string): string {
    const path = resolve(this.#root, key)
    if (key === '' || key.startsWith('/') || key.split('/').some(part => part === '..' || part === '') || !path.startsWith(this.#root + sep)) {
      throw new UsageError(`${this.label}: "${key}" is not a key of this store (no empty, "." or ".." parts, no leading "/").`)
    }
    if (key.split('/').some(part => part.startsWith(TEMP_MARK))) throw new UsageError(`${this.label}: "${key}" uses the reserved prefix ${TEMP_MARK}.`)
    return path
  }

  async save(key: string, body: Readable | Uint8Array): Promise<{bytes: number}> {
    const path = this.#path(key)
    await mkdir(dirname(path), {recursive: true})
    const temp = join(dirname(path), `${TEMP_MARK}${randomBytes(6).toString('hex')}`)
    try {
      const out = createWriteStream(temp, {flags: 'wx'})
      await pipeline(body instanceof Uint8Array ? Readable.from([body]) : body, out)
      await rename(temp, path)
      return {bytes: (await stat(path)).size}
    } catch (error) {
      await rm(temp, {force: true})
      throw new RefusedError(`${this.label}: could not write ${key} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); nothing was stored under it.`, {cause: error})
    }
  }

  async open(key: string): Promise<Readable> {
    const path = this.#path(key)
    const info = await stat(path).catch(() => null)
    if (!info?.isFile()) throw new RefusedError(`${this.label}: there is no object ${key}.`, {code: 'not-found'})
    return createReadStream(path)
  }

  async stat(key: string): Promise<ObjectInfo | null> {
    const info = await stat(this.#path(key)).catch(() => null)
    return info?.isFile() ? {key, size: info.size, modified: info.mtime.toISOString()} : null
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    // The deepest directory the prefix names whole; the rest of the prefix filters names below it.
    const cut = prefix.lastIndexOf('/')
    const start = cut < 0 ? this.#root : resolve(this.#root, prefix.slice(0, cut))
    if (start !== this.#root && !start.startsWith(this.#root + sep)) return
    const keys: string[] = []
    const walk = async (dir: string): Promise<void> => {
      const entries = await readdir(dir, {withFileTypes: true}).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return []
        throw error
      })
      for (const entry of entries) {
        if (entry.name.startsWith(TEMP_MARK)) continue
        const path = join(dir, entry.name)
        const key = relative(this.#root, path).split(sep).join('/')
        if (entry.isDirectory()) {
          if (prefix.startsWith(`${key}/`) || key.startsWith(prefix) || `${key}/`.startsWith(prefix)) await walk(path)
        } else if (entry.isFile() && key.startsWith(prefix)) keys.push(key)
      }
    }
    await walk(start)
    // Key order as object stores list them: by UTF-16 code units of the whole key.
    keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    for (const key of keys) {
      const info = await this.stat(key)
      if (info !== null) yield info
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.#path(key), {force: true})
  }

  async probe(access: ProbeAccess, prefix: string): Promise<string> {
    if (access === 'write') {
      const dir = prefix === '' ? this.#root : this.#path(prefix)
      const probe = join(dir, `${TEMP_MARK}probe-${randomBytes(6).toString('hex')}`)
      try {
        await mkdir(dir, {recursive: true})
        await writeFile(probe, '')
      } catch (error) {
        throw new RefusedError(`${this.label}: cannot write below ${dir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, {cause: error})
      } finally {
        await rm(probe, {force: true})
      }
    }
    return 'the file permissions of this user'
  }

  close(): void {}

  async copy(from: string, to: string): Promise<void> {
    const target = this.#path(to)
    await mkdir(dirname(target), {recursive: true})
    const temp = join(dirname(target), `${TEMP_MARK}${randomBytes(6).toString('hex')}`)
    try {
      await copyFile(this.#path(from), temp)
      await rename(temp, target)
    } catch (error) {
      await rm(temp, {force: true})
      throw new RefusedError(`${this.label}: could not copy ${from} to ${to} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, {cause: error})
    }
  }
}
