// Checks shared by the end-to-end tests: an export (artifact files by path) against the real mongoexport, and the
// _ids in an export file. The expected bytes always come from mongoexport, never from our own code.

import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {runMongoExport} from './harness/mongo-tools.ts'
import type {Manifest} from '../src/artifact/manifest.ts'

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** Each data file equals what mongoexport writes for the same database, collection, query and sort, as the manifest records them. */
export async function assertLikeMongoexport(files: Map<string, Buffer>, uri: string): Promise<Manifest> {
  const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as Manifest
  assert.deepEqual([...files.keys()].sort(), ['manifest.json', ...manifest.files.map(f => f.path)].sort())
  for (const f of manifest.files) {
    const ours = files.get(f.path)!
    const args = ['--uri', uri, '--db', f.database, '--collection', f.collection, '--query', f.filter, `--jsonFormat=${f.jsonFormat}`]
    // The manifest must say everything needed to reproduce the file: a log's chunks are exported in `index` order.
    if (f.sort !== undefined) args.push('--sort', f.sort)
    const theirs = await runMongoExport(args)
    assert.equal(theirs.code, 0, theirs.stderr)
    assert.equal(ours.toString('utf8'), theirs.stdout.toString('utf8'), `${f.path} differs from mongoexport ${args.join(' ')}`)
    assert.equal(sha256(ours), f.sha256)
    assert.equal(ours.length, f.bytes)
    assert.equal(ours.toString('utf8').split('\n').filter(l => l !== '').length, f.documents)
  }
  return manifest
}

export function exportedIds(file: Buffer): string[] {
  return file
    .toString('utf8')
    .split('\n')
    .filter(l => l !== '')
    .map(l => (JSON.parse(l) as {_id: {$oid: string}})._id.$oid)
}

/** Runs `node <args>` (Node 24, this process's binary); stdout and stderr together. */
export function runNode(args: string[], env?: NodeJS.ProcessEnv): Promise<{code: number | null; output: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {stdio: ['ignore', 'pipe', 'pipe'], ...(env ? {env} : {})})
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    child.once('error', reject)
    child.once('close', code => resolve({code, output}))
  })
}
