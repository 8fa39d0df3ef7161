// Where Prancer's data lives, resolved from config.ini and the environment the way Prancer resolves it
// (reference prancer-db.md §1-§2), plus the connection string chosen for the export.
import {readFile, stat} from 'node:fs/promises'
import {isAbsolute, join, resolve} from 'node:path'
import type {Logger} from '../common/log.ts'
import {ConfigError, parseConfig} from './config-parser.ts'
import type {ConfigFile} from './config-parser.ts'
import {findUris, redactUri, uriSecrets} from '../mongo/uri.ts'
import {InputError} from '../common/errors.ts'

/** Settings safe to print (connection string redacted). */
export interface ResolvedSettingsSummary {
  configPath: string
  database: string
  outputCollection: string
  logsDatabase: string | null
  uriSource: string
  redactedUri: string
  notices: string[]
}

export type UriSource = 'input mongodb-uri' | '--uri' | 'env MONGODB_URI' | 'env DBURL' | 'config.ini [MONGODB] dburl' | 'default'

export const DEFAULT_URI = 'mongodb://localhost:27017'
/** Prancer's database when [MONGODB] dbname is missing (database.py:71-79). */
export const PRANCER_DEFAULT_DATABASE = 'test'

export interface ResolvedSettings {
  configPath: string
  database: string
  outputCollection: string
  /** [LOGGING] dbname; null when Prancer writes no database logs. */
  logsDatabase: string | null
  uri: string
  uriSource: UriSource
  notices: string[]
  /** Things likely to make the export read other data than Prancer wrote (e.g. env CUSTOMER). */
  warnings: string[]
}

export interface ResolveSettingsOptions {
  configPath?: string
  mongodbUri?: string
  /** Where mongodbUri came from, for messages (default: the action's input). */
  mongodbUriSource?: '--uri' | 'env MONGODB_URI' | 'input mongodb-uri'
  env: Record<string, string | undefined>
  cwd: string
  logger: Logger
}



/**
 * The config.ini Prancer would read: the explicit path, else $FRAMEWORKDIR/config.ini (Prancer then reads
 * nothing else), else <cwd>/config.ini.
 */
export async function locateConfig(options: {configPath?: string; env: Record<string, string | undefined>; cwd: string}): Promise<string> {
  const {configPath, env, cwd} = options
  let candidate: string
  let origin: string
  if (configPath) {
    candidate = isAbsolute(configPath) ? configPath : resolve(cwd, configPath)
    origin = 'the config input'
  } else if (env.FRAMEWORKDIR) {
    const dir = isAbsolute(env.FRAMEWORKDIR) ? env.FRAMEWORKDIR : resolve(cwd, env.FRAMEWORKDIR)
    const dirInfo = await stat(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return null
      throw new InputError(`FRAMEWORKDIR is set to ${env.FRAMEWORKDIR}, which cannot be read (${error.code ?? error.message}): check its permissions, or pass the config input.`)
    })
    if (!dirInfo?.isDirectory()) {
      throw new InputError(`FRAMEWORKDIR is set to ${env.FRAMEWORKDIR}, which is not an existing directory (Prancer stops with "env variable set to non-existent directory"). Fix FRAMEWORKDIR or pass the config input.`)
    }
    candidate = join(dir, 'config.ini')
    origin = '$FRAMEWORKDIR/config.ini (FRAMEWORKDIR is set, so Prancer reads only this file)'
  } else {
    candidate = join(cwd, 'config.ini')
    origin = '<working directory>/config.ini (neither the config input nor FRAMEWORKDIR is set)'
  }
  const info = await stat(candidate).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return null
    throw new InputError(`${candidate} (${origin}) cannot be read (${error.code ?? error.message}): check its permissions and those of its directory.`)
  })
  if (!info) throw new InputError(`config.ini not found. Tried: ${candidate} (${origin}). Pass the config input (CLI: --config) or set FRAMEWORKDIR to the directory holding Prancer's config.ini.`)
  if (!info.isFile()) throw new InputError(`${candidate} is not a file (tried ${origin}).`)
  return candidate
}

/** The section Prancer reads (exact name), else a case-insensitive match with a notice. */
function findSection(cfg: ConfigFile, name: string, notices: string[]): string | null {
  if (cfg.hasSection(name)) return name
  const matches = cfg.sections().filter(s => s.toLowerCase() === name.toLowerCase())
  if (matches.length === 0) return null
  notices.push(`${cfg.path} has no [${name}] section; using [${matches[0]}] instead. Prancer itself reads only [${name}] (section names are case-sensitive), so rename the section for Prancer to see it.`)
  return matches[0]!
}

function readValue(cfg: ConfigFile, section: string | null, key: string): string | null {
  if (section === null) return null
  const value = cfg.get(section, key)
  return value === undefined || value === null || value === '' ? null : value
}

/**
 * The file as Prancer reads it (UTF-8 on the runners). UTF-16 (a BOM, or NUL bytes: what Windows editors save as
 * "Unicode") would parse as garbage; say what to do instead.
 */
