// action.yml as the runner reads it: valid YAML (a strict parser), the runtime and entry point, and exactly the
// inputs the action reads and the outputs it sets (found in the sources, not in a list of ours).
import assert from 'node:assert/strict'
import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {test} from 'node:test'
import {ROOT, actionYml} from '../../test/action-runner.ts'

test('action.yml parses, runs dist/index.js on node24, and declares exactly the inputs read and the outputs set', () => {
  const action = actionYml()
  assert.equal(action.runs.using, 'node24')
  assert.ok(existsSync(path.join(ROOT, action.runs.main)), action.runs.main)
  const inputsSource = readFileSync(path.join(ROOT, 'src', 'action', 'inputs.ts'), 'utf8')
  // every name passed to a reader of inputs.ts: read('x'), optional('x'), parseBoolean('x', …), parseInteger('x', …), …
  const read = new Set([...inputsSource.matchAll(/\b(?:read|optional|parseBoolean|parseInteger|parseChoice|parseTemplate)\('([a-z-]+)'/g)].map(m => m[1]!))
  assert.deepEqual([...read].sort(), Object.keys(action.inputs).sort())
  for (const [name, input] of Object.entries(action.inputs)) assert.ok(input.description.length > 20, `input ${name} has no real description`)
  const mainSource = readFileSync(path.join(ROOT, 'src', 'action', 'main.ts'), 'utf8')
  const outputsBlock = mainSource.slice(mainSource.indexOf('outputs = {'), mainSource.indexOf('}', mainSource.indexOf("'sarif-file'")))
  const set = new Set([...outputsBlock.matchAll(/^\s+'?([a-z-]+)'?:/gm)].map(m => m[1]!))
  // mode: backup sets its own outputs (src/action/backup-step.ts); `documents` is shared with the export
  const backupSource = readFileSync(path.join(ROOT, 'src', 'action', 'backup-step.ts'), 'utf8')
  const backupBlock = backupSource.slice(backupSource.indexOf('outputs: {'), backupSource.indexOf('}', backupSource.indexOf('outputs: {')))
  for (const m of backupBlock.matchAll(/^\s+'?([a-z-]+)'?:/gm)) set.add(m[1]!)
  assert.deepEqual([...set].sort(), Object.keys(action.outputs).sort())
})
