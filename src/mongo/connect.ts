// Connecting to the server Prancer wrote to: one place for every job (export, backup), with messages that say where
// the connection string came from, never the string's secrets.
import {MongoClient} from 'mongodb'
import type {Logger} from '../common/log.ts'
import {TOOL_NAME} from '../artifact/manifest.ts'
import type {ResolvedSettings} from '../prancer/settings.ts'
import {createRedactor, redactUri, uriHosts, uriSecrets} from './uri.ts'
import {InputError, RefusedError} from '../common/errors.ts'

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000


export async function connect(settings: ResolvedSettings, timeoutMs: number, logger: Logger): Promise<MongoClient> {
  const redactor = createRedactor('****')
  for (const secret of uriSecrets(settings.uri)) redactor.add(secret)
  const failure = (error: unknown) =>
    new RefusedError(
      `Cannot connect to MongoDB at ${uriHosts(settings.uri)} (connection string from ${settings.uriSource}) within ${timeoutMs} ms: ` +
        `${redactor.redact((error as Error).message ?? String(error))}. Check that the server is running and reachable from this machine, ` +
        'and set the mongodb-uri input (CLI: --uri) or env DBURL to the connection string Prancer used.'
    )
  let client: MongoClient
  try {
    client = new MongoClient(settings.uri, {serverSelectionTimeoutMS: timeoutMs, connectTimeoutMS: timeoutMs, appName: TOOL_NAME})
  } catch (error) {
    // The driver refused the string itself: no connection was tried, so say that, not "cannot connect".
    throw new InputError(
      `The connection string from ${settings.uriSource} cannot be used: ${redactor.redact((error as Error).message ?? String(error))}. ` +
        'Its form is mongodb://user:password@host:port/database?options (or mongodb+srv://); percent-encode @ : / ? # [ ] in the user name and password.'
    )
  }
  try {
    await client.connect()
    await client.db('admin').command({ping: 1})
  } catch (error) {
    await client.close().catch(() => {})
    throw failure(error)
  }
  logger.info(`Connected to ${redactUri(settings.uri)} (from ${settings.uriSource}).`)
  return client
}

