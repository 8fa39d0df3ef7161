// Fault class: a restore source that is damaged or unreadable (issue 11, item 12). Each case must end in a
// RestoreError (CLI: exit 1, no stack trace) that names the file and says what to do, never in a bare
// JavaScript error (`entry.path.replaceAll is not a function`) or a misleading one (a manifest whose
// `bytes` is a string reported as a corrupt data file). Nothing here needs a server: all of it is
// decided before connecting.

import assert from 'node:assert/strict'
import {spawn, spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {chmod, mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {restore, RestoreError} from '../../src/jobs/restore/index.ts'

const CLI = path.resolve(import.meta.dirname, '../../src/cli/index.ts')
const DATA = '{"_id":{"$numberInt":"1"},"a":"x"}\n{"_id":{"$numberInt":"2"},"a":"y"}\n'

let work: string

before(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'fault-restore-source-'))
  await chmod(work, 0o755)
})

after(async () => {
  if (work) await rm(work, {recursive: true, force: true})
})

function entry(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const bytes = Buffer.from(DATA)
  return {
    path: 'outputs.json', database: 'restored', collection: 'outputs', filter: '{}', documents: 2,
    bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), jsonFormat: 'canonical', ...overrides
  }
}

function manifest(files: unknown): string {
  return JSON.stringify({tool: 'prancer-db-artifacts', manifestVersion: 1, kind: 'outputs', createdAt: new Date().toISOString(), uriSource: 'test', files})
}

/** A directory with outputs.json and the given manifest text. */
async function exportDir(name: string, manifestText: string): Promise<string> {
  const dir = path.join(work, name)
  await mkdir(dir, {recursive: true})
  await writeFile(path.join(dir, 'outputs.json'), DATA)
  await writeFile(path.join(dir, 'manifest.json'), manifestText)
  return dir
}

async function refusal(source: string, extra: Record<string, unknown> = {}): Promise<string> {
  let caught: unknown
  try {
    await restore({source, dryRun: true, ...extra})
  } catch (error) {
    caught = error
  }
  assert.ok(caught instanceof RestoreError, `expected a RestoreError, got ${caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)}`)
  assert.doesNotMatch(caught.message, /is not a function|Cannot read properties|undefined \(reading/)
  return caught.message
}

interface Run {
  code: number
  stdout: string
  stderr: string
}

function cli(args: string[], options: {uid?: number; gid?: number} = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {env: {PATH: process.env.PATH ?? '', HOME: os.tmpdir()}, cwd: os.tmpdir(), ...options})
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    child.on('error', reject)
    child.on('close', (code) => resolve({code: code ?? -1, stdout, stderr}))
  })
}

