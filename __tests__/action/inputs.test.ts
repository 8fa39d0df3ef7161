// getInputs() reads INPUT_* variables exactly as the runner sets them (upper case, dashes kept).
import assert from 'node:assert/strict'
import {afterEach, describe, it} from 'node:test'
import {getInputs, parseLogs, parseSince} from '../../src/action/inputs.ts'
import {DEFAULT_OUTPUT_ARTIFACT_NAME} from '../../src/artifact/naming.ts'

const WORKSPACE = '/home/runner/work/repo/repo'

function withInputs(inputs: Record<string, string>): void {
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key]
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value
}

// The defaults action.yml gives (the runner passes them as inputs).
const DEFAULTS: Record<string, string> = {
  since: 'auto',
  logs: 'auto',
  'json-format': 'relaxed',
  'retention-days': '0',
  'compression-level': '6',
  overwrite: 'false',
  'if-no-documents': 'warn',
  'lookback-ms': '600000',
  upload: 'true',
  'github-token': 'ghs_example'
}

function read(overrides: Record<string, string>) {
  withInputs({...DEFAULTS, ...overrides})
  return getInputs({GITHUB_WORKSPACE: WORKSPACE})
}

function rejects(overrides: Record<string, string>, pattern: RegExp): void {
  assert.throws(() => read(overrides), pattern)
}

afterEach(() => withInputs({}))

