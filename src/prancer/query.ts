// The user's `query` input and the final find() filter of the outputs export.
import {BSON, EJSON} from 'bson'
import type {Document} from 'mongodb'
import {extJsonToBson} from '../ejson/ext-json-to-bson.ts'
import {InputError} from '../common/errors.ts'

/** Operators that run JavaScript on the server; a backup tool has no business sending them. */
const SERVER_SIDE_JS = new Set(['$where', '$function', '$accumulator'])

function isBsonValue(value: object): boolean {
  return typeof (value as {_bsontype?: unknown})._bsontype === 'string'
}

function rejectServerSideJs(value: unknown, path: string): void {
  if (value === null || typeof value !== 'object') return
  if (Array.isArray(value)) {
    value.forEach((item, i) => rejectServerSideJs(item, `${path}[${i}]`))
    return
  }
  if (isBsonValue(value)) {
    const type = (value as {_bsontype: string})._bsontype
    if (type === 'Code') throw new InputError(`query: JavaScript code ($code) at ${path || 'the top level'} is not accepted.`)
    return
  }
  if (value instanceof Date || value instanceof RegExp) return
  for (const [key, child] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key
    if (SERVER_SIDE_JS.has(key)) {
      throw new InputError(`query: the operator ${key} (at ${at}) runs JavaScript on the server and is not accepted; express the condition with query operators instead.`)
    }
    rejectServerSideJs(child, at)
  }
}

/**
 * Parses the `query` input: strict JSON with Extended JSON wrappers (canonical or relaxed), an object
 * at the top, and no server-side JavaScript anywhere in the tree.
 */
export function parseUserQuery(text: string): Document {
  const example = 'e.g. {"json.status": "Completed"} or {"timestamp": {"$gte": {"$numberLong": "1767225600000"}}}'
  let shape: unknown
  try {
    // JSON.parse only judges the syntax (strict JSON, nothing after the object)...
    shape = JSON.parse(text)
  } catch (error) {
    throw new InputError(`query: not valid JSON (${(error as Error).message}). Write strict Extended JSON, ${example}.`)
  }
  if (shape === null || typeof shape !== 'object' || Array.isArray(shape)) {
    throw new InputError('query: must be a JSON object (a find() filter), e.g. {"container": "my-container"}.')
  }
  let parsed: Document
  try {
    // ...the types come from mongoimport's parser, which keeps 1.0 a double and large integers exact (EJSON.parse does not).
    parsed = BSON.deserialize(extJsonToBson(text), {promoteValues: false, bsonRegExp: true})
  } catch (error) {
    throw new InputError(`query: not valid Extended JSON (${(error as Error).message}). ${example}.`)
  }
  rejectServerSideJs(parsed, '')
  return parsed
}

/** AND of the non-empty parts; a single part is used as is, none gives {}. */
export function andFilters(parts: Array<Document | null | undefined>): Document {
  const present = parts.filter((p): p is Document => p !== null && p !== undefined && Object.keys(p).length > 0)
  if (present.length === 0) return {}
  if (present.length === 1) return present[0]!
  return {$and: present}
}

/** {_id: {$nin: [...]}} for the canonical Extended JSON ids of the watermark's seen list. */
export function excludeIdsFilter(ids: string[]): Document | null {
  if (ids.length === 0) return null
  return {_id: {$nin: ids.map(id => EJSON.parse(id, {relaxed: false}))}}
}

/** The filter as canonical Extended JSON (what manifests record and mongoexport --query accepts). */
export function canonicalFilter(filter: Document): string {
  return EJSON.stringify(filter, {relaxed: false})
}