describe('a damaged manifest is refused field by field, naming the manifest and what to do', () => {
  const cases: Array<[label: string, files: unknown, expected: RegExp]> = [
    ['files is not a list', 'outputs.json', /manifest\.json has no files list\./],
    ['an entry is null', [null], /manifest\.json: files\[0\] is null, not an object describing a data file\./],
    ['an entry is an array', [[1]], /files\[0\] is \[1\] \(an array\), not an object/],
    ['path is a number', [entry({path: 42})], /files\[0\]\.path is 42 \(a number\), not the data file's path/],
    ['path is empty', [entry({path: ''})], /files\[0\]\.path is "" \(a string\)/],
    ['database is missing', [entry({database: undefined})], /files\[0\]\.database is missing, not a database name/],
    ['collection is an object', [entry({collection: {$ne: 1}})], /files\[0\]\.collection is \{"\$ne":1\} \(an object\)/],
    ['bytes is a string', [entry({bytes: '70'})], /files\[0\]\.bytes is "70" \(a string\), not a size in bytes/],
    ['documents is negative', [entry({documents: -1})], /files\[0\]\.documents is -1 \(a number\), not a document count/],
    ['documents is fractional', [entry({documents: 1.5})], /files\[0\]\.documents is 1\.5/],
    ['sha256 is not hex', [entry({sha256: 'abc'})], /files\[0\]\.sha256 is "abc" \(a string\), not a sha256/],
    ['the second entry is damaged', [entry(), entry({path: 'other.json', bytes: null})], /files\[1\]\.bytes is null/],
    ['a path leaving the directory', [entry({path: '../../etc/passwd'})], /lists "\.\.\/\.\.\/etc\/passwd", which is outside its directory/],
    ['a path naming the directory itself', [entry({path: '.'})], /lists "\.", which is a directory, not a data file/]
  ]
  for (const [label, files, expected] of cases) {
    test(label, async () => {
      const dir = await exportDir(`manifest-${label.replaceAll(' ', '-')}`, manifest(files))
      const message = await refusal(dir)
      assert.match(message, expected)
      assert.ok(message.includes(path.join(dir, 'manifest.json')), `the manifest is not named: ${message}`)
      assert.match(message, /download the artifact again/)
    })
  }

  test('a manifest that is not JSON, or not ours', async () => {
    assert.match(await refusal(await exportDir('manifest-not-json', '{"tool": "prancer-db-artifacts", ')), /manifest\.json is not valid JSON \(.*\)\. The manifest is damaged .*download the artifact again/)
    assert.match(await refusal(await exportDir('manifest-foreign', '{"name": "something else"}')), /manifest\.json is not a prancer-db-artifacts manifest\. The manifest is damaged/)
  })

  test('a damaged manifest beside a .json file given alone: named, with how to restore the file without it', async () => {
    const dir = await exportDir('manifest-beside', manifest([entry({bytes: 'x'})]))
    const message = await refusal(path.join(dir, 'outputs.json'), {database: 'restored'})
    assert.match(message, /files\[0\]\.bytes is "x".*copy it out of that directory and pass it with --db and --collection/)
  })

  test('the CLI: exit 1, the message, no stack trace', async () => {
    const dir = await exportDir('manifest-cli', manifest([entry({path: 42})]))
    const run = await cli(['restore', dir, '--dry-run'])
    assert.equal(run.code, 1, run.stderr)
    assert.match(run.stderr, /^error: .*manifest\.json: files\[0\]\.path is 42 \(a number\)/m)
    assert.doesNotMatch(run.stderr, /\n\s+at .+:\d+:\d+|TypeError/)
  })
})

describe('paths that are not what restore expects', () => {
  test('a missing source, a file used as a directory, a listed file that is missing or a directory', async () => {
    assert.match(await refusal(path.join(work, 'nope')), /nope does not exist: pass a directory written by 'export --out', a downloaded artifact \.zip, or an exported \.json file\./)

    const dir = await exportDir('paths', manifest([entry()]))
    const asDir = path.join(dir, 'outputs.json', 'manifest.json')
    assert.match(await refusal(asDir), /outputs\.json\/manifest\.json: a part of this path is a file, not a directory; check the path\./)

    const missing = await exportDir('paths-missing', manifest([entry({path: 'gone.json'})]))
    assert.match(await refusal(missing), /gone\.json is listed in .*manifest\.json but missing: the download or copy is incomplete; download the artifact again\./)

    const directory = await exportDir('paths-directory', manifest([entry({path: 'sub'})]))
    await mkdir(path.join(directory, 'sub'))
    assert.match(await refusal(directory), /sub is listed in .*manifest\.json as a data file, but it is a directory; download the artifact again\./)
  })

  test('a pipe is refused (restore reads every file twice)', async (t) => {
    const fifo = path.join(work, 'pipe.json')
    if (spawnSync('mkfifo', [fifo]).status !== 0) return t.skip('mkfifo is not available')
    assert.match(await refusal(fifo, {database: 'restored'}), /pipe\.json is not a regular file or directory \(a pipe or device\?\): restore reads each file twice/)
  })

  test('a .zip that is not an archive', async () => {
    const zip = path.join(work, 'broken.zip')
    await writeFile(zip, 'PK\u0003\u0004 this is no archive')
    assert.match(await refusal(zip), /broken\.zip is not a readable zip archive \(.*\); the download is incomplete or damaged: download the artifact again\./)
  })
})

describe('unreadable files (EACCES)', () => {
  // As root, permissions do not apply: the CLI then runs as nobody.
  const asOtherUser = process.getuid?.() === 0 ? {uid: 65534, gid: 65534} : {}

  test('an unreadable data file, manifest or directory: named, with what to do; exit 1, no stack trace', async () => {
    const cases: Array<[label: string, lock: (dir: string) => Promise<void>, expected: RegExp]> = [
      ['data file', (dir) => chmod(path.join(dir, 'outputs.json'), 0o000), /outputs\.json cannot be read: permission denied \(EACCES\)\. Give the user running restore read access/],
      ['manifest', (dir) => chmod(path.join(dir, 'manifest.json'), 0o000), /manifest\.json cannot be read: permission denied \(EACCES\)/],
      ['directory', (dir) => chmod(dir, 0o000), /eacces-directory cannot be read: permission denied \(EACCES\)/]
    ]
    for (const [label, lock, expected] of cases) {
      const dir = await exportDir(`eacces-${label}`, manifest([entry()]))
      await chmod(dir, 0o755)
      await chmod(path.join(dir, 'outputs.json'), 0o644)
      await chmod(path.join(dir, 'manifest.json'), 0o644)
      await lock(dir)
      try {
        const run = await cli(['restore', dir, '--dry-run'], asOtherUser)
        assert.equal(run.code, 1, `${label}: ${run.stderr}`)
        assert.match(run.stderr, expected, label)
        assert.doesNotMatch(run.stderr, /\n\s+at .+:\d+:\d+/, label)
      } finally {
        await chmod(dir, 0o755)
      }
    }
  })
})
