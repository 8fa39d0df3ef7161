// The results summary, parsed by a real GitHub-flavoured Markdown implementation (marked, gfm) as GitHub would:
// tables parse as GFM tables with the right cells, the first table is the failed results (most severe first),
// nothing from the database becomes structure, a link or an image, and the size stays bounded with 50,000 failed
// results. Inputs are the real run and clones of its results over containers, resources and severities.

import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import type {Document} from 'bson'
import {marked, type Token, type Tokens} from 'marked'
import {planAnnotations} from '../../src/summary/annotations.ts'
import {compareWithBaseline, decideFailure} from '../../src/results/baseline.ts'
import {locateFindings} from '../../src/results/locate.ts'
import {ResultsCollector, type ResultSet} from '../../src/results/model.ts'
import {escapeMarkdown, renderResultsSummary, SUMMARY_BYTE_BUDGET} from '../../src/summary/results-summary.ts'
import {asAnotherCrawl, fixtureDocuments, fixtureResults, realisticRun, SCENARIO, toBson, withReference} from '../results/helpers.ts'

const URL = 'https://github.com/acme/infra/actions/runs/42/artifacts/4242'
const GITHUB_SUMMARY_LIMIT = 1024 * 1024 // GitHub's step summary limit (1 MiB)

function collect(docs: Document[], workspace?: string): ResultSet {
  const c = new ResultsCollector(workspace === undefined ? {} : {workspace})
  for (const d of docs) c.addDocument(toBson(d))
  return c.finish()
}

function tables(md: string): Tokens.Table[] {
  const out: Tokens.Table[] = []
  const walk = (tokens: Token[]): void => {
    for (const t of tokens) {
      if (t.type === 'table') out.push(t as Tokens.Table)
      const inner = (t as {tokens?: Token[]}).tokens
      if (inner) walk(inner)
    }
  }
  walk(marked.lexer(md, {gfm: true}))
  return out
}

/** Text of rendered HTML: tags dropped, character references decoded. */
function textOf(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}

const SEVERITY_ORDER = ['High', 'Medium', 'Low', 'not set']

/** A pull request's run over several containers: the real run (one new failure, one fixed) and clones. */
function realisticPullRequest() {
  const ws = SCENARIO
  const modules = ['iac/network', 'iac/storage', 'modules/vpc', 'envs/prod/data']
  const prDocs = [
    ...withReference(asAnotherCrawl(fixtureDocuments(), 'ZiWYR'), `${ws}/iac`),
    ...withReference(realisticRun({containers: ['aws-prod', 'azure-dev'], perContainer: 240, modules}), ws)
  ]
  const named = prDocs[1]!.json.results.find((r: any) => r.id === 'PR-WEB-S3-004')
  named.result = 'failed'
  const ssh = prDocs[1]!.json.results.find((r: any) => r.id === 'PR-WEB-SG-001')
  ssh.result = 'passed'
  const baseDocs = [...withReference(fixtureDocuments(), `${ws}/iac`), ...withReference(realisticRun({containers: ['aws-prod', 'azure-dev'], perContainer: 235, modules}), ws)]
  const results = collect(prDocs, ws)
  const comparison = compareWithBaseline(results, collect(baseDocs, ws))
  const locations = locateFindings(results.findings.filter((f) => f.result === 'failed'), {workspace: ws})
  return {results, comparison, locations, ws}
}

