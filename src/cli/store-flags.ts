// The flags every command that reads or writes a store shares (--endpoint, --path-style, --name), and opening the
// store they name, probed before any data is read from MongoDB.
import type {ParseArgsConfig} from 'node:util'
import {UsageError} from '../common/errors.ts'
import type {Logger} from '../common/log.ts'
import type {ProbeAccess} from '../artifact/store.ts'
import {openProbedStore, type OpenedStore} from '../artifact/stores/open-store.ts'

/** How to reach a store. */
export const storeFlagOptions = {
  endpoint: {type: 'string'},
  'path-style': {type: 'string'}
} as const satisfies ParseArgsConfig['options']

/** The set's name in a store (export, backup, restore). */
export const nameFlagOption = {name: {type: 'string'}} as const satisfies ParseArgsConfig['options']

/** The help lines of these flags, their text starting at `column` as in the command's own help. */
export function storeFlagsHelp(column: number): string {
  const line = (flag: string, text: string[]): string => [`  ${flag}`.padEnd(column) + text[0], ...text.slice(1).map(t => ' '.repeat(column) + t)].join('\n')
  return [
    line('--endpoint URL', ['an S3-compatible server, an Azure blob endpoint or a GCS emulator (default:', "AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, STORAGE_EMULATOR_HOST, or the cloud's own)"]),
    line('--path-style MODE', ['S3 addressing: auto (default; path-style exactly when an endpoint is given),', 'true (path-style) or false (virtual-hosted)'])
  ].join('\n')
}

/** The set names of the CLI (no workflow run to put in them). */
export const CLI_SET_NAMES = {outputs: 'prancer-outputs', logs: 'prancer-logs', backup: 'prancer-backup'} as const

export async function openCliStore(
  url: string,
  flag: string,
  access: ProbeAccess,
  values: {endpoint?: string | undefined; 'path-style'?: string | undefined},
  env: Record<string, string | undefined>,
  logger: Logger
): Promise<OpenedStore> {
  const style = values['path-style'] ?? 'auto'
  if (!['auto', 'true', 'false'].includes(style)) throw new UsageError(`--path-style must be auto, true or false, not "${style}"`)
  if (values.endpoint !== undefined && !/^https?:\/\/[^\s/@]+(\/[^\s@?#]*)?$/.test(values.endpoint)) {
    throw new UsageError(`--endpoint: "${values.endpoint}" is not an endpoint URL (http(s)://host[:port][/path], with no user name or password)`)
  }
  return openProbedStore(url, flag, access, {endpoint: values.endpoint, ...(style === 'auto' ? {} : {pathStyle: style === 'true'}), env}, logger)
}

/** A set name given with --name: one folder name. */
export function setName(value: string | undefined, fallback: string): string {
  const name = value ?? fallback
  if (!/^[^/\\\0.][^/\\\0]*$/.test(name)) throw new UsageError(`--name: "${name}" cannot be a set's name (one folder name, not starting with ".")`)
  return name
}
