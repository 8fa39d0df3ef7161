// What to restore: a .json file, a directory holding manifest.json (or outputs/ and logs/ ones, as
// `export --out` writes them), or a downloaded artifact .zip with the same layout. Zip entries are
// streamed from the archive (yauzl), never extracted or loaded whole.
//
// Everything here runs before anything is written, and every problem becomes an InputError (code RESTORE_SOURCE) that
// names the file and says what to do: a manifest is checked field by field (a damaged or edited one
// would otherwise surface as a bare TypeError), and file-system errors (EACCES, ENOTDIR, ...) are
// explained instead of passed on.

import {open, readdir, readFile, stat} from 'node:fs/promises'
import {basename, dirname, join, posix} from 'node:path'
import type {Readable} from 'node:stream'
import yauzl from 'yauzl'
import {CorruptDataError, InputError} from '../common/errors.ts'
import {isZipFile, MANIFEST_FILE, MAX_MANIFEST_BYTES, parseManifest, type FileEntry, type Manifest} from './manifest.ts'
import {shownName} from '../mongo/names.ts'

/** The input is unusable before anything is written (missing, unreadable, corrupt, unparseable). */
export const RESTORE_SOURCE = 'restore-source'

/** An InputError naming the file and what to do. */
function sourceError(message: string): InputError {
  return new InputError(message, {code: RESTORE_SOURCE})
}

export function isSourceError(error: unknown): error is InputError {
  return error instanceof InputError && error.code === RESTORE_SOURCE
}

