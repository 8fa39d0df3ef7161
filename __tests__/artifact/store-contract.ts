// The contract every store keeps, as one suite run against each (like restic's shared backend tests): objects
// (ObjectStore) and complete sets (Store). A store passes only if a reader can never tell it from another.
import assert from 'node:assert/strict'
import {createHash, randomBytes} from 'node:crypto'
import {mkdtemp, readdir, readFile, rm, writeFile, mkdir} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Readable} from 'node:stream'
import {describe, test} from 'node:test'
import type {ObjectStore, Store, StoredSet} from '../../src/artifact/store.ts'

async function text(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

async function keys(store: ObjectStore, prefix: string): Promise<string[]> {
  const out: string[] = []
  for await (const o of store.list(prefix)) out.push(o.key)
  return out
}

export function objectStoreContract(name: string, open: () => Promise<{store: ObjectStore; close(): Promise<void>}>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    test('save, stat, open, list by prefix, copy, delete', async () => {
      const {store, close} = await open()
      try {
        assert.equal(await store.stat('a/b.json'), null)
        assert.deepEqual(await store.save('a/b.json', Buffer.from('{"x":1}\n')), {bytes: 8})
        assert.equal((await store.stat('a/b.json'))?.size, 8)
        assert.equal((await text(await store.open('a/b.json'))).toString(), '{"x":1}\n')
        await store.save('a/c.json', Readable.from([Buffer.from('c')]))
        await store.save('ab/d.json', Buffer.from('d'))
        assert.deepEqual(await keys(store, 'a/'), ['a/b.json', 'a/c.json'])
        assert.deepEqual(await keys(store, 'a'), ['a/b.json', 'a/c.json', 'ab/d.json'])
        await store.copy('a/b.json', 'z/copy.json')
        assert.equal((await text(await store.open('z/copy.json'))).toString(), '{"x":1}\n')
        await store.delete('a/b.json')
        await store.delete('a/b.json') // twice: no error
        assert.equal(await store.stat('a/b.json'), null)
        await assert.rejects(store.open('a/b.json'), {kind: 'refused', code: 'not-found'})
      } finally {
        await close()
      }
    })

    test('keys with spaces and Unicode come back as written', async () => {
      const {store, close} = await open()
      try {
        const key = 'prüfung/outputs/run 7 — ünïcødé 日本/data file.json'
        await store.save(key, Buffer.from('ü'))
        assert.deepEqual(await keys(store, 'prüfung/'), [key])
        assert.equal((await text(await store.open(key))).toString(), 'ü')
      } finally {
        await close()
      }
    })

    test('a large object (24 MiB, several multipart parts on object stores) keeps every byte', async () => {
      const {store, close} = await open()
      try {
        const chunk = randomBytes(1024 * 1024)
        const parts = Array.from({length: 24}, (_, i) => Buffer.concat([chunk.subarray(i), chunk.subarray(0, i)]))
        const expected = createHash('sha256')
        for (const p of parts) expected.update(p)
        assert.equal((await store.save('big/archive', Readable.from(parts))).bytes, 24 * 1024 * 1024)
        const got = createHash('sha256')
        for await (const c of await store.open('big/archive')) got.update(c as Buffer)
        assert.equal(got.digest('hex'), expected.digest('hex'))
      } finally {
        await close()
      }
    })

    test('listing past one page (1 100 objects) returns each once, in key order', async () => {
      const {store, close} = await open()
      try {
        const names = Array.from({length: 1100}, (_, i) => `many/${String(i).padStart(5, '0')}`)
        for (const n of names) await store.save(n, Buffer.from('x'))
        assert.deepEqual(await keys(store, 'many/'), names)
      } finally {
        await close()
      }
    })

    test('a save that fails midway leaves no object', async () => {
      const {store, close} = await open()
      try {
        const failing = new Readable({
          read() {
            this.push(Buffer.alloc(64 * 1024))
            this.destroy(new Error('the reader died'))
          }
        })
        await assert.rejects(store.save('broken/file', failing), {kind: 'refused'})
        assert.equal(await store.stat('broken/file'), null)
        assert.deepEqual(await keys(store, 'broken'), [])
      } finally {
        await close()
      }
    })
  })
}