function decodeConfig(bytes: Buffer, path: string): string {
  const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff) || bytes.subarray(0, 1024).includes(0)
  if (utf16) throw new InputError(`${path} is saved as UTF-16 (or holds NUL bytes); Prancer reads config.ini as UTF-8. Save it as UTF-8 without a byte order mark.`)
  return bytes.toString('utf8')
}

export async function resolveSettings(options: ResolveSettingsOptions): Promise<ResolvedSettings> {
  const {mongodbUri, env, cwd, logger} = options
  // Secrets first: nothing below may log before every known connection string is registered.
  for (const uri of [mongodbUri, env.DBURL]) if (uri) for (const secret of uriSecrets(uri)) logger.secret(secret)

  const configPath = await locateConfig({configPath: options.configPath, env, cwd})
  const text = decodeConfig(
    await readFile(configPath).catch((error: NodeJS.ErrnoException) => {
      throw new InputError(`${configPath} cannot be read (${error.code ?? error.message}): check its permissions.`)
    }),
    configPath
  )
  // Any connection string written in the file is a secret even if unused, and even if the file does not parse.
  for (const uri of findUris(text)) for (const secret of uriSecrets(uri)) logger.secret(secret)
  const cfg = parseConfig(text, configPath)
  const notices: string[] = []
  const warnings: string[] = []

  const mongoSection = findSection(cfg, 'MONGODB', notices)
  const outputCollection = readValue(cfg, mongoSection, 'OUTPUT')
  if (outputCollection === null) {
    const where = mongoSection === null ? `it has no [MONGODB] section (sections: ${cfg.sections().map(s => `[${s}]`).join(', ') || 'none'})` : `section [${mongoSection}] has no OUTPUT value`
    throw new InputError(`${configPath}: ${where}. Prancer stores test results in the collection named by [MONGODB] OUTPUT (usually "outputs"); add it, e.g. "[MONGODB]\\nOUTPUT = outputs".`)
  }
  let database = readValue(cfg, mongoSection, 'dbname')
  if (database === null) {
    database = PRANCER_DEFAULT_DATABASE
    notices.push(`${configPath}: [MONGODB] dbname is not set; using "${PRANCER_DEFAULT_DATABASE}", the database Prancer uses then.`)
  }
  const loggingSection = findSection(cfg, 'LOGGING', notices)
  const logsDatabase = readValue(cfg, loggingSection, 'dbname')
  if (logsDatabase === null) notices.push(`${configPath}: [LOGGING] dbname is not set, so Prancer writes no database logs; no logs will be exported.`)

  let uri: string
  let uriSource: UriSource
  if (mongodbUri) {
    uri = mongodbUri
    uriSource = options.mongodbUriSource ?? 'input mongodb-uri'
  } else if (env.DBURL) {
    uri = env.DBURL
    uriSource = 'env DBURL'
  } else {
    const legacy = mongoSection === null ? null : legacyDburl(cfg, mongoSection, notices)
    if (legacy) {
      uri = legacy
      uriSource = 'config.ini [MONGODB] dburl'
      notices.push(`Using [MONGODB] dburl from ${configPath} because neither the mongodb-uri input nor env DBURL is set. Prancer ignores this key (it reads env DBURL), so make sure it points to the server Prancer wrote to.`)
    } else {
      uri = DEFAULT_URI
      uriSource = 'default'
      notices.push(`No connection string given (mongodb-uri input, env DBURL or [MONGODB] dburl); using ${DEFAULT_URI}, as Prancer does.`)
    }
  }
  for (const secret of uriSecrets(uri)) logger.secret(secret)

  if (env.CUSTOMER || env.PRANCER_WK_ENV === 'STAGING' || env.PRANCER_WK_ENV === 'PRODUCTION') {
    const warning = `env ${env.CUSTOMER ? 'CUSTOMER' : 'PRANCER_WK_ENV'} is set: Prancer then reads a per-customer file under $FRAMEWORKDIR/config/ for its run, but this export reads ${configPath}. Pass the config input if Prancer used another file.`
    warnings.push(warning)
  }
  return {configPath, database, outputCollection, logsDatabase, uri, uriSource, notices, warnings}
}

function legacyDburl(cfg: ConfigFile, section: string, notices: string[]): string | null {
  try {
    return readValue(cfg, section, 'dburl')
  } catch (error) {
    // A URL-encoded password (p%40ss) is not valid configparser interpolation; Prancer never reads the key, so take it as written.
    if (!(error instanceof ConfigError && error.pythonName === 'InterpolationSyntaxError')) throw error
    notices.push(`[MONGODB] dburl in ${cfg.path} contains "%" that configparser cannot interpolate; using the text as written.`)
    return cfg.getRaw(section, 'dburl') || null
  }
}

export function summarizeSettings(settings: ResolvedSettings): ResolvedSettingsSummary {
  return {
    configPath: settings.configPath,
    database: settings.database,
    outputCollection: settings.outputCollection,
    logsDatabase: settings.logsDatabase,
    uriSource: settings.uriSource,
    redactedUri: redactUri(settings.uri),
    notices: [...settings.warnings, ...settings.notices]
  }
}