export interface RestoreFile {
  /** How the file is named in messages: its path, or `archive.zip:entry`. */
  name: string
  /** Target from the manifest entry, when there is one. */
  database?: string
  collection?: string
  /** The manifest that named the target, for messages. */
  manifest?: string
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

const DAMAGED_MANIFEST =
  'The manifest is damaged or was edited: download the artifact again (or use the directory export --out wrote). ' +
  'To restore a data file without its manifest, copy it out of that directory and pass it with --db and --collection.'

/** What a file-system error means for `path`, and what to do about it. */
export function describeFsError(path: string, error: unknown): string {
  const shown = shownName(path)
  const code = (error as NodeJS.ErrnoException | null)?.code
  switch (code) {
    case 'ENOENT':
      return `${shown} does not exist; check the path.`
    case 'EACCES':
    case 'EPERM':
      return `${shown} cannot be read: permission denied (${code}). Give the user running restore read access to it (and search access to its directories), or copy the files somewhere readable.`
    case 'ENOTDIR':
      return `${shown}: a part of this path is a file, not a directory; check the path.`
    case 'EISDIR':
      return `${shown} is a directory where a file was expected; check the path or the manifest.`
    case 'ELOOP':
      return `${shown}: too many levels of symbolic links (a link pointing to itself?); check the path.`
    case 'ENAMETOOLONG':
      return `${shown}: the path is too long for this file system.`
    case 'EMFILE':
    case 'ENFILE':
      return `${shown} cannot be opened: too many open files (${code}); close other programs or raise the limit (ulimit -n) and run restore again.`
    case 'EIO':
      return `${shown} cannot be read: an I/O error (EIO) of the disk or network file system; copy the files elsewhere and run restore again.`
    default:
      return `${shown} cannot be read (${code ?? (error as Error)?.name ?? 'error'}: ${(error as Error)?.message ?? String(error)}).`
  }
}

export async function openSource(path: string): Promise<RestoreSource> {
  let info
  try {
    info = await stat(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') {
      throw sourceError(`${shownName(path)} does not exist: pass a directory written by 'export --out', a downloaded artifact .zip, or an exported .json file.`)
    }
    throw sourceError(describeFsError(path, error))
  }
  if (info.isDirectory()) return openDirectory(path)
  if (!info.isFile()) {
    throw sourceError(`${shownName(path)} is not a regular file or directory (a pipe or device?): restore reads each file twice (to check it, then to write it), so save the data to a file first.`)
  }
  const zip = await isZipFile(path).catch((error: unknown) => {
    throw sourceError(describeFsError(path, error))
  })
  if (zip) return openZip(path)
  return openJsonFile(path, info.size)
}


/** Manifest locations inside a directory or archive: the root, else one level down (outputs/, logs/). */
function manifestCandidates(names: string[]): string[] {
  if (names.includes(MANIFEST_FILE)) return [MANIFEST_FILE]
  return names.filter((name) => name.split('/').length === 2 && name.endsWith(`/${MANIFEST_FILE}`)).sort()
}

/** A manifest's file path, relative to the manifest, must stay inside the restored tree. */
function safeRelative(manifestName: string, entry: FileEntry, manifestLabel: string): string {
  const relative = posix.normalize(entry.path.replaceAll('\\', '/'))
  if (relative.startsWith('../') || relative === '..' || posix.isAbsolute(relative)) {
    throw sourceError(`${shownName(manifestLabel)} lists "${shownName(entry.path)}", which is outside its directory; a manifest written by export only names files beside it. ${DAMAGED_MANIFEST}`)
  }
  if (relative === '.' || relative.endsWith('/')) {
    throw sourceError(`${shownName(manifestLabel)} lists "${shownName(entry.path)}", which is a directory, not a data file. ${DAMAGED_MANIFEST}`)
  }
  return posix.join(posix.dirname(manifestName), relative)
}

/** The manifest's text, parsed and checked (src/artifact/manifest.ts), with what to do when it is damaged. */
function parseManifestText(text: string, name: string): Manifest {
  try {
    return parseManifest(text, shownName(name))
  } catch (error) {
    if (error instanceof CorruptDataError) throw sourceError(`${error.message} ${DAMAGED_MANIFEST}`)
    throw error
  }
}

async function readManifestText(path: string): Promise<string> {
  try {
    const info = await stat(path)
    if (!info.isFile()) throw sourceError(`${shownName(path)} is not a file; a manifest is the manifest.json file export writes beside the data files.`)
    if (info.size > MAX_MANIFEST_BYTES) throw sourceError(`${shownName(path)} is ${info.size} bytes, far more than any manifest; it is not one written by export. ${DAMAGED_MANIFEST}`)
    return await readFile(path, 'utf8')
  } catch (error) {
    if (isSourceError(error)) throw error
    throw sourceError(describeFsError(path, error))
  }
}

function fromEntry(entry: FileEntry, name: string, manifest: string, size: number, open: () => Promise<Readable>): RestoreFile {
  return {
    name,
    database: entry.database,
    collection: entry.collection,
    manifest,
    expected: {sha256: entry.sha256, bytes: entry.bytes, documents: entry.documents},
    size,
    open
  }
}

/** Opens the file now, so an unreadable file is reported by name when it is opened, not mid-stream. */
function fileOpener(path: string): () => Promise<Readable> {
  return async () => {
    try {
      const handle = await open(path, 'r')
      return handle.createReadStream()
    } catch (error) {
      throw sourceError(describeFsError(path, error))
    }
  }
}

async function openDirectory(dir: string): Promise<RestoreSource> {
  let top
  try {
    top = await readdir(dir, {withFileTypes: true})
  } catch (error) {
    throw sourceError(describeFsError(dir, error))
  }
  const names = top.filter((e) => e.isFile()).map((e) => e.name)
  for (const sub of top.filter((e) => e.isDirectory())) {
    const candidate = join(dir, sub.name, MANIFEST_FILE)
    try {
      await stat(candidate)
      names.push(`${sub.name}/${MANIFEST_FILE}`)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw sourceError(describeFsError(candidate, error))
    }
  }
  const manifests = manifestCandidates(names)
  if (manifests.length === 0) {
    throw sourceError(`${shownName(dir)} holds no ${MANIFEST_FILE} (nor outputs/ or logs/ ones); restore a single .json file with --db and --collection instead.`)
  }
  const files: RestoreFile[] = []
  for (const manifestName of manifests) {
    const manifestPath = join(dir, manifestName)
    const manifest = parseManifestText(await readManifestText(manifestPath), manifestPath)
    for (const entry of manifest.files) {
      const path = join(dir, safeRelative(manifestName, entry, manifestPath))
      let info
      try {
        info = await stat(path)
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        if (code === 'ENOENT') {
          throw sourceError(`${shownName(path)} is listed in ${shownName(manifestPath)} but missing: the download or copy is incomplete; download the artifact again.`)
        }
        throw sourceError(describeFsError(path, error))
      }
      if (!info.isFile()) {
        throw sourceError(`${shownName(path)} is listed in ${shownName(manifestPath)} as a data file, but it is ${info.isDirectory() ? 'a directory' : 'not a regular file'}; download the artifact again.`)
      }
      files.push(fromEntry(entry, path, manifestPath, info.size, fileOpener(path)))
    }
  }
  return {files, manifests: manifests.map((m) => join(dir, m)), close: async () => {}}
}

async function openJsonFile(path: string, size: number): Promise<RestoreSource> {
  // A file exported by this tool has its manifest beside it: use its target and checksum.
  const manifestPath = join(dirname(path), MANIFEST_FILE)
  let text: string | null = null
  try {
    await stat(manifestPath)
    text = await readManifestText(manifestPath)
  } catch (error) {
    if (isSourceError(error)) throw error
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'ENOENT') throw sourceError(describeFsError(manifestPath, error))
  }
  if (text !== null) {
    const manifest = parseManifestText(text, manifestPath)
    const entry = manifest.files.find((f) => posix.basename(f.path.replaceAll('\\', '/')) === basename(path))
    if (entry) {
      return {files: [fromEntry(entry, path, manifestPath, size, fileOpener(path))], manifests: [manifestPath], close: async () => {}}
    }
  }
  return {files: [{name: path, size, open: fileOpener(path)}], manifests: [], close: async () => {}}
}

