// One measured client run per process (bench/export.ts and bench/restore.ts start it under /usr/bin/time), importing
// only what the run needs:
//   export  <uri> <db> <collection> <out> <batchSize|default>   our export engine (relaxed), as the export job calls it
//   bare    <uri> <db> <collection> -     <batchSize|default>   a bare raw cursor that reads and discards (the floor)
//   restore <uri> <db> <collection> <file> <mode>                our restore of one file (src/restore)
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

const [mode, uri, dbName, collection, out, batchSizeText] = process.argv.slice(2) as [string, string, string, string, string, string]
if (mode === 'restore') {
  const {restore} = await import('../src/restore/index.ts')
  const result = await restore({source: out, uri, database: dbName, collection, mode: batchSizeText as 'upsert' | 'insert'})
  process.stdout.write(JSON.stringify({imported: result.imported}) + '\n')
  process.exit(0)
}
const {exportCollection} = await import('../src/export/index.ts')
const batchSize = batchSizeText === 'default' ? undefined : Number(batchSizeText)
const client = await new MongoClient(uri).connect()
try {
  const db = client.db(dbName)
  let bsonBytes = 0
  let documents = 0
  if (mode === 'export') {
    const result = await exportCollection(db, collection, batchSize === undefined ? {} : {batchSize}, out, {
      format: 'relaxed',
      onDocument: doc => {
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
