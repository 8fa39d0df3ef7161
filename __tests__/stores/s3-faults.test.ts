// Faults against a real S3 server (versitygw v1.7.0), each ending with a clear error and exit code, the previous export
// intact and nothing half-written visible: wrong credentials, a missing bucket, an endpoint that refuses connections
// (all caught by the probe, before MongoDB is read), 503 answers injected by a loopback proxy (retried, or after the
// last try an error saying nothing was committed), and the server killed mid-upload, then a rerun. The S3 secret
// key is looked for in every output and in every stored object.
import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {mkdtemp, rm} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {randomBytes} from 'node:crypto'
import {after, before, describe, it} from 'node:test'
import {MongoClient} from 'mongodb'
import {ROOT} from '../../test/action-runner.ts'
import {runNode} from '../../test/export-checks.ts'
import {startTestServer, uniqueDbName, type TestServer} from '../../test/harness/mongo.ts'
import {ensurePrancer, prepareScenario, type Scenario} from '../../test/harness/prancer.ts'
import {startVersitygw, type S3Server} from '../../test/harness/storage-servers.ts'
import {startFaultProxy, type FaultProxy} from '../../test/harness/fault-proxy.ts'
import {S3Objects} from '../../src/artifact/stores/s3/s3-objects.ts'

const CLI = path.join(ROOT, 'dist', 'cli', 'index.js')
const BUCKET = 'prancer-faults'
let server: TestServer
let s3: S3Server
let proxy: FaultProxy
let scenario: Scenario
let client: MongoClient
let work: string
const database = uniqueDbName('validator')
const logsDatabase = uniqueDbName('prancerlogs')
const outputs: string[] = []

before(async () => {
  await ensurePrancer()
  ;[server, s3] = await Promise.all([startTestServer(), startVersitygw()])
  await s3.createBucket(BUCKET)
  proxy = await startFaultProxy(s3.endpoint)
  scenario = await prepareScenario({uri: server.uri, serverKind: server.kind, database, logsDatabase})
  await scenario.prancer(['--db', 'FULL', scenario.container])
  client = new MongoClient(server.uri)
  work = await mkdtemp(path.join(os.tmpdir(), 's3-faults-'))
})

after(async () => {
  await client?.close()
  await scenario?.remove()
  await proxy?.stop()
  await s3?.stop()
  await server?.stop()
  if (work) await rm(work, {recursive: true, force: true})
})

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: os.tmpdir(), ...s3.env, AWS_ENDPOINT_URL_S3: proxy.url, ...extra}
}

async function cli(args: string[], extra: Record<string, string> = {}): Promise<{code: number | null; output: string}> {
  const result = await runNode([CLI, ...args, '--config', scenario.configPath, '--uri', server.uri], env(extra))
  outputs.push(result.output)
  return result
}

/** Committed sets (folders with a manifest) and every key, as the server holds them (read with our client, directly). */
async function listing(): Promise<{keys: string[]; committed: string[]}> {
  const store = new S3Objects({bucket: BUCKET, endpoint: s3.endpoint}, {env: s3.env})
  const keys: string[] = []
  Object.assign(process.env, s3.env)
  for await (const o of store.list('')) keys.push(o.key)
  store.close()
  return {keys, committed: keys.filter(k => k.endsWith('/manifest.json')).map(k => k.slice(0, -'/manifest.json'.length)).sort()}
}

