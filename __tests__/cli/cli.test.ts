// The `prancer-db-artifacts` command as users run it: `node src/cli/index.ts ...` in a child process,
// checking exit codes, stdout and stderr, against a real server (FerretDB, or MONGODB_URI).

import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {MongoClient} from 'mongodb'
import {createRng, encodeDocument, prancerOutputDocument, seedFromEnv} from '../../test/harness/bson-gen.ts'
import {startTestServer, uniqueDbName, type TestServer} from '../../test/harness/mongo.ts'
import {runMongoImport} from '../../test/harness/mongo-tools.ts'
import {marshalExtJson} from '../../test/harness/oracle.ts'
import packageJson from '../../package.json' with {type: 'json'}

const CLI = path.resolve(import.meta.dirname, '../../src/cli/index.ts')
const seed = seedFromEnv()
const PASSWORD = 'S3cret-Pa55word'

interface Run {
  code: number
  stdout: string
  stderr: string
}

function cli(args: string[], env: Record<string, string> = {}, cwd = process.cwd()): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {cwd, env: {PATH: process.env.PATH ?? '', HOME: os.tmpdir(), ...env}})
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    child.on('error', reject)
    child.on('close', (code) => resolve({code: code ?? -1, stdout, stderr}))
  })
}

const noStack = (run: Run): void => assert.doesNotMatch(run.stderr, /\n\s+at .+:\d+:\d+/, `a stack trace was printed:\n${run.stderr}`)

