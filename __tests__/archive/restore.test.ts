// Our archive restored by the real mongorestore 100.18.0 (--archive, plain and --gzip) into fresh databases with
// --nsFrom/--nsTo renaming: every collection's documents byte-equal as raw BSON (sorted by _id on both sides),
// the same collections, the same options (capped size and max included).
//
// On FerretDB the restore runs with --noIndexRestore: mongorestore always sends the `ns` index option, which
// FerretDB refuses ("(BadValue) Index option "ns" is unknown"). With MONGODB_URI set (a real mongod, e.g. GitHub
// CI) it runs without it and the indexes are compared too (listIndexes, `ns` left out).

import assert from 'node:assert/strict'
import {mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {MongoClient} from 'mongodb'
import {seedFromEnv} from '../../test/harness/bson-gen.ts'
import {startTestServer, uniqueDbName, type TestServer} from '../../test/harness/mongo.ts'
import {collectionIndexes, collectionOptions, firstDifference, rawDocuments, realToolsMissing, runToolOk, seedDatabases, writeOurArchive} from './helpers.ts'

const seed = seedFromEnv()
const skip = await realToolsMissing()

describe(`mongorestore restores our archive (seed ${seed}, replay with TEST_SEED=${seed})`, {skip}, () => {
  let server: TestServer
  let client: MongoClient
  let dir: string
  let main: string
  let logs: string

  before(async () => {
    server = await startTestServer()
    client = new MongoClient(server.uri)
    await client.connect()
    dir = mkdtempSync(path.join(os.tmpdir(), 'archive-restore-'))
    main = uniqueDbName('arc_main')
    logs = uniqueDbName('arc_logs')
    await seedDatabases(client, server.uri, main, logs, seed)
  })

  after(async () => {
    if (server?.kind === 'external') {
      for (const name of [main, logs]) await client?.db(name).dropDatabase().catch(() => undefined)
    }
    await client?.close()
    await server?.stop()
    if (dir !== undefined) rmSync(dir, {recursive: true, force: true})
  })

  const variants = [
    {name: 'plain, one namespace after another', gzip: false, interleave: false},
    {name: '--gzip, namespaces interleaved', gzip: true, interleave: true}
  ]

  for (const variant of variants) {
    test(variant.name, async () => {
      const file = path.join(dir, `ours-${variant.gzip ? 'gz' : 'plain'}-${variant.interleave ? 'mixed' : 'seq'}.archive`)
      const {result} = await writeOurArchive(client, [main, logs], file, {gzip: variant.gzip, interleave: variant.interleave, batch: 37})
      assert.deepEqual(
        result.namespaces.map(ns => `${ns.db === main ? 'main' : 'logs'}.${ns.collection}`).sort(),
        ['logs.logs', 'main.big', 'main.empty', 'main.events', 'main.outputs', 'main.resources', 'main.snapshots']
      )

      const restoredMain = uniqueDbName('arc_rmain')
      const restoredLogs = uniqueDbName('arc_rlogs')
      const args = [
        '--uri', server.uri,
        `--archive=${file}`,
        `--nsFrom=${main}.*`, `--nsTo=${restoredMain}.*`,
        `--nsFrom=${logs}.*`, `--nsTo=${restoredLogs}.*`
      ]
      if (variant.gzip) args.push('--gzip')
      // FerretDB refuses the `ns` index option mongorestore always sends; a real mongod restores the indexes.
      if (server.kind === 'ferretdb') args.push('--noIndexRestore')
      const run = await runToolOk('mongorestore', args)
      const total = result.namespaces.reduce((sum, ns) => sum + ns.documents, 0)
      assert.match(run.stderr, new RegExp(`${total} document\\(s\\) restored successfully\\. 0 document\\(s\\) failed to restore\\.`), run.stderr)

      try {
        for (const [source, target] of [[main, restoredMain], [logs, restoredLogs]] as const) {
          const sourceDb = client.db(source)
          const targetDb = client.db(target)
          const sourceOptions = await collectionOptions(sourceDb)
          const targetOptions = await collectionOptions(targetDb)
          assert.deepEqual([...targetOptions.keys()].sort(), [...sourceOptions.keys()].sort(), `collections of ${target}`)
          for (const [collection, options] of sourceOptions) {
            assert.equal(targetOptions.get(collection), options, `options of ${target}.${collection}`)
            const expected = await rawDocuments(sourceDb, collection)
            const actual = await rawDocuments(targetDb, collection)
            assert.equal(actual.length, expected.length, `documents of ${target}.${collection}`)
            for (let i = 0; i < expected.length; i++) {
              if (!actual[i]!.equals(expected[i]!)) assert.fail(`${target}.${collection} document #${i}: ${firstDifference(actual[i]!, expected[i]!)}`)
            }
            if (server.kind === 'external') {
              assert.deepEqual(await collectionIndexes(targetDb, collection), await collectionIndexes(sourceDb, collection), `indexes of ${target}.${collection}`)
            }
          }
        }
        // The manifest figures are those of the source collections.
        for (const ns of result.namespaces) {
          const docs = await rawDocuments(client.db(ns.db), ns.collection)
          assert.equal(ns.documents, docs.length, `${ns.db}.${ns.collection} documents`)
          assert.equal(ns.bytes, docs.reduce((sum, d) => sum + d.length, 0), `${ns.db}.${ns.collection} bytes`)
        }
      } finally {
        if (server.kind === 'external') {
          for (const name of [restoredMain, restoredLogs]) await client.db(name).dropDatabase().catch(() => undefined)
        }
      }
    })
  }
})
