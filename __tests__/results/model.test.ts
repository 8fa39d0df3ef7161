// The results model on what real Prancer 3.1.1 wrote, and on the other result shapes Prancer's source can write.
// Expected values are read from the fixture itself (JSON.parse of the file, not through the code under test) or
// written out from it by hand.

import assert from 'node:assert/strict'
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {BSON, type Document} from 'bson'
import {ResultsCollector, readResults, type Finding, type ResultSet} from '../../src/results/model.ts'
import {InputError} from '../../src/common/errors.ts'
import {
  asAnotherCrawl,
  clone,
  FIXTURE,
  FIXTURE_SNAPSHOT_RANDOM,
  fixtureDocuments,
  fixtureLines,
  fixtureOutput,
  ROOT,
  toBson,
  writeExportDir,
  writeZip
} from './helpers.ts'

let work: string
before(async () => {
  work = await mkdtemp(join(os.tmpdir(), 'results-model-'))
})
after(async () => {
  await rm(work, {recursive: true, force: true})
})

/** The fixture's results as plain JSON (canonical wrappers left as they are; none is in a result). */
function rawResults(): Array<Record<string, any>> {
  return fixtureLines().flatMap((l) => (JSON.parse(l).json?.results ?? []) as Array<Record<string, any>>)
}

function collect(docs: Document[], options = {}): ResultSet {
  const c = new ResultsCollector(options)
  for (const d of docs) c.addDocument(toBson(d))
  return c.finish()
}

function byRule(set: ResultSet): Map<string, Finding[]> {
  const m = new Map<string, Finding[]>()
  for (const f of set.findings) m.set(f.ruleId, [...(m.get(f.ruleId) ?? []), f])
  return m
}