describe('S3 faults (versitygw behind a loopback proxy)', {concurrency: false}, () => {
  it('a first export commits; the chain starts', async () => {
    const first = await cli(['export', '--to', `s3://${BUCKET}/chain`])
    assert.equal(first.code, 0, first.output)
    assert.equal((await listing()).committed.length, 2, 'outputs and logs')
  })

  it('wrong credentials: the probe says so before MongoDB is read; exit 1; nothing changes', async () => {
    const before = await listing()
    const wrong = await cli(['export', '--to', `s3://${BUCKET}/chain`], {AWS_SECRET_ACCESS_KEY: 'not-the-secret-0123456789'})
    assert.equal(wrong.code, 1, wrong.output)
    assert.match(wrong.output, /s3:\/\/prancer-faults: list chain\/: the credentials from the environment \(AWS_ACCESS_KEY_ID\) were refused \(SignatureDoesNotMatch\)/)
    assert.doesNotMatch(wrong.output, /Connect|connected to|document/i, 'MongoDB was not read')
    assert.ok(!wrong.output.includes('not-the-secret-0123456789'))
    assert.deepEqual(await listing(), before)
  })

  it('a missing bucket and an endpoint that refuses connections: each says what is wrong', async () => {
    const missing = await cli(['export', '--to', 's3://no-such-bucket-here/x'])
    assert.equal(missing.code, 1, missing.output)
    assert.match(missing.output, /s3:\/\/no-such-bucket-here: list x\/: the bucket no-such-bucket-here does not exist on http:\/\/127\.0\.0\.1:\d+; create it, or check the bucket name/)
    const refused = await cli(['export', '--to', `s3://${BUCKET}/chain`], {AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:1', AWS_MAX_ATTEMPTS: '2'})
    assert.equal(refused.code, 1, refused.output)
    assert.match(refused.output, /the endpoint refused the connection \(is the server running, and the port right\?\) \[ECONNREFUSED\] \(endpoint http:\/\/127\.0\.0\.1:1\)/)
  })

  it('503 answers are retried with backoff: the export commits', async () => {
    await scenario.prancer(['--db', 'FULL', scenario.container, '--compliance'])
    const before = (await listing()).committed.length
    proxy.fail503(3, method => method === 'PUT')
    const ok = await cli(['export', '--to', `s3://${BUCKET}/chain`])
    assert.equal(ok.code, 0, ok.output)
    assert.equal((await listing()).committed.length, before + 2)
  })

  it('slow answers (400 ms each) only slow the export down', async () => {
    await scenario.prancer(['--db', 'FULL', scenario.container, '--compliance'])
    const before = (await listing()).committed.length
    proxy.delay(400)
    const slow = await cli(['export', '--to', `s3://${BUCKET}/chain`]).finally(() => proxy.delay(0))
    assert.equal(slow.code, 0, slow.output)
    assert.equal((await listing()).committed.length, before + 2)
  })

  it('503 on every try of the manifest: exit 1, nothing was committed, the previous export stays the newest', async () => {
    await scenario.prancer(['--db', 'FULL', scenario.container, '--compliance'])
    const before = await listing()
    proxy.fail503(1000, (method, url) => method === 'PUT' && decodeURIComponent(url).includes('/prancer-outputs/') && url.includes('manifest.json'))
    const failed = await cli(['export', '--to', `s3://${BUCKET}/chain`], {AWS_MAX_ATTEMPTS: '3'})
    proxy.fail503(0)
    assert.equal(failed.code, 1, failed.output)
    assert.match(failed.output, /save chain\/prancer-outputs\/outputs\/[^ ]+\/manifest\.json: SlowDown \(HTTP 503\): Please reduce your request rate \(after 3 attempts\)\. Nothing of outputs set "prancer-outputs" was committed/)
    const now = await listing()
    assert.deepEqual(now.committed, before.committed, 'no new set is visible (the logs set was taken back too)')
    // The rerun continues from the previous export: nothing lost.
    const rerun = await cli(['export', '--to', `s3://${BUCKET}/chain`])
    assert.equal(rerun.code, 0, rerun.output)
    assert.match(rerun.output, /continuing from s3:\/\/prancer-faults\/chain\/prancer-outputs\/outputs\//)
    assert.match(rerun.output, /outputs: 1 document/)
  })

  it('the server killed mid-upload of a multipart backup: exit 1, nothing visible; after a restart the rerun commits', async () => {
    // Enough data for several 8 MiB parts.
    const bulk = client.db(database).collection<{_id: number; blob: string}>('bulk_for_faults')
    await bulk.insertMany(Array.from({length: 12}, (_, i) => ({_id: i, blob: randomBytes(2 * 1024 * 1024).toString('base64')})))
    const before = await listing()
    proxy.onBytes(10 * 1024 * 1024, () => void s3.server.kill())
    const killed = await cli(['backup', '--to', `s3://${BUCKET}/chain`], {AWS_MAX_ATTEMPTS: '2'})
    assert.equal(killed.code, 1, killed.output)
    assert.match(killed.output, /s3:\/\/prancer-faults: save chain\/prancer-backup\/backup\/[^ ]+\/prancer\.archive: .*Nothing of the backup was committed \(its manifest was not written\)/)
    await s3.restart()
    const after = await listing()
    assert.deepEqual(after.committed, before.committed)
    const again = await cli(['backup', '--to', `s3://${BUCKET}/chain`])
    assert.equal(again.code, 0, again.output)
    assert.equal((await listing()).committed.length, before.committed.length + 1)
    await bulk.drop()
  })

  it('backup --out DIR --to: a store that refuses the commit fails the command but keeps the complete local backup', async () => {
    const out = path.join(work, 'kept-backup')
    proxy.fail503(1000, (method, url) => method === 'PUT' && url.includes('manifest.json'))
    const failed = await cli(['backup', '--out', out, '--to', `s3://${BUCKET}/chain`], {AWS_MAX_ATTEMPTS: '1'}).finally(() => proxy.fail503(0))
    assert.equal(failed.code, 1, failed.output)
    assert.match(failed.output, /SlowDown \(HTTP 503\).*Nothing of backup set "prancer-backup" was committed.*The backup in .*kept-backup is complete and kept\./)
    const {readFile} = await import('node:fs/promises')
    const manifest = JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')) as {archive: {file: string}}
    assert.equal(manifest.archive.file, 'prancer.archive')
  })

  it('a full disk on the server (versitygw on a 4 MiB tmpfs answers 507): the backup fails saying so, nothing is visible', async t => {
    const disk = await mkdtemp(path.join(os.tmpdir(), 's3-full-disk-'))
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', disk], {stdio: 'ignore'})
    } catch {
      await rm(disk, {recursive: true, force: true})
      t.skip('mounting a small tmpfs needs root (CI runs as root); not tested here')
      return
    }
    const full = await startVersitygw({root: disk})
    try {
      await full.createBucket('full')
      const bulk = client.db(database).collection<{_id: number; blob: string}>('bulk_for_full_disk')
      await bulk.insertMany(Array.from({length: 4}, (_, i) => ({_id: i, blob: randomBytes(2 * 1024 * 1024).toString('base64')})))
      const failed = await runNode([CLI, 'backup', '--to', 's3://full/nightly', '--config', scenario.configPath, '--uri', server.uri], {...env(), ...full.env, AWS_MAX_ATTEMPTS: '2'})
      outputs.push(failed.output)
      await bulk.drop()
      assert.equal(failed.code, 1, failed.output)
      assert.match(failed.output, /s3:\/\/full: save nightly\/prancer-backup\/backup\/[^ ]+\/prancer\.archive: the server has no space left for it \(InsufficientStorage, HTTP 507\); free space on the server or its volume, then run again.* Nothing of the backup was committed/)
      const store = new S3Objects({bucket: 'full', endpoint: full.endpoint}, {env: full.env})
      const keys: string[] = []
      Object.assign(process.env, full.env)
      for await (const o of store.list('')) keys.push(o.key)
      store.close()
      Object.assign(process.env, s3.env)
      assert.deepEqual(keys.filter(k => k.endsWith('manifest.json')), [], keys.join('\n'))
    } finally {
      await full.stop()
      execFileSync('umount', [disk], {stdio: 'ignore'})
      await rm(disk, {recursive: true, force: true})
    }
  })

  it('the S3 secret key is in no output and no stored object', async () => {
    assert.ok(outputs.length >= 8)
    for (const output of outputs) assert.ok(!output.includes(s3.secretKey), output)
    const store = new S3Objects({bucket: BUCKET, endpoint: s3.endpoint}, {env: s3.env})
    try {
      for (const key of (await listing()).keys) {
        const chunks: Buffer[] = []
        for await (const c of await store.open(key)) chunks.push(c as Buffer)
        assert.ok(!Buffer.concat(chunks).includes(s3.secretKey), key)
      }
    } finally {
      store.close()
    }
  })
})
