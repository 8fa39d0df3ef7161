// Writes documents as the BSON they already are, as mongoimport and mongorestore do (the Go driver sends bson.Raw
// unchanged). A restore holds every document as BSON (our Extended JSON reader writes BSON, an archive is BSON), and
// the Node driver's public API only takes JavaScript objects: turning each document into objects that serialize back
// to the same bytes and serializing them again was ~60% of a restore's main-thread CPU (bench/restore.ts), and could
// not send some documents unchanged at all (BSON Undefined, DBPointer, NaN payloads). The driver's own insert and
// update operations send already serialized documents as an OP_MSG document sequence (its DocumentSequence, in
// mongodb/lib/cmap/commands.js, not part of its public API); we hand it ours. The driver version is pinned by
// package-lock.json and bundled in dist/, and the restore tests compare every write with mongoimport's and
// mongorestore's.
//
// One command is in flight while the next batch is collected; the next is only sent once it succeeded, so input
// order and stop-on-error hold. The writers of one restore (one per file or namespace) share that one command in flight
// (WriteLane), so a failure in one stops every other at its next batch. Batches are at most 1000 documents
// (mongoimport's) and 15 MiB.

import {DocumentSequence} from 'mongodb/lib/cmap/commands.js'
import type {Db, Document} from 'mongodb'
import {BSON_TYPE, bsonStructureProblem, getElement} from '../bson/raw.ts'
import {MAX_BSON_DOCUMENT_BYTES} from '../ejson/limits.ts'

export type RawWriteMode = 'upsert' | 'insert' | 'merge'

/** mongoimport's limit per bulk write, in documents. */
export const MAX_BATCH_DOCUMENTS = 1000
const MAX_BATCH_BYTES = 15 * 1024 * 1024
/** Write errors mongoimport and mongorestore log and continue through in insert mode (duplicate key, validation). */
export const SKIPPABLE_WRITE_ERRORS: ReadonlySet<number> = new Set([11000, 121])

export interface WriteFailure {
  /** Index of the document in its batch. */
  index: number
  code: number
  errmsg: string
}

/** A batch the server answered: `tags` are the caller's, one per document, in order. */
export interface BatchReply<T> {
  tags: T[]
  applied: number
  writeErrors: WriteFailure[]
  writeConcernError?: string
}

export interface BatchHandlers<T> {
  /** Counts the batch; throws to stop the restore (a fatal write error). */
  replied(batch: BatchReply<T>): void
  /** The command got no reply (the server may have applied all, part or none of it); returns the error to throw. */
  failed(tags: T[], error: unknown): Error
}

type Kind = 'insert' | 'update'

/** The one command a restore has in flight, whichever of its writers sent it, and the first failure. */
export class WriteLane {
  private inFlight: Promise<void> | null = null
  private failure: unknown = undefined

  /** Waits for the command in flight; throws the restore's first failure. */
  async drain(): Promise<void> {
    await this.settle()
    if (this.failure !== undefined) throw this.failure
  }

  /** Waits for the command in flight without throwing: before saying what a stopped restore wrote. */
  async settle(): Promise<void> {
    if (this.inFlight !== null) {
      await this.inFlight
      this.inFlight = null
    }
  }

  /** Sends a command once drain() passed; its error is kept, not left unhandled, and thrown by the next drain(). */
  start(command: () => Promise<void>): void {
    this.inFlight = command().catch((error: unknown) => {
      this.failure ??= error
    })
  }
}

/**
 * Why a server would refuse this document, checked before anything is written: larger than 16 MiB, not well-formed
 * BSON, or an _id MongoDB does not accept. Anything else goes to the server unchanged, as with mongorestore.
 */
export function rawDocumentProblem(bson: Uint8Array): string | undefined {
  if (bson.length > MAX_BSON_DOCUMENT_BYTES) return `the document is ${bson.length} bytes as BSON, more than the 16 MiB a MongoDB document may hold`
  const structure = bsonStructureProblem(bson)
  if (structure !== undefined) return `it is not well-formed BSON: ${structure}`
  const id = getElement(bson, '_id')
  if (id?.type === BSON_TYPE.array) return 'its _id is an array, which MongoDB refuses as an _id'
  if (id?.type === BSON_TYPE.regex) return 'its _id is a regular expression, which MongoDB refuses as an _id'
  return undefined
}

export class RawBatchWriter<T> {
  /** Ordered batches stop at the first error: always in upsert and merge mode (input order matters), else on request. */
  readonly ordered: boolean
  private readonly db: Db
  private readonly collection: string
  private readonly mode: RawWriteMode
  private readonly handlers: BatchHandlers<T>
  private kind: Kind = 'insert'
  private statements: Uint8Array[] = []
  private tags: T[] = []
  private bytes = 0
  private readonly lane: WriteLane

