// Whether a path is an archive to restore: a mongodump archive (ours, or `mongodump --archive [--gzip]`'s), told by
// its magic number, directly or after gzip; or a `backup --out` directory holding one. Anything else is restored as
// an Extended JSON export (json.ts).

import {open, stat} from 'node:fs/promises'
import {join} from 'node:path'
import {createGunzip} from 'node:zlib'
import {ARCHIVE_MAGIC, GZIP_MAGIC} from '../../archive/format.ts'

/** The file names `backup --out DIR` writes; a directory holding one is restored as that archive. */
const BACKUP_ARCHIVE_FILES = ['prancer.archive', 'prancer.archive.gz']

/**
 * The archive to restore when `path` is one (its first bytes are the archive magic number, directly or after gzip),
 * or a `backup --out` directory holding one; undefined otherwise (an Extended JSON export).
 */
export async function archiveSource(path: string): Promise<string | undefined> {
  let info
  try {
    info = await stat(path)
  } catch {
    return undefined
  }
  if (info.isDirectory()) {
    for (const name of BACKUP_ARCHIVE_FILES) {
      const file = join(path, name)
      if ((await stat(file).catch(() => undefined))?.isFile() && (await isArchiveFile(file))) return file
    }
    return undefined
  }
  return info.isFile() && (await isArchiveFile(path)) ? path : undefined
}

/** Whether the file begins with the archive magic number, plain or gzip-compressed. */
export async function isArchiveFile(path: string): Promise<boolean> {
  let handle
  try {
    handle = await open(path, 'r')
  } catch {
    return false
  }
  try {
    const head = Buffer.alloc(64 * 1024)
    const {bytesRead} = await handle.read(head, 0, head.length, 0)
    const bytes = head.subarray(0, bytesRead)
    if (bytes.length >= 4 && bytes.subarray(0, 4).equals(ARCHIVE_MAGIC)) return true
    if (bytes.length < 2 || bytes[0] !== GZIP_MAGIC[0] || bytes[1] !== GZIP_MAGIC[1]) return false
    return (await gunzipHead(bytes, 4)).subarray(0, 4).equals(ARCHIVE_MAGIC)
  } finally {
    await handle.close()
  }
}

/** The first `n` decompressed bytes of a gzip stream's beginning (fewer when it cannot be read). */
function gunzipHead(bytes: Buffer, n: number): Promise<Buffer> {
  return new Promise(resolve => {
    const gunzip = createGunzip()
    const parts: Buffer[] = []
    let have = 0
    const done = (): void => {
      gunzip.removeAllListeners()
      gunzip.on('error', () => undefined)
      gunzip.destroy()
      resolve(Buffer.concat(parts))
    }
    gunzip.on('data', (chunk: Buffer) => {
      parts.push(chunk)
      have += chunk.length
      if (have >= n) done()
    })
    gunzip.on('error', done)
    gunzip.on('end', done)
    gunzip.end(bytes)
  })
}
