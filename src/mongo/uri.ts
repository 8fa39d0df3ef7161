// Connection strings carry passwords: everything that could show one goes through these helpers.
import {createHash} from 'node:crypto'

// The driver's own split (mongodb-connection-string-url): user info has no `@`, hosts no `/?@`.
const URI_RE = /^(?<scheme>mongodb(?:\+srv)?:\/\/)(?:(?<user>[^:@]*)(?::(?<password>[^@]*))?@)?(?<hosts>(?!:)[^/?@]*)(?<tail>.*)$/is
// Characters the driver refuses unencoded in a user name or password.
const USERINFO_ILLEGAL_RE = /[:/?#[\]@]/
// Query options whose values are secrets: anything named like a password, secret or token
// (proxyPassword, tlsCertificateKeyFilePassword, …) and the mechanism properties (AWS session tokens).
const SECRET_OPTION_RE = /password|secret|token|^authmechanismproperties$/i
const URI_IN_TEXT_RE = /mongodb(?:\+srv)?:\/\/[^\s"'<>]+/gi
const SCHEME_RE = /^mongodb(?:\+srv)?:\/\//i

/** Shown instead of a connection string that cannot be split safely (its password could be anywhere in it). */
export const UNPARSEABLE_URI =
  '(connection string not shown: it cannot be parsed; percent-encode @ : / ? # [ ] in the user name and password)'
export const HOSTS_NOT_SHOWN = '(hosts not shown)'

/** Redaction never replaces shorter strings by substring: a password `1` must not corrupt every digit. */
export const MIN_SECRET_LENGTH = 3

interface UriParts {
  scheme: string
  user: string | null
  password: string | null
  /** host list, e.g. `h1:27017,h2` */
  hosts: string
  /** `/db?options` (may be empty) */
  tail: string
}

/** True when the text starts with mongodb:// or mongodb+srv:// (any case, as the driver accepts). */
export function hasMongoScheme(uri: string): boolean {
  return SCHEME_RE.test(uri.trim())
}

function isDecodable(text: string): boolean {
  try {
    decodeURIComponent(text)
    return true
  } catch {
    return false
  }
}

/** Splits as the driver does and applies its checks; null for anything the driver would refuse to split. */
function splitUri(uri: string): UriParts | null {
  const groups = URI_RE.exec(uri)?.groups
  if (!groups) return null
  const {scheme, user, password, hosts, tail} = groups as {scheme: string; user?: string; password?: string; hosts: string; tail: string}
  if (hosts === '') return null
  for (const part of [user, password]) {
    if (part !== undefined && (USERINFO_ILLEGAL_RE.test(part) || !isDecodable(part))) return null
  }
  // An `@` before the path or options means the user info was split in the wrong place.
  if (/^[^/?]*@/.test(tail)) return null
  return {scheme, user: user ?? null, password: password ?? null, hosts, tail}
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

function optionPairs(tail: string): Array<{name: string; value: string | null}> {
  const q = tail.indexOf('?')
  if (q < 0) return []
  return tail
    .slice(q + 1)
    .split('&')
    .map(pair => {
      const eq = pair.indexOf('=')
      return eq < 0 ? {name: pair, value: null} : {name: pair.slice(0, eq), value: pair.slice(eq + 1)}
    })
}

function isSecretOption(name: string): boolean {
  return SECRET_OPTION_RE.test(safeDecode(name))
}

function redactOptions(tail: string): string {
  const q = tail.indexOf('?')
  if (q < 0) return tail
  const options = optionPairs(tail).map(({name, value}) => (value === null ? name : isSecretOption(name) ? `${name}=****` : `${name}=${value}`))
  return `${tail.slice(0, q + 1)}${options.join('&')}`
}

/** The connection string with its password (and secret options) replaced by `****`; safe to print. */
export function redactUri(uri: string): string {
  if (!hasMongoScheme(uri)) return '(connection string not shown: it does not start with mongodb:// or mongodb+srv://)'
  const parts = splitUri(uri.trim())
  if (!parts) return UNPARSEABLE_URI
  const user = parts.user === null ? '' : parts.password === null ? `${parts.user}@` : `${parts.user}:****@`
  return `${parts.scheme}${user}${parts.hosts}${redactOptions(parts.tail)}`
}

/** The host list of a connection string (no credentials), for error messages. */
export function uriHosts(uri: string): string {
  return splitUri(uri.trim())?.hosts ?? HOSTS_NOT_SHOWN
}

/** The sorted, lower-cased host list (for telling deployments apart without keeping the connection string). */
export function uriHostList(uri: string): string[] | null {
  const parts = splitUri(uri.trim())
  if (!parts) return null
  return parts.hosts
    .split(',')
    .map(h => h.trim().toLowerCase())
    .filter(h => h !== '')
    .sort()
}

/**
 * Every form of a secret a connection string holds: the string itself, the password as written and
 * URL-decoded, and the values of secret options. Register each with Logger.secret before logging.
 * A string that parses and holds no secret gives none, so its hosts stay readable in logs.
 */
export function uriSecrets(uri: string): string[] {
  const out = new Set<string>([uri, uri.trim()])
  const add = (value: string) => {
    out.add(value)
    out.add(safeDecode(value))
  }
  const parts = splitUri(uri.trim())
  if (!parts) {
    // Unknown split: whatever could be user info (up to any `@`) and what follows its first `:`.
    const rest = uri.trim().replace(SCHEME_RE, '')
    for (let at = rest.indexOf('@'); at > 0; at = rest.indexOf('@', at + 1)) {
      const userInfo = rest.slice(0, at)
      add(userInfo)
      const colon = userInfo.indexOf(':')
      if (colon >= 0) add(userInfo.slice(colon + 1))
    }
    return [...out].filter(s => s.length > 0)
  }
  if (parts.password) add(parts.password)
  const secretOptions = optionPairs(parts.tail).filter(({name, value}) => value !== null && value !== '' && isSecretOption(name))
  if (!parts.password && secretOptions.length === 0) return []
  for (const {value} of secretOptions) {
    if (value === null) continue
    add(value)
    // authMechanismProperties=KEY:value,KEY2:value2 — each value on its own, as a driver error may quote it
    for (const property of safeDecode(value).split(',')) {
      const colon = property.indexOf(':')
      if (colon >= 0 && colon < property.length - 1) out.add(property.slice(colon + 1))
    }
  }
  return [...out].filter(s => s.length > 0)
}

/** Connection strings found anywhere in a text (e.g. a config file, before it is parsed). */
export function findUris(text: string): string[] {
  return [...text.matchAll(URI_IN_TEXT_RE)].map(m => m[0])
}

/** Replaces every connection string in a text by its redacted form. */
export function redactUrisInText(text: string): string {
  return text.replace(URI_IN_TEXT_RE, match => redactUri(match))
}

export interface Redactor {
  /** Registers a secret; strings shorter than MIN_SECRET_LENGTH are only masked inside connection strings. Returns whether it will be replaced by substring. */
  add(secret: string): boolean
  /** `text` with every connection string redacted and every registered secret replaced by the mask. */
  redact(text: string): string
}

/** The one redactor behind the action's logger, the CLI's output and the job's error messages. */
export function createRedactor(mask = '***'): Redactor {
  const secrets = new Set<string>()
  // longest first, so a secret containing another is replaced whole
  let longestFirst: string[] = []
  return {
    add(secret) {
      if (secret.length < MIN_SECRET_LENGTH) return false
      if (!secrets.has(secret)) {
        secrets.add(secret)
        longestFirst = [...secrets].sort((a, b) => b.length - a.length)
      }
      return true
    },
    redact(text) {
      let out = redactUrisInText(text)
      for (const secret of longestFirst) out = out.split(secret).join(mask)
      return out
    }
  }
}

/** sha256 of the sorted host list: tells deployments apart while the manifest never holds the connection string. */
export function hostsFingerprint(uri: string): string | null {
  const hosts = uriHostList(uri)
  return hosts === null ? null : createHash('sha256').update(hosts.join(',')).digest('hex')
}
