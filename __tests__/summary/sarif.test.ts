// SARIF from the real run, validated against the official OASIS SARIF 2.1.0 schema
// (test/fixtures/results/sarif-schema-2.1.0.json, see the README there) with Ajv; fingerprints equal across two
// exports of the same results whose snapshot ids (and workspace paths) differ.

import assert from 'node:assert/strict'
import {cp, mkdtemp, readFile, rm} from 'node:fs/promises'
import os from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import ajvDraft04 from 'ajv-draft-04'
import ajvFormats from 'ajv-formats'
import type {Document} from 'bson'
import {compareWithBaseline} from '../../src/results/baseline.ts'
import {locateFindings} from '../../src/results/locate.ts'
import {ResultsCollector, type ResultSet} from '../../src/results/model.ts'
import {buildSarif, FINGERPRINT_NAME, serializeSarif, type SarifLog} from '../../src/summary/sarif.ts'
import {asAnotherCrawl, fixtureDocuments, fixtureResults, realisticRun, RESULTS_FIXTURES, SCENARIO, toBson, withReference} from '../results/helpers.ts'

const Ajv = ajvDraft04.default
const addFormats = ajvFormats.default

let validate: ReturnType<InstanceType<typeof Ajv>['compile']>
const workspaces: string[] = []

async function checkout(): Promise<string> {
  const ws = await mkdtemp(join(os.tmpdir(), 'results-sarif-'))
  await cp(join(SCENARIO, 'iac'), join(ws, 'iac'), {recursive: true})
  workspaces.push(ws)
  return ws
}

before(async () => {
  const schema = JSON.parse(await readFile(join(RESULTS_FIXTURES, 'sarif-schema-2.1.0.json'), 'utf8'))
  assert.equal(schema.title, 'Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema')
  const ajv = new Ajv({allErrors: true, strict: false})
  addFormats(ajv)
  validate = ajv.compile(schema)
})
after(async () => {
  for (const ws of workspaces) await rm(ws, {recursive: true, force: true})
})

function collect(docs: Document[], workspace: string): ResultSet {
  const c = new ResultsCollector({workspace})
  for (const d of docs) c.addDocument(toBson(d))
  return c.finish()
}

function sarifOf(set: ResultSet, workspace: string, extra = {}): SarifLog {
  const built = buildSarif(set.findings, {locations: locateFindings(set.findings, {workspace}), toolVersion: '0.1.0', ...extra})
  return JSON.parse(serializeSarif(built.log))
}

function assertValid(log: unknown): void {
  const ok = validate(log)
  assert.ok(ok, JSON.stringify(validate.errors?.slice(0, 5), null, 2))
}

// GitHub's documented security-severity ranges: over 9.0 critical, 7.0 to 8.9 high, 4.0 to 6.9 medium, 0.1 to 3.9 low.
function githubBand(score: string | undefined): string {
  if (score === undefined) return 'none'
  const n = Number(score)
  if (n > 9.0) return 'critical'
  if (n >= 7.0) return 'high'
  if (n >= 4.0) return 'medium'
  if (n >= 0.1) return 'low'
  return 'none'
}

