// Restore to a point in time with real Prancer 3.1.1: a full backup (CLI `backup`), then two more Prancer runs with an
// incremental export after each (CLI `export`), then `restore BACKUP E1 E2` into an empty server. The restored
// databases equal the source: the outputs and logs as the source holds them now, every other collection as it was
// when the backup was taken (compared as raw BSON). A chain with a missing increment is refused before anything is
// written; --until stops at the increments made by then.

import assert from 'node:assert/strict'
import {mkdtemp, rm} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'
import {MongoClient} from 'mongodb'
import {ROOT} from '../../test/action-runner.ts'
import {runNode} from '../../test/export-checks.ts'
import {startTestServer, uniqueDbName} from '../../test/harness/mongo.ts'
import type {TestServer} from '../../test/harness/mongo.ts'
import {prepareScenario} from '../../test/harness/prancer.ts'
import type {Scenario} from '../../test/harness/prancer.ts'

const CLI = path.join(ROOT, 'src', 'cli', 'index.ts')
let source: TestServer
let scenario: Scenario
let work: string
const database = uniqueDbName('validator')
const logsDatabase = uniqueDbName('prancerlogs')
const atBackup = new Map<string, string[]>()

async function rawCollections(uri: string, dbs: string[]): Promise<Map<string, string[]>> {
  const client = new MongoClient(uri)
  try {
    const out = new Map<string, string[]>()
    for (const db of dbs) {
      for (const {name} of await client.db(db).listCollections({}, {nameOnly: true}).toArray()) {
        const docs = (await client.db(db).collection(name).find({}, {raw: true, sort: {_id: 1}}).toArray()) as unknown as Uint8Array[]
        out.set(`${db}.${name}`, docs.map(d => Buffer.from(d).toString('hex')))
      }
    }
    return out
  } finally {
    await client.close()
  }
}

async function cli(args: string[]): Promise<void> {
  const run = await runNode([CLI, ...args])
  assert.equal(run.code, 0, run.output)
}

before(async () => {
  source = await startTestServer()
  scenario = await prepareScenario({uri: source.uri, serverKind: source.kind, database, logsDatabase})
  work = await mkdtemp(path.join(os.tmpdir(), 'pitr-'))
  await scenario.prancer(['--db', 'FULL', scenario.container])
  await cli(['backup', '--out', path.join(work, 'backup'), '--config', scenario.configPath, '--uri', source.uri, '--gzip', '--quiet'])
  for (const [ns, docs] of await rawCollections(source.uri, [database, logsDatabase])) atBackup.set(ns, docs)
  await scenario.prancer(['--db', 'FULL', scenario.container, '--compliance'])
  await cli(['export', '--out', path.join(work, 'e1'), '--config', scenario.configPath, '--uri', source.uri, '--quiet'])
  await new Promise(resolve => setTimeout(resolve, 1100)) // e2 is made in a later second than e1
  await scenario.prancer(['--db', 'FULL', scenario.container, '--compliance'])
  await cli(['export', '--out', path.join(work, 'e2'), '--config', scenario.configPath, '--uri', source.uri, '--previous-manifest', path.join(work, 'e1'), '--quiet'])
})

after(async () => {
  await scenario?.remove()
  await source?.stop()
  if (work) await rm(work, {recursive: true, force: true})
})

