import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import type {ExportJobResult} from '../../src/jobs/export/types.ts'
import {renderFailureSummary, renderSummary} from '../../src/action/export-summary.ts'
import type {ArtifactState, SummaryInput} from '../../src/action/export-summary.ts'
import type {FileEntry, Manifest} from '../../src/artifact/manifest.ts'
import {formatBytes} from '../../src/common/format.ts'

const file: FileEntry = {
  path: 'validator.outputs.json',
  database: 'validator',
  collection: 'outputs',
  filter: '{}',
  documents: 3,
  bytes: 5120,
  sha256: 'a'.repeat(64),
  jsonFormat: 'relaxed'
}

function manifest(kind: 'outputs' | 'logs'): Manifest {
  return {
    tool: 'prancer-db-artifacts',
    manifestVersion: 1,
    kind,
    createdAt: '2026-03-01T10:00:00.000Z',
    uriSource: 'env DBURL',
    window: {after: 1772357415123, through: 1772361015123, lookbackMs: 600000},
    files: [file]
  }
}

function result(overrides: {documents?: number; running?: number; results?: ExportJobResult['outputs']['results']; logs?: boolean} = {}): ExportJobResult {
  const watermark = {field: 'timestamp' as const, value: 1772361015123, lookbackMs: 600000, seen: []}
  return {
    settings: {configPath: '/w/config.ini', database: 'validator', outputCollection: 'outputs', logsDatabase: 'whitekite', uriSource: 'env DBURL', redactedUri: 'mongodb://u:****@h', notices: []},
    outputs: {
      dir: '/tmp/x/outputs',
      manifestPath: '/tmp/x/outputs/manifest.json',
      manifest: manifest('outputs'),
      files: [file],
      documents: overrides.documents ?? 3,
      watermark,
      running: Array.from({length: overrides.running ?? 0}, (_, i) => ({id: `65f0c0ffee00000000000${String(i).padStart(3, '0')}`, name: `Compliancetest_c|${i}`, container: 'aws<prod>', log: 'logs_20260301093142_COMPLIANCE', session: 'session_1772357502000', state: i % 2 === 0 ? ('running' as const) : ('snapshot-mode' as const)})),
      results: overrides.results ?? {passed: 7, failed: 2, skipped: 1, other: 0},
      database: 'validator',
      collection: 'outputs',
      collectionExists: true
    },
    logs: {
      dir: '/tmp/x/logs',
      manifestPath: '/tmp/x/logs/manifest.json',
      manifest: manifest('logs'),
      files: [],
      database: overrides.logs === false ? null : 'whitekite',
      runs:
        overrides.logs === false
          ? []
          : [
              {name: 'logs_20260301093015_CRAWLER', layout: 'documents', file: 'logs_20260301093015_CRAWLER.json', documents: 2},
              {name: 'logs_20190508150809', layout: 'collection', file: 'logs_20190508150809.json', documents: 40}
            ],
      reason: overrides.logs === false ? '[LOGGING] dbname is not set, so Prancer writes no database logs' : undefined
    }
  }
}

function input(r: ExportJobResult, extra: Partial<SummaryInput> = {}): SummaryInput {
  return {
    result: r,
    outputsArtifact: {name: 'prancer-outputs-validator-outputs-all-export-7-1', id: 4100000002, size: 2048, digest: 'b'.repeat(64), url: 'https://github.com/o/r/actions/runs/7/artifacts/4100000002'},
    logsArtifact: {name: 'prancer-logs-validator-outputs-all-export-7-1', id: 4100000001, size: 4096, digest: 'c'.repeat(64), url: 'https://github.com/o/r/actions/runs/7/artifacts/4100000001'},
    keptPath: null,
    sinceLabel: 'since: auto; manifest of artifact "x" from run 6',
    warnings: [],
    notices: [],
    ...extra
  }
}