async function openZip(path: string): Promise<RestoreSource> {
  let zip: yauzl.ZipFile
  try {
    zip = await yauzl.openPromise(path, {lazyEntries: true, autoClose: false})
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== undefined) throw sourceError(describeFsError(path, error))
    throw sourceError(`${shownName(path)} is not a readable zip archive (${(error as Error).message}); the download is incomplete or damaged: download the artifact again.`)
  }
  try {
    const entries = new Map<string, yauzl.Entry>()
    for await (const entry of zip.eachEntry()) {
      if (!entry.fileName.endsWith('/')) entries.set(entry.fileName, entry)
    }
    const readEntry = async (entry: yauzl.Entry): Promise<Readable> => {
      try {
        return await zip.openReadStreamPromise(entry)
      } catch (error) {
        throw sourceError(`${shownName(`${path}:${entry.fileName}`)} cannot be read from the archive (${(error as Error).message}); download the artifact again.`)
      }
    }
    const manifests = manifestCandidates([...entries.keys()])
    const files: RestoreFile[] = []
    if (manifests.length === 0) {
      for (const [name, entry] of entries) {
        if (name.toLowerCase().endsWith('.json')) files.push({name: `${path}:${name}`, size: entry.uncompressedSize, open: () => readEntry(entry)})
      }
      if (files.length === 0) throw sourceError(`${shownName(path)} contains neither a ${MANIFEST_FILE} nor any .json file; is it an artifact of this tool?`)
    }
    for (const manifestName of manifests) {
      const manifestEntry = entries.get(manifestName) as yauzl.Entry
      const manifestLabel = `${path}:${manifestName}`
      if (manifestEntry.uncompressedSize > MAX_MANIFEST_BYTES) {
        throw sourceError(`${shownName(manifestLabel)} is ${manifestEntry.uncompressedSize} bytes, far more than any manifest; it is not one written by export. ${DAMAGED_MANIFEST}`)
      }
      const manifest = parseManifestText(await streamText(await readEntry(manifestEntry)), manifestLabel)
      for (const fileEntry of manifest.files) {
        const name = safeRelative(manifestName, fileEntry, manifestLabel)
        const entry = entries.get(name)
        if (!entry) throw sourceError(`${shownName(`${path}:${name}`)} is listed in ${shownName(manifestLabel)} but missing from the archive; download the artifact again.`)
        files.push(fromEntry(fileEntry, `${path}:${name}`, manifestLabel, entry.uncompressedSize, () => readEntry(entry)))
      }
    }
    return {files, manifests: manifests.map((m) => `${path}:${m}`), close: async () => zip.close()}
  } catch (error) {
    zip.close()
    if (isSourceError(error)) throw error
    throw sourceError(`${shownName(path)}: the archive is damaged (${(error as Error).message}); download the artifact again.`)
  }
}

async function streamText(stream: Readable): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
