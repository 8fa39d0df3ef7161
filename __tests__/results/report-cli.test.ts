// `prancer-db-artifacts report` on exports written by the project's own writer from the real run's documents:
// the terminal listing, the three file formats, the baseline and the exit codes.

import assert from 'node:assert/strict'
import {cp, mkdtemp, readFile, rm} from 'node:fs/promises'
import os from 'node:os'
import {join} from 'node:path'
import {after, before, describe, test} from 'node:test'
import {reportCommand} from '../../src/cli/report.ts'
import {EXIT_RESULTS_FAILED} from '../../src/cli/exit-codes.ts'
import {asAnotherCrawl, fixtureDocuments, fixtureResults, SCENARIO, withReference, writeExportDir} from './helpers.ts'

let work: string
let workspace: string

before(async () => {
  work = await mkdtemp(join(os.tmpdir(), 'results-report-'))
  workspace = join(work, 'repo')
  await cp(join(SCENARIO, 'iac'), join(workspace, 'iac'), {recursive: true})
  // Named by their folder (relative to `work`, the command's cwd) in the tests below.
  await writeExportDir(join(work, 'base'), withReference(fixtureDocuments(), join(workspace, 'iac')))
  const docs = withReference(asAnotherCrawl(fixtureDocuments(), 'ZiWYR'), join(workspace, 'iac'))
  const results = docs[1]!.json.results
  const named = results.find((r: any) => r.id === 'PR-WEB-S3-004')
  named.result = 'failed'
  named.message = 'An S3 bucket has no name \u001b[31mRED\u001b[0m'
  results.find((r: any) => r.id === 'PR-WEB-SG-001').result = 'passed'
  await writeExportDir(join(work, 'pr'), docs, 'canonical')
})
after(async () => {
  await rm(work, {recursive: true, force: true})
})

async function run(args: string[], env: Record<string, string> = {}) {
  let stdout = ''
  let stderr = ''
  const code = await reportCommand(args, {stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), cwd: work, env})
  return {code, stdout, stderr}
}

