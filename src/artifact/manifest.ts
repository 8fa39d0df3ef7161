// manifest.json: written beside the data files, last and atomically, so a directory (or artifact)
// with a manifest is complete. It never contains the connection string, only where it came from.
import yauzl from 'yauzl'
import {randomBytes} from 'node:crypto'
import {readFile, rename, rm, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import type {Manifest} from '../jobs/export/types.ts'

export const MANIFEST_FILE = 'manifest.json'
export const TOOL_NAME = 'prancer-db-artifacts'

export class ManifestError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ManifestError'
  }
}

/** Writes `<dir>/manifest.json` through a temporary file and a rename; returns its path. */
export async function writeManifest(dir: string, manifest: Manifest): Promise<string> {
  const path = join(dir, MANIFEST_FILE)
  const temp = join(dir, `.${MANIFEST_FILE}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    await writeFile(temp, `${JSON.stringify(manifest, null, 2)}\n`, {flag: 'wx'})
    await rename(temp, path)
  } catch (error) {
    await rm(temp, {force: true})
    throw error
  }
  return path
}

/** Reads and checks a manifest written by this tool (for example the previous export's, for since: auto). */
export async function readManifest(path: string): Promise<Manifest> {
  let value: unknown
  try {
    value = JSON.parse(await readFile(path, 'utf8'))
  } catch (error) {
    throw new ManifestError(`${path}: cannot read the manifest (${(error as Error).message}).`)
  }
  return checkManifest(value, path)
}

export function checkManifest(value: unknown, source: string): Manifest {
  const m = value as Partial<Manifest> | null
  if (m === null || typeof m !== 'object' || m.tool !== TOOL_NAME) throw new ManifestError(`${source} is not a ${TOOL_NAME} manifest.`)
  if (m.manifestVersion !== 1) throw new ManifestError(`${source} has manifest version ${String(m.manifestVersion)}; this version reads version 1.`)
  if (m.kind !== 'outputs' && m.kind !== 'logs') throw new ManifestError(`${source} has an unknown kind ${JSON.stringify(m.kind)}.`)
  if (!Array.isArray(m.files)) throw new ManifestError(`${source} has no files list.`)
  return m as Manifest
}

/** The outputs manifest inside an artifact zip (at its root, or under outputs/): its text and entry name, or null. */
export async function manifestInZip(zipPath: string): Promise<{text: string; entry: string} | null> {
  const zip = await yauzl.openPromise(zipPath, {lazyEntries: true, autoClose: false})
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName === MANIFEST_FILE || entry.fileName === `outputs/${MANIFEST_FILE}`) {
        const chunks: Buffer[] = []
        for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer)
        return {text: Buffer.concat(chunks).toString('utf8'), entry: entry.fileName}
      }
    }
    return null
  } finally {
    zip.close()
  }
}
