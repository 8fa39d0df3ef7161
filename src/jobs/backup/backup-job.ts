// The backup job: every collection of the Prancer databases (or the ones chosen) as one mongodump archive that the
// real `mongorestore --archive [--gzip]` restores, with a manifest (per collection: documents, bytes, sha256 — the
// sha256 of the .bson file `mongodump --out` would write) saying what consistency the backup has. Side by side with
// the export job over the same parts: settings (src/prancer/settings.ts), the connection (src/mongo/connect.ts), raw
// batches from the export engine (src/mongo/export/collection.ts) and the archive format (src/archive/). It writes
// into a new or empty directory the caller gives it; a failed backup is removed by the caller.

import {mkdir} from 'node:fs/promises'
import {globToRegExp} from '../../common/glob.ts'
import {join} from 'node:path'
import type {ClientSession, Db, MongoClient} from 'mongodb'
import {collectionsMongodumpDumps, namespaceMetadata, parseCollectionInfo} from '../../archive/metadata.ts'
import {createArchiveWriter, type ArchiveNamespace, type ArchiveWriter} from '../../archive/writer.ts'
import {rawBatches} from '../../mongo/export/collection.ts'
import type {Logger} from '../../common/log.ts'
import {connect, DEFAULT_CONNECT_TIMEOUT_MS} from '../../mongo/connect.ts'
import {MANIFEST_FILE, manifestHeader, serializeManifest, TOOL_NAME, writeManifest} from '../../artifact/manifest.ts'
import {resolveSettings} from '../../prancer/settings.ts'
import {createRedactor, uriSecrets} from '../../mongo/uri.ts'
import packageJson from '../../../package.json' with {type: 'json'}
import type {Manifest} from '../../artifact/manifest.ts'
import {hostsFingerprint} from '../../mongo/uri.ts'
import {errorMessage, RefusedError} from '../../common/errors.ts'
import {createArchiveStream} from '../../archive/writer.ts'
import type {SetUpload} from '../../artifact/stores/object-sets.ts'

export interface BackupJobOptions {
  configPath?: string
  mongodbUri?: string
  mongodbUriSource?: '--uri' | 'env MONGODB_URI' | 'input mongodb-uri'
  /** Databases to back up; default the config's [MONGODB] dbname and [LOGGING] dbname. */
  databases?: string[]
  /** `db.collection` patterns (`*` matches any run of characters) to keep / to leave out. */
  include?: string[]
  exclude?: string[]
  gzip: boolean
  /** Directory (new or empty; the caller stages it) receiving the archive and manifest.json. */
  outDir: string
  /**
   * Instead of outDir: a set being written to an object store. The archive streams into it while it is written (no
   * copy on disk), the manifest is committed last, and a failure takes the set back.
   */
  upload?: {label: string; upload: SetUpload}
  env: Record<string, string | undefined>
  cwd: string
  logger: Logger
  /** Collections read at once, as mongodump -j (default 4). */
  parallel?: number
  connectTimeoutMs?: number
}

export interface BackupCollection {
  db: string
  collection: string
  type: string
  documents: number
  bytes: number
  sha256: string
}

export interface BackupResult {
  archivePath: string
  manifestPath: string
  manifest: Manifest
  collections: BackupCollection[]
  bytes: number
  sha256: string
}

export const ARCHIVE_FILE = 'prancer.archive'