describe('results of the real Prancer 3.1.1 run', () => {
  test('every result becomes a finding carrying what Prancer recorded', () => {
    const raw = rawResults()
    const set = collect(fixtureDocuments())
    assert.equal(set.findings.length, raw.length)
    assert.equal(set.documents, 2)
    assert.equal(set.outputDocuments, 2) // the crawler's document has results: [] too
    assert.deepEqual(set.containers, ['webapp'])
    const expectedCounts = {failed: 0, passed: 0, skipped: 0, other: 0}
    for (const r of raw) expectedCounts[r.result as 'failed' | 'passed']++
    assert.deepEqual(set.counts, expectedCounts)
    assert.deepEqual(set.counts, {failed: 5, passed: 2, skipped: 0, other: 0})

    raw.forEach((r, i) => {
      const f = set.findings[i]!
      assert.equal(f.container, 'webapp')
      assert.equal(f.testId, r.masterTestId ?? r.testId)
      assert.equal(f.ruleId, r.id ?? r.testId)
      assert.equal(f.eval, r.eval ?? '')
      assert.equal(f.kind, r.type ?? 'prancer')
      assert.equal(f.title, r.title)
      assert.equal(f.description, r.description)
      assert.equal(f.severity, r.severity ?? 'None')
      assert.equal(f.result, r.result)
      assert.equal(f.message, r.message ?? '')
      assert.equal(f.remediation, r.remediation_description ?? '')
      assert.deepEqual(f.resource.paths, r.snapshots.flatMap((s: any) => s.paths))
      assert.deepEqual(f.resource.resourceTypes, r.snapshots.flatMap((s: any) => s.resourceTypes ?? []))
      assert.equal(f.resource.type, 'terraform')
      assert.equal(f.resource.structure, 'filesystem')
      assert.equal(f.resource.source, 'fsConnector')
      assert.deepEqual(f.compliance, (r.tags ?? []).flatMap((t: any) => t.compliance))
      assert.equal(f.output.name, 'Compliancetest_webapp')
    })
    // Written out from the fixture by hand: the rego rule and the Prancer-language test.
    const s3 = byRule(set).get('PR-WEB-S3-001')![0]!
    assert.deepEqual(
      {testId: s3.testId, severity: s3.severity, file: s3.resource.file, tags: s3.tags, compliance: s3.compliance},
      {testId: 'TEST_S3_PUBLIC_ACL', severity: 'High', file: '/prancer/iac/storage/main.tf', tags: ['git', 's3', 'terraform'], compliance: ['CIS', 'PCI-DSS']}
    )
    const described = byRule(set).get('TEST_SG_DESCRIBED')!
    assert.deepEqual(
      described.map((f) => [f.result, f.severity, f.resource.file]),
      [
        ['failed', 'None', '/prancer/iac/storage/main.tf'],
        ['passed', 'None', '/prancer/iac/network/main.tf']
      ]
    )
  })

  test('keys never contain the per-crawl snapshot id, and tell the two resources of one test apart', () => {
    const set = collect(fixtureDocuments())
    for (const f of set.findings) assert.ok(!f.key.includes(FIXTURE_SNAPSHOT_RANDOM), f.key)
    assert.equal(new Set(set.findings.map((f) => f.key)).size, set.findings.length)
    const described = byRule(set).get('TEST_SG_DESCRIBED')!
    assert.notEqual(described[0]!.key, described[1]!.key)
  })

  test('another crawl of the same files (other snapshot ids, result ids, timestamps, _ids) gives the same keys', () => {
    const first = collect(fixtureDocuments())
    const secondDocs = asAnotherCrawl(fixtureDocuments(), 'ZiWYR')
    assert.ok(JSON.stringify(secondDocs).includes('TF_ZiWYR11'))
    assert.ok(!JSON.stringify(secondDocs).includes(FIXTURE_SNAPSHOT_RANDOM))
    const second = collect(secondDocs)
    assert.deepEqual(
      second.findings.map((f) => f.key),
      first.findings.map((f) => f.key)
    )
  })

  test('a runner with another workspace path (the absolute reference differs) gives the same keys', () => {
    const docs = fixtureDocuments()
    const moved = docs.map((d) => {
      const next = clone(d)
      for (const r of next.json?.results ?? []) for (const s of r.snapshots) s.reference = '/home/runner/work/infra/infra/iac'
      return next
    })
    assert.deepEqual(
      collect(moved).findings.map((f) => f.key),
      collect(docs).findings.map((f) => f.key)
    )
  })

  test('BSON documents, the fixture\'s canonical lines and a relaxed export give the same findings', async () => {
    const fromBson = collect(fixtureDocuments())
    const canonical = new ResultsCollector()
    for (const line of fixtureLines()) canonical.addExtJson(line)
    assert.deepEqual(canonical.finish(), fromBson)
    const relaxedDir = await writeExportDir(join(work, 'relaxed'), fixtureDocuments(), 'relaxed')
    const relaxedText = await readFile(join(relaxedDir, 'outputs', 'validator.outputs.json'), 'utf8')
    assert.match(relaxedText, /"timestamp":1795939954882/) // relaxed: plain numbers, as mongoexport writes
    assert.deepEqual(await readResults(relaxedDir), fromBson)
    assert.deepEqual(await readResults(FIXTURE), fromBson)
  })

  test('files are made repository-relative when the connector folder lies in the workspace', () => {
    const inside = collect(fixtureDocuments(), {workspace: '/prancer'})
    const s3 = byRule(inside).get('PR-WEB-S3-001')![0]!
    assert.equal(s3.resource.file, 'iac/storage/main.tf')
    assert.equal(s3.resource.inWorkspace, true)
    const sg = byRule(inside).get('PR-WEB-SG-001')![0]!
    assert.equal(sg.resource.file, 'iac/network/main.tf')
    const deeper = collect(fixtureDocuments(), {workspace: '/prancer/iac/'})
    assert.equal(byRule(deeper).get('PR-WEB-S3-001')![0]!.resource.file, 'storage/main.tf')
    const outside = collect(fixtureDocuments(), {workspace: '/home/runner/work/other'})
    assert.equal(byRule(outside).get('PR-WEB-S3-001')![0]!.resource.file, '/prancer/iac/storage/main.tf')
    assert.equal(byRule(outside).get('PR-WEB-S3-001')![0]!.resource.inWorkspace, false)
    // A workspace that is only a prefix of the folder's name is not "inside".
    const prefix = collect(fixtureDocuments(), {workspace: '/pran'})
    assert.equal(byRule(prefix).get('PR-WEB-S3-001')![0]!.resource.inWorkspace, false)
  })
})

