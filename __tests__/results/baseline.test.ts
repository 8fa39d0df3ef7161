// New failures against a baseline and the fail-on decision, on the real run as base branch and a pull-request
// run made from it (the same run as another crawl writes it, with one new failure, one fixed and the rest
// unchanged). Expected classes are read from the fixture's own results.

import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import type {Document} from 'bson'
import {UsageError} from '../../src/common/errors.ts'
import {
  compareWithBaseline,
  decideFailure,
  meetsThreshold,
  parseFailOn,
  parseSeverityThreshold
} from '../../src/results/baseline.ts'
import {ResultsCollector, type ResultSet} from '../../src/results/model.ts'
import {asAnotherCrawl, clone, fixtureDocuments, fixtureResults, realisticRun, toBson} from './helpers.ts'

function collect(docs: Document[]): ResultSet {
  const c = new ResultsCollector()
  for (const d of docs) c.addDocument(toBson(d))
  return c.finish()
}

function resultsOf(docs: Document[]): Document[] {
  return docs.find((d) => d.json?.results?.length > 0)!.json.results
}

/** The pull request's run: S3-004 now fails (new), SG-001 now passes (fixed), the rest as on the base branch. */
function pullRequestRun(): Document[] {
  const docs = asAnotherCrawl(fixtureDocuments(), 'ZiWYR')
  const results = resultsOf(docs)
  const named = results.find((r) => r.id === 'PR-WEB-S3-004')!
  named.result = 'failed'
  named.message = 'An S3 bucket has no name'
  const ssh = results.find((r) => r.id === 'PR-WEB-SG-001')!
  ssh.result = 'passed'
  ssh.message = ''
  return docs
}

const failedIds = (results: Array<Record<string, any>>, keep: (r: Record<string, any>) => boolean = () => true): string[] =>
  results.filter((r) => r.result === 'failed' && keep(r)).map((r) => r.id ?? r.testId)

describe('compareWithBaseline', () => {
  test('one new failure, one fixed, the others still failing', () => {
    const base = collect(fixtureDocuments())
    const pr = collect(pullRequestRun())
    const c = compareWithBaseline(pr, base)
    assert.equal(c.hasBaseline, true)
    assert.deepEqual(
      c.newFailures.map((f) => f.ruleId),
      ['PR-WEB-S3-004']
    )
    assert.deepEqual(
      c.stillFailing.map((f) => f.ruleId).sort(),
      failedIds(fixtureResults(), (r) => r.id !== 'PR-WEB-SG-001').sort()
    )
    assert.deepEqual(
      c.fixed.map((x) => [x.finding.ruleId, x.how, x.current?.result]),
      [['PR-WEB-SG-001', 'passed', 'passed']]
    )
    assert.equal(c.notCompared, 0)
    assert.deepEqual([...c.newKeys], [c.newFailures[0]!.key])
  })

  test('a failure whose result is gone from a container that ran is fixed as "absent"; a container that did not run is not compared', () => {
    const base = collect([...fixtureDocuments(), ...realisticRun({containers: ['aws-prod'], perContainer: 7})])
    const docs = asAnotherCrawl(fixtureDocuments(), 'QwErT')
    const results = resultsOf(docs)
    results.splice(results.findIndex((r) => r.id === 'PR-WEB-S3-003'), 1)
    const c = compareWithBaseline(collect(docs), base)
    assert.deepEqual(
      c.fixed.map((x) => [x.finding.ruleId, x.how]),
      [['PR-WEB-S3-003', 'absent']]
    )
    assert.equal(c.notCompared, failedIds(fixtureResults()).length) // aws-prod: a clone of the real results
    assert.equal(c.newFailures.length, 0)
  })

  test('without a baseline every failure is new', () => {
    const pr = collect(pullRequestRun())
    const c = compareWithBaseline(pr, null)
    assert.equal(c.hasBaseline, false)
    assert.equal(c.newFailures.length, pr.counts.failed)
    assert.equal(c.stillFailing.length, 0)
    assert.equal(c.fixed.length, 0)
  })
})