export async function runBackupJob(opts: BackupJobOptions): Promise<BackupResult> {
  const {logger} = opts
  const settings = await resolveSettings({configPath: opts.configPath, mongodbUri: opts.mongodbUri, ...(opts.mongodbUriSource ? {mongodbUriSource: opts.mongodbUriSource} : {}), env: opts.env, cwd: opts.cwd, logger})
  const databases = [...new Set(opts.databases && opts.databases.length > 0 ? opts.databases : [settings.database, ...(settings.logsDatabase ? [settings.logsDatabase] : [])])]
  const include = (opts.include ?? []).map(p => globToRegExp(p))
  const exclude = (opts.exclude ?? []).map(p => globToRegExp(p))
  const archiveFile = opts.gzip ? `${ARCHIVE_FILE}.gz` : ARCHIVE_FILE
  const archivePath = opts.upload ? `${opts.upload.label}${archiveFile}` : join(opts.outDir, archiveFile)
  if (!opts.upload) await mkdir(opts.outDir, {recursive: true})
  let saving: Promise<unknown> | undefined
  let uploadFailure: unknown

  let client: MongoClient | undefined
  let writer: ArchiveWriter | undefined
  let session: ClientSession | undefined
  // The collection whose read failed (first failure), for the message.
  let reading: string | null = null
  try {
    client = await logger.group('Connect', () => connect(settings, opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, logger))
    const hello = await client.db('admin').command({hello: 1})
    const buildInfo = await client.db('admin').command({buildInfo: 1})
    const serverVersion = /^\d+\.\d+\.\d+/.exec(String(buildInfo.version ?? ''))?.[0] ?? '0.0.0'
    // One read time for every collection where the server can give it (a replica set, MongoDB 5.0+: snapshot reads).
    // The driver fixes the snapshot's time with the session's first read, and refuses an older server only then, so
    // that first read is made here, alone, before the collections are read in parallel. Elsewhere each collection is
    // read once, at its own time, and the manifest says so.
    let consistency: Record<string, unknown> = {kind: 'per-collection', description: 'A standalone server (or one without snapshot reads): each collection was read once, at its own time, so writes during the backup may be in some collections and not in others. Back up while Prancer is not running for a consistent copy.'}
    if (hello.setName) {
      const candidate = client.startSession({snapshot: true})
      try {
        await client.db(databases[0]!).command({listCollections: 1, nameOnly: true}, {session: candidate})
        await client.db(databases[0]!).collection('__prancer_db_artifacts_snapshot_probe').findOne({}, {session: candidate})
        session = candidate
        consistency = {kind: 'snapshot', description: `Every collection was read at one cluster time (a snapshot session on replica set ${String(hello.setName)}). A backup longer than the server's minSnapshotHistoryWindowInSeconds fails with SnapshotTooOld; run it again when the server is less busy, or raise that window.`}
      } catch (error) {
        await candidate.endSession().catch(() => undefined)
        consistency = {kind: 'per-collection', description: `Replica set ${String(hello.setName)} gave no snapshot reads (${(error as Error).message}); each collection was read once, at its own time, so writes during the backup may be in some collections and not in others.`}
      }
    }

    const namespaces: ArchiveNamespace[] = []
    for (const database of databases) {
      const db = client.db(database)
      for (const info of await collectionsMongodumpDumps(db)) {
        const name = parseCollectionInfo(info).name
        const full = `${database}.${name}`
        if (include.length > 0 && !include.some(re => re.test(full))) continue
        if (exclude.some(re => re.test(full))) continue
        namespaces.push(await namespaceMetadata(db, info))
      }
    }
    if (namespaces.length === 0) logger.warning(`No collection to back up in ${databases.join(', ')}${include.length + exclude.length > 0 ? ' with the include/exclude patterns given' : ''}.`)
    logger.info(`Backing up ${namespaces.length} collections of ${databases.join(', ')} into ${archivePath}${session ? ' (one snapshot)' : ''}.`)

    const archiveOptions = {gzip: opts.gzip, namespaces, serverVersion, toolVersion: `${TOOL_NAME} ${packageJson.version}`, concurrentCollections: opts.parallel ?? 4}
    let archive: ArchiveWriter
    if (opts.upload) {
      // Reading, archiving and uploading overlap: the upload reads the archive as it is written.
      const streamed = await createArchiveStream(archivePath, archiveOptions)
      archive = streamed.writer
      // Which side failed first decides the message: a stream the writer destroyed (a read or the archive thread
      // failed, or the backup was aborted) makes the upload fail too, and that is not the store's fault.
      let streamFailed = false
      streamed.stream.once('error', () => (streamFailed = true))
      saving = opts.upload.upload.save(archiveFile, streamed.stream)
      saving.catch((error: unknown) => {
        if (streamFailed) return
        uploadFailure ??= error
        streamed.cancel(error as Error)
      })
    } else archive = await createArchiveWriter(archivePath, archiveOptions)
    writer = archive
    // Several collections at once, as mongodump -j: the archive interleaves their blocks.
    const queue = namespaces.filter(ns => (ns.type ?? 'collection') !== 'view')
    for (const view of namespaces.filter(ns => ns.type === 'view')) await archive.endNamespace(view)
    const worker = async (): Promise<void> => {
      for (let ns = queue.shift(); ns !== undefined; ns = queue.shift()) {
        try {
          const db: Db = client!.db(ns.db)
          const collection = ns.type === 'timeseries' ? `system.buckets.${ns.collection}` : ns.collection
          const cursor = db.collection(collection).find<Uint8Array>({}, {raw: true, batchSize: 1000, ...(session ? {session} : {})})
          for await (const batch of rawBatches(cursor)) await archive.writeDocuments(ns, batch)
          await archive.endNamespace(ns)
        } catch (error) {
          reading ??= `${ns.db}.${ns.collection}`
          throw error
        }
      }
    }
    await logger.group('Read collections', () => Promise.all(Array.from({length: Math.max(1, Math.min(opts.parallel ?? 4, queue.length))}, worker)))
    // A failed upload stops the reading: the archive has nowhere to go.
    const written = await archive.finish()
    writer = undefined
    if (saving) await saving
    const collections: BackupCollection[] = written.namespaces.map(n => ({
      db: n.db,
      collection: n.collection,
      type: namespaces.find(ns => ns.db === n.db && ns.collection === n.collection)?.type ?? 'collection',
      documents: n.documents,
      bytes: n.bytes,
      sha256: n.sha256
    }))
    const manifest: Manifest = {
      ...manifestHeader('backup', settings.uriSource, new Date(), opts.env),
      hostsSha256: hostsFingerprint(settings.uri),
      serverVersion,
      databases,
      archive: {file: archiveFile, format: opts.gzip ? 'mongodump archive, gzip' : 'mongodump archive', bytes: written.bytes, sha256: written.sha256},
      consistency,
      restore: `mongorestore --archive=${archiveFile}${opts.gzip ? ' --gzip' : ''} --uri "$DBURL"`,
      collections,
      files: []
    }
    const manifestPath = opts.upload ? `${opts.upload.label}${MANIFEST_FILE}` : await writeManifest(opts.outDir, manifest)
    if (opts.upload) {
      await opts.upload.upload.commit(serializeManifest(manifest)).catch((error: unknown) => {
        uploadFailure = error
        throw error
      })
    }
    for (const c of collections) logger.info(`${c.db}.${c.collection}: ${c.documents} documents, ${c.bytes} bytes`)
    return {archivePath, manifestPath, manifest, collections, bytes: written.bytes, sha256: written.sha256}
  } catch (error) {
    await writer?.abort().catch(() => undefined)
    await saving?.catch(() => undefined)
    await opts.upload?.upload.abort()
    // A store's refusal is its own message (store, bucket, key); it says nothing was committed.
    if (uploadFailure !== undefined) {
      throw new RefusedError(`${errorMessage(uploadFailure)} Nothing of the backup was committed (its manifest was not written), so no reader sees it.`, {cause: uploadFailure})
    }
    if (reading === null) {
      if (writer === undefined) throw error
      reading = 'the collections'
    }
    const redactor = createRedactor('****')
    for (const secret of uriSecrets(settings.uri)) redactor.add(secret)
    throw new RefusedError(`The backup stopped while reading ${reading}: ${redactor.redact((error as Error).message ?? String(error))}. No archive was kept; run it again.`, {cause: error})
  } finally {
    await session?.endSession().catch(() => undefined)
    await client?.close().catch(() => undefined)
  }
}