describe('renderResultsSummary', () => {
  test('the real run: title with counts, then the failed results table, most severe first', () => {
    const results = collect(fixtureDocuments())
    const md = renderResultsSummary({results, artifactUrl: URL})
    const raw = fixtureResults()
    const failed = raw.filter((r) => r.result === 'failed')
    const passed = raw.filter((r) => r.result === 'passed')
    assert.equal(md.split('\n')[0], `## ❌ Prancer: **${failed.length} failed** · ${passed.length} passed`)
    const [first, second] = tables(md)
    assert.deepEqual(
      first!.header.map((h) => h.text),
      ['Severity', 'Title and rule', 'Resource', 'File', 'Remediation']
    )
    assert.equal(first!.rows.length, failed.length)
    const ranks = first!.rows.map((row) => SEVERITY_ORDER.findIndex((s) => textOf(marked.parseInline(row[0]!.text) as string).endsWith(s)))
    assert.deepEqual(
      ranks,
      [...ranks].sort((a, b) => a - b)
    )
    assert.ok(!ranks.includes(-1))
    // Every failed result's rule id and file are in the table, greppable as written.
    const tableText = first!.rows.map((row) => row.map((c) => textOf(marked.parseInline(c.text) as string)).join(' | ')).join('\n')
    for (const r of failed) {
      assert.ok(tableText.includes(r.id ?? r.testId), r.id ?? r.testId)
      assert.ok(tableText.includes(`/prancer/iac/${r.snapshots[0].paths[0]}`))
      if (r.remediation_description) assert.ok(tableText.includes(r.remediation_description))
    }
    // One container: no per-container table; the passed results folded below.
    assert.ok(!md.includes('### By container'))
    assert.match(md, /<details>\n<summary>✅ 2 passed results<\/summary>/)
    assert.deepEqual(
      second!.header.map((h) => h.text),
      ['Severity', 'Title and rule', 'Resource', 'File']
    )
    assert.equal(second!.rows.length, passed.length)
    // The passed table is inside the <details> block.
    const html = marked.parse(md, {gfm: true}) as string
    assert.match(html, /<details>\s*<summary>✅ 2 passed results<\/summary>\s*<table>/)
  })

  test('a realistic pull request: new failures at the top, the decision, counts per container, fixed ones folded', () => {
    const {results, comparison, locations} = realisticPullRequest()
    const policy = {failOn: 'new-failure' as const, threshold: 'low' as const}
    const decision = decideFailure(results, comparison, policy)
    const annotations = planAnnotations(results.findings, locations, {newKeys: comparison.newKeys})
    const md = renderResultsSummary({results, comparison, baselineLabel: 'artifact "prancer-outputs-x" from run 41 on main', artifactUrl: URL, locations, annotations, decision: {policy, result: decision}})
    const lines = md.split('\n')
    const newCount = comparison.newFailures.length
    assert.ok(newCount > 1)
    assert.equal(lines[2], `**🆕 ${newCount} new failures in this pull request** · ${comparison.stillFailing.length} still failing · ✅ 1 fixed, compared with artifact &#34;prancer-outputs-x&#34; from run 41 on main.`)
    assert.equal(lines[4], `🚫 **This step fails** (fail-on <code>new-failure</code>): ${newCount} new failures.`)
    const [failedTable, containerTable] = tables(md)
    assert.equal(failedTable!.rows.length, 150)
    assert.match(md, new RegExp(`… and ${results.counts.failed - 150} more failed results not listed here; all of them are in the \\[outputs artifact\\]\\(${URL.replaceAll('/', '\\/')}\\)\\.`))
    // Within each severity the new failures come first, marked.
    const firstRowText = textOf(marked.parseInline(failedTable!.rows[0]![1]!.text) as string)
    assert.ok(firstRowText.startsWith('🆕 '), firstRowText)
    // With several containers the resource cell names the container, and a table counts per container.
    assert.match(failedTable!.rows[0]![2]!.text, /in <code>[a-z-]+<\/code>$/)
    assert.deepEqual(
      containerTable!.header.map((h) => h.text),
      ['Container', 'Failed', 'New', 'Passed', 'Skipped', 'Other']
    )
    const perContainer = new Map(containerTable!.rows.map((r) => [textOf(r[0]!.text), r.slice(1).map((c) => Number(c.text))]))
    for (const name of ['webapp', 'aws-prod', 'azure-dev']) {
      const of = results.findings.filter((f) => f.container === name)
      assert.deepEqual(perContainer.get(name), [
        of.filter((f) => f.result === 'failed').length,
        of.filter((f) => comparison.newKeys.has(f.key)).length,
        of.filter((f) => f.result === 'passed').length,
        0,
        0
      ])
    }
    assert.match(md, /<summary>✅ 1 failure fixed since the baseline<\/summary>/)
    assert.match(md, /more failed results in repository files are not annotated/)
    // The failed security groups' file carries the line of the only aws_security_group there.
    const sgRows = failedTable!.rows.filter((r) => r[1]!.text.includes('PR-WEB-SG-001') && r[3]!.text.startsWith('<code>iac/network/main.tf'))
    assert.ok(sgRows.length > 0)
    for (const r of sgRows) assert.equal(textOf(r[3]!.text), 'iac/network/main.tf:1')
  })

  test('no baseline: said at the top', () => {
    const results = collect(fixtureDocuments())
    const md = renderResultsSummary({results, comparison: compareWithBaseline(results, null), noBaselineReason: 'no outputs artifact from a run on main'})
    assert.equal(md.split('\n')[2], '⚠️ No baseline to compare with (no outputs artifact from a run on main): every failure counts as new.')
  })

  test('50,000 failed results: bounded far below GitHub\'s 1 MiB, cut with a count and the artifact link', () => {
    const docs = realisticRun({containers: ['a', 'b', 'c', 'd', 'e'], perContainer: 10_000, failedOnly: true})
    const results = collect(docs)
    assert.equal(results.counts.failed, 50_000)
    const started = performance.now()
    const md = renderResultsSummary({results, artifactUrl: URL})
    const elapsed = performance.now() - started
    const bytes = Buffer.byteLength(md)
    assert.ok(bytes <= SUMMARY_BYTE_BUDGET, `${bytes} bytes`)
    assert.ok(bytes < GITHUB_SUMMARY_LIMIT / 2)
    assert.ok(elapsed < 10_000, `${elapsed} ms`)
    const [first] = tables(md)
    assert.deepEqual(
      first!.header.map((h) => h.text),
      ['Severity', 'Title and rule', 'Resource', 'File', 'Remediation']
    )
    assert.match(md, new RegExp(`… and ${(50_000 - first!.rows.length).toLocaleString('en-US')} more failed results not listed here`))
  })

  test('50,000 failed results with the longest, most escaped text: still within the budget, and the tables still parse', () => {
    // 50 documents of 1,000 results (one document must stay under MongoDB's 16 MiB), every text 1,000 characters.
    const docs = realisticRun({containers: Array.from({length: 50}, (_, i) => `c${i}`), perContainer: 1000, failedOnly: true})
    const nasty = '|&<>'.repeat(250)
    for (const d of docs) {
      d.container = `${nasty}${d.container}`
      d.json.container = d.container
      for (const r of d.json.results) {
        r.title = nasty
        r.message = nasty
        r.remediation_description = nasty
        r.id = nasty
        for (const s of r.snapshots) s.resourceTypes = [nasty, nasty, nasty]
      }
    }
    const results = collect(docs)
    for (const maxBytes of [SUMMARY_BYTE_BUDGET, 100_000]) {
      const md = renderResultsSummary({results, artifactUrl: URL, maxBytes})
      assert.ok(Buffer.byteLength(md) <= maxBytes, `${Buffer.byteLength(md)} > ${maxBytes}`)
      const all = tables(md)
      assert.ok(all.length >= 2)
      for (const t of all) for (const row of t.rows) assert.equal(row.length, t.header.length)
    }
  })

  test('text from the database never becomes HTML, a link, an image, a mention or structure', () => {
    const hostile = [
      '<img src=x onerror=alert(1)>',
      '<script>alert(1)</script>',
      '[click](https://evil.example)',
      '![img](https://evil.example/x.png)',
      'https://evil.example/path',
      'www.evil.example',
      'mail me: evil@example.com',
      '@octocat #1 :smile:',
      '**bold** _em_ `code` ~~del~~ $x^2$',
      '| a | b |',
      'line\n# heading\n- item\n\n| x |\n| --- |',
      '&lt;b&gt; &amp;',
      '\u202Eevil\u202C \u0007bell'
    ]
    const docs = realisticRun({containers: ['c1', 'c2'], perContainer: hostile.length})
    docs.forEach((d) =>
      d.json.results.forEach((r: any, i: number) => {
        r.result = i % 2 === 0 ? 'failed' : 'passed'
        r.title = hostile[i]
        r.message = hostile[(i + 1) % hostile.length]
        r.remediation_description = hostile[(i + 2) % hostile.length]
        r.id = hostile[(i + 3) % hostile.length]
        for (const s of r.snapshots) s.paths = [`dir/${hostile[(i + 4) % hostile.length]}.tf`]
      })
    )
    docs[1]!.container = '<b>c2</b> @team'
    docs[1]!.json.container = docs[1]!.container
    const results = collect(docs)
    const md = renderResultsSummary({results, artifactUrl: URL, baselineLabel: '[x](https://evil.example)', comparison: compareWithBaseline(results, collect(docs.slice(0, 1)))})
    const html = marked.parse(md, {gfm: true}) as string
    // Only the elements the summary itself writes: no img, script, b, em, del, h1, list item, ...
    const tags = new Set([...html.matchAll(/<([a-z0-9]+)[\s>]/gi)].map((m) => m[1]!.toLowerCase()))
    const ours = new Set(['h2', 'h3', 'p', 'strong', 'br', 'code', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'details', 'summary', 'a'])
    assert.deepEqual([...tags].filter((t) => !ours.has(t)), [])
    assert.equal([...html.matchAll(/<h2>/g)].length, 1)
    assert.deepEqual(
      [...html.matchAll(/<h3>([^<]*)<\/h3>/g)].map((m) => m[1]),
      ['Failed results', 'By container']
    )
    // <strong> only around our own texts: the counts, the new-failures line and each title.
    for (const m of html.matchAll(/<strong>(.*?)<\/strong>/g)) assert.ok(!m[1]!.includes('<'), m[1])
    // No link at all (nothing was cut, so not even ours).
    assert.ok(!html.includes('<a '))
    // Every table row keeps its columns, and the text reads as written (bidi overrides and controls removed).
    for (const t of tables(md)) for (const row of t.rows) assert.equal(row.length, t.header.length)
    const text = textOf(html)
    for (const h of hostile.slice(0, 10)) assert.ok(text.includes(h.replace(/\n/g, ' ')), h)
    assert.ok(text.includes('evil bell'))
    assert.ok(!text.includes('\u202E'))
  })

  test('an artifact URL that is not https is not linked', () => {
    const results = collect(realisticRun({containers: ['c'], perContainer: 200, failedOnly: true}))
    const md = renderResultsSummary({results, artifactUrl: 'javascript:alert(1)', maxFailedRows: 5})
    assert.ok(!md.includes('javascript'))
    assert.match(md, /all of them are in the outputs artifact\./)
  })

  test('escapeMarkdown: one line, clipped, inert', () => {
    assert.equal(escapeMarkdown('a\nb|c'), 'a b&#124;c')
    assert.equal(escapeMarkdown('x'.repeat(20), 10), `${'x'.repeat(9)}…`)
    assert.equal(escapeMarkdown('see www.example.com'), 'see www&#46;example.com')
  })
})
