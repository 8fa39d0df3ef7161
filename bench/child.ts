// One measured client run per process (bench/export.ts and bench/restore.ts start it under /usr/bin/time), importing
// only what the run needs, from tsc's output in lib/ (bench/build.ts makes it first): plain JavaScript as the bundles
// run it, so no TypeScript is stripped at load, in this thread or in the export's worker threads:
//   export  <uri> <db> <collection> <out> <batchSize|default>   our export engine (relaxed), as the export job calls it
//   bare    <uri> <db> <collection> -     <batchSize|default>   a bare raw cursor that reads and discards (the floor)
//   restore <uri> <db> <collection> <file> <mode>                our restore of one file (src/jobs/restore/)
//   restore-archive <uri> <db> - <archive> <mode>                our restore of a mongodump archive, renamed into <db>
// Prints {"documents": n, "bsonBytes": n, "main": {...}} (restore: {"imported": n}) on stdout, where `main` says how
// the main thread spent its life (Linux schedstat): on a CPU, runnable but waiting for one, or blocked (on the network,
// the disk, the worker); a client that is never blocked is limited by the CPU, not by the server.

import {readFileSync} from 'node:fs'
import {MongoClient, type FindCursor} from 'mongodb'

function mainThreadTimes(): {wallS: number; runS: number; runnableS: number; blockedS: number} | undefined {
  try {
    const [run, wait] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ').map(Number) as [number, number]
    const wallS = process.uptime()
    return {wallS, runS: run / 1e9, runnableS: wait / 1e9, blockedS: Math.max(0, wallS - run / 1e9 - wait / 1e9)}
  } catch {
    return undefined
  }
}

// Not a literal, so the type checker does not need lib/ to exist; the types are those of the sources.
const LIB = '../lib/'
const [mode, uri, dbName, collection, out, batchSizeText] = process.argv.slice(2) as [string, string, string, string, string, string]
if (mode === 'restore-archive') {
  // <uri> <db> - <archive> <mode>: every namespace of the archive (database bench) renamed into <db>, as --nsFrom 'bench.*' --nsTo '<db>.*'
  const {restoreArchive} = (await import(LIB + 'jobs/restore/index.js')) as typeof import('../src/jobs/restore/index.ts')
  const result = await restoreArchive({source: out, uri, nsFrom: ['bench.*'], nsTo: [`${dbName}.*`], mode: batchSizeText as 'upsert' | 'insert'})
  process.stdout.write(JSON.stringify({imported: result.imported}) + '\n')
  process.exit(0)
}
if (mode === 'restore') {
  const {restore} = (await import(LIB + 'jobs/restore/index.js')) as typeof import('../src/jobs/restore/index.ts')
  const result = await restore({source: out, uri, database: dbName, collection, mode: batchSizeText as 'upsert' | 'insert'})
  process.stdout.write(JSON.stringify({imported: result.imported}) + '\n')
  process.exit(0)
}
const {exportCollection} = (await import(LIB + 'mongo/export/index.js')) as typeof import('../src/mongo/export/index.ts')
// As the export job runs it (src/common/heap.ts); the floor stays a bare driver in a default process.
if (mode === 'export') ((await import(LIB + 'common/heap.js')) as typeof import('../src/common/heap.ts')).keepYoungGenerationSmall()
const batchSize = batchSizeText === 'default' ? undefined : Number(batchSizeText)
const client = await new MongoClient(uri).connect()
try {
  const db = client.db(dbName)
  let bsonBytes = 0
  let documents = 0
  if (mode === 'export') {
    const result = await exportCollection(db, collection, batchSize === undefined ? {} : {batchSize}, out, {
      format: 'relaxed',
      onDocument: (doc: Uint8Array) => {
        bsonBytes += doc.byteLength
      }
    })
    documents = result.documents
  } else if (mode === 'bare') {
    const cursor: FindCursor<Uint8Array> = db.collection(collection).find<Uint8Array>({}, batchSize === undefined ? {raw: true} : {raw: true, batchSize})
    while (await cursor.hasNext()) {
      for (const doc of cursor.readBufferedDocuments()) {
        bsonBytes += doc.byteLength
        documents++
      }
    }
    await cursor.close()
  } else {
    throw new Error(`unknown mode ${mode}`)
  }
  process.stdout.write(JSON.stringify({documents, bsonBytes, main: mainThreadTimes()}) + '\n')
} finally {
  await client.close()
}