describe('an export spanning several runs', () => {
  test('the newest result per key is kept, and the older ones are counted as superseded', () => {
    const older = fixtureDocuments()
    const newer = asAnotherCrawl(fixtureDocuments(), 'ZiWYR')
    const sg = newer[1]!.json.results.find((r: any) => r.id === 'PR-WEB-SG-001')
    sg.result = 'passed'
    sg.message = ''
    for (const order of [
      [...older, ...newer],
      [...newer, ...older]
    ]) {
      const set = collect(order)
      assert.equal(set.findings.length, 7)
      assert.equal(set.superseded, 7)
      assert.equal(byRule(set).get('PR-WEB-SG-001')![0]!.result, 'passed')
      assert.deepEqual(set.counts, {failed: 4, passed: 3, skipped: 0, other: 0})
    }
  })

  test('output documents still Running are counted (the SNAPSHOT-mode run of the fixtures)', () => {
    const snapshotRun = fixtureDocuments(join(ROOT, 'test/fixtures/prancer-3.1.1/snapshot.outputs.json'))
    const set = collect([...fixtureDocuments(), ...snapshotRun])
    assert.equal(set.running, 1)
    assert.equal(set.outputDocuments, 3)
    assert.equal(set.findings.length, 7)
  })
})

describe('other result shapes (processor/comparison/interpreter.py, connector/validation.py)', () => {
  function outputWith(results: Document[], container = 'webapp'): Document {
    const doc = clone(fixtureOutput())
    doc.container = container
    doc.json.container = container
    doc.json.results = results
    return doc
  }
  const gitSnapshot = {id: 'CFR_abcde1', structure: 'git', reference: 'master', source: 'gitConnector', collection: 'cloudformation', type: 'cloudformation', region: '', path: '/deploy/app.yaml'}

  test('a version 0.1 test whose snapshot is missing: skipped with a message (ComparatorV01.validate)', () => {
    const [f] = collect([outputWith([{result: 'skipped', message: 'Missing documents for the snapshot', testId: '3', snapshotId: '31', attribute: 'id', comparison: 'gt 0', status: 'enable', result_id: 'webapp_1'}])]).findings
    assert.equal(f!.result, 'skipped')
    assert.equal(f!.message, 'Missing documents for the snapshot')
    assert.equal(f!.testId, '3')
    assert.equal(f!.resource.file, null)
  })

  test('an unsupported test case format: skipped with a reason', () => {
    const [f] = collect([outputWith([{result: 'skipped', reason: 'Unsupported testcase format', testId: 'T9', status: 'enable'}])]).findings
    assert.equal(f!.result, 'skipped')
    assert.equal(f!.message, 'Unsupported testcase format')
  })

  test('a python test with errors, on a git connector snapshot with `path` instead of `paths`', () => {
    const [f] = collect([
      outputWith([
        {
          eval: 'data.rule.public_bucket',
          result: 'failed',
          message: '',
          id: 'PR-AWS-CFR-S3-001',
          remediation_description: 'Block public access.',
          errors: [{issue: 'public', path: 'Resources.Bucket'}],
          snapshots: [gitSnapshot],
          masterTestId: 'TEST_S3_1',
          type: 'python',
          severity: 'Medium',
          title: 'Public bucket'
        }
      ])
    ]).findings
    assert.equal(f!.kind, 'python')
    assert.equal(f!.message, '{"issue":"public","path":"Resources.Bucket"}')
    assert.deepEqual(f!.resource.paths, ['/deploy/app.yaml'])
    // A git connector's path is relative to its repository: kept as recorded, not claimed to be in the workspace.
    assert.equal(f!.resource.file, 'deploy/app.yaml')
    assert.equal(f!.resource.inWorkspace, false)
  })

  test('no OPA binary: failed with eval data.rule.rulepass and no snapshots; severities in other spellings', () => {
    const set = collect([
      outputWith([
        {eval: 'data.rule.rulepass', result: 'failed', message: '', masterTestId: 'TEST_A', type: 'rego', severity: 'high', title: 'A', snapshots: []},
        {eval: 'data.rule.rulepass', result: 'failed', message: '', masterTestId: 'TEST_B', type: 'rego', severity: 'Critical', title: 'B', snapshots: []},
        {eval: 'data.rule.x', result: 'error', masterTestId: 'TEST_C', type: 'rego', severity: 'informational', title: 'C', snapshots: []}
      ])
    ])
    assert.deepEqual(
      set.findings.map((f) => [f.ruleId, f.severity, f.result, f.resultText]),
      [
        ['TEST_A', 'High', 'failed', 'failed'],
        ['TEST_B', 'High', 'failed', 'failed'],
        ['TEST_C', 'None', 'other', 'error']
      ]
    )
  })

  test('results without any path in one document get distinct keys by their order', () => {
    const cloud = {id: 'AWS_x1', structure: 'aws', reference: '', source: 'awsConnector', collection: 's3', type: 's3', region: 'us-east-1', path: ''}
    const r = {eval: 'data.rule.enc', result: 'failed', message: 'not encrypted', id: 'PR-AWS-S3-9', masterTestId: 'T_S3', type: 'rego', severity: 'Low', snapshots: [cloud]}
    const set = collect([outputWith([r, {...r, snapshots: [{...cloud, id: 'AWS_x2'}]}])])
    assert.equal(set.findings.length, 2)
    assert.equal(set.findings[1]!.key, `${set.findings[0]!.key}#2`)
  })

  test('a result that is not a document, and a broken line, are counted as unreadable', () => {
    const c = new ResultsCollector()
    const doc = outputWith([])
    doc.json.results = ['not a result', fixtureOutput().json.results[0]]
    c.addDocument(BSON.serialize(doc))
    c.addExtJson('{"json": {"results": [')
    const set = c.finish()
    assert.equal(set.findings.length, 1)
    assert.equal(set.unreadable, 2)
    assert.equal(set.warnings.length, 2)
  })
})

