// Locating results in the repository and planning annotations, on the real run's results over a checkout of
// the real scenario's terraform files (test/prancer/scenario/iac). Expected lines are read from those files.

import assert from 'node:assert/strict'
import {cp, mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import type {Document} from 'bson'
import {annotationLevel, planAnnotations} from '../../src/summary/annotations.ts'
import {compareWithBaseline} from '../../src/results/baseline.ts'
import {findResourceLine, locateFindings} from '../../src/results/locate.ts'
import {findingFromResult, ResultsCollector, type Finding, type ResultSet} from '../../src/results/model.ts'
import {fixtureDocuments, fixtureResults, realisticRun, SCENARIO, toBson, withReference} from '../results/helpers.ts'

let workspace: string
before(async () => {
  workspace = await mkdtemp(join(os.tmpdir(), 'results-annotations-'))
  await cp(join(SCENARIO, 'iac'), join(workspace, 'iac'), {recursive: true})
})
after(async () => {
  await rm(workspace, {recursive: true, force: true})
})

function collect(docs: Document[], ws = workspace): ResultSet {
  const c = new ResultsCollector({workspace: ws})
  for (const d of docs) c.addDocument(toBson(d))
  return c.finish()
}

/** The real run, as if the connector's folderPath had been this checkout's iac/. */
function realRun(): ResultSet {
  return collect(withReference(fixtureDocuments(), join(workspace, 'iac')))
}

/** 1-based lines of `needle` in a file of the scenario. */
async function linesOf(file: string, needle: RegExp): Promise<number[]> {
  const text = await readFile(join(SCENARIO, file), 'utf8')
  return text.split('\n').flatMap((l, i) => (needle.test(l) ? [i + 1] : []))
}

describe('locateFindings', () => {
  test('the real results: the only security group gets its line; the two buckets cannot be told apart', async () => {
    const set = realRun()
    const at = locateFindings(set.findings, {workspace})
    const sgLines = await linesOf('iac/network/main.tf', /^resource "aws_security_group"/)
    const bucketLines = await linesOf('iac/storage/main.tf', /^resource "aws_s3_bucket"/)
    assert.equal(sgLines.length, 1)
    assert.equal(bucketLines.length, 2)
    for (const f of set.findings) {
      const loc = at.get(f.key)!
      assert.equal(loc.file, `iac/${f.resource.paths[0]}`)
      if (f.ruleId === 'PR-WEB-SG-001') assert.deepEqual(loc, {file: 'iac/network/main.tf', line: sgLines[0], how: 'only-resource-of-type'})
      else if (f.ruleId.startsWith('PR-WEB-S3-')) assert.deepEqual(loc, {file: 'iac/storage/main.tf', how: 'ambiguous'})
    }
    // The Prancer-language test names no resource type: one resource in network/main.tf, two in storage/main.tf.
    const described = set.findings.filter((f) => f.ruleId === 'TEST_SG_DESCRIBED').map((f) => at.get(f.key))
    assert.deepEqual(described, [
      {file: 'iac/storage/main.tf', how: 'ambiguous'},
      {file: 'iac/network/main.tf', line: sgLines[0], how: 'only-resource'}
    ])
  })

  test('a message naming one of several resources picks it; a file with one bucket gives its line', async () => {
    const [logsLine] = await linesOf('iac/storage/main.tf', /^resource "aws_s3_bucket" "logs"/)
    const raw = fixtureResults().find((r) => r.id === 'PR-WEB-S3-001')!
    const finding = (message: string): Finding =>
      findingFromResult({...raw, message}, {container: 'webapp', output: {name: 'x', timestamp: null}}, {workspace: '/prancer'})
    const text = await readFile(join(SCENARIO, 'iac/storage/main.tf'), 'utf8')
    assert.deepEqual(findResourceLine(text, 'main.tf', finding('aws_s3_bucket.logs has a public-read ACL')), {line: logsLine, how: 'named-in-message'})
    assert.deepEqual(findResourceLine(text, 'main.tf', finding('Bucket "logs" has a public-read ACL')), {line: logsLine, how: 'named-in-message'})
    assert.deepEqual(findResourceLine(text, 'main.tf', finding('An S3 bucket has a public-read ACL')), {how: 'ambiguous'})
    const onlyLogs = text.slice(0, text.indexOf('resource "aws_s3_bucket" "reports"'))
    assert.deepEqual(findResourceLine(onlyLogs, 'main.tf', finding('x')), {line: logsLine, how: 'only-resource-of-type'})
    assert.deepEqual(findResourceLine('variable "x" {}\n', 'main.tf', finding('x')), {how: 'not-found'})
  })

  test('CloudFormation YAML and JSON: the Type line of the only resource of that type', () => {
    const raw = {...fixtureResults()[0]!, snapshots: [{id: 'CF_x1', structure: 'filesystem', reference: '/r', source: 'fs', collection: 'cloudformation', type: 'cloudformation', resourceTypes: ['AWS::S3::Bucket'], paths: ['stack.yaml']}]}
    const f = findingFromResult(raw, {container: 'c', output: {name: '', timestamp: null}})
    const yaml = ['Resources:', '  Logs:', '    Type: AWS::S3::Bucket', '    Properties:', '      AccessControl: PublicRead', '  Web:', '    Type: AWS::EC2::SecurityGroup', ''].join('\n')
    assert.deepEqual(findResourceLine(yaml, 'stack.yaml', f), {line: 3, how: 'only-resource-of-type'})
    const json = JSON.stringify({Resources: {Web: {Type: 'AWS::EC2::SecurityGroup'}, Logs: {Type: 'AWS::S3::Bucket', Properties: {}}}}, null, 2)
    const expected = json.split('\n').findIndex((l) => l.includes('"AWS::S3::Bucket"')) + 1
    assert.deepEqual(findResourceLine(json, 'stack.json', f), {line: expected, how: 'only-resource-of-type'})
  })

  test('files outside the workspace get no location; a missing file gets one without a line; each file is read once', async () => {
    const outside = collect(fixtureDocuments()) // reference /prancer/iac, not in this workspace
    assert.equal(locateFindings(outside.findings, {workspace}).size, 0)
    const gone = collect(withReference(fixtureDocuments(), join(workspace, 'missing')))
    for (const loc of locateFindings(gone.findings, {workspace}).values()) assert.equal(loc.how, 'unreadable')
    const reads: string[] = []
    locateFindings(realRun().findings, {
      workspace,
      readFile: (p) => {
        reads.push(p)
        return ''
      }
    })
    assert.deepEqual(reads.sort(), [join(workspace, 'iac/network/main.tf'), join(workspace, 'iac/storage/main.tf')])
  })

  test('a git connector path relative to this repository is located when the file is here', async () => {
    await mkdir(join(workspace, 'deploy'), {recursive: true})
    await writeFile(join(workspace, 'deploy', 'app.tf'), 'resource "aws_s3_bucket" "app" {\n}\n')
    const raw = {...fixtureResults()[0]!, snapshots: [{id: 'G1', structure: 'git', reference: 'main', source: 'gitConnector', collection: 'terraformtemplate', type: 'terraform', resourceTypes: ['aws_s3_bucket'], path: '/deploy/app.tf'}]}
    const f = findingFromResult(raw, {container: 'c', output: {name: '', timestamp: null}}, {workspace})
    assert.equal(f.resource.inWorkspace, false)
    assert.deepEqual(locateFindings([f], {workspace}).get(f.key), {file: 'deploy/app.tf', line: 1, how: 'only-resource-of-type'})
  })
})

describe('planAnnotations', () => {
  test('the real failures: level by severity, file and line where found', () => {
    const set = realRun()
    const plan = planAnnotations(set.findings, locateFindings(set.findings, {workspace}))
    const failed = fixtureResults().filter((r) => r.result === 'failed')
    assert.equal(plan.annotations.length, failed.length)
    assert.equal(plan.withoutFile, 0)
    assert.equal(plan.omitted.total, 0)
    const expectedLevel = (severity: string | undefined) => ({High: 'error', Medium: 'warning', Low: 'notice'})[severity ?? ''] ?? 'warning'
    // Most severe first: High, High, Medium, Low, then the one without severity (a warning).
    assert.deepEqual(
      plan.annotations.map((a) => a.level),
      ['error', 'error', 'warning', 'notice', 'warning']
    )
    for (const r of failed) {
      const a = plan.annotations.find((x) => x.title.includes(`(${r.id ?? r.testId})`))!
      assert.equal(a.level, expectedLevel(r.severity))
      assert.equal(a.file, `iac/${r.snapshots[0].paths[0]}`)
      assert.ok(a.message.startsWith(r.message ?? r.description), a.message)
      if (r.remediation_description) assert.ok(a.message.includes(`Fix: ${r.remediation_description}`))
    }
    assert.equal(plan.annotations.find((a) => a.title.includes('PR-WEB-SG-001'))!.line, 1)
    assert.equal(plan.withLine, 1)
    assert.equal(plan.annotations[0]!.title, 'High: S3 bucket must not be publicly readable (PR-WEB-S3-001)')
  })

  test('GitHub\'s per-step limits: 10 per level, the most severe and the new ones first, the rest counted', async () => {
    const modules = ['iac/network', 'iac/storage']
    const docs = withReference(realisticRun({containers: ['a', 'b', 'c'], perContainer: 400, failedOnly: true, modules}), workspace)
    const set = collect(docs)
    const locations = locateFindings(set.findings, {workspace})
    assert.equal(locations.size, set.counts.failed)
    const failed = set.findings.filter((f) => f.result === 'failed')
    const perLevel = {error: 0, warning: 0, notice: 0}
    for (const f of failed) perLevel[annotationLevel(f.severity)]++
    const base = collect(withReference(realisticRun({containers: ['a', 'b', 'c'], perContainer: 399, failedOnly: true, modules}), workspace))
    const comparison = compareWithBaseline(set, base)
    assert.equal(comparison.newFailures.length, 3)
    const plan = planAnnotations(set.findings, locations, {newKeys: comparison.newKeys})
    assert.deepEqual(
      {error: plan.annotations.filter((a) => a.level === 'error').length, warning: plan.annotations.filter((a) => a.level === 'warning').length, notice: plan.annotations.filter((a) => a.level === 'notice').length},
      {error: 10, warning: 10, notice: 10}
    )
    assert.deepEqual(plan.omitted, {error: perLevel.error - 10, warning: perLevel.warning - 10, notice: perLevel.notice - 10, total: failed.length - 30})
    // The new failures (the 400th result of each container: the real TEST_SG_DESCRIBED, no severity, so a
    // warning) come first within their level, before the Medium ones that are not new.
    const newOnes = plan.annotations.filter((a) => comparison.newKeys.has(a.key))
    assert.equal(newOnes.length, 3)
    for (const a of newOnes) assert.ok(a.title.startsWith('New: Security groups have a description'), a.title)
    assert.deepEqual(
      plan.annotations.filter((a) => a.level === 'warning').slice(0, 3).map((a) => a.key),
      newOnes.map((a) => a.key)
    )
    // Then by severity: the errors are all High, the remaining warnings Medium.
    assert.ok(plan.annotations.filter((a) => a.level === 'warning').slice(3).every((a) => a.title.startsWith('Medium: ')))
    const limited = planAnnotations(set.findings, locations, {limits: {error: 1, warning: 0, notice: 0}})
    assert.equal(limited.annotations.length, 1)
    assert.equal(limited.omitted.total, failed.length - 1)
  })
})