describe('without a server', () => {
  test('--version, --help for every command, usage errors exit 2 without a stack trace', async () => {
    const version = await cli(['--version'])
    assert.deepEqual([version.code, version.stdout.trim()], [0, packageJson.version])
    for (const command of [[], ['export'], ['restore'], ['config']]) {
      const run = await cli([...command, '--help'])
      assert.equal(run.code, 0, command.join(' '))
      assert.match(run.stdout, /^Usage: prancer-db-artifacts/)
      assert.match(run.stdout, /Exit codes:\n {2}0 {2}success\n {2}1 {2}failure/)
    }
    for (const args of [[], ['bogus'], ['restore', '--bogus'], ['restore'], ['restore', 'a', 'b'], ['export'], ['export', '--out', 'x', '--json-format', 'xml'], ['export', '--out', 'x', '--lookback-ms', '10m'], ['export', '--out', 'x', '--lookback-ms', '2592000001'], ['restore', 'x', '--mode', 'delete']]) {
      const run = await cli(args)
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`)
      noStack(run)
    }
  })

  test('config prints the resolved settings as JSON with the password masked', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cli-config-'))
    try {
      await writeFile(path.join(dir, 'config.ini'), `[MONGODB]\ndbname = validator\nOUTPUT = outputs\ndburl = mongodb://admin:${PASSWORD}@db.example:27017/\n\n[LOGGING]\ndbname = whitekite\n`)
      const run = await cli(['config'], {FRAMEWORKDIR: dir})
      assert.equal(run.code, 0, run.stderr)
      const settings = JSON.parse(run.stdout)
      assert.equal(settings.configPath, path.join(dir, 'config.ini'))
      assert.deepEqual([settings.database, settings.outputCollection, settings.logsDatabase], ['validator', 'outputs', 'whitekite'])
      assert.equal(settings.uriSource, 'config.ini [MONGODB] dburl')
      assert.ok(!run.stdout.includes(PASSWORD) && !run.stderr.includes(PASSWORD), 'the password was printed')
      assert.match(settings.redactedUri, /^mongodb:\/\/admin:\*+@db\.example:27017\/$/)

      const missing = await cli(['config', '--config', path.join(dir, 'nope.ini')])
      assert.equal(missing.code, 1)
      assert.match(missing.stderr, /nope\.ini/)
      noStack(missing)
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  })
})

describe('with a server', () => {
  let server: TestServer
  let client: MongoClient
  let work: string
  let exportFile: string
  const SOURCE_DB = uniqueDbName('cli_src')
  const COUNT = 40

  before(async () => {
    server = await startTestServer()
    client = await new MongoClient(server.uri).connect()
    work = await mkdtemp(path.join(os.tmpdir(), 'cli-test-'))
    const rng = createRng(seed)
    const lines = await marshalExtJson(Array.from({length: COUNT}, (_, i) => encodeDocument(prancerOutputDocument(rng, i))), 'canonical')
    const run = await runMongoImport(['--uri', server.uri, '--db', SOURCE_DB, '--collection', 'outputs'], lines.join('\n') + '\n')
    assert.equal(run.code, 0, run.stderr)
    // A single exported file with a manifest computed here, independent of the export job.
    exportFile = path.join(work, 'single', 'outputs.json')
    await mkdir(path.dirname(exportFile))
    const bytes = Buffer.from(lines.join('\n') + '\n')
    await writeFile(exportFile, bytes)
    const entry = {path: 'outputs.json', database: SOURCE_DB, collection: 'outputs', filter: '{}', documents: COUNT, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), jsonFormat: 'canonical'}
    await writeFile(path.join(work, 'single', 'manifest.json'), JSON.stringify({tool: 'prancer-db-artifacts', manifestVersion: 1, kind: 'outputs', createdAt: new Date().toISOString(), uriSource: 'test', files: [entry]}))
  })

  after(async () => {
    await client?.close()
    await server?.stop()
    if (work) await rm(work, {recursive: true, force: true})
  })

  const count = (db: string, collection = 'outputs'): Promise<number> => client.db(db).collection(collection).countDocuments()

  test('restore: exit 0 and mongoimport-style counts; --dry-run writes nothing; exit 3 on skipped duplicates; 1 when stopped', async () => {
    const db = uniqueDbName('cli_restore')
    const dry = await cli(['restore', path.join(work, 'single'), '--uri', server.uri, '--db', db, '--dry-run'])
    assert.equal(dry.code, 0, dry.stderr)
    assert.match(dry.stdout, new RegExp(`dry run: ${COUNT} document\\(s\\) checked, nothing written\\.`))
    assert.equal(await count(db), 0)

    const run = await cli(['restore', path.join(work, 'single'), '--db', db, '--quiet'], {MONGODB_URI: server.uri})
    assert.equal(run.code, 0, run.stderr)
    // --quiet: only the closing count, no per-file line
    assert.equal(run.stdout, `${COUNT} document(s) imported successfully. 0 document(s) failed to import.\n`)
    assert.equal(run.stderr, '', '--quiet printed something')
    assert.equal(await count(db), COUNT)

    const duplicates = await cli(['restore', exportFile, '--uri', server.uri, '--db', db, '--mode', 'insert'])
    assert.equal(duplicates.code, 3, duplicates.stderr)
    assert.match(duplicates.stdout, new RegExp(`0 document\\(s\\) imported successfully\\. ${COUNT} document\\(s\\) failed to import\\.`))
    assert.match(duplicates.stderr, /warning: continuing through error: .*outputs\.json: line 1: /)

    const stopped = await cli(['restore', exportFile, '--uri', server.uri, '--db', db, '--mode', 'insert', '--stop-on-error'])
    assert.equal(stopped.code, 1)
    assert.match(stopped.stderr, /error: .*outputs\.json: line 1: write error 11000/)
    noStack(stopped)
  })

  test('restore refuses a corrupt file by name, and never prints the password', async () => {
    const dir = path.join(work, 'corrupt')
    await mkdir(dir)
    const bytes = await readFile(exportFile)
    await writeFile(path.join(dir, 'outputs.json'), bytes.subarray(0, bytes.length - 10))
    await writeFile(path.join(dir, 'manifest.json'), await readFile(path.join(work, 'single', 'manifest.json')))
    const uri = server.uri.replace('mongodb://', `mongodb://restorer:${PASSWORD}@`)
    const db = uniqueDbName('cli_corrupt')
    const run = await cli(['restore', dir, '--uri', uri, '--db', db])
    assert.equal(run.code, 1)
    assert.match(run.stderr, /error: .*corrupt\/outputs\.json is corrupt or truncated: \d+ bytes instead of \d+ recorded in the manifest\. Nothing was written\./)
    assert.ok(!run.stdout.includes(PASSWORD) && !run.stderr.includes(PASSWORD), `the password was printed:\n${run.stderr}`)
    assert.equal(await count(db), 0)
    noStack(run)

    const unreachable = await cli(['restore', exportFile, '--uri', `mongodb://restorer:${PASSWORD}@127.0.0.1:9/?serverSelectionTimeoutMS=500`, '--db', db])
    assert.equal(unreachable.code, 1)
    assert.match(unreachable.stderr, /error: Cannot connect to mongodb:\/\/restorer:\*+@127\.0\.0\.1:9\//)
    assert.ok(!unreachable.stderr.includes(PASSWORD), unreachable.stderr)
  })

  test('export twice into fresh directories continues incrementally; restore reads the export directory', async () => {
    const config = path.join(work, 'config.ini')
    await writeFile(config, `[MONGODB]\ndbname = ${SOURCE_DB}\nOUTPUT = outputs\n`)
    const first = path.join(work, 'run1')
    const run1 = await cli(['export', '--out', first, '--config', config, '--uri', server.uri, '--logs', 'none', '--quiet', '--lookback-ms', '5000'])
    assert.equal(run1.code, 0, run1.stderr)
    assert.match(run1.stdout, new RegExp(`outputs: ${COUNT} document\\(s\\) of ${SOURCE_DB}\\.outputs`))
    const manifest1 = JSON.parse(await readFile(path.join(first, 'outputs', 'manifest.json'), 'utf8'))
    assert.equal(manifest1.files[0].documents, COUNT)
    assert.equal(manifest1.watermark.lookbackMs, 5000)

    // Newer documents arrive; the next export into a fresh directory gets only those.
    const rng = createRng(seed ^ 3)
    const newer = await marshalExtJson(Array.from({length: 3}, (_, i) => encodeDocument(prancerOutputDocument(rng, i, {baseTimestamp: 1893456000000}))), 'canonical')
    assert.equal((await runMongoImport(['--uri', server.uri, '--db', SOURCE_DB, '--collection', 'outputs'], newer.join('\n') + '\n')).code, 0)
    const second = path.join(work, 'run2')
    const run2 = await cli(['export', '--out', second, '--config', config, '--previous-manifest', first, '--logs', 'none'], {MONGODB_URI: server.uri})
    assert.equal(run2.code, 0, run2.stderr)
    assert.match(run2.stdout, /outputs: 3 document\(s\)/)

    const db = uniqueDbName('cli_from_export')
    for (const dir of [first, second]) {
      const restored = await cli(['restore', dir, '--uri', server.uri, '--db', db, '--quiet'])
      assert.equal(restored.code, 0, restored.stderr)
    }
    assert.equal(await count(db), COUNT + 3)
  })
})
