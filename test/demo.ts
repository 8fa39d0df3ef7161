// `npm run demo`: the action's main job on this machine, end to end, with nothing mocked.
// Starts FerretDB (or uses MONGODB_URI) and the local artifact service, seeds a realistic
// `prancer --db FULL` run, writes Prancer's config.ini, runs `node dist/index.js` exactly as the
// Actions runner would, then prints the job summary, the step outputs and the stored artifacts.

import {existsSync} from 'node:fs'
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {startArtifactService} from './harness/artifact-service.ts'
import {startTestServer, uniqueDbName} from './harness/mongo.ts'
import {ensurePeers} from './harness/peers.ts'
import {DIST, readZip, runAction} from './action-runner.ts'
import {prancerConfigIni, seedPrancerRun} from './prancer-run.ts'

function heading(text: string): void {
  console.log(`\n\x1b[1m━━ ${text} ━━\x1b[0m`)
}

if (!existsSync(DIST)) {
  console.error(`${DIST} is missing. Build it with: npm run bundle`)
  process.exit(2)
}

heading('Peers')
const peers = await ensurePeers()
console.log(`FerretDB binary: ${peers.ferretdb}`)
const server = await startTestServer()
console.log(`MongoDB-compatible server: ${server.kind} (${server.kind === 'external' ? 'MONGODB_URI' : 'FerretDB on a free loopback port'})`)
const service = await startArtifactService()
console.log(`Artifact service: ${service.url} (blobs in Azurite at ${service.blobUrl}), started in ${service.startupMs} ms`)

let exitCode = 0
const work = await mkdtemp(path.join(os.tmpdir(), 'prancer-demo-'))
try {
  heading('A Prancer run (prancer --db FULL aws-prod)')
  const database = uniqueDbName('validator')
  const logsDatabase = uniqueDbName('whitekite')
  const seeded = await seedPrancerRun(server.uri, {database, outputCollection: 'outputs', logsDatabase, container: 'aws-prod', startMs: Date.now() - 60_000, results: 24, running: false})
  console.log(`${database}.outputs: a crawlerOutput and an output document (${seeded.passed} passed, ${seeded.failed} failed, ${seeded.skipped} skipped)`)
  console.log(`${logsDatabase}.logs: ${seeded.crawlerLog} and ${seeded.complianceLog} (2 chunks)`)

  const frameworkDir = path.join(work, 'framework')
  await mkdir(frameworkDir)
  await writeFile(path.join(frameworkDir, 'config.ini'), prancerConfigIni({database, outputCollection: 'outputs', logsDatabase}))
  console.log(`config.ini written to FRAMEWORKDIR=${frameworkDir}`)

  heading('node dist/index.js (as the runner runs the step)')
  // The step: `uses: ./` with mongodb-uri from a secret; every other input keeps action.yml's default.
  const env = {...service.env({runId: 1001, job: 'prancer-scan'}), FRAMEWORKDIR: frameworkDir}
  // Shown as the run's log shows it; RUNNER_DEBUG=1 shows the debug lines too, as GitHub does with debug logging on.
  const run = await runAction(env, {'mongodb-uri': server.uri}, {echo: true, debug: process.env.RUNNER_DEBUG === '1'})
  console.log(`exit code: ${run.code}`)
  if (run.code !== 0) exitCode = 1

  heading('Job summary (GITHUB_STEP_SUMMARY, Markdown)')
  console.log(run.summary)

  heading('Step outputs (GITHUB_OUTPUT)')
  for (const [name, value] of Object.entries(run.outputs)) {
    console.log(`${name} = ${name === 'files' ? JSON.stringify(JSON.parse(value), null, 2) : value}`)
  }

  heading('Later: another prancer run, then the action again (since: auto)')
  const next = await seedPrancerRun(server.uri, {database, outputCollection: 'outputs', logsDatabase, container: 'aws-prod', startMs: Date.now() - 30_000, results: 24, running: true})
  console.log(`${database}.outputs: 2 new documents (the output one still "Running"); logs ${next.crawlerLog}, ${next.complianceLog}`)
  const second = await runAction({...service.env({runId: 1002, job: 'prancer-scan'}), FRAMEWORKDIR: frameworkDir}, {'mongodb-uri': server.uri})
  console.log(`exit code: ${second.code}; documents = ${second.outputs.documents}; watermark = ${second.outputs.watermark}; log-runs = ${second.outputs['log-runs']}`)
  if (second.code !== 0) exitCode = 1
  console.log(second.summary)

  heading('Artifacts stored by the artifact service')
  for (const a of service.storedArtifacts().filter(x => !x.deleted)) {
    console.log(`${a.name}\n  id ${a.id}, ${a.size} bytes, ${a.digest}, ${a.contentType}, run ${a.runId} attempt ${a.runAttempt}, job ${a.job}`)
    for (const [name, data] of await readZip(a.zip)) console.log(`    ${name} (${data.length} bytes)`)
  }
} catch (error) {
  console.error(error)
  exitCode = 1
} finally {
  await service.stop()
  await server.stop()
  await rm(work, {recursive: true, force: true})
}
process.exit(exitCode)
