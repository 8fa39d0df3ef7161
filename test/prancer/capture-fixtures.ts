// Captures what real Prancer 3.1.1 writes, as canonical Extended JSON from the real mongoexport, into
// test/fixtures/prancer-3.1.1/: the outputs and logs of one FULL run (crawl + compliance) and of one SNAPSHOT run of
// the scenario in test/prancer/scenario. test/prancer-run.ts builds the tests' and the demo's seeded runs from these
// documents, so the fixtures have Prancer's real shapes. Run again after changing the scenario:
//   node test/prancer/capture-fixtures.ts
import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import {startTestServer, uniqueDbName} from '../harness/mongo.ts'
import {runMongoExport} from '../harness/mongo-tools.ts'
import {prepareScenario} from '../harness/prancer.ts'

const out = path.join(import.meta.dirname, '..', 'fixtures', 'prancer-3.1.1')
const server = await startTestServer()
try {
  for (const [name, args] of [
    ['full', ['--db', 'FULL', 'webapp']],
    ['snapshot', ['--db', 'SNAPSHOT', 'webapp']]
  ] as const) {
    const database = uniqueDbName('validator')
    const logsDatabase = uniqueDbName('prancerlogs')
    const scenario = await prepareScenario({uri: server.uri, serverKind: server.kind, database, logsDatabase})
    try {
      await scenario.prancer([...args])
      for (const [db, collection, sort] of [
        [database, 'outputs', '{"timestamp": 1}'],
        [logsDatabase, 'logs', '{"name": 1, "index": 1}']
      ] as const) {
        const run = await runMongoExport(['--uri', server.uri, '--db', db, '--collection', collection, '--jsonFormat=canonical', '--sort', sort])
        if (run.code !== 0) throw new Error(run.stderr)
        // The scenario's temporary folder appears in the documents; make it a stable placeholder.
        const text = run.stdout.toString('utf8').replaceAll(scenario.dir, '/prancer')
        await writeFile(path.join(out, `${name}.${collection}.json`), text)
        console.log(`wrote ${name}.${collection}.json (${text.split('\n').length - 1} documents)`)
      }
    } finally {
      await scenario.remove()
    }
  }
} finally {
  await server.stop()
}
