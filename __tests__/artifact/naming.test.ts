import assert from 'node:assert/strict'
import * as path from 'node:path'
import {describe, it} from 'node:test'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {
  DEFAULT_LOGS_ARTIFACT_NAME,
  DEFAULT_OUTPUT_ARTIFACT_NAME,
  expandName,
  findRejectedCharacter,
  hasPerRunPlaceholder,
  nameFamilyPattern,
  validateNameTemplate
} from '../../src/artifact/naming.ts'
import type {NameValues} from '../../src/artifact/naming.ts'

const values: NameValues = {run_id: '1234', run_attempt: '2', job: 'export', database: 'validator', collection: 'outputs', container: 'all'}

describe('artifact name templates', () => {
  it('expands every placeholder', () => {
    assert.equal(
      expandName('{database}.{collection}-{container}-{job}-{run_id}-{run_attempt}', values),
      'validator.outputs-all-export-1234-2'
    )
  })

  it('the two defaults differ and name job, run and attempt', () => {
    assert.notEqual(DEFAULT_OUTPUT_ARTIFACT_NAME, DEFAULT_LOGS_ARTIFACT_NAME)
    for (const t of [DEFAULT_OUTPUT_ARTIFACT_NAME, DEFAULT_LOGS_ARTIFACT_NAME]) {
      for (const p of ['{job}', '{run_id}', '{run_attempt}', '{container}', '{database}', '{collection}']) assert.ok(t.includes(p), `${t} lacks ${p}`)
    }
  })

  it('defaults of two jobs in one run give different names', () => {
    const a = expandName(DEFAULT_OUTPUT_ARTIFACT_NAME, {...values, job: 'scan-aws'})
    const b = expandName(DEFAULT_OUTPUT_ARTIFACT_NAME, {...values, job: 'scan-azure'})
    assert.notEqual(a, b)
    // matrix legs share {job}; their container differs
    assert.notEqual(expandName(DEFAULT_OUTPUT_ARTIFACT_NAME, {...values, container: 'aws'}), expandName(DEFAULT_OUTPUT_ARTIFACT_NAME, {...values, container: 'azure'}))
  })

  it('rejects each character the artifact service rejects, naming it', () => {
    // the list from @actions/artifact path-and-artifact-name-validation.ts
    for (const ch of ['"', ':', '<', '>', '|', '*', '?', '\r', '\n', '\\', '/']) {
      assert.throws(() => validateNameTemplate(`pre${ch}post`), /which the artifact service rejects/, JSON.stringify(ch))
      assert.ok(findRejectedCharacter(`a${ch}`))
    }
    assert.throws(() => validateNameTemplate('a:b'), /Colon :/)
  })

  it('agrees with the @actions/artifact client on every character from U+0000 to U+024F', async () => {
    // The client's own validator (not in its exports map, so loaded by file URL).
    const main = fileURLToPath(import.meta.resolve('@actions/artifact'))
    const file = pathToFileURL(path.join(path.dirname(main), 'internal/upload/path-and-artifact-name-validation.js'))
    const {validateArtifactName} = (await import(file.href)) as {validateArtifactName(name: string): void}
    for (let code = 0; code <= 0x24f; code++) {
      const name = `a${String.fromCodePoint(code)}b`
      let clientRejects = false
      try {
        validateArtifactName(name)
      } catch {
        clientRejects = true
      }
      assert.equal(findRejectedCharacter(name) !== undefined, clientRejects, `U+${code.toString(16)}`)
    }
  })

  it('accepts other punctuation, spaces and non-ASCII', () => {
    for (const t of ['a b', 'résultats-{job}', 'x.y_z+1=(2)', 'a#b@c']) validateNameTemplate(t)
  })

  it('rejects unknown placeholders, listing the accepted ones', () => {
    assert.throws(() => validateNameTemplate('x-{sha}'), /unknown placeholder \{sha\}; accepted: \{run_id\}, \{run_attempt\}, \{job\}/)
    assert.throws(() => validateNameTemplate('x-{job'), /unbalanced brace/)
    assert.throws(() => validateNameTemplate('  '), /empty/)
  })

  it('replaces rejected characters in placeholder values', () => {
    assert.equal(expandName('{collection}-{container}', {...values, collection: 'a:b/c', container: ''}), 'a_b_c-_')
    assert.equal(findRejectedCharacter(expandName(DEFAULT_OUTPUT_ARTIFACT_NAME, {...values, job: 'j"*?|<>'})), undefined)
  })

  it('family pattern: any run id and attempt, the same everything else', () => {
    const p = nameFamilyPattern(DEFAULT_OUTPUT_ARTIFACT_NAME, values)
    assert.ok(p.test(expandName(DEFAULT_OUTPUT_ARTIFACT_NAME, values)))
    assert.ok(p.test(expandName(DEFAULT_OUTPUT_ARTIFACT_NAME, {...values, run_id: '99', run_attempt: '1'})))
    assert.ok(!p.test(expandName(DEFAULT_OUTPUT_ARTIFACT_NAME, {...values, job: 'other'})))
    assert.ok(!p.test(expandName(DEFAULT_OUTPUT_ARTIFACT_NAME, {...values, container: 'aws'})))
    assert.ok(!p.test(expandName(DEFAULT_LOGS_ARTIFACT_NAME, values)))
    assert.ok(!p.test(`${expandName(DEFAULT_OUTPUT_ARTIFACT_NAME, values)}-copy`))
  })

  it('family pattern treats regex characters in values literally', () => {
    const p = nameFamilyPattern('r-{collection}-{run_id}', {...values, collection: 'a.b+c'})
    assert.ok(p.test('r-a.b+c-7'))
    assert.ok(!p.test('r-aXbbc-7'))
  })

  it('knows when a template names each run differently', () => {
    assert.equal(hasPerRunPlaceholder(DEFAULT_OUTPUT_ARTIFACT_NAME), true)
    assert.equal(hasPerRunPlaceholder('backup-{job}'), false)
  })
})
