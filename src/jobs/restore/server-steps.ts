// What a restore does on the server before and around its documents, the same for JSON files (json.ts) and archives
// (archive-apply.ts): the connection, the read-only pre-check of every target (names the server refuses, a view where
// a collection goes), --drop, and the error of a restore that stops, carrying what was written (restore-error.ts).

import {MongoClient, type Db, type Document} from 'mongodb'
import type {Logger} from '../../common/log.ts'
import {redactUrisInText} from '../../mongo/uri.ts'
import {WriteLane} from '../../mongo/raw-writes.ts'
import {shownName} from '../../mongo/names.ts'
import {clause, RestoreError, type WriteTally} from './restore-error.ts'

/** The server's "not authorized": a pre-check the user may not run is skipped, not fatal. */
const UNAUTHORIZED = 13
/** The collection to drop did not exist: as mongoimport and mongorestore, ignored. */
const NAMESPACE_NOT_FOUND = 26

/** A namespace a restore writes to, and what goes there. */
export interface RestoreTarget {
  database: string
  collection: string
  /** An archive's view (created last, never read); a collection otherwise. */
  view: boolean
  /** What goes there, as messages name it: a file, or the archive's namespace. */
  from: string
}

/** How the pre-check of one kind of restore words its refusals, and what --drop allows. */
export interface PreCheckRules {
  logger: Logger
  /** --drop replaces what is there: an existing target of the other kind, or one that cannot be read, is no refusal. */
  dropReplaces: boolean
  /** "(the target of …)": what goes to a refused database or collection, from their shown names. */
  named(shown: string[]): string
  /** What to do when the server refuses a database name; a collection name. */
  fixDatabase: string
  fixCollection: string
  /** The refusal of an existing view where a collection goes (or a collection where an archive's view goes). */
  kindConflict(database: string, collection: string, existingView: boolean, targets: RestoreTarget[]): string
}

/**
 * Connects, runs `write` with the restore's one write lane, and closes. Whatever stops it becomes a RestoreError
 * carrying what the tally says was written, once the command still in flight has been counted (or marked uncertain).
 */
export async function writeToServer(uri: string, connectTimeoutMs: number | undefined, tally: WriteTally, write: (client: MongoClient, lane: WriteLane) => Promise<void>): Promise<void> {
  const client = await connectForRestore(uri, connectTimeoutMs)
  const lane = new WriteLane()
  try {
    await write(client, lane)
  } catch (error) {
    // A command still in flight is counted (or marked uncertain) before saying what was written.
    await lane.settle()
    const message = error instanceof RestoreError ? error.message : redactUrisInText((error as Error).message)
    throw new RestoreError(message, tally.summary())
  } finally {
    await client.close()
  }
}

/**
 * The restore's connection: a serverSelectionTimeoutMS in the connection string wins over our default; a string the
 * driver refuses or a server it cannot reach is a message saying nothing was written.
 */
async function connectForRestore(uri: string, connectTimeoutMs: number | undefined): Promise<MongoClient> {
  const timeout = /[?&]serverSelectionTimeoutMS=/i.test(uri) ? {} : {serverSelectionTimeoutMS: connectTimeoutMs ?? 10_000}
  let client: MongoClient
  try {
    client = new MongoClient(uri, timeout)
  } catch (error) {
    throw new RestoreError(`The connection string is not valid: ${clause(redactUrisInText((error as Error).message))}. Nothing was written; fix --uri (or MONGODB_URI).`)
  }
  try {
    await client.connect()
  } catch (error) {
    await client.close().catch(() => undefined)
    throw new RestoreError(
      `Cannot connect to ${redactUrisInText(uri)}: ${clause(redactUrisInText((error as Error).message))}. Nothing was written; check that the server is up and reachable, and the host, port and credentials of the connection string.`
    )
  }
  return client
}

/**
 * Read-only questions to the server about every target before the first drop or write: what it refuses here (a
 * database or collection name it does not accept, a view where a collection goes) would otherwise stop the restore
 * half-way. A check the user is not authorized to run is skipped. Returns the target namespaces that exist (null
 * when a database could not be listed).
 */
export async function preCheck(client: MongoClient, targets: RestoreTarget[], rules: PreCheckRules): Promise<Set<string> | null> {
  let existing: Set<string> | null = new Set<string>()
  const byDatabase = new Map<string, Map<string, RestoreTarget[]>>()
  for (const target of targets) {
    const collections = byDatabase.get(target.database) ?? new Map<string, RestoreTarget[]>()
    byDatabase.set(target.database, collections)
    collections.set(target.collection, [...(collections.get(target.collection) ?? []), target])
  }
  const refused = (what: string, to: RestoreTarget[], error: unknown, fix: string): RestoreError =>
    new RestoreError(`The server refuses ${what} (the target of ${rules.named(to.map((t) => shownName(t.from)))}): ${clause(redactUrisInText((error as Error).message))}. Nothing was written; ${fix}.`)
  for (const [database, collections] of byDatabase) {
    let db: Db
    let infos: Document[]
    try {
      db = client.db(database)
      infos = await db.listCollections({name: {$in: [...collections.keys()]}}, {nameOnly: false}).toArray()
    } catch (error) {
      if ((error as {code?: number}).code === UNAUTHORIZED) {
        rules.logger.notice(`could not check the database ${shownName(database)} before writing (not authorized to list its collections); a refusal will show when writing`)
        existing = null
        continue
      }
      throw refused(`the database "${shownName(database)}"`, [...collections.values()].flat(), error, rules.fixDatabase)
    }
    for (const info of infos) {
      const name = info.name as string
      existing?.add(`${database}.${name}`)
      const view = info.type === 'view'
      const here = collections.get(name) ?? []
      if (!rules.dropReplaces && here.some((t) => t.view !== view)) throw new RestoreError(rules.kindConflict(database, name, view, here))
    }
    for (const [collection, here] of collections) {
      if (here.every((t) => t.view)) continue
      try {
        await db.command({find: collection, filter: {}, projection: {_id: 1}, limit: 1, batchSize: 1, singleBatch: true})
      } catch (error) {
        if ((error as {code?: number}).code === UNAUTHORIZED) {
          rules.logger.notice(`could not check ${shownName(database)}.${shownName(collection)} before writing (not authorized to read it); a refusal will show when writing`)
          continue
        }
        // A view that --drop will replace cannot be read as a collection; that is fine.
        if (rules.dropReplaces && existing?.has(`${database}.${collection}`)) continue
        throw refused(`the collection "${shownName(collection)}" in ${shownName(database)}`, here, error, rules.fixCollection)
      }
    }
  }
  return existing
}

/**
 * --drop: each target namespace once. Servers answer "ok" for a collection that did not exist (mongod 7+, FerretDB):
 * only what existed before counts as dropped (or what may have existed, when it could not be listed); it no longer
 * exists afterwards.
 */
export async function dropTargets(client: MongoClient, targets: RestoreTarget[], existing: Set<string> | null, tally: WriteTally, logger: Logger): Promise<void> {
  const done = new Set<string>()
  for (const {database, collection} of targets) {
    const ns = `${database}.${collection}`
    if (done.has(ns)) continue
    done.add(ns)
    logger.info(`dropping ${shownName(ns)}`)
    await client.db(database).collection(collection).drop().catch((error: {code?: number}) => {
      if (error.code !== NAMESPACE_NOT_FOUND) throw error
    })
    if (existing === null || existing.has(ns)) tally.dropped.add(ns)
    existing?.delete(ns)
  }
}
