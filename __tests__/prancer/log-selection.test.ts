// Pure selection rules; discovery and export of both layouts on a real server are in __tests__/job/.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {compareLogNames, logFileName, selectLogRuns} from '../../src/prancer/logs.ts'
import type {LogRun} from '../../src/prancer/logs.ts'

const available: LogRun[] = [
  {name: 'logs_20190508150809', layout: 'collection'},
  {name: 'logs_20260301093015_CRAWLER', layout: 'documents'},
  {name: 'logs_20260301093142_COMPLIANCE', layout: 'documents'},
  {name: 'logs_ci42_CRAWLER', layout: 'documents'},
  {name: 'logs_ci42_COMPLIANCE', layout: 'documents'},
  {name: 'logs_20260302080000_CRAWLER', layout: 'documents'}
]
const ctx = {available, referenced: [], previousNewest: null, database: 'whitekite'}
const names = (runs: LogRun[]) => runs.map(r => r.name)

test('auto: the names the exported outputs refer to, in order, missing ones warned about', () => {
  const s = selectLogRuns({kind: 'auto'}, {...ctx, referenced: ['logs_20260301093142_COMPLIANCE', '', 'logs_20260301093015_CRAWLER', 'logs_20260301093142_COMPLIANCE', 'logs_gone']})
  assert.deepEqual(names(s.runs), ['logs_20260301093142_COMPLIANCE', 'logs_20260301093015_CRAWLER'])
  assert.deepEqual(s.warnings, ['An exported output refers to the log logs_gone (json.log), but whitekite has neither a collection nor documents in "logs" with that name.'])
})

test('auto without references falls back to latest (newest by the time in the name), with a notice', () => {
  const s = selectLogRuns({kind: 'auto'}, ctx)
  assert.deepEqual(names(s.runs), ['logs_20260302080000_CRAWLER'])
  assert.match(s.notices[0]!, /^No exported output refers to an existing log/)
})

test('auto without references after an earlier export takes only newer logs, never the same newest log again', () => {
  const s = selectLogRuns({kind: 'auto'}, {...ctx, previousNewest: 'logs_20260301093142_COMPLIANCE'})
  assert.deepEqual(names(s.runs), ['logs_20260302080000_CRAWLER'])
  const none = selectLogRuns({kind: 'auto'}, {...ctx, previousNewest: 'logs_20260302080000_CRAWLER'})
  assert.deepEqual(names(none.runs), [])
  assert.equal(none.reason, 'no log matches logs: auto')
})

test('DBLOG_NAME names the run as Prancer does: <name>_CRAWLER and <name>_COMPLIANCE', () => {
  assert.deepEqual(names(selectLogRuns({kind: 'latest'}, {...ctx, dblogName: 'logs_ci42'}).runs), ['logs_ci42_CRAWLER', 'logs_ci42_COMPLIANCE'])
  const missing = selectLogRuns({kind: 'latest'}, {...ctx, dblogName: 'logs_nope'})
  assert.deepEqual(names(missing.runs), ['logs_20260302080000_CRAWLER'])
  assert.match(missing.notices[0]!, /DBLOG_NAME=logs_nope, but whitekite has no log/)
})

test('new: every name newer than the previous export\'s newest; everything when there is none', () => {
  assert.deepEqual(names(selectLogRuns({kind: 'new'}, {...ctx, previousNewest: 'logs_20260301093015_CRAWLER'}).runs), ['logs_20260301093142_COMPLIANCE', 'logs_20260302080000_CRAWLER'])
  const first = selectLogRuns({kind: 'new'}, ctx)
  assert.equal(first.runs.length, available.length)
  assert.equal(selectLogRuns({kind: 'new'}, {...ctx, previousNewest: 'logs_20260302080000_CRAWLER'}).reason, 'no log matches logs: new')
})

test('names: exact names, or a run prefix expanded to its _CRAWLER/_COMPLIANCE logs; none; empty database', () => {
  const s = selectLogRuns({kind: 'names', names: ['logs_20190508150809', 'logs_ci42', 'logs_absent']}, ctx)
  assert.deepEqual(s.runs, [available[0], available[3], available[4]])
  assert.deepEqual(s.warnings, ['logs: whitekite has no log named logs_absent (nor logs_absent_CRAWLER / logs_absent_COMPLIANCE).'])
  assert.deepEqual(selectLogRuns({kind: 'none'}, ctx), {runs: [], notices: [], warnings: [], reason: 'logs: none'})
  assert.equal(selectLogRuns({kind: 'latest'}, {...ctx, available: []}).reason, 'whitekite holds no Prancer logs (no "logs" documents and no logs_* collection)')
})

test('ordering and file names', () => {
  assert.ok(compareLogNames('logs_20260301093142_COMPLIANCE', 'logs_20260302080000_CRAWLER') < 0)
  assert.ok(compareLogNames('logs_custom', 'logs_20190508150809') < 0)
  const taken = new Set<string>()
  assert.equal(logFileName('logs_20260301093142_COMPLIANCE', taken), 'logs_20260301093142_COMPLIANCE.json')
  assert.equal(logFileName('../x/y', taken), '__x_y.json')
  assert.equal(logFileName('../x/y', taken), '__x_y-2.json')
})