describe('SARIF 2.1.0', () => {
  test('the real run: valid against the official schema; one rule per test; failed results located in the repository', async () => {
    const ws = await checkout()
    const set = collect(withReference(fixtureDocuments(), join(ws, 'iac')), ws)
    const log = sarifOf(set, ws)
    assertValid(log)
    // The validator does reject what the schema forbids.
    const broken = JSON.parse(JSON.stringify(log))
    broken.runs[0].results[0].level = 'fatal'
    broken.runs[0].results[0].locations[0].physicalLocation.region = {startLine: 0}
    assert.equal(validate(broken), false)
    assert.deepEqual(validate.errors?.map((e) => e.instancePath).sort(), ['/runs/0/results/0/level', '/runs/0/results/0/locations/0/physicalLocation/region/startLine'])
    assert.equal(log.version, '2.1.0')
    const run = log.runs[0]!
    assert.equal(run.tool.driver.name, 'Prancer')
    assert.deepEqual(run.tool.extensions, [{name: 'prancer-db-artifacts', version: '0.1.0'}])

    const failed = fixtureResults().filter((r) => r.result === 'failed')
    const ruleIds = [...new Set(failed.map((r) => r.id ?? r.testId))]
    assert.deepEqual(run.tool.driver.rules.map((r) => r.id).sort(), ruleIds.sort())
    for (const r of failed) {
      const rule = run.tool.driver.rules.find((x) => x.id === (r.id ?? r.testId))!
      assert.equal(rule.name, r.masterTestId ?? r.testId)
      assert.equal(rule.shortDescription?.text, r.title)
      assert.equal(rule.fullDescription?.text, r.description)
      assert.equal(rule.help?.text, r.remediation_description)
      assert.equal(githubBand(rule.properties['security-severity']), (r.severity ?? 'none').toLowerCase())
      assert.ok(rule.properties.tags.includes('security'))
      for (const c of r.tags?.[0]?.compliance ?? []) assert.ok(rule.properties.tags.includes(c), c)
      assert.equal(rule.defaultConfiguration.level, {High: 'error', Medium: 'warning', Low: 'note'}[r.severity as string] ?? 'warning')
    }

    assert.equal(run.results.length, failed.length)
    const sgLine = (await readFile(join(SCENARIO, 'iac/network/main.tf'), 'utf8')).split('\n').findIndex((l) => l.startsWith('resource "aws_security_group"')) + 1
    for (const result of run.results) {
      const raw = failed.find((r) => (r.id ?? r.testId) === result.ruleId && `iac/${r.snapshots[0].paths[0]}` === result.locations[0]!.physicalLocation.artifactLocation.uri)!
      assert.ok(raw, result.ruleId)
      assert.equal(run.tool.driver.rules[result.ruleIndex]!.id, result.ruleId)
      assert.equal(result.message.text, raw.message ?? raw.title)
      assert.equal(result.locations[0]!.physicalLocation.artifactLocation.uriBaseId, '%SRCROOT%')
      const region = result.locations[0]!.physicalLocation.region
      if (result.ruleId === 'PR-WEB-SG-001') assert.deepEqual(region, {startLine: sgLine})
      else assert.equal(region, undefined) // two buckets in storage/main.tf: no guessed line
      assert.match(result.partialFingerprints[FINGERPRINT_NAME]!, /^[0-9a-f]{64}$/)
    }
    assert.equal(new Set(run.results.map((r) => r.partialFingerprints[FINGERPRINT_NAME])).size, run.results.length)
  })

  test('fingerprints are equal across two exports of the same results (other snapshot ids, another workspace path)', async () => {
    const ws1 = await checkout()
    const ws2 = await checkout()
    const first = sarifOf(collect(withReference(fixtureDocuments(), join(ws1, 'iac')), ws1), ws1)
    const secondDocs = withReference(asAnotherCrawl(fixtureDocuments(), 'ZiWYR'), join(ws2, 'iac'))
    assert.ok(JSON.stringify(secondDocs).includes('TF_ZiWYR11'))
    const second = sarifOf(collect(secondDocs, ws2), ws2)
    assertValid(second)
    const prints = (log: SarifLog) => log.runs[0]!.results.map((r) => [r.ruleId, r.locations[0]!.physicalLocation.artifactLocation.uri, r.partialFingerprints])
    assert.deepEqual(prints(second), prints(first))
    // The whole log is the same: nothing of the crawl (ids, times) leaks into it.
    assert.deepEqual(second, first)
  })

  test('with a baseline: baselineState new / unchanged; results outside the repository are left out and counted', async () => {
    const ws = await checkout()
    const base = collect(withReference(fixtureDocuments(), join(ws, 'iac')), ws)
    const prDocs = withReference(asAnotherCrawl(fixtureDocuments(), 'ZiWYR'), join(ws, 'iac'))
    const named = prDocs[1]!.json.results.find((r: any) => r.id === 'PR-WEB-S3-004')
    named.result = 'failed'
    const outside = realisticRun({containers: ['cloud'], perContainer: 5, failedOnly: true}) // reference /prancer/iac: not here
    const pr = collect([...prDocs, ...outside], ws)
    const comparison = compareWithBaseline(pr, base)
    const built = buildSarif(pr.findings, {locations: locateFindings(pr.findings, {workspace: ws}), newKeys: comparison.newKeys, compared: true})
    assertValid(JSON.parse(serializeSarif(built.log)))
    assert.equal(built.withoutLocation, 5)
    assert.equal(built.log.runs[0]!.properties?.failedWithoutRepositoryFile, 5)
    const states = built.log.runs[0]!.results.map((r) => [r.ruleId, r.baselineState])
    assert.deepEqual(states.filter(([, s]) => s === 'new'), [['PR-WEB-S3-004', 'new']])
    assert.equal(states.filter(([, s]) => s === 'unchanged').length, fixtureResults().filter((r) => r.result === 'failed').length)
  })

  test('hostile text and odd file names stay valid SARIF (URIs percent-encoded)', async () => {
    const ws = await checkout()
    const docs = withReference(realisticRun({containers: ['c'], perContainer: 5, failedOnly: true, modules: ['dir with space/ü#?%']}), ws)
    for (const r of docs[0]!.json.results) {
      r.title = 'x\u0000"<script>alert(1)</script>\n[link](javascript:alert(1))'
      r.message = '\uD800 lone surrogate and 💥'
      r.remediation_description = ''
      r.description = ''
    }
    const set = collect(docs, ws)
    // The files do not exist here: locations without lines.
    const locations = locateFindings(set.findings, {workspace: ws})
    const built = buildSarif(set.findings, {locations})
    const log = JSON.parse(serializeSarif(built.log))
    assertValid(log)
    assert.equal(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, 'dir%20with%20space/%C3%BC%23%3F%25/main.tf')
  })

  test('a large run (5,000 failed results over 3 containers) is valid too', async () => {
    const ws = await checkout()
    const docs = withReference(realisticRun({containers: ['a', 'b', 'c'], perContainer: 1700, failedOnly: true, modules: ['iac/network', 'iac/storage']}), ws)
    const set = collect(docs, ws)
    const log = sarifOf(set, ws)
    assertValid(log)
    assert.equal(log.runs[0]!.results.length, set.counts.failed)
    assert.equal(new Set(log.runs[0]!.results.map((r) => r.partialFingerprints[FINGERPRINT_NAME])).size, set.counts.failed)
  })

  test('code scanning\'s hard limits: results per run (the most severe kept, the rest counted) and 20 tags per rule', async () => {
    const ws = await checkout()
    const docs = withReference(realisticRun({containers: ['a'], perContainer: 500, failedOnly: true, modules: ['iac/network', 'iac/storage']}), ws)
    for (const r of docs[0]!.json.results) if (r.tags) r.tags[0].compliance = Array.from({length: 30}, (_, i) => `FRAMEWORK-${i}`)
    const set = collect(docs, ws)
    const highs = set.findings.filter((f) => f.result === 'failed' && f.severity === 'High').length
    const built = buildSarif(set.findings, {locations: locateFindings(set.findings, {workspace: ws}), maxResults: highs})
    assertValid(JSON.parse(serializeSarif(built.log)))
    assert.equal(built.results, highs)
    assert.equal(built.omitted, set.counts.failed - highs)
    assert.equal(built.log.runs[0]!.properties?.resultsOmittedOverLimit, set.counts.failed - highs)
    assert.ok(built.log.runs[0]!.results.every((r) => r.level === 'error'))
    for (const rule of built.log.runs[0]!.tool.driver.rules) assert.equal(rule.properties.tags.length, 20)
  })
})