describe('restore to a point in time: a backup and the increments after it', {concurrency: false}, () => {
  it('the chain restored into an empty server equals the source (outputs and logs now, the rest as at the backup)', async () => {
    const target = await startTestServer()
    try {
      await cli(['restore', path.join(work, 'backup'), path.join(work, 'e1'), path.join(work, 'e2'), '--uri', target.uri])
      const now = await rawCollections(source.uri, [database, logsDatabase])
      const restored = await rawCollections(target.uri, [database, logsDatabase])
      assert.deepEqual([...restored.keys()].sort(), [...now.keys()].sort())
      for (const [ns, docs] of restored) {
        const expected = ns === `${database}.outputs` || ns === `${logsDatabase}.logs` ? now.get(ns) : atBackup.get(ns)
        assert.deepEqual(docs, expected, ns)
      }
      assert.ok((now.get(`${database}.outputs`) ?? []).length > (atBackup.get(`${database}.outputs`) ?? []).length, 'the increments added outputs')
    } finally {
      await target.stop()
    }
  })

  it('a missing increment is refused before anything is written; --until applies only what was made by then', async () => {
    const target = await startTestServer()
    try {
      const gap = await runNode([CLI, 'restore', path.join(work, 'backup'), path.join(work, 'e2'), '--uri', target.uri])
      assert.equal(gap.code, 1)
      assert.match(gap.output, /e2 continues an export that ended at timestamp \d+ .*after the backup was taken .*: that export is missing from the chain/)
      const client = new MongoClient(target.uri)
      try {
        assert.deepEqual((await client.db().admin().listDatabases()).databases.filter(d => d.name === database || d.name === logsDatabase), [])
      } finally {
        await client.close()
      }
      const e1 = JSON.parse(await (await import('node:fs/promises')).readFile(path.join(work, 'e1', 'outputs', 'manifest.json'), 'utf8'))
      await cli(['restore', path.join(work, 'backup'), path.join(work, 'e1'), path.join(work, 'e2'), '--uri', target.uri, '--until', e1.createdAt])
      const restored = await rawCollections(target.uri, [database])
      // e1 was the chain's first, full export: the outputs as of e1 (a superset of the backup's), and not e2's
      assert.equal(restored.get(`${database}.outputs`)!.length, e1.files[0].documents)
      const now = await rawCollections(source.uri, [database])
      assert.ok(e1.files[0].documents < now.get(`${database}.outputs`)!.length)
    } finally {
      await target.stop()
    }
  })
})

describe('restore --from-github: the chain found among a repository\'s artifacts', () => {
  it('the action\'s backup and exports, listed and downloaded through the REST API, restore to the source', async () => {
    const {startArtifactService} = await import('../../test/harness/artifact-service.ts')
    const {runAction} = await import('../../test/action-runner.ts')
    const {mkdir, readFile, writeFile} = await import('node:fs/promises')
    const service = await startArtifactService()
    const target = await startTestServer()
    try {
      let runId = 9_400_000_001
      const step = async (inputs: Record<string, string>, extra: {headRepository?: string} = {}) => {
        const env = service.env({runId: runId++, repository: 'octo-org/pitr', job: 'nightly', ...extra})
        await mkdir(path.join(env.GITHUB_WORKSPACE, 'prancer'), {recursive: true})
        await writeFile(path.join(env.GITHUB_WORKSPACE, 'prancer', 'config.ini'), await readFile(scenario.configPath, 'utf8'))
        const run = await runAction(env, {'mongodb-uri': source.uri, config: 'prancer/config.ini', ...inputs})
        assert.equal(run.code, 0, run.stdout)
      }
      await step({mode: 'backup'})
      await scenario.prancer(['--db', 'FULL', scenario.container, '--compliance'])
      await step({})
      // a fork's export of the same family, newest of all: never part of the chain
      await step({since: 'all', query: '{"container": "nothing"}', 'if-no-documents': 'ignore'}, {headRepository: 'mallory/pitr'})
      const restored = await runNode([CLI, 'restore', '--from-github', 'octo-org/pitr', '--uri', target.uri], {...process.env, GITHUB_TOKEN: service.githubToken, GITHUB_API_URL: service.url})
      assert.equal(restored.code, 0, restored.output)
      assert.match(restored.output, /Chain from GitHub artifacts of octo-org\/pitr: backup "prancer-backup-[^"]+" \([^)]+\), then 1 exports: prancer-outputs-/)
      const now = await rawCollections(source.uri, [database])
      const got = await rawCollections(target.uri, [database])
      assert.deepEqual(got.get(`${database}.outputs`), now.get(`${database}.outputs`))
    } finally {
      await target.stop()
      await service.stop()
    }
  })
})