// Names and sessions as real Prancer 3.1.1 wrote them: a process opens <base>_CRAWLER at start-up, takes its session id
// a moment later, and opens <base'>_COMPLIANCE when the compliance phase starts; its results are logged to _CRAWLER.
const real: LogRun[] = [
  {name: 'logs_20261129080525_CRAWLER', layout: 'documents'}, // an earlier FULL run
  {name: 'logs_20261129080526_COMPLIANCE', layout: 'documents'},
  {name: 'logs_20261129080543_CRAWLER', layout: 'documents'}, // a --compliance run
  {name: 'logs_20261129080543_COMPLIANCE', layout: 'documents'},
  {name: 'logs_20261129080547_CRAWLER', layout: 'documents'}, // a SNAPSHOT run, opened its logs a second apart
  {name: 'logs_20261129080548_COMPLIANCE', layout: 'documents'},
  {name: 'nightly_CRAWLER', layout: 'documents'}, // DBLOG_NAME=nightly
  {name: 'nightly_COMPLIANCE', layout: 'documents'}
]
const realCtx = {available: real, referenced: [], previousNewest: null, database: 'prancerlogs'}

test('auto: a _COMPLIANCE log brings the _CRAWLER log of the same Prancer process, which holds the results', () => {
  const sessions = new Map([['logs_20261129080548_COMPLIANCE', 'session_1795939547798']]) // 2026-11-29T08:05:47.798Z
  const s = selectLogRuns({kind: 'auto'}, {...realCtx, referenced: ['logs_20261129080548_COMPLIANCE'], sessions})
  assert.deepEqual(names(s.runs), ['logs_20261129080548_COMPLIANCE', 'logs_20261129080547_CRAWLER'])
  assert.deepEqual(s.warnings, [])
  // same second: <base>_CRAWLER; DBLOG_NAME: <name>_CRAWLER
  assert.deepEqual(names(selectLogRuns({kind: 'auto'}, {...realCtx, referenced: ['logs_20261129080543_COMPLIANCE']}).runs), ['logs_20261129080543_COMPLIANCE', 'logs_20261129080543_CRAWLER'])
  assert.deepEqual(names(selectLogRuns({kind: 'auto'}, {...realCtx, referenced: ['nightly_COMPLIANCE']}).runs), ['nightly_COMPLIANCE', 'nightly_CRAWLER'])
  // a referenced _CRAWLER log (a crawlerOutput) brings nothing more
  assert.deepEqual(names(selectLogRuns({kind: 'auto'}, {...realCtx, referenced: ['logs_20261129080525_CRAWLER']}).runs), ['logs_20261129080525_CRAWLER'])
})

test('auto: the partner is the newest _CRAWLER opened before the session, never a later one or one from long before', () => {
  // Without a session id, the _COMPLIANCE log's own time bounds it: 080526 pairs with 080525, not with the later 080543.
  assert.deepEqual(names(selectLogRuns({kind: 'auto'}, {...realCtx, referenced: ['logs_20261129080526_COMPLIANCE']}).runs), ['logs_20261129080526_COMPLIANCE', 'logs_20261129080525_CRAWLER'])
  // A session taken 08:05:45 rules out the _CRAWLER opened at 08:05:47 even though the _COMPLIANCE log is newer.
  const early = new Map([['logs_20261129080548_COMPLIANCE', 'session_1795939545000']])
  assert.deepEqual(names(selectLogRuns({kind: 'auto'}, {...realCtx, referenced: ['logs_20261129080548_COMPLIANCE'], sessions: early}).runs), ['logs_20261129080548_COMPLIANCE', 'logs_20261129080543_CRAWLER'])
  // More than ten minutes before: not the same process; the export says the results' log is missing.
  const lonely = selectLogRuns({kind: 'auto'}, {...realCtx, available: [...real, {name: 'logs_20261129093000_COMPLIANCE', layout: 'documents'}], referenced: ['logs_20261129093000_COMPLIANCE']})
  assert.deepEqual(names(lonely.runs), ['logs_20261129093000_COMPLIANCE'])
  assert.match(lonely.warnings[0]!, /^No _CRAWLER log of the Prancer run that wrote logs_20261129093000_COMPLIANCE was found in prancerlogs; Prancer logs a run's test results there/)
})

test('file names made from hostile log names are bounded, unique and valid', () => {
  const taken = new Set<string>()
  const long = `logs_${'x'.repeat(300)}`
  const a = logFileName(long, taken)
  const b = logFileName(`${long}y`, taken)
  for (const f of [a, b]) {
    assert.ok(Buffer.byteLength(f) <= 255 && f.length <= 130, f)
    assert.match(f, /^[A-Za-z0-9._-]+\.json$/)
  }
  assert.notEqual(a, b)
  // multi-byte names become ASCII, so the byte length is the character length
  const c = logFileName('ログ'.repeat(200), taken)
  assert.match(c, /^[A-Za-z0-9._-]+\.json$/)
  assert.ok(c.length <= 130)
  // newlines and workflow-command text cannot survive into a file name
  assert.doesNotMatch(logFileName('logs_1\n::error title=X::owned', taken), /[\n:]/)
})

test('a log named like the manifest, or differing only in case, never overwrites another file', () => {
  const taken = new Set<string>()
  const names = ['manifest', 'MANIFEST', 'Logs_A', 'logs_a'].map(n => logFileName(n, taken))
  assert.notEqual(names[0]!.toLowerCase(), 'manifest.json')
  assert.notEqual(names[1]!.toLowerCase(), 'manifest.json')
  // unique even on a case-insensitive file system
  assert.equal(new Set(names.map(n => n.toLowerCase())).size, names.length, names.join(', '))
})
