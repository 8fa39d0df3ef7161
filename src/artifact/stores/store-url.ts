// Where a user says a store is: one URL, the same in the action's `store` input and the CLI's --to/--from/--baseline.
//   s3://bucket/prefix               S3 and S3-compatible servers (the endpoint comes from a flag or AWS_ENDPOINT_URL*)
//   az://account/container/prefix    Azure Blob Storage
//   gs://bucket/prefix               Google Cloud Storage
//   file:///path                     a local (or mounted) directory
// Pure parsing: which SDK a URL needs is decided here, and loaded only by open-store.ts.

import {fileURLToPath} from 'node:url'
import {UsageError} from '../../common/errors.ts'

export type StoreUrl =
  | {scheme: 's3'; bucket: string; prefix: string; text: string}
  | {scheme: 'az'; account: string; container: string; prefix: string; text: string}
  | {scheme: 'gs'; bucket: string; prefix: string; text: string}
  | {scheme: 'file'; path: string; prefix: ''; text: string}

const FORMS = 's3://bucket/prefix, az://account/container/prefix, gs://bucket/prefix or file:///path'

/** True for a value that names a store rather than a local path or an artifact name. */
export function isStoreUrl(value: string): boolean {
  return /^(s3|az|gs|file):\/\//i.test(value)
}

export function parseStoreUrl(value: string, input: string): StoreUrl {
  const text = value.trim()
  const fail = (why: string): never => {
    throw new UsageError(`${JSON.stringify(text)} is not a store URL: ${why}. Use ${FORMS}.`, {input})
  }
  const m = /^([a-z0-9]+):\/\/(.*)$/i.exec(text)
  if (m === null) return fail('it has no scheme')
  const scheme = m[1]!.toLowerCase()
  const rest = m[2]!
  if (/[?#]/.test(rest)) fail('a store URL has no query or fragment (credentials never go in it)')
  if (rest.includes('@')) fail('a store URL holds no user name or password; credentials come from the SDK\'s default chain')
  const parts = rest.split('/')
  const prefixOf = (from: number): string => {
    const kept = parts.slice(from).filter(p => p !== '')
    if (kept.some(p => p === '.' || p === '..')) fail('"." and ".." are not prefix parts')
    return kept.join('/')
  }
  switch (scheme) {
    case 's3':
    case 'gs': {
      const bucket = parts[0] ?? ''
      // Both clouds: 3-63 characters of lower-case letters, digits, dots and dashes (GCS allows _ too).
      if (!/^[a-z0-9][a-z0-9._-]{1,221}[a-z0-9]$/.test(bucket)) fail(`"${bucket}" is not a bucket name`)
      return {scheme, bucket, prefix: prefixOf(1), text}
    }
    case 'az': {
      const [account = '', container = ''] = parts
      if (!/^[a-z0-9]{3,24}$/.test(account)) fail(`"${account}" is not a storage account name (3-24 lower-case letters and digits)`)
      if (!/^(?:\$root|[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62})$/.test(container)) fail(`"${container}" is not a container name`)
      return {scheme: 'az', account, container, prefix: prefixOf(2), text}
    }
    case 'file': {
      if (!rest.startsWith('/')) fail('a file URL is file:///absolute/path')
      let path: string
      try {
        path = fileURLToPath(text)
      } catch (error) {
        return fail((error as Error).message)
      }
      return {scheme: 'file', path, prefix: '', text}
    }
    default:
      return fail(`"${scheme}" is not a store scheme`)
  }
}
