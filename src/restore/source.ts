// What to restore: a .json file, a directory holding manifest.json (or outputs/ and logs/ ones, as
// `export --out` writes them), or a downloaded artifact .zip with the same layout. Zip entries are
// streamed from the archive (yauzl), never extracted or loaded whole.

import {createReadStream} from 'node:fs'
import {readdir, readFile, stat} from 'node:fs/promises'
import {basename, dirname, join, posix} from 'node:path'
import type {Readable} from 'node:stream'
import yauzl from 'yauzl'
import type {FileEntry, Manifest} from '../job/types.ts'
import {checkManifest, MANIFEST_FILE} from '../prancer/manifest.ts'

/** The input is unusable before anything is written (missing, unreadable, corrupt, unparseable). */
export class RestoreSourceError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RestoreSourceError'
  }
}

export interface RestoreFile {
  /** How the file is named in messages: its path, or `archive.zip:entry`. */
  name: string
  /** Target from the manifest entry, when there is one. */
  database?: string
  collection?: string
  /** What the manifest promises about the file; checked before anything is written. */
  expected?: Pick<FileEntry, 'sha256' | 'bytes' | 'documents'>
  /** Size in bytes, for progress. */
  size: number
  open(): Promise<Readable>
}

export interface RestoreSource {
  files: RestoreFile[]
  /** Manifests the files came from (paths as named in messages). */
  manifests: string[]
  close(): Promise<void>
}

export async function openSource(path: string): Promise<RestoreSource> {
  let info
  try {
    info = await stat(path)
  } catch (error) {
    throw new RestoreSourceError(`${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (error as Error).message}`)
  }
  if (info.isDirectory()) return openDirectory(path)
  if (path.toLowerCase().endsWith('.zip')) return openZip(path)
  return openJsonFile(path, info.size)
}

/** Manifest locations inside a directory or archive: the root, else one level down (outputs/, logs/). */
function manifestCandidates(names: string[]): string[] {
  if (names.includes(MANIFEST_FILE)) return [MANIFEST_FILE]
  return names.filter((name) => name.split('/').length === 2 && name.endsWith(`/${MANIFEST_FILE}`)).sort()
}

/** A manifest's file path, relative to the manifest, must stay inside the restored tree. */
function safeRelative(manifestName: string, entry: FileEntry): string {
  const relative = posix.normalize(entry.path.replaceAll('\\', '/'))
  if (relative.startsWith('../') || relative === '..' || posix.isAbsolute(relative)) {
    throw new RestoreSourceError(`${manifestName} lists "${entry.path}", which is outside its directory.`)
  }
  return posix.join(posix.dirname(manifestName), relative)
}

function parseManifest(text: string, name: string): Manifest {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new RestoreSourceError(`${name} is not valid JSON (${(error as Error).message}).`)
  }
  try {
    return checkManifest(value, name)
  } catch (error) {
    throw new RestoreSourceError((error as Error).message)
  }
}

function fromEntry(entry: FileEntry, name: string, size: number, open: () => Promise<Readable>): RestoreFile {
  return {
    name,
    database: entry.database,
    collection: entry.collection,
    expected: {sha256: entry.sha256, bytes: entry.bytes, documents: entry.documents},
    size,
    open
  }
}

async function openDirectory(dir: string): Promise<RestoreSource> {
  const top = await readdir(dir, {withFileTypes: true})
  const names = top.filter((e) => e.isFile()).map((e) => e.name)
  for (const sub of top.filter((e) => e.isDirectory())) {
    const inner = await readdir(join(dir, sub.name)).catch(() => [] as string[])
    if (inner.includes(MANIFEST_FILE)) names.push(`${sub.name}/${MANIFEST_FILE}`)
  }
  const manifests = manifestCandidates(names)
  if (manifests.length === 0) {
    throw new RestoreSourceError(`${dir} holds no ${MANIFEST_FILE} (nor outputs/ or logs/ ones); restore a single .json file with --db and --collection instead.`)
  }
  const files: RestoreFile[] = []
  for (const manifestName of manifests) {
    const manifestPath = join(dir, manifestName)
    const manifest = parseManifest(await readFile(manifestPath, 'utf8'), manifestPath)
    for (const entry of manifest.files) {
      const path = join(dir, safeRelative(manifestName, entry))
      const size = await stat(path).then((s) => s.size, () => {
        throw new RestoreSourceError(`${path} is listed in ${manifestPath} but missing.`)
      })
      files.push(fromEntry(entry, path, size, async () => createReadStream(path)))
    }
  }
  return {files, manifests: manifests.map((m) => join(dir, m)), close: async () => {}}
}

async function openJsonFile(path: string, size: number): Promise<RestoreSource> {
  // A file exported by this tool has its manifest beside it: use its target and checksum.
  const manifestPath = join(dirname(path), MANIFEST_FILE)
  const text = await readFile(manifestPath, 'utf8').catch(() => null)
  if (text !== null) {
    const manifest = parseManifest(text, manifestPath)
    const entry = manifest.files.find((f) => posix.basename(f.path.replaceAll('\\', '/')) === basename(path))
    if (entry) {
      return {files: [fromEntry(entry, path, size, async () => createReadStream(path))], manifests: [manifestPath], close: async () => {}}
    }
  }
  return {files: [{name: path, size, open: async () => createReadStream(path)}], manifests: [], close: async () => {}}
}

async function openZip(path: string): Promise<RestoreSource> {
  let zip: yauzl.ZipFile
  try {
    zip = await yauzl.openPromise(path, {lazyEntries: true, autoClose: false})
  } catch (error) {
    throw new RestoreSourceError(`${path} is not a readable zip archive (${(error as Error).message}).`)
  }
  try {
    const entries = new Map<string, yauzl.Entry>()
    for await (const entry of zip.eachEntry()) {
      if (!entry.fileName.endsWith('/')) entries.set(entry.fileName, entry)
    }
    const readEntry = async (entry: yauzl.Entry): Promise<Readable> => zip.openReadStreamPromise(entry)
    const manifests = manifestCandidates([...entries.keys()])
    const files: RestoreFile[] = []
    if (manifests.length === 0) {
      for (const [name, entry] of entries) {
        if (name.toLowerCase().endsWith('.json')) files.push({name: `${path}:${name}`, size: entry.uncompressedSize, open: () => readEntry(entry)})
      }
      if (files.length === 0) throw new RestoreSourceError(`${path} contains neither a ${MANIFEST_FILE} nor any .json file.`)
    }
    for (const manifestName of manifests) {
      const manifestEntry = entries.get(manifestName) as yauzl.Entry
      const manifest = parseManifest(await streamText(await readEntry(manifestEntry)), `${path}:${manifestName}`)
      for (const fileEntry of manifest.files) {
        const name = safeRelative(manifestName, fileEntry)
        const entry = entries.get(name)
        if (!entry) throw new RestoreSourceError(`${path}:${name} is listed in ${manifestName} but missing from the archive.`)
        files.push(fromEntry(fileEntry, `${path}:${name}`, entry.uncompressedSize, () => readEntry(entry)))
      }
    }
    return {files, manifests: manifests.map((m) => `${path}:${m}`), close: async () => zip.close()}
  } catch (error) {
    zip.close()
    if (error instanceof RestoreSourceError) throw error
    throw new RestoreSourceError(`${path}: ${(error as Error).message}`)
  }
}

async function streamText(stream: Readable): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
