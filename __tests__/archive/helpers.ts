// Shared by the archive tests: the seeded source databases, the real mongodump/mongorestore, raw reads, and the
// few lines that turn a database into an archive with our writer (what a backup does, minus everything else).

import {spawn} from 'node:child_process'
import {BSON} from 'bson'
import {Int32, Long, type Db, type Document, type MongoClient} from 'mongodb'
import {createArchiveWriter, type ArchiveNamespace, type ArchiveResult, type ArchiveWriterOptions} from '../../src/archive/writer.ts'
import {collectionsMongodumpDumps, namespaceMetadata} from '../../src/archive/metadata.ts'
import {dataCollection} from '../../src/archive/format.ts'
import {createRng, encodeDocument, generateDocuments, prancerOutputDocument} from '../../test/harness/bson-gen.ts'
import {marshalExtJson} from '../../test/harness/oracle.ts'
import {ensurePeers} from '../../test/harness/peers.ts'
import {runMongoImport} from '../../test/harness/mongo-tools.ts'
import {seedPrancerRun} from '../../test/prancer-run.ts'

export interface ToolRun {
  code: number | null
  stdout: Buffer
  stderr: string
}

/** Runs the real mongodump or mongorestore (null when only the stand-ins exist: callers skip then). */
export async function runTool(tool: 'mongodump' | 'mongorestore', args: string[]): Promise<ToolRun> {
  const peers = await ensurePeers()
  const file = peers[tool]
  if (file === null) throw new Error(`${tool} is not available (${peers.toolsSource})`)
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {stdio: ['ignore', 'pipe', 'pipe']})
    const stdout: Buffer[] = []
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', error => reject(new Error(`Could not run ${file}: ${error.message}`)))
    child.on('close', code => resolve({code, stdout: Buffer.concat(stdout), stderr}))
  })
}

/** Runs the tool and fails with its stderr unless it exits 0. */
export async function runToolOk(tool: 'mongodump' | 'mongorestore', args: string[]): Promise<ToolRun> {
  const run = await runTool(tool, args)
  if (run.code !== 0) throw new Error(`${tool} ${args.join(' ')} exited with ${run.code}:\n${run.stderr}`)
  return run
}

/** Whether the real mongodump/mongorestore exist (MONGO_TOOLS_BIN or the tarball); the tests skip otherwise. */
export async function realToolsMissing(): Promise<string | false> {
  const peers = await ensurePeers()
  return peers.mongodump === null || peers.mongorestore === null ? `the real mongodump/mongorestore are not available (${peers.toolsSource})` : false
}

/** A collection's documents as raw BSON, sorted by _id (the same order on both sides of a comparison). */
export async function rawDocuments(db: Db, collection: string): Promise<Buffer[]> {
  const docs = await db.collection(collection).find({}, {raw: true, sort: {_id: 1}} as Document).toArray()
  return docs as unknown as Buffer[]
}

/** A collection's documents as raw BSON in natural order, as mongodump reads them. */
export async function naturalDocuments(db: Db, collection: string): Promise<Buffer[]> {
  const docs = await db.collection(collection).find({}, {raw: true, hint: {$natural: 1}} as Document).toArray()
  return docs as unknown as Buffer[]
}

/** listCollections' options of every collection, as canonical Extended JSON (types kept), by name. */
export async function collectionOptions(db: Db): Promise<Map<string, string>> {
  const infos = (await db.listCollections({}, {raw: true} as Document).toArray()) as unknown as Buffer[]
  const out = new Map<string, string>()
  for (const raw of infos) {
    const info = BSON.deserialize(raw, {promoteValues: false, bsonRegExp: true})
    out.set(String(info.name), BSON.EJSON.stringify(info.options ?? {}, {relaxed: false}))
  }
  return out
}

/** listIndexes of a collection as canonical Extended JSON, by name; `ns` (older servers add it) left out. */
export async function collectionIndexes(db: Db, collection: string): Promise<Map<string, string>> {
  const indexes = (await db.collection(collection).listIndexes({raw: true} as Document).toArray()) as unknown as Buffer[]
  const out = new Map<string, string>()
  for (const raw of indexes) {
    const spec = BSON.deserialize(raw, {promoteValues: false, bsonRegExp: true})
    delete spec.ns
    out.set(String(spec.name), BSON.EJSON.stringify(spec, {relaxed: false}))
  }
  return out
}

export interface Seeded {
  /** Collections of each database, with their document counts. */
  collections: Map<string, Map<string, number>>
}

const BIG_STRING_BYTES = 3 * 1024 * 1024 + 17

/**
 * Fills `main` and `logs` like a Prancer deployment, plus what exercises the format: Prancer runs (outputs and logs
 * from the real 3.1.1 fixtures), more Prancer-shaped outputs, documents of the 13 BSON types FerretDB stores
 * (inserted by the real mongoimport from the Go driver's canonical Extended JSON, so every type is as generated),
 * secondary indexes (unique, compound, sparse), a capped collection, an empty collection with an index, and
 * documents larger than the writer's 1 MiB chunks.
 */
