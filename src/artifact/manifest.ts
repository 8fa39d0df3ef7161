// manifest.json: the contract between runs. Every export (outputs, logs) and backup carries one, written beside the
// data files, last and atomically, so a directory, artifact or store folder with a manifest is complete. It never
// holds the connection string, only where it came from. This module is the one place that builds a manifest's
// header, writes one, and parses and checks one (every kind, one version check), for every reader: a directory, an
// artifact zip, a download from a store.

import {randomBytes} from 'node:crypto'
import {open, readFile, rename, rm, stat, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import yauzl from 'yauzl'
import {CorruptDataError} from '../common/errors.ts'
import type {JsonFormat} from '../ejson/types.ts'
import type {Watermark} from './watermark.ts'

export const MANIFEST_FILE = 'manifest.json'
export const TOOL_NAME = 'prancer-db-artifacts'
export const MANIFEST_VERSION = 1
export const MANIFEST_KINDS = ['outputs', 'logs', 'backup'] as const
export type ManifestKind = (typeof MANIFEST_KINDS)[number]

/** A manifest is small (file entries and a watermark); anything this large is not one. */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024

/** One data file of an export; paths are relative to the directory holding the manifest. */
export interface FileEntry {
  path: string
  database: string
  collection: string
  /** Canonical Extended JSON of the filter sent to find(). */
  filter: string
  /** The sort sent with it as plain JSON, when there is one (a log's chunks by index); mongoexport --sort takes it as is (not canonical: it refuses {"$numberInt": ...} there). */
  sort?: string
  documents: number
  bytes: number
  sha256: string
  jsonFormat: JsonFormat
}

export interface ManifestHeader {
  tool: typeof TOOL_NAME
  manifestVersion: typeof MANIFEST_VERSION
  kind: ManifestKind
  createdAt: string
  /** Where the connection string came from (never the string itself). */
  uriSource: string
}

export interface Manifest extends ManifestHeader {
  window?: {after: number | null; through: number | null; lookbackMs: number}
  watermark?: Watermark
  files: FileEntry[]
  /** For kind 'logs': the runs exported. */
  logs?: Array<{name: string; layout: 'collection' | 'documents'; file: string; documents: number}>
  /** For kind 'backup': the mongodump archive. */
  archive?: {file: string; format: string; bytes: number; sha256: string}
  [extra: string]: unknown
}

/** The workflow run that made a set (GitHub Actions only): evidence of where it came from, and the branch a baseline is chosen by. */
export interface Provenance {
  repository: string
  /** The branch the run was for: a pull request's head branch, else the pushed branch (what the artifact list calls head_branch). */
  branch: string
  sha: string
  event: string
  workflow: string
  job: string
  runId: number
  runAttempt: number
}

/** The provenance of a run from its environment, or undefined outside GitHub Actions. */
export function provenanceOf(env: Record<string, string | undefined>): Provenance | undefined {
  if (env['GITHUB_ACTIONS'] !== 'true') return undefined
  return {
    repository: env['GITHUB_REPOSITORY'] ?? '',
    branch: env['GITHUB_HEAD_REF'] || env['GITHUB_REF_NAME'] || '',
    sha: env['GITHUB_SHA'] ?? '',
    event: env['GITHUB_EVENT_NAME'] ?? '',
    workflow: env['GITHUB_WORKFLOW'] ?? '',
    job: env['GITHUB_JOB'] ?? '',
    runId: Number(env['GITHUB_RUN_ID']) || 0,
    runAttempt: Number(env['GITHUB_RUN_ATTEMPT']) || 1
  }
}

/** The fields every manifest starts with; `env` adds the run's provenance under GitHub Actions. */
export function manifestHeader(kind: ManifestKind, uriSource: string, now: Date = new Date(), env?: Record<string, string | undefined>): ManifestHeader & {github?: Provenance} {
  const github = env === undefined ? undefined : provenanceOf(env)
  return {tool: TOOL_NAME, manifestVersion: MANIFEST_VERSION, kind, createdAt: now.toISOString(), uriSource, ...(github ? {github} : {})}
}

/** Writes `<dir>/manifest.json` through a temporary file and a rename; returns its path. */
export async function writeManifest(dir: string, manifest: Manifest): Promise<string> {
  const path = join(dir, MANIFEST_FILE)
  const temp = join(dir, `.${MANIFEST_FILE}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    await writeFile(temp, serializeManifest(manifest), {flag: 'wx'})
    await rename(temp, path)
  } catch (error) {
    await rm(temp, {force: true})
    throw error
  }
  return path
}

export function serializeManifest(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`
}

/** Parses and checks a manifest's text; `source` names it in messages. Throws CorruptDataError. */
export function parseManifest(text: string, source: string): Manifest {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new CorruptDataError(`${source} is not valid JSON (${(error as Error).message}).`)
  }
  return checkManifest(value, source)
}

/** Checks a parsed manifest: this tool's, version 1, a known kind, and every file entry restore relies on. */
export function checkManifest(value: unknown, source: string): Manifest {
  const m = value as Partial<Manifest> | null
  if (m === null || typeof m !== 'object' || Array.isArray(m) || m.tool !== TOOL_NAME) throw new CorruptDataError(`${source} is not a ${TOOL_NAME} manifest.`)
  if (m.manifestVersion !== MANIFEST_VERSION) throw new CorruptDataError(`${source} has manifest version ${String(m.manifestVersion)}; this version reads version ${MANIFEST_VERSION}.`)
  if (!MANIFEST_KINDS.includes(m.kind as ManifestKind)) throw new CorruptDataError(`${source} has an unknown kind ${JSON.stringify(m.kind)}.`)
  if (!Array.isArray(m.files)) throw new CorruptDataError(`${source} has no files list.`)
  m.files.forEach((entry, index) => checkEntry(entry, index, source))
  if (m.watermark !== undefined) checkWatermark(m.watermark, source)
  if (m.kind === 'backup') checkArchive(m.archive, source)
  return m as Manifest
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'missing'
  if (value === null) return 'null'
  const text = JSON.stringify(value) ?? String(value)
  const kind = Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`
  return `${text.length > 60 ? `${text.slice(0, 60)}…` : text} (${kind})`
}

const isText = (v: unknown): boolean => typeof v === 'string' && !v.includes('\0')
const isCount = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0
const isSha256 = (v: unknown): boolean => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v)

function fieldChecker(record: Record<string, unknown>, where: string) {
  return (name: string, ok: (v: unknown) => boolean, expected: string): void => {
    if (!ok(record[name])) throw new CorruptDataError(`${where}.${name} is ${describeValue(record[name])}, not ${expected}.`)
  }
}

function asRecord(value: unknown, where: string, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new CorruptDataError(`${where} is ${describeValue(value)}, not ${what}.`)
  return value as Record<string, unknown>
}

/** files[index], with the fields readers rely on checked for type and range. */
function checkEntry(value: unknown, index: number, source: string): void {
  const where = `${source}: files[${index}]`
  const field = fieldChecker(asRecord(value, where, 'an object describing a data file'), where)
  field('path', v => isText(v) && v !== '', "the data file's path (a non-empty string)")
  // Names are checked against MongoDB's rules when a restore is planned (src/mongo/names.ts).
  field('database', v => typeof v === 'string', 'a database name (a string)')
  field('collection', v => typeof v === 'string', 'a collection name (a string)')
  field('documents', isCount, 'a document count (a whole number ≥ 0)')
  field('bytes', isCount, 'a size in bytes (a whole number ≥ 0)')
  field('sha256', isSha256, 'a sha256 (64 lowercase hex digits)')
}

function checkWatermark(value: unknown, source: string): void {
  const where = `${source}: watermark`
  const field = fieldChecker(asRecord(value, where, 'an object (the exactly-once state)'), where)
  // Not only whole numbers: Prancer's timestamps may be doubles, and the watermark is the highest one exported.
  field('value', v => v === null || (typeof v === 'number' && Math.abs(v) <= 8.64e15), 'a timestamp in epoch milliseconds or null')
  field('lookbackMs', isCount, 'a lookback in milliseconds (a whole number ≥ 0)')
  field('seen', Array.isArray, 'a list of the ids within the lookback')
}

function checkArchive(value: unknown, source: string): void {
  const where = `${source}: archive`
  const field = fieldChecker(asRecord(value, where, 'an object describing the backup archive'), where)
  field('file', v => isText(v) && v !== '', "the archive's file name (a non-empty string)")
  field('bytes', isCount, 'a size in bytes (a whole number ≥ 0)')
  field('sha256', isSha256, 'a sha256 (64 lowercase hex digits)')
}

/** Reads and checks a manifest file (refusing anything far larger than a manifest). */
export async function readManifestFile(path: string): Promise<Manifest> {
  const info = await stat(path)
  if (info.size > MAX_MANIFEST_BYTES) throw new CorruptDataError(`${path} is ${info.size} bytes, far more than any manifest; it is not one written by ${TOOL_NAME}.`)
  return parseManifest(await readFile(path, 'utf8'), path)
}

/** Where an export's outputs manifest sits inside a directory or an artifact zip: its root, else outputs/. */
export const OUTPUTS_MANIFEST_PLACES = [MANIFEST_FILE, `outputs/${MANIFEST_FILE}`] as const

/**
 * The manifest of an export or backup at `path`: a manifest file itself, a directory holding one (at its root or,
 * as `export --out` writes it, under outputs/), or an artifact zip with the same layout. Null when there is none;
 * a manifest that is there but damaged throws CorruptDataError. `source` names where it was found.
 */
export async function findManifest(path: string): Promise<{manifest: Manifest; source: string} | null> {
  const info = await stat(path).catch(() => null)
  if (info === null) return null
  if (info.isDirectory()) {
    for (const place of [`outputs/${MANIFEST_FILE}`, MANIFEST_FILE]) {
      const candidate = join(path, place)
      if ((await stat(candidate).catch(() => null))?.isFile()) return {manifest: await readManifestFile(candidate), source: candidate}
    }
    return null
  }
  if (await isZipFile(path)) return manifestInZip(path)
  return {manifest: await readManifestFile(path), source: path}
}

/** A zip archive saved without its extension is still one (local file header signature). */
export async function isZipFile(path: string): Promise<boolean> {
  if (path.toLowerCase().endsWith('.zip')) return true
  const handle = await open(path, 'r')
  try {
    const head = Buffer.alloc(4)
    const {bytesRead} = await handle.read(head, 0, 4, 0)
    return bytesRead === 4 && head.readUInt32LE(0) === 0x04034b50
  } finally {
    await handle.close()
  }
}

/** The manifest inside an artifact zip (at its root, or under outputs/), or null. */
async function manifestInZip(zipPath: string): Promise<{manifest: Manifest; source: string} | null> {
  const zip = await yauzl.openPromise(zipPath, {lazyEntries: true, autoClose: false})
  try {
    for await (const entry of zip.eachEntry()) {
      if (!(OUTPUTS_MANIFEST_PLACES as readonly string[]).includes(entry.fileName)) continue
      const source = `${zipPath}:${entry.fileName}`
      if (entry.uncompressedSize > MAX_MANIFEST_BYTES) throw new CorruptDataError(`${source} is ${entry.uncompressedSize} bytes, far more than any manifest; it is not one written by ${TOOL_NAME}.`)
      const chunks: Buffer[] = []
      for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer)
      return {manifest: parseManifest(Buffer.concat(chunks).toString('utf8'), source), source}
    }
    return null
  } finally {
    zip.close()
  }
}