describe('report', () => {
  test('usage: help, missing or extra PATH, bad values are exit 2 with a message', async () => {
    const help = await run(['--help'])
    assert.equal(help.code, 0)
    assert.match(help.stdout, /^Usage: prancer-db-artifacts report PATH \[options\]/)
    for (const [args, message] of [
      [[], /report needs the PATH of an export/],
      [['a', 'b'], /report takes one PATH, got 2/],
      [['base', '--format', 'html'], /--format must be text, markdown, sarif or junit, not "html"/],
      [['base', '--fail-on', 'always'], /fail-on must be never, failure or new-failure, not "always"/],
      [['base', '--severity-threshold', 'critical'], /severity-threshold must be low, medium or high/],
      [['base', '--bogus'], /Unknown option '--bogus'/]
    ] as const) {
      const r = await run([...args])
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
      assert.match(r.stderr, message)
      assert.match(r.stderr, /Run 'prancer-db-artifacts report --help' for usage\./)
    }
  })

  test('an unreadable PATH is exit 1', async () => {
    const r = await run(['nowhere'])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /^error: nowhere: .*no such file or directory/)
  })

  test('text: the failed results, most severe first, with file:line where the resource is found', async () => {
    const r = await run(['base', '--workspace', workspace])
    assert.equal(r.code, 0, r.stderr)
    const failed = fixtureResults().filter((x) => x.result === 'failed')
    const lines = r.stdout.split('\n')
    assert.equal(lines[0], `Prancer results: ${failed.length} failed · 2 passed (2 output documents, container webapp)`)
    const headers = lines.filter((l) => /^(HIGH|MEDIUM|LOW|-)\s/.test(l))
    assert.deepEqual(
      headers.map((l) => l.split(/\s+/)[0]),
      ['HIGH', 'HIGH', 'MEDIUM', 'LOW', '-']
    )
    for (const f of failed) assert.ok(r.stdout.includes(`${f.id ?? f.testId}  ${f.title}`), f.id ?? f.testId)
    assert.ok(r.stdout.includes('        iac/network/main.tf:1 · aws_security_group · container webapp'))
    assert.ok(r.stdout.includes('        iac/storage/main.tf · aws_s3_bucket · container webapp'))
  })

  test('GITHUB_WORKSPACE is the default workspace', async () => {
    const r = await run(['base'], {GITHUB_WORKSPACE: workspace})
    assert.ok(r.stdout.includes('iac/network/main.tf:1'))
  })

  test('--baseline: new failures marked, fixed ones listed; database text cannot drive the terminal', async () => {
    const r = await run(['pr', '--baseline', 'base', '--workspace', workspace])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /^Against the baseline: 1 new failure · 4 still failing · 1 fixed$/m)
    assert.match(r.stdout, /^LOW {5}PR-WEB-S3-004 {2}S3 buckets have explicit names {2}\[new\]$/m)
    assert.match(r.stdout, /^Fixed since the baseline \(1\):\n {2}PR-WEB-SG-001 {2}Security group must not open SSH to the internet {2}iac\/network\/main.tf {2}\(now passed\)$/m)
    assert.ok(!r.stdout.includes('\u001b'))
    assert.ok(r.stdout.includes('An S3 bucket has no name [31mRED[0m'))
  })

  test('--fail-on: exit 4 after writing the report, with the reasons on stderr; the threshold narrows them', async () => {
    const gate = await run(['pr', '--baseline', 'base', '--fail-on', 'new-failure', '--workspace', workspace])
    assert.equal(gate.code, EXIT_RESULTS_FAILED)
    assert.match(gate.stdout, /^Prancer results:/)
    assert.match(gate.stderr, /^Prancer: 1 new failure \(fail-on: new-failure\):\n {2}- Low PR-WEB-S3-004: S3 buckets have explicit names \(iac\/storage\/main.tf, container webapp\)\n$/)
    const medium = await run(['pr', '--baseline', 'base', '--fail-on', 'new-failure', '--severity-threshold', 'medium', '--workspace', workspace])
    assert.equal(medium.code, 0)
    const noBaseline = await run(['pr', '--fail-on', 'new-failure', '--severity-threshold', 'high', '--workspace', workspace])
    assert.equal(noBaseline.code, EXIT_RESULTS_FAILED)
    assert.match(noBaseline.stderr, /no baseline to compare with, so every failure counts as new/)
    const failure = await run(['base', '--fail-on', 'failure', '--severity-threshold', 'high'])
    assert.equal(failure.code, EXIT_RESULTS_FAILED)
    assert.match(failure.stderr, /^Prancer: 2 failed results at or above severity high/)
  })

  test('--format sarif|junit|markdown, to stdout or --output', async () => {
    const sarifFile = join(work, 'out', 'prancer.sarif')
    const sarif = await run(['pr', '--baseline', 'base', '--format', 'sarif', '--output', sarifFile, '--workspace', workspace])
    assert.equal(sarif.code, 0, sarif.stderr)
    assert.match(sarif.stdout, new RegExp(`sarif report written to ${sarifFile.replaceAll('/', '\\/')}`))
    const log = JSON.parse(await readFile(sarifFile, 'utf8'))
    assert.equal(log.version, '2.1.0')
    assert.equal(log.runs[0].results.length, 5)
    assert.deepEqual(
      log.runs[0].results.filter((x: any) => x.baselineState === 'new').map((x: any) => x.ruleId),
      ['PR-WEB-S3-004']
    )
    // Outside the workspace: nothing locatable, so nothing in the SARIF, and a notice says so.
    const outside = await run(['pr', '--format', 'sarif', '--workspace', join(work, 'elsewhere')])
    assert.equal(JSON.parse(outside.stdout).runs[0].results.length, 0)
    assert.match(outside.stderr, /^notice: 5 failed results not about a file in .* are not in the SARIF/)

    const junit = await run(['pr', '--format', 'junit'])
    assert.equal(junit.code, 0)
    assert.match(junit.stdout, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="Prancer" tests="7" failures="5" errors="0">/)

    const md = await run(['pr', '--baseline', 'base', '--format', 'markdown', '--workspace', workspace, '--artifact-url', 'https://github.com/o/r/actions/runs/1/artifacts/2'])
    assert.equal(md.code, 0)
    assert.match(md.stdout, /^## ❌ Prancer: \*\*5 failed\*\* · 2 passed\n\n\*\*🆕 1 new failure in this pull request\*\* · 4 still failing · ✅ 1 fixed, compared with base\./)
  })

  test('an unwritable --output is exit 1', async () => {
    const r = await run(['base', '--output', join(work, 'base', 'outputs', 'manifest.json', 'x')])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /^error: --output /)
  })
})