export async function seedDatabases(client: MongoClient, uri: string, main: string, logs: string, seed: number): Promise<void> {
  const db = client.db(main)
  for (let run = 0; run < 2; run++) {
    await seedPrancerRun(uri, {
      database: main,
      outputCollection: 'outputs',
      logsDatabase: logs,
      container: `container_${run}`,
      startMs: 1793491200000 + run * 3_600_000,
      results: 25
    })
  }
  const rng = createRng(seed)
  const prancer = Array.from({length: 300}, (_, i) =>
    BSON.deserialize(encodeDocument(prancerOutputDocument(rng, i, {baseTimestamp: 1793500000000})), {promoteValues: false, bsonRegExp: true})
  )
  await db.collection('outputs').insertMany(prancer)
  await db.collection('outputs').createIndex({timestamp: 1})
  await db.collection('outputs').createIndex({container: 1, timestamp: -1}, {name: 'container_timestamp'})

  const mixed = generateDocuments(seed ^ 0x5eed, 400, {profile: 'ferretdb'})
  const lines = await marshalExtJson(mixed, 'canonical')
  const imported = await runMongoImport(['--uri', uri, '--db', main, '--collection', 'snapshots', '--quiet'], lines.join('\n') + '\n')
  if (imported.code !== 0) throw new Error(`mongoimport failed: ${imported.stderr}`)

  await db.collection('resources').insertMany(
    Array.from({length: 120}, (_, i) => ({
      uid: `resource-${i}`,
      kind: ['vm', 'storage', 'network'][i % 3],
      count: new Int32(i),
      size: Long.fromNumber(i * 1_000_000_007),
      ...(i % 4 === 0 ? {optional: `only-some-${i}`} : {})
    }))
  )
  await db.collection('resources').createIndex({uid: 1}, {unique: true})
  await db.collection('resources').createIndex({optional: 1}, {sparse: true})
  await db.collection('resources').createIndex({kind: 1, count: -1})

  await db.createCollection('events', {capped: true, size: 1024 * 1024, max: 500})
  await db.collection<Document>('events').insertMany(Array.from({length: 150}, (_, i): Document => ({_id: new Int32(i), message: `event ${i}`, at: new Date(1793491200000 + i)})))

  await db.createCollection('empty')
  await db.collection('empty').createIndex({never: 1})

  await db.collection<Document>('big').insertMany([
    {_id: new Int32(1), payload: 'x'.repeat(BIG_STRING_BYTES)},
    {_id: new Int32(2), small: true},
    {_id: new Int32(3), payload: 'y'.repeat(BIG_STRING_BYTES - 5)}
  ] as Document[])

  await client.db(logs).collection('logs').createIndex({name: 1, index: 1}, {unique: true})
}

export interface WriteOptions extends Partial<Omit<ArchiveWriterOptions, 'namespaces'>> {
  /** Interleave the namespaces' documents, round robin, `batch` documents at a time (as mongodump -j would). */
  interleave?: boolean
  batch?: number
}

/** Our archive of the databases: every collection mongodump would dump, read once in natural order. */
export async function writeOurArchive(client: MongoClient, databases: string[], path: string, options: WriteOptions = {}): Promise<{namespaces: ArchiveNamespace[]; result: ArchiveResult}> {
  const namespaces: ArchiveNamespace[] = []
  for (const name of databases) {
    const db = client.db(name)
    for (const info of await collectionsMongodumpDumps(db)) namespaces.push(await namespaceMetadata(db, info))
  }
  const serverVersion = options.serverVersion ?? String((await client.db('admin').command({buildInfo: 1})).version)
  // A time-series collection's documents are its buckets' (before 8.3), as mongodump reads them.
  const source = (ns: ArchiveNamespace): string => dataCollection(ns.collection, ns.type ?? 'collection', serverVersion)
  const writer = await createArchiveWriter(path, {
    gzip: options.gzip ?? false,
    namespaces,
    serverVersion,
    toolVersion: options.toolVersion ?? 'prancer-db-artifacts 0.1.0',
    ...(options.concurrentCollections !== undefined ? {concurrentCollections: options.concurrentCollections} : {}),
    ...(options.interleave ? {concurrentCollections: Math.max(namespaces.length, 1)} : {})
  })
  try {
    const batch = options.batch ?? 50
    if (options.interleave) {
      const cursors = namespaces.map(ns => ({ns, docs: [] as Buffer[], at: 0}))
      for (const c of cursors) c.docs = await naturalDocuments(client.db(c.ns.db), source(c.ns))
      let active = cursors.filter(c => c.ns.type !== 'view')
      while (active.length > 0) {
        for (const c of active) {
          await writer.writeDocuments(c.ns, c.docs.slice(c.at, c.at + batch))
          c.at += batch
          if (c.at >= c.docs.length) await writer.endNamespace(c.ns)
        }
        active = active.filter(c => c.at < c.docs.length)
      }
    } else {
      for (const ns of namespaces) {
        if (ns.type !== 'view') {
          const docs = await naturalDocuments(client.db(ns.db), source(ns))
          for (let at = 0; at < docs.length; at += batch) await writer.writeDocuments(ns, docs.slice(at, at + batch))
        }
        await writer.endNamespace(ns)
      }
    }
    return {namespaces, result: await writer.finish()}
  } catch (error) {
    await writer.abort()
    throw error
  }
}

/** Bytes as a short hex excerpt around an offset, for failure messages. */
export function firstDifference(a: Uint8Array, b: Uint8Array): string {
  let at = 0
  while (at < a.length && at < b.length && a[at] === b[at]) at++
  if (at === a.length && at === b.length) return 'identical'
  const hex = (x: Uint8Array) => Buffer.from(x.subarray(Math.max(0, at - 16), at + 16)).toString('hex')
  return `first difference at byte ${at} of ${a.length}/${b.length}: ${hex(a)} vs ${hex(b)}`
}