  constructor(lane: WriteLane, db: Db, collection: string, mode: RawWriteMode, stopOnError: boolean, handlers: BatchHandlers<T>) {
    this.lane = lane
    this.db = db
    this.collection = collection
    this.mode = mode
    this.handlers = handlers
    this.ordered = mode !== 'insert' || stopOnError
  }

  /** Adds one document (valid BSON); returns a promise only when a batch had to be sent first. */
  add(bson: Uint8Array, tag: T): Promise<void> | undefined {
    let kind: Kind = 'insert'
    let statement = bson
    if (this.mode !== 'insert') {
      // Like mongoimport: without an _id there is no selector, so the document is inserted.
      const id = getElement(bson, '_id')
      if (id !== undefined) {
        kind = 'update'
        statement = updateStatement(bson, id.bytes.subarray(id.elementStart, id.valueEnd), this.mode === 'merge')
      }
    }
    // A batch holds one kind of command, so inserts and updates interleave in input order.
    if (this.statements.length > 0 && (this.kind !== kind || this.statements.length >= MAX_BATCH_DOCUMENTS || this.bytes + statement.length > MAX_BATCH_BYTES)) {
      return this.flush().then(() => this.push(kind, statement, tag))
    }
    this.push(kind, statement, tag)
    return undefined
  }

  private push(kind: Kind, statement: Uint8Array, tag: T): void {
    this.kind = kind
    this.statements.push(statement)
    this.tags.push(tag)
    this.bytes += statement.length
  }

  /** Sends what was collected, once the command in flight (of any writer on the lane) succeeded. */
  async flush(): Promise<void> {
    await this.lane.drain()
    if (this.statements.length === 0) return
    const {kind, statements, tags} = this
    this.statements = []
    this.tags = []
    this.bytes = 0
    this.lane.start(() => this.send(kind, statements, tags))
  }

  /** Waits for the command in flight; throws the restore's first failure. */
  async drain(): Promise<void> {
    await this.lane.drain()
  }

  private async send(kind: Kind, statements: Uint8Array[], tags: T[]): Promise<void> {
    const field = kind === 'insert' ? 'documents' : 'updates'
    const sequence = new DocumentSequence(field)
    // The driver keeps a document per entry only for command monitoring, which a restore does not turn on.
    for (const statement of statements) sequence.push(null, statement)
    let reply: Document
    try {
      reply = await this.db.command({[kind]: this.collection, [field]: sequence, ordered: this.ordered})
    } catch (error) {
      throw this.handlers.failed(tags, error)
    }
    const upserted = (reply.upserted as unknown[] | undefined)?.length ?? 0
    const batch: BatchReply<T> = {
      tags,
      applied: kind === 'insert' ? Number(reply.n ?? 0) : Number(reply.nModified ?? 0) + upserted,
      writeErrors: (reply.writeErrors ?? []) as WriteFailure[]
    }
    if (reply.writeConcernError) batch.writeConcernError = String((reply.writeConcernError as {errmsg?: unknown}).errmsg)
    this.handlers.replied(batch)
  }
}

/** {q: {_id: <the document's _id>}, u: <the document> (merge: {$set: <the document>}), upsert: true} as BSON. */
export function updateStatement(doc: Uint8Array, idElement: Uint8Array, merge: boolean): Uint8Array {
  // The _id element keeps its type byte and value; its name is "_id" already.
  const qLength = 4 + idElement.length + 1
  const uLength = merge ? 4 + 1 + 5 + doc.length + 1 : doc.length
  const length = 4 + (1 + 2 + qLength) + (1 + 2 + uLength) + (1 + 7 + 1) + 1
  const out = new Uint8Array(length)
  const view = new DataView(out.buffer)
  let at = 0
  view.setInt32(at, length, true)
  at += 4
  at = name(out, at, BSON_TYPE.document, 'q')
  view.setInt32(at, qLength, true)
  out.set(idElement, at + 4)
  at += qLength // ends with the 0 the array was filled with
  at = name(out, at, BSON_TYPE.document, 'u')
  if (merge) {
    view.setInt32(at, uLength, true)
    at = name(out, at + 4, BSON_TYPE.document, '$set')
    out.set(doc, at)
    at += doc.length + 1
  } else {
    out.set(doc, at)
    at += doc.length
  }
  at = name(out, at, BSON_TYPE.boolean, 'upsert')
  out[at] = 1
  return out
}

/** Writes an element's type and (ASCII) name; returns where its value starts. */
function name(out: Uint8Array, at: number, type: number, key: string): number {
  out[at++] = type
  for (let i = 0; i < key.length; i++) out[at++] = key.charCodeAt(i)
  out[at++] = 0
  return at
}
