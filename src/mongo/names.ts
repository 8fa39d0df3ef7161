// Where a restore may write: MongoDB's rules for database and collection names, checked before anything
// is read or written, and the system namespaces a manifest alone may not name.
//
// The rules are the portable ones (a dump restored on Windows or Linux): database names are non-empty,
// at most 63 bytes, without / \ . space " $ * < > : | ? or NUL; collection names are non-empty, without $
// or NUL, not starting with "."; a namespace (db.collection) is at most 255 bytes. A server may refuse
// more (FerretDB: [A-Za-z0-9_-] database names); the server pre-check in restore.ts asks it.

/** Databases MongoDB keeps for itself: users and roles, the oplog and replication state, sharding metadata. */
export const SYSTEM_DATABASES: readonly string[] = ['admin', 'local', 'config']

const MAX_DATABASE_BYTES = 63
const MAX_NAMESPACE_BYTES = 255
const DATABASE_FORBIDDEN = /[/\\. "$*<>:|?\0]/
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/** Why `name` cannot be a database name, or undefined when it can. */
export function databaseNameProblem(name: string): string | undefined {
  if (name === '') return 'a database name cannot be empty'
  if (LONE_SURROGATE.test(name)) return 'it is not valid Unicode'
  const bytes = Buffer.byteLength(name, 'utf8')
  if (bytes > MAX_DATABASE_BYTES) return `it is ${bytes} bytes long; a database name has at most ${MAX_DATABASE_BYTES}`
  const bad = DATABASE_FORBIDDEN.exec(name)
  if (bad) return `a database name cannot contain ${describeChar(bad[0])} (nor any of / \\ . space " $ * < > : | ? or NUL)`
  return undefined
}

/** Why `name` cannot be a collection name in `database`, or undefined when it can (system.* is checked apart). */
export function collectionNameProblem(name: string, database: string): string | undefined {
  if (name === '') return 'a collection name cannot be empty'
  if (LONE_SURROGATE.test(name)) return 'it is not valid Unicode'
  if (name.includes('$')) return 'a collection name cannot contain "$"'
  if (name.includes('\0')) return 'a collection name cannot contain NUL'
  if (name.startsWith('.')) return 'a collection name cannot start with "."'
  const bytes = Buffer.byteLength(`${database}.${name}`, 'utf8')
  if (bytes > MAX_NAMESPACE_BYTES) return `"database.collection" would be ${bytes} bytes long; MongoDB allows at most ${MAX_NAMESPACE_BYTES}`
  return undefined
}

/** admin, local or config, in any case (a server refuses a database differing from an existing one only in case). */
export function isSystemDatabase(name: string): boolean {
  return SYSTEM_DATABASES.includes(name.toLowerCase())
}

/** system.users, system.views, system.profile, system.js, ...: the server's own collections. */
export function isSystemCollection(name: string): boolean {
  return name.startsWith('system.')
}

function describeChar(c: string): string {
  if (c === '\0') return 'NUL'
  if (c === ' ') return 'a space'
  return `"${c}"`
}

/**
 * A name from a file or manifest as it may appear in a message: control characters (a line break could
 * forge a log line or a workflow command) are escaped, and a very long name is shortened.
 */
export function shownName(name: string): string {
  const short = name.length > 200 ? `${name.slice(0, 200)}…` : name
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f\u2028\u2029]/.test(short) ? JSON.stringify(short).slice(1, -1) : short
}