describe('reading exports', () => {
  test('an export directory with outputs/ and logs/ reads only the outputs; so do its manifest and the outputs folder', async () => {
    const dir = await writeExportDir(join(work, 'both'), fixtureDocuments(), 'canonical')
    const expected = collect(fixtureDocuments())
    for (const path of [dir, join(dir, 'outputs'), join(dir, 'outputs', 'manifest.json')]) {
      const set = await readResults(path)
      assert.deepEqual(set, expected, path)
      assert.equal(set.documents, 2)
    }
  })

  test('an artifact zip (manifest at the root, as uploaded) and a zip of a whole export directory', async () => {
    const dir = await writeExportDir(join(work, 'zipped'), fixtureDocuments(), 'relaxed')
    const outputsJson = await readFile(join(dir, 'outputs', 'validator.outputs.json'))
    const outputsManifest = await readFile(join(dir, 'outputs', 'manifest.json'))
    const artifact = join(work, 'artifact.zip')
    await writeZip(artifact, [
      ['validator.outputs.json', outputsJson],
      ['manifest.json', outputsManifest]
    ])
    const expected = collect(fixtureDocuments())
    assert.deepEqual(await readResults(artifact), expected)
    const whole = join(work, 'whole.zip')
    await writeZip(whole, [
      ['outputs/validator.outputs.json', outputsJson],
      ['outputs/manifest.json', outputsManifest],
      ['logs/logs.json', await readFile(join(dir, 'logs', 'logs.json'))],
      ['logs/manifest.json', await readFile(join(dir, 'logs', 'manifest.json'))]
    ])
    const set = await readResults(whole)
    assert.deepEqual(set, expected)
  })

  test('an outputs export that happens to live in a folder named logs is still read', async () => {
    const dir = await writeExportDir(join(work, 'logs'), fixtureDocuments(), 'relaxed', false)
    const expected = collect(fixtureDocuments())
    assert.deepEqual(await readResults(join(dir, 'outputs', 'validator.outputs.json')), expected)
    const lone = join(work, 'logs', 'copy.json')
    await writeFile(lone, await readFile(FIXTURE))
    assert.deepEqual(await readResults(lone), expected)
  })

  test('a missing path or a directory without a manifest is an InputError', async () => {
    await assert.rejects(readResults(join(work, 'nope')), InputError)
    await assert.rejects(readResults(work), InputError)
  })
})
