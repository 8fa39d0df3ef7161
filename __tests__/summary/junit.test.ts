// JUnit XML from the real run, validated with xmllint (Debian's libxml2-utils) against the Jenkins xUnit plugin's
// JUnit schema (test/fixtures/results/jenkins-junit-10.xsd, see the README there); read back with xmllint --xpath.

import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import type {Document} from 'bson'
import {compareWithBaseline} from '../../src/results/baseline.ts'
import {buildJUnit} from '../../src/summary/junit.ts'
import {ResultsCollector, type ResultSet} from '../../src/results/model.ts'
import {fixtureDocuments, fixtureResults, realisticRun, RESULTS_FIXTURES, toBson} from '../results/helpers.ts'

const XSD = join(RESULTS_FIXTURES, 'jenkins-junit-10.xsd')
const xmllint = spawnSync('xmllint', ['--version'], {encoding: 'utf8'})
const skip = xmllint.error ? 'xmllint is not installed (apt-get install libxml2-utils)' : false

let work: string
before(async () => {
  work = await mkdtemp(join(os.tmpdir(), 'results-junit-'))
})
after(async () => {
  await rm(work, {recursive: true, force: true})
})

function collect(docs: Document[]): ResultSet {
  const c = new ResultsCollector({workspace: '/prancer'})
  for (const d of docs) c.addDocument(toBson(d))
  return c.finish()
}

let counter = 0
async function validateXml(xml: string): Promise<{ok: boolean; output: string; file: string}> {
  const file = join(work, `report-${counter++}.xml`)
  await writeFile(file, xml)
  const run = spawnSync('xmllint', ['--noout', '--schema', XSD, file], {encoding: 'utf8'})
  return {ok: run.status === 0, output: `${run.stdout}${run.stderr}`, file}
}

function xpath(file: string, expr: string): string {
  const run = spawnSync('xmllint', ['--xpath', expr, file], {encoding: 'utf8'})
  assert.equal(run.status, 0, run.stderr)
  return run.stdout.trim()
}

describe('JUnit XML', {skip}, () => {
  test('the real run: valid against the Jenkins JUnit schema; one testcase per result, failures typed by severity', async () => {
    const xml = buildJUnit(collect(fixtureDocuments()).findings)
    const {ok, output, file} = await validateXml(xml)
    assert.ok(ok, output)
    assert.match(output, /validates/)
    const raw = fixtureResults()
    const failed = raw.filter((r) => r.result === 'failed')
    assert.equal(xpath(file, 'count(//testsuite)'), '1')
    assert.equal(xpath(file, 'string(//testsuite/@name)'), 'webapp')
    assert.equal(xpath(file, 'count(//testcase)'), String(raw.length))
    assert.equal(xpath(file, 'count(//testcase/failure)'), String(failed.length))
    assert.equal(xpath(file, 'string(/testsuites/@tests)'), String(raw.length))
    assert.equal(xpath(file, 'string(/testsuites/@failures)'), String(failed.length))
    assert.equal(xpath(file, 'string(//testsuite/@skipped)'), '0')
    for (const r of failed.filter((x) => x.id)) {
      const at = `//testcase[@classname="${r.id}"]/failure`
      assert.equal(xpath(file, `string(${at}/@type)`), r.severity)
      assert.equal(xpath(file, `string(${at}/@message)`), r.message)
      assert.ok(xpath(file, `string(${at})`).includes(`Remediation: ${r.remediation_description}`))
      assert.equal(xpath(file, `string(//testcase[@classname="${r.id}"]/@name)`), `${r.title} [iac/${r.snapshots[0].paths[0]}]`)
    }
    // The Prancer-language test: failed on storage, passed on network, no severity.
    assert.equal(xpath(file, 'count(//testcase[@classname="TEST_SG_DESCRIBED"])'), '2')
    assert.equal(xpath(file, 'string(//testcase[@classname="TEST_SG_DESCRIBED"]/failure/@type)'), 'None')
  })

  test('the schema check is real: a testsuite without its required counts is rejected', async () => {
    const xml = buildJUnit(collect(fixtureDocuments()).findings).replace(/ tests="\d+" failures="\d+" errors="\d+" skipped="\d+">/, '>')
    const {ok, output} = await validateXml(xml)
    assert.equal(ok, false)
    assert.match(output, /attribute 'tests' is required/)
  })

  test('several containers, skipped and other results, new failures, hostile text: still valid, text kept', async () => {
    const docs = realisticRun({containers: ['aws-prod', 'azure<dev>&"x"'], perContainer: 14})
    const results = docs[0]!.json.results
    results[0].title = 'Bad ]]> title \u0007 with "quotes" & <tags>'
    results[0].message = 'line one\nline two\ttab \uD800 lone'
    results[1] = {result: 'skipped', message: 'Missing documents for the snapshot', testId: '3', snapshotId: '31'}
    results[2] = {...results[2], result: 'error'}
    const base = collect(realisticRun({containers: ['aws-prod'], perContainer: 14}))
    const set = collect(docs)
    const xml = buildJUnit(set.findings, {newKeys: compareWithBaseline(set, base).newKeys})
    const {ok, output, file} = await validateXml(xml)
    assert.ok(ok, output)
    assert.equal(xpath(file, 'count(//testsuite)'), '2')
    assert.equal(xpath(file, 'string(//testsuite[2]/@name)'), 'azure<dev>&"x"')
    assert.equal(xpath(file, 'count(//testcase)'), String(set.findings.length))
    assert.equal(xpath(file, 'count(//skipped)'), '1')
    assert.equal(xpath(file, 'string(//skipped/@message)'), 'Missing documents for the snapshot')
    assert.equal(xpath(file, 'count(//error)'), '1')
    assert.equal(xpath(file, 'string(//testsuite[1]/@skipped)'), '1')
    assert.equal(xpath(file, 'string(//testsuite[1]/@errors)'), '1')
    // Control characters and the lone surrogate become U+FFFD; line breaks in attributes survive.
    const first = set.findings[0]!
    assert.equal(xpath(file, `string(//testcase[1]/failure/@message)`), 'line one\nline two\ttab \uFFFD lone')
    assert.ok(xpath(file, 'string(//testcase[1]/@name)').startsWith('Bad ]]> title \uFFFD with "quotes" & <tags>'), first.title)
    // Every failure of the second container is new (the baseline had only aws-prod).
    assert.equal(xpath(file, 'count(//testsuite[2]//failure[contains(@type, " new")])'), xpath(file, 'count(//testsuite[2]//failure)'))
    assert.equal(xpath(file, 'count(//testsuite[1]//failure[contains(@type, " new")])'), '0')
  })
})