describe('getInputs', () => {
  it('reads the action.yml defaults', () => {
    const inputs = read({})
    assert.deepEqual(inputs.since, {kind: 'auto'})
    assert.deepEqual(inputs.logs, {kind: 'auto'})
    assert.equal(inputs.jsonFormat, 'relaxed')
    assert.equal(inputs.outputArtifactName, DEFAULT_OUTPUT_ARTIFACT_NAME)
    assert.equal(inputs.retentionDays, 0)
    assert.equal(inputs.compressionLevel, 6)
    assert.equal(inputs.overwrite, false)
    assert.equal(inputs.ifNoDocuments, 'warn')
    assert.equal(inputs.lookbackMs, 600000)
    assert.equal(inputs.upload, true)
    assert.equal(inputs.path, undefined)
    assert.equal(inputs.configPath, undefined)
    assert.equal(inputs.mongodbUri, undefined)
  })

  it('reads every input, resolving paths against the workspace', () => {
    const inputs = read({
      config: 'prancer/config.ini',
      'mongodb-uri': 'mongodb://u:p@db:27017/validator',
      since: '2026-03-01T09:30:15Z',
      container: 'aws-prod',
      query: '{"type": "output"}',
      logs: 'logs_20260301093015_CRAWLER, logs_20260301093142_COMPLIANCE',
      'json-format': 'canonical',
      'output-artifact-name': 'out-{run_id}',
      'logs-artifact-name': 'logs-{run_id}',
      'retention-days': '7',
      'compression-level': '0',
      overwrite: 'True',
      'if-no-documents': 'error',
      upload: 'FALSE',
      path: 'export',
      'lookback-ms': '120000'
    })
    assert.equal(inputs.configPath, `${WORKSPACE}/prancer/config.ini`)
    assert.equal(inputs.mongodbUri, 'mongodb://u:p@db:27017/validator')
    assert.deepEqual(inputs.since, {kind: 'time', ms: Date.UTC(2026, 2, 1, 9, 30, 15)})
    assert.equal(inputs.container, 'aws-prod')
    assert.equal(inputs.query, '{"type": "output"}')
    assert.deepEqual(inputs.logs, {kind: 'names', names: ['logs_20260301093015_CRAWLER', 'logs_20260301093142_COMPLIANCE']})
    assert.equal(inputs.jsonFormat, 'canonical')
    assert.equal(inputs.retentionDays, 7)
    assert.equal(inputs.compressionLevel, 0)
    assert.equal(inputs.overwrite, true)
    assert.equal(inputs.ifNoDocuments, 'error')
    assert.equal(inputs.upload, false)
    assert.equal(inputs.path, `${WORKSPACE}/export`)
    assert.equal(inputs.lookbackMs, 120000)
  })

  it('mongodb-uri: the scheme is matched without regard to case, as the driver does', () => {
    assert.equal(read({'mongodb-uri': 'MongoDB://u:pw@db/x'}).mongodbUri, 'MongoDB://u:pw@db/x')
  })

  it('upload: false without path keeps the files in the workspace', () => {
    assert.equal(read({upload: 'false'}).path, `${WORKSPACE}/prancer-db-artifacts`)
  })

  it('since: numbers, ISO times, keywords', () => {
    assert.deepEqual(parseSince('1767225600000'), {kind: 'time', ms: 1767225600000})
    assert.deepEqual(parseSince('0'), {kind: 'time', ms: 0})
    assert.deepEqual(parseSince('2026-01-01'), {kind: 'time', ms: Date.UTC(2026, 0, 1)})
    // without a zone: UTC, like Prancer's timestamps
    assert.deepEqual(parseSince('2026-01-01T10:00'), {kind: 'time', ms: Date.UTC(2026, 0, 1, 10)})
    assert.deepEqual(parseSince('2026-01-01T10:00:00.250+02:00'), {kind: 'time', ms: Date.UTC(2026, 0, 1, 8, 0, 0, 250)})
    assert.deepEqual(parseSince('all'), {kind: 'all'})
    assert.deepEqual(parseSince(''), {kind: 'auto'})
  })

  it('logs: keywords and names', () => {
    assert.deepEqual(parseLogs('latest'), {kind: 'latest'})
    assert.deepEqual(parseLogs('new'), {kind: 'new'})
    assert.deepEqual(parseLogs('none'), {kind: 'none'})
    assert.deepEqual(parseLogs('logs_20190508150809\nlogs_x_CRAWLER'), {kind: 'names', names: ['logs_20190508150809', 'logs_x_CRAWLER']})
  })

  // Each invalid value: the message names the input and what it accepts.
  const invalid: Array<[Record<string, string>, RegExp]> = [
    [{since: 'yesterday'}, /^UsageError: Input 'since': "yesterday" is not accepted; accepted: auto, all, a number of epoch milliseconds/],
    [{since: '-5'}, /Input 'since'/],
    [{since: '2026-13-45'}, /Input 'since'/],
    // a real calendar check, not Date.parse (which turns February 30th into March 2nd)
    [{since: '2026-02-30'}, /Input 'since': "2026-02-30" is not a valid date or time/],
    [{since: '99999999999999999999'}, /Input 'since': 99999999999999999999 is beyond the last representable time/],
    [{'full-every': '7 days'}, /Input 'full-every': "7 days" is not a duration; accepted: a whole number of days, hours or minutes such as 7d/],
    [{'full-every': '0d'}, /Input 'full-every': "0d" is not a duration/],
    [{since: '9000000000000000'}, /Input 'since': 9000000000000000 is beyond the last representable time \(8640000000000000 ms/],
    [{logs: 'logs x'}, /Input 'logs': "logs x" is not a log name; accepted: auto, latest, new, none/],
    [{'json-format': 'Canonical'}, /Input 'json-format': "Canonical" is not accepted; accepted: relaxed, canonical/],
    [{'if-no-documents': 'fail'}, /Input 'if-no-documents': "fail" is not accepted; accepted: warn, error, ignore/],
    [{overwrite: 'yes'}, /Input 'overwrite': "yes" is not a boolean; accepted: true or false/],
    [{upload: '1'}, /Input 'upload'/],
    [{'retention-days': '7.5'}, /Input 'retention-days': "7.5" is not a whole number; accepted: a whole number of days from 1 to 400, or 0/],
    [{'retention-days': '401'}, /Input 'retention-days': 401 is out of range/],
    [{'lookback-ms': '10m'}, /Input 'lookback-ms': "10m" is not a whole number; accepted: a whole number of milliseconds from 0 to 2592000000/],
    [{'lookback-ms': '2592000001'}, /Input 'lookback-ms': 2592000001 is out of range/],
    [{'compression-level': '10'}, /Input 'compression-level': 10 is out of range; accepted: a whole number from 0/],
    [{'output-artifact-name': 'results:{run_id}'}, /Input 'output-artifact-name': "results:\{run_id\}" contains Colon :/],
    [{'logs-artifact-name': 'logs/{run_id}'}, /Input 'logs-artifact-name': .*Forward slash/],
    [{'output-artifact-name': '{branch}'}, /Input 'output-artifact-name': unknown placeholder \{branch\}/],
    [{'output-artifact-name': 'same-{run_id}', 'logs-artifact-name': 'same-{run_id}'}, /Input 'logs-artifact-name': is the same template as output-artifact-name/],
    [{query: '{type: 1}'}, /Input 'query': not valid JSON/],
    [{query: '[1]'}, /Input 'query': must be a JSON object/],
    [{query: '{"$where": "this.a > 1"}'}, /Input 'query': the operator \$where \(at .*\) runs JavaScript on the server and is not accepted/],
    [{query: '{"a": {"$numberLong": "x"}}'}, /Input 'query': not valid Extended JSON/],
    [{'mongodb-uri': 'http://u:hunter2@db'}, /Input 'mongodb-uri': must start with mongodb:\/\/ or mongodb\+srv:\/\//]
  ]
  for (const [overrides, pattern] of invalid) {
    it(`rejects ${JSON.stringify(overrides)}`, () => rejects(overrides, pattern))
  }

  it('never puts the connection string or its password in an error', () => {
    try {
      read({'mongodb-uri': 'mongo://admin:S3cr%40t@db/x'})
      assert.fail('accepted an invalid URI')
    } catch (error) {
      const message = (error as Error).message
      for (const secret of ['S3cr%40t', 'S3cr@t', 'mongo://admin']) assert.ok(!message.includes(secret), message)
    }
  })
})
