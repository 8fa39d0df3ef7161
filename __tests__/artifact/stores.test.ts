// The store contract (store-contract.ts) against each store: a local directory (FsObjects, and ObjectSets over it:
// the key layout every object store uses), and GitHub artifacts through the local artifact service with the real
// @actions/artifact client uploading (the REST lister, downloader and remover are ours).
import {after, before} from 'node:test'
import {mkdtemp, readdir, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {FsObjects} from '../../src/artifact/stores/local/fs-objects.ts'
import {ObjectSets} from '../../src/artifact/stores/object-sets.ts'
import {GitHubArtifacts} from '../../src/artifact/stores/github/artifacts.ts'
import {startArtifactService, type ArtifactService} from '../../test/harness/artifact-service.ts'
import {objectStoreContract, storeContract} from './store-contract.ts'

async function scratch(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'store-contract-'))
}

objectStoreContract('local directory (FsObjects)', async () => {
  const root = await scratch()
  return {store: new FsObjects(root), close: () => rm(root, {recursive: true, force: true})}
})

storeContract('local directory (ObjectSets over FsObjects)', async () => {
  const root = await scratch()
  const objects = new FsObjects(root)
  const store = new ObjectSets(objects, 'prefix/of sets')
  return {
    store,
    commit: async (family, runId, dir) => void (await store.commit({family, kind: 'outputs', runId}, dir)),
    // An upload killed before its manifest: the data files are there, the manifest is not.
    leaveIncomplete: async (family, runId, dir) => {
      for (const name of await readdir(dir, {recursive: true, withFileTypes: true})) {
        if (name.isFile()) await objects.save(`prefix/of sets/${family}/outputs/20261204T000000.000Z-${runId}/${name.name}`, Buffer.from('partial'))
      }
    },
    close: () => rm(root, {recursive: true, force: true})
  }
})

const REPOSITORY = 'octo-org/store-contract'
let service: ArtifactService
before(async () => {
  service = await startArtifactService()
})
after(async () => {
  await service?.stop()
})

storeContract('GitHub artifacts (the local artifact service)', async () => {
  const useRun = (runId: number) => Object.assign(process.env, service.env({runId, repository: REPOSITORY}))
  const upload = async (family: string, runId: number, dir: string) => {
    useRun(runId)
    const files = (await readdir(dir, {recursive: true, withFileTypes: true})).filter(e => e.isFile()).map(e => join(e.parentPath, e.name))
    const {DefaultArtifactClient} = await import('@actions/artifact')
    await new DefaultArtifactClient().uploadArtifact(`${family}-${runId}`, files, dir)
  }
  return {
    store: new GitHubArtifacts({repository: REPOSITORY, token: service.githubToken, apiUrl: service.url}),
    commit: upload,
    // The service refuses to finalize: the artifact exists only as an unfinished upload.
    leaveIncomplete: async (family, runId, dir) => {
      service.failNext({method: 'FinalizeArtifact', status: 400, body: {code: 'invalid_argument', msg: 'injected'}})
      await upload(family, runId, dir).catch(() => undefined)
    },
    close: async () => undefined
  }
})

// A manifest save whose answer is lost: the object landed, the client saw an error. The commit must not leave a set
// listed without its data, and must not delete the data of a set it cannot take back.
import {describe, test} from 'node:test'
import assert from 'node:assert/strict'
import {setFixture} from './store-contract.ts'
import type {ObjectStore} from '../../src/artifact/store.ts'
import {RefusedError} from '../../src/common/errors.ts'

function losingManifestAnswers(inner: ObjectStore, opts: {deleteFails: boolean}): ObjectStore {
  return Object.assign(Object.create(inner) as ObjectStore, {
    label: inner.label,
    save: async (key: string, body: Parameters<ObjectStore['save']>[1]) => {
      const saved = await inner.save(key, body)
      if (key.endsWith('/manifest.json')) throw new RefusedError(`${inner.label}: save ${key}: the connection was reset [ECONNRESET].`)
      return saved
    },
    delete: async (key: string) => {
      if (opts.deleteFails && key.endsWith('/manifest.json')) throw new RefusedError(`${inner.label}: delete ${key}: the connection was reset [ECONNRESET].`)
      return inner.delete(key)
    },
    list: (prefix: string) => inner.list(prefix),
    stat: (key: string) => inner.stat(key),
    open: (key: string) => inner.open(key)
  })
}

describe('ObjectSets: a commit whose manifest answer was lost', () => {
  test('the manifest is deleted first, then the data: nothing is listed, nothing is left', async () => {
    const root = await scratch()
    const {dir} = await setFixture()
    try {
      const sets = new ObjectSets(losingManifestAnswers(new FsObjects(root), {deleteFails: false}), 'p')
      await assert.rejects(sets.commit({family: 'prancer-outputs', kind: 'outputs', runId: 1}, dir), /ECONNRESET.*Nothing of outputs set "prancer-outputs" was committed/)
      assert.deepEqual((await sets.list({family: /.*/})).sets, [])
      assert.deepEqual(await readdir(root, {recursive: true, withFileTypes: true}).then(e => e.filter(x => x.isFile()).map(x => x.name)), [])
    } finally {
      await Promise.all([rm(root, {recursive: true, force: true}), rm(dir, {recursive: true, force: true})])
    }
  })

  test('when the manifest cannot be deleted either, the set stays whole (its data is kept)', async () => {
    const root = await scratch()
    const {dir, files} = await setFixture()
    try {
      const objects = new FsObjects(root)
      const sets = new ObjectSets(losingManifestAnswers(objects, {deleteFails: true}), 'p')
      await assert.rejects(sets.commit({family: 'prancer-outputs', kind: 'outputs', runId: 2}, dir))
      const listed = (await new ObjectSets(objects, 'p').list({family: /.*/})).sets
      assert.equal(listed.length, 1, 'the manifest landed and stays')
      const down = join(root, '..', `down-${process.pid}`)
      await new ObjectSets(objects, 'p').download(listed[0]!, down)
      assert.deepEqual((await readdir(down, {recursive: true, withFileTypes: true})).filter(e => e.isFile()).length, Object.keys(files).length)
      await rm(down, {recursive: true, force: true})
    } finally {
      await Promise.all([rm(root, {recursive: true, force: true}), rm(dir, {recursive: true, force: true})])
    }
  })
})