describe('job summary', () => {
  it('names what was exported, the window, the artifacts and the results', () => {
    const md = renderSummary(input(result()))
    assert.match(md, /^## Prancer results exported: 3 documents from <code>validator\.outputs<\/code>/)
    assert.match(md, /❌ Test results in these documents: \*\*2 failed\*\* · 7 passed · 1 skipped/)
    assert.match(md, /after 2026-03-01 09:30:15\.123 UTC \(1772357415123\), up to 2026-03-01 10:30:15\.123 UTC \(1772361015123\)/)
    assert.match(md, /\[prancer-outputs-validator-outputs-all-export-7-1\]\(https:\/\/github\.com\/o\/r\/actions\/runs\/7\/artifacts\/4100000002\) · 2\.00 KiB zip · sha256 <code>b{12}…<\/code>/)
    assert.match(md, /\| Bytes \| 5120 \(5\.00 KiB\) \|/)
    assert.match(md, /\| <code>validator\.outputs\.json<\/code> \| 3 \| 5\.00 KiB \| <code>a{64}<\/code> \|/)
    assert.match(md, /\| <code>logs&#95;20260301093015&#95;CRAWLER<\/code> \| chunks in <code>logs<\/code> \| 2 \|/)
    assert.match(md, /\| <code>logs&#95;20190508150809<\/code> \| own collection \(legacy\) \| 40 \|/)
    assert.ok(!md.includes('Still running'))
  })

  it('all passed is a check mark', () => {
    assert.match(renderSummary(input(result({results: {passed: 5, failed: 0, skipped: 0, other: 0}}))), /✅ Test results in these documents: \*\*0 failed\*\* · 5 passed\n/)
  })

  it('lists Running documents, escaping table characters, and caps the list', () => {
    const md = renderSummary(input(result({running: 23})))
    // 12 of the 23 are still running; the 11 SNAPSHOT-mode ones finished and are not counted as unfinished
    assert.match(md, /⚠️ 12 output documents still had <code>json\.status: Running<\/code>/)
    assert.match(md, /\| Compliancetest&#95;c&#124;0 \| aws&#60;prod&#62; \| still running \| <code>65f0c0ffee00000000000000<\/code> \|/)
    assert.match(md, /\| Compliancetest&#95;c&#124;1 \| aws&#60;prod&#62; \| SNAPSHOT mode \| <code>65f0c0ffee00000000000001<\/code> \|/)
    assert.match(md, /\| … and 3 more \| \| \| \|/)
    assert.equal(md.match(/Compliancetest&#95;c/g)?.length, 20)
  })

  it('says why no logs were exported and where kept files are', () => {
    const md = renderSummary(input(result({logs: false, documents: 0, results: {passed: 0, failed: 0, skipped: 0, other: 0}}), {outputsArtifact: null, logsArtifact: null, keptPath: '/w/export'}))
    assert.match(md, /No new output documents since the previous export\./)
    assert.match(md, /No logs exported: &#91;LOGGING&#93; dbname is not set/)
    assert.match(md, /not uploaded; files in <code>\/w\/export\/outputs<\/code>/)
  })

  it('caps a long list of log runs', () => {
    const r = result()
    r.logs.runs = Array.from({length: 60}, (_, i) => ({name: `logs_2026030109${String(i).padStart(4, '0')}_CRAWLER`, layout: 'documents' as const, file: `f${i}.json`, documents: 1}))
    const md = renderSummary(input(r))
    assert.match(md, /60 runs from <code>whitekite<\/code>/)
    assert.equal(md.match(/&#95;CRAWLER<\/code>/g)?.length, 50)
    assert.match(md, /\| … and 10 more \| \| \| \|/)
  })

  it('shows warnings and notices', () => {
    const md = renderSummary(input(result(), {warnings: ['retention lowered'], notices: ['no earlier artifact']}))
    assert.match(md, /### Warnings and notices\n\n- ⚠️ retention lowered\n- ℹ️ no earlier artifact/)
  })

  it('failure: the message, and what is safe to do with what stayed uploaded', () => {
    const state = (outputs: ArtifactState, logs: ArtifactState) => ({outputsName: 'out-a', logsName: 'logs-a', outputs, logs})
    const md = renderFailureSummary({message: 'Mongo <down>\nretry', upload: null, warnings: []})
    assert.match(md, /## ❌ Prancer export failed\n\n> Mongo &#60;down&#62; retry\n/)
    assert.match(md, /Nothing from this run is uploaded and the watermark did not advance/)
    assert.match(renderFailureSummary({message: 'x', upload: state('absent', 'absent'), warnings: []}), /Nothing from this run is uploaded/)
    // only the logs artifact stayed: harmless, the watermark did not advance
    assert.match(renderFailureSummary({message: 'x', upload: state('absent', 'present'), warnings: ['w']}), /watermark did not advance[^\n]*could not be deleted; it is harmless, delete it or keep it:\n\n- <code>logs-a<\/code>[\s\S]*- ⚠️ w/)
    // the outputs artifact exists (e.g. Finalize committed, the client saw an error): never advise deleting it
    const present = renderFailureSummary({message: 'x', upload: state('present', 'present'), warnings: []})
    assert.match(present, /The outputs artifact <code>out-a<\/code> exists: it is complete and carries this run's watermark[^\n]*\*\*Keep it\*\* and <code>logs-a<\/code>/)
    assert.ok(!/delete (it|them) by hand/.test(present))
    // nothing could be found out: say what to do in either case
    const unknown = renderFailureSummary({message: 'x', upload: state('unknown', 'present'), cancelled: true, warnings: []})
    assert.match(unknown, /## ❌ Prancer export cancelled/)
    assert.match(unknown, /- if <code>out-a<\/code> exists, \*\*keep it\*\* and <code>logs-a<\/code>/)
  })

  it('a chained window names the watermark it continues, the lookback re-checked and the ids excluded', () => {
    const r = result()
    r.outputs.manifest = {...r.outputs.manifest, windowKind: 'chained', previousWatermark: 1772357415123 + 600000, excludedIds: 4, window: {after: 1772357415123, through: 1772361015123, lookbackMs: 600000}}
    const md = renderSummary(input(r))
    assert.match(md, /continuing after watermark 2026-03-01 09:40:15\.123 UTC \(1772358015123\) \(re-checking the last 600000 ms, 4 ids excluded\), up to 2026-03-01 10:30:15\.123 UTC/)
  })

  it('formats sizes', () => {
    assert.equal(formatBytes(0), '0 B')
    assert.equal(formatBytes(1023), '1023 B')
    assert.equal(formatBytes(1536), '1.50 KiB')
    assert.equal(formatBytes(200 * 1024 * 1024), '200.0 MiB')
  })
})
