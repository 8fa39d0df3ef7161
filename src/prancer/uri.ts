// Connection strings carry passwords: everything that could show one goes through these helpers.

const SCHEME_RE = /^(mongodb(?:\+srv)?:\/\/)/i
// Query options whose values are secrets (driver options that hold credentials or key passwords).
const SECRET_OPTIONS = ['authmechanismproperties', 'tlscertificatekeyfilepassword', 'sslpemkeypassword', 'tlscertificatekeypassword']
const URI_IN_TEXT_RE = /mongodb(?:\+srv)?:\/\/[^\s"'<>]+/gi

interface UriParts {
  scheme: string
  user: string | null
  password: string | null
  /** host list, e.g. `h1:27017,h2` */
  hosts: string
  /** `/db?options` (may be empty) */
  tail: string
}

function splitUri(uri: string): UriParts | null {
  const scheme = SCHEME_RE.exec(uri)?.[1]
  if (!scheme) return null
  const rest = uri.slice(scheme.length)
  const queryStart = rest.indexOf('?')
  const beforeQuery = queryStart < 0 ? rest : rest.slice(0, queryStart)
  // The last `@` before the options ends the user info, so an unencoded `@` or `/` in a password stays in it.
  const at = beforeQuery.lastIndexOf('@')
  const userInfo = at < 0 ? null : rest.slice(0, at)
  const afterUser = at < 0 ? rest : rest.slice(at + 1)
  const hostEnd = afterUser.search(/[/?]/)
  const hosts = hostEnd < 0 ? afterUser : afterUser.slice(0, hostEnd)
  const tail = hostEnd < 0 ? '' : afterUser.slice(hostEnd)
  if (userInfo === null) return {scheme, user: null, password: null, hosts, tail}
  const colon = userInfo.indexOf(':')
  return colon < 0 ? {scheme, user: userInfo, password: null, hosts, tail} : {scheme, user: userInfo.slice(0, colon), password: userInfo.slice(colon + 1), hosts, tail}
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

function redactOptions(tail: string): string {
  const q = tail.indexOf('?')
  if (q < 0) return tail
  const options = tail
    .slice(q + 1)
    .split('&')
    .map(pair => {
      const eq = pair.indexOf('=')
      if (eq < 0) return pair
      return SECRET_OPTIONS.includes(pair.slice(0, eq).toLowerCase()) ? `${pair.slice(0, eq)}=****` : pair
    })
  return `${tail.slice(0, q + 1)}${options.join('&')}`
}

/** The connection string with its password (and secret options) replaced by `****`; safe to print. */
export function redactUri(uri: string): string {
  const parts = splitUri(uri.trim())
  if (!parts) return '(connection string not shown: it does not start with mongodb:// or mongodb+srv://)'
  const user = parts.user === null ? '' : parts.password === null ? `${parts.user}@` : `${parts.user}:****@`
  return `${parts.scheme}${user}${parts.hosts}${redactOptions(parts.tail)}`
}

/** The host list of a connection string (no credentials), for error messages. */
export function uriHosts(uri: string): string {
  return splitUri(uri.trim())?.hosts ?? '(unparseable connection string)'
}

/**
 * Every form of a secret a connection string holds: the string itself, the password as written and
 * URL-decoded, and the values of secret options. Register each with Logger.secret before logging.
 */
export function uriSecrets(uri: string): string[] {
  const out = new Set<string>([uri, uri.trim()])
  const parts = splitUri(uri.trim())
  if (parts?.password) {
    out.add(parts.password)
    out.add(safeDecode(parts.password))
  }
  const q = parts?.tail.indexOf('?') ?? -1
  if (parts && q >= 0) {
    for (const pair of parts.tail.slice(q + 1).split('&')) {
      const eq = pair.indexOf('=')
      if (eq > 0 && SECRET_OPTIONS.includes(pair.slice(0, eq).toLowerCase()) && eq < pair.length - 1) {
        out.add(pair.slice(eq + 1))
        out.add(safeDecode(pair.slice(eq + 1)))
      }
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
