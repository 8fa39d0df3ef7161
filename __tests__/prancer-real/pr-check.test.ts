// The pull-request check end to end, with real Prancer 3.1.1 results: dist/index.js as the runner runs it, the local
// artifact service and the real @actions/artifact client.
//  1. main: prancer on the scenario's templates, then the action on a push to main (the baseline);
//  2. the pull request changes network/main.tf: SSH closed (a fix) and the security group's description removed (a
//     new failure); the S3 findings stay as they were; prancer runs again;
//  3. a pull request from a fork uploads an artifact of the same name family from its own `main` (never a baseline);
//  4. the pull request's run: summary, outputs, annotations on stdout, SARIF, JUnit and `fail-on: new-failure`.

import assert from 'node:assert/strict'
import {readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'
import {runAction, workflowCommands} from '../../test/action-runner.ts'
import type {ActionRun} from '../../test/action-runner.ts'
import {startArtifactService} from '../../test/harness/artifact-service.ts'
import type {ArtifactService, RunEnvOptions} from '../../test/harness/artifact-service.ts'
import {startTestServer, uniqueDbName} from '../../test/harness/mongo.ts'
import type {TestServer} from '../../test/harness/mongo.ts'
import {prepareScenario} from '../../test/harness/prancer.ts'
import type {Scenario} from '../../test/harness/prancer.ts'

const REPOSITORY = 'octo-org/iac'
let server: TestServer
let service: ArtifactService
let scenario: Scenario
let nextRunId = 9_200_000_001

before(async () => {
  ;[server, service] = await Promise.all([startTestServer(), startArtifactService()])
  scenario = await prepareScenario({uri: server.uri, serverKind: server.kind, database: uniqueDbName('validator'), logsDatabase: uniqueDbName('prancerlogs')})
})

after(async () => {
  await scenario?.remove()
  await service?.stop()
  await server?.stop()
})

/** The action in the scenario's directory as the workspace (its IaC files are the repository's files). */
async function action(options: Omit<RunEnvOptions, 'runId'>, inputs: Record<string, string>): Promise<{run: ActionRun; runId: number}> {
  const runId = nextRunId++
  const env = {...service.env({runId, repository: REPOSITORY, ...options}), GITHUB_WORKSPACE: scenario.dir}
  const run = await runAction(env, {'mongodb-uri': server.uri, config: 'config.ini', logs: 'none', ...inputs})
  return {run, runId}
}

describe('pull-request check with real Prancer results', {concurrency: false}, () => {
  let base: ActionRun
  let pr: ActionRun

  it('main: the baseline export', async () => {
    await scenario.prancer(['--db', 'FULL', scenario.container])
    base = (await action({branch: 'main'}, {})).run
    assert.equal(base.code, 0, base.stdout)
    assert.equal(base.outputs['new-failures'], '', 'a push compares with nothing')
    assert.equal(base.outputs.failed, '5')
  })

  it('a pull request fixes one finding and adds another; a fork uploads its own artifact meanwhile', async () => {
    const network = path.join(scenario.dir, 'iac', 'network', 'main.tf')
    const text = await readFile(network, 'utf8')
    await writeFile(network, text.replace('  description = "web tier"\n', '').replace('"0.0.0.0/0"', '"10.0.0.0/8"'))
    await scenario.prancer(['--db', 'FULL', scenario.container])
    // The fork's artifact is the newest of the family and already holds the pull request's results: were it taken as
    // the baseline, the new failure would not count as new.
    const fork = await action({pullRequest: {base: 'main', head: 'main'}, headRepository: 'mallory/iac'}, {since: 'all'})
    assert.equal(fork.run.code, 0, fork.run.stdout)
  })

  it('the pull request run: new failure, fixed, unchanged in outputs, summary, annotations, SARIF, JUnit; fail-on: new-failure fails last', async () => {
    const {run, runId} = await action({pullRequest: {base: 'main', head: 'close-ssh'}}, {'fail-on': 'new-failure', 'sarif-file': 'results.sarif', 'junit-file': 'results.xml'})
    pr = run
    // SAVE_SUMMARY=<file> keeps the step summary, to look at it rendered
    if (process.env.SAVE_SUMMARY) await writeFile(process.env.SAVE_SUMMARY, run.summary)
    assert.equal(run.code, 1, run.stdout)
    // the export and the uploads happened before the check failed
    assert.ok(service.storedArtifacts().some(a => a.runId === String(runId) && a.name.startsWith('prancer-outputs-') && !a.deleted))
    assert.match(run.stdout, /baseline: artifact "prancer-outputs-[^"]+" from run 9200000001 on main/)
    assert.equal(run.outputs['new-failures'], '1')
    assert.equal(run.outputs.fixed, '1')
    assert.equal(run.outputs.failed, '5')
    assert.equal(run.outputs['sarif-file'], path.join(scenario.dir, 'results.sarif'))

    // the summary: results first, the new failure named at the top
    const firstHeading = run.summary.split('\n').find(l => l.startsWith('## '))!
    assert.match(firstHeading, /Prancer/)
    assert.doesNotMatch(firstHeading, /exported/, 'the export details come first instead of the results')
    assert.match(run.summary, /1 new failure/)
    assert.ok(run.summary.indexOf('Security groups have a description') < run.summary.indexOf('## Prancer results exported'))

    // annotations on the pull request's files, the new failure among them, most severe first
    const annotations = workflowCommands(run.stdout).filter(c => ['error', 'warning', 'notice'].includes(c.name) && /file=/.test(c.properties))
    assert.ok(annotations.length >= 4, run.stdout)
    assert.ok(annotations.some(a => /file=iac\/network\/main\.tf/.test(a.properties) && /description/i.test(a.message + a.properties)), JSON.stringify(annotations))
    assert.ok(annotations.every(a => /file=iac\/(storage|network)\/main\.tf/.test(a.properties)))
    // by severity: High → error, Medium → warning, Low → notice
    const levelOf = (title: RegExp) => annotations.find(a => title.test(a.properties))?.name
    assert.equal(levelOf(/publicly readable/), 'error', JSON.stringify(annotations))
    assert.equal(levelOf(/versioning/), 'warning')
    assert.equal(levelOf(/encrypted at rest/), 'notice')

    // the step fails last, naming what is new
    const errors = workflowCommands(run.stdout).filter(c => c.name === 'error' && !/file=/.test(c.properties))
    assert.equal(errors.length, 1, run.stdout)
    assert.match(errors[0]!.message, /Security groups have a description/)

    const sarif = JSON.parse(await readFile(path.join(scenario.dir, 'results.sarif'), 'utf8'))
    assert.equal(sarif.version, '2.1.0')
    assert.ok(sarif.runs[0].results.every((r: {locations: Array<{physicalLocation: {artifactLocation: {uri: string}}}>}) => /^iac\//.test(r.locations[0]!.physicalLocation.artifactLocation.uri)))
    const junit = await readFile(path.join(scenario.dir, 'results.xml'), 'utf8')
    assert.match(junit, /^<\?xml/)
    assert.equal((junit.match(/<failure /g) ?? []).length, 5)
  })

  it('fail-on: never (the default) passes with the same results; baseline: none compares with nothing', async () => {
    assert.ok(pr, 'needs the pull request run')
    const {run} = await action({pullRequest: {base: 'main', head: 'close-ssh'}}, {since: 'all', baseline: 'none', 'output-artifact-name': 'pr-outputs-{run_id}-{run_attempt}', 'logs-artifact-name': 'pr-logs-{run_id}-{run_attempt}'})
    assert.equal(run.code, 0, run.stdout)
    assert.equal(run.outputs['new-failures'], '')
    assert.equal(run.outputs.failed, '5')
  })
})