describe('decideFailure (fail-on, severity-threshold)', () => {
  const real = fixtureResults()
  const current = collect(fixtureDocuments())
  const atOrAbove = (levels: string[]) => failedIds(real, (r) => levels.includes(r.severity ?? 'None')).sort()

  test('never: the results never fail the step', () => {
    const d = decideFailure(current, null, {failOn: 'never', threshold: 'low'})
    assert.equal(d.fail, false)
    assert.deepEqual(d.reasons, [])
  })

  test('failure: every failed result at or above the threshold; no severity only at low', () => {
    const low = decideFailure(current, null, {failOn: 'failure', threshold: 'low'})
    assert.equal(low.fail, true)
    assert.deepEqual(low.reasons.map((f) => f.ruleId).sort(), failedIds(real).sort())
    const medium = decideFailure(current, null, {failOn: 'failure', threshold: 'medium'})
    assert.deepEqual(medium.reasons.map((f) => f.ruleId).sort(), atOrAbove(['High', 'Medium']))
    const high = decideFailure(current, null, {failOn: 'failure', threshold: 'high'})
    assert.deepEqual(high.reasons.map((f) => f.ruleId).sort(), atOrAbove(['High']))
    // Most severe first, and the message names them.
    assert.deepEqual(
      medium.reasons.map((f) => f.severity),
      ['High', 'High', 'Medium']
    )
    assert.match(medium.message, /^Prancer: 3 failed results at or above severity medium \(fail-on: failure\):/)
    for (const id of atOrAbove(['High', 'Medium'])) assert.ok(medium.message.includes(id), id)
  })

  test('new-failure with a baseline: only the new failure counts', () => {
    const pr = collect(pullRequestRun())
    const c = compareWithBaseline(pr, current)
    const low = decideFailure(pr, c, {failOn: 'new-failure', threshold: 'low'})
    assert.equal(low.fail, true)
    assert.deepEqual(
      low.reasons.map((f) => f.ruleId),
      ['PR-WEB-S3-004']
    )
    assert.match(low.message, /1 new failure \(fail-on: new-failure\)/)
    // S3-004 is Low in the real master test: above it, nothing new fails.
    const medium = decideFailure(pr, c, {failOn: 'new-failure', threshold: 'medium'})
    assert.equal(medium.fail, false)
    assert.equal(medium.message, 'No new failure at or above severity medium (fail-on: new-failure).')
  })

  test('new-failure without a baseline: every failure counts as new, and the message says why', () => {
    const d = decideFailure(current, compareWithBaseline(current, null), {failOn: 'new-failure', threshold: 'low'})
    assert.equal(d.fail, true)
    assert.equal(d.reasons.length, failedIds(real).length)
    assert.match(d.message, /no baseline to compare with, so every failure counts as new/)
    assert.deepEqual(decideFailure(current, null, {failOn: 'new-failure', threshold: 'low'}).reasons, d.reasons)
  })

  test('the message lists at most 20 reasons', () => {
    const big = collect(realisticRun({containers: ['a', 'b'], perContainer: 50, failedOnly: true}))
    const d = decideFailure(big, null, {failOn: 'failure', threshold: 'low'})
    assert.equal(d.reasons.length, 100)
    assert.equal(d.message.split('\n').length, 1 + 20 + 1)
    assert.match(d.message, /… and 80 more$/)
  })
})

describe('inputs', () => {
  test('fail-on and severity-threshold values', () => {
    assert.equal(parseFailOn(undefined), 'never')
    assert.equal(parseFailOn(''), 'never')
    assert.equal(parseFailOn('New-Failure'), 'new-failure')
    assert.equal(parseFailOn(' failure '), 'failure')
    assert.throws(() => parseFailOn('always'), UsageError)
    assert.equal(parseSeverityThreshold(undefined), 'low')
    assert.equal(parseSeverityThreshold('HIGH'), 'high')
    assert.throws(() => parseSeverityThreshold('critical'), /severity-threshold must be low, medium or high, not "critical"/)
  })

  test('meetsThreshold: High > Medium > Low; no severity only at low', () => {
    const table = (['High', 'Medium', 'Low', 'None'] as const).map((s) => (['low', 'medium', 'high'] as const).map((t) => meetsThreshold(s, t)))
    assert.deepEqual(table, [
      [true, true, true],
      [true, true, false],
      [true, false, false],
      [true, false, false]
    ])
  })

  test('clone keeps the fixture untouched', () => {
    const a = fixtureDocuments()
    const b = clone(a)
    resultsOf(b)[0].result = 'passed'
    assert.equal(resultsOf(a)[0].result, 'failed')
  })
})
