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
