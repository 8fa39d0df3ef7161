// The one manifest parser: what every writer of this tool has written is accepted, damage is refused by field.
import assert from 'node:assert/strict'
import {test} from 'node:test'
import {manifestHeader, parseManifest} from '../../src/artifact/manifest.ts'

const outputs = (watermark: unknown) => JSON.stringify({...manifestHeader('outputs', 'test'), files: [], watermark})

test('an outputs watermark at a fractional timestamp (Prancer doubles) is a manifest the next run continues from', () => {
  const m = parseManifest(outputs({field: 'timestamp', value: 1717171717171.5, lookbackMs: 600000, seen: [{id: '{"$oid":"x"}', ts: 1717171717171.5}]}), 'm.json')
  assert.equal(m.watermark?.value, 1717171717171.5)
  assert.equal(parseManifest(outputs({field: 'timestamp', value: null, lookbackMs: 0, seen: []}), 'm.json').watermark?.value, null)
})

test('a damaged watermark, file entry or backup archive is refused, naming the field', () => {
  assert.throws(() => parseManifest(outputs({field: 'timestamp', value: '17', lookbackMs: 0, seen: []}), 'm.json'), {kind: 'corrupt', message: /^m\.json: watermark\.value is "17" \(a string\)/})
  assert.throws(() => parseManifest(outputs({field: 'timestamp', value: 9e15, lookbackMs: 0, seen: []}), 'm.json'), {kind: 'corrupt', message: /watermark\.value/})
  assert.throws(() => parseManifest(JSON.stringify({...manifestHeader('outputs', 't'), files: [{path: 'a.json', database: 'd', collection: 'c', documents: 1, bytes: 2, sha256: 'nothex'}]}), 'm.json'), {kind: 'corrupt', message: /files\[0\]\.sha256/})
  assert.throws(() => parseManifest(JSON.stringify({...manifestHeader('backup', 't'), files: []}), 'b.json'), {kind: 'corrupt', message: /^b\.json: archive is missing/})
  assert.throws(() => parseManifest(JSON.stringify({...manifestHeader('outputs', 't'), manifestVersion: 2, files: []}), 'v.json'), {kind: 'corrupt', message: /manifest version 2; this version reads version 1/})
})