/** A set on disk: data files and, unless told otherwise, a manifest. */
export async function setFixture(withManifest = true): Promise<{dir: string; files: Record<string, string>}> {
  const dir = await mkdtemp(join(tmpdir(), 'store-set-'))
  const files: Record<string, string> = {'outputs.json': `${JSON.stringify({_id: 1, name: 'ü t'})}\n`, 'sub dir/logs.json': '{"log":1}\n'}
  if (withManifest) files['manifest.json'] = JSON.stringify({tool: 'prancer-db-artifacts', manifestVersion: 1, kind: 'outputs', createdAt: new Date().toISOString(), uriSource: 'test', files: []})
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, ...name.split('/').slice(0, -1)), {recursive: true})
    await writeFile(join(dir, ...name.split('/')), content)
  }
  return {dir, files}
}

async function filesOf(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const e of await readdir(dir, {recursive: true, withFileTypes: true})) {
    if (e.isFile()) out[join(e.parentPath, e.name).slice(dir.length + 1).split('\\').join('/')] = await readFile(join(e.parentPath, e.name), 'utf8')
  }
  return out
}

export interface SetStoreUnderTest {
  store: Store
  /** Commits the directory as one set of `family` made by run `runId`. */
  commit(family: string, runId: number, dir: string): Promise<void>
  /** Leaves a set of `family` whose upload never completed (no manifest, or never finalized). */
  leaveIncomplete(family: string, runId: number, dir: string): Promise<void>
  close(): Promise<void>
}

export function storeContract(name: string, open: () => Promise<SetStoreUnderTest>): void {
  describe(`Store contract: ${name}`, () => {
    test('a committed set is listed in its family only, and downloads byte for byte', async () => {
      const s = await open()
      const {dir, files} = await setFixture()
      const down = await mkdtemp(join(tmpdir(), 'store-down-'))
      try {
        await s.commit('prancer-outputs-a', 11, dir)
        await s.commit('prancer-outputs-b', 12, dir)
        const {sets} = await s.store.list({family: /^prancer-outputs-a/})
        assert.deepEqual(sets.map(x => x.runId), [11])
        assert.ok(sets[0]!.createdAt !== null && !Number.isNaN(Date.parse(sets[0]!.createdAt)), String(sets[0]!.createdAt))
        await s.store.download(sets[0]!, join(down, 'set'))
        assert.deepEqual(await filesOf(join(down, 'set')), files)
      } finally {
        await Promise.all([rm(dir, {recursive: true, force: true}), rm(down, {recursive: true, force: true}), s.close()])
      }
    })

    test('a set whose upload did not complete is never listed', async () => {
      const s = await open()
      const {dir} = await setFixture(false)
      try {
        await s.leaveIncomplete('prancer-outputs-c', 21, dir)
        assert.deepEqual((await s.store.list({family: /^prancer-outputs-c/})).sets, [])
      } finally {
        await Promise.all([rm(dir, {recursive: true, force: true}), s.close()])
      }
    })

    test('a removed set is gone from the listing', async () => {
      const s = await open()
      const {dir} = await setFixture()
      try {
        await s.commit('prancer-outputs-d', 31, dir)
        await s.commit('prancer-outputs-d', 32, dir)
        const before = (await s.store.list({family: /^prancer-outputs-d/})).sets
        assert.equal(before.length, 2)
        await s.store.remove(before.find((x: StoredSet) => x.runId === 31)!)
        assert.deepEqual((await s.store.list({family: /^prancer-outputs-d/})).sets.map(x => x.runId), [32])
      } finally {
        await Promise.all([rm(dir, {recursive: true, force: true}), s.close()])
      }
    })
  })
}
