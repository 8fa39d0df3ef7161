// Inputs for the results tests, all derived from what real Prancer 3.1.1 wrote
// (test/fixtures/prancer-3.1.1/full.outputs.json, canonical Extended JSON of a real `prancer --db FULL` run of
// test/prancer/scenario): the documents as they are, the same run as another crawl would write it (other
// snapshot ids), and larger runs made by cloning the real results over more containers and resources.

import {mkdirSync, readFileSync} from 'node:fs'
import {writeFile} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {BSON, EJSON, type Document} from 'bson'
import {writeExportFile} from '../../src/mongo/export/index.ts'
import type {JsonFormat} from '../../src/ejson/types.ts'
import {writeManifest} from '../../src/artifact/manifest.ts'
import {zipArchive} from '../../test/harness/zip.ts'
import type {Manifest} from '../../src/artifact/manifest.ts'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const FIXTURE = join(ROOT, 'test/fixtures/prancer-3.1.1/full.outputs.json')
export const LOGS_FIXTURE = join(ROOT, 'test/fixtures/prancer-3.1.1/full.logs.json')
export const SCENARIO = join(ROOT, 'test/prancer/scenario')
export const RESULTS_FIXTURES = join(ROOT, 'test/fixtures/results')
/** The connector folderPath the fixture's run had (snapshots[].reference). */
export const FIXTURE_REFERENCE = '/prancer/iac'
/** The random part of the fixture run's snapshot ids (TF_HMbip11, TF_HMbip21). */
export const FIXTURE_SNAPSHOT_RANDOM = 'HMbip'

/** The fixture's lines, as written by the real run (canonical Extended JSON). */
export function fixtureLines(path = FIXTURE): string[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '')
}

/** The fixture's documents with their BSON types (Int64 timestamps, ObjectIds). */
export function fixtureDocuments(path = FIXTURE): Document[] {
  return fixtureLines(path).map((l) => EJSON.parse(l, {relaxed: false}) as Document)
}

/** The fixture's output document that holds the results (the other one is the crawler's, results: []). */
export function fixtureOutput(): Document {
  const doc = fixtureDocuments().find((d) => Array.isArray(d.json?.results) && d.json.results.length > 0)
  if (!doc) throw new Error('the fixture has no output document with results')
  return doc
}

/** The results of the fixture's output document, as plain objects (JSON of the relaxed form). */
export function fixtureResults(): Array<Record<string, any>> {
  return JSON.parse(EJSON.stringify(fixtureOutput().json.results, {relaxed: true}))
}

export function clone<T>(value: T): T {
  return EJSON.parse(EJSON.stringify(value, {relaxed: false}), {relaxed: false}) as T
}

/**
 * The same documents as another crawl of the same files writes them: every snapshot id (snapshots[].id,
 * snapshotId[], and the Prancer-language rule `exists({TF_HMbip11}...)`) gets another random part, and
 * result_id, _id and timestamps differ, as they do between two real runs.
 */
export function asAnotherCrawl(docs: Document[], random: string, timeShift = 86_400_000): Document[] {
  return docs.map((doc, i) => {
    let text = EJSON.stringify(doc, {relaxed: false}).replaceAll(FIXTURE_SNAPSHOT_RANDOM, random)
    text = text.replaceAll(/"webapp_(\d+)"/g, (_m, n: string) => `"webapp_${Number(n) + timeShift / 1000}"`)
    const next = EJSON.parse(text, {relaxed: false}) as Document
    next._id = new BSON.ObjectId()
    const ts = BigInt(doc.timestamp) + BigInt(timeShift) + BigInt(i)
    next.timestamp = BSON.Long.fromBigInt(ts)
    next.json.timestamp = BSON.Long.fromBigInt(ts)
    return next
  })
}

/** Replaces the connector folderPath (snapshots[].reference) in every result, e.g. with a local checkout. */
export function withReference(docs: Document[], reference: string): Document[] {
  return docs.map((doc) => {
    const next = clone(doc)
    for (const r of next.json?.results ?? []) for (const s of r.snapshots ?? []) s.reference = reference
    return next
  })
}

export interface RunShape {
  containers: string[]
  /** Results per container (cycled over the real results). */
  perContainer: number
  /** Only the real failed results are cloned (all clones fail). */
  failedOnly?: boolean
  /** Where the resources are (a clone i of container c is at `<module>/main.tf`). */
  modules?: string[]
}

const MODULES = ['network', 'storage', 'modules/vpc', 'modules/logging-bucket', 'envs/prod/data', 'envs/staging/edge']

/**
 * A larger run built from the real results: for each container an output document shaped like the fixture's,
 * whose results are the real ones cloned over many resources (the same rule failing on many files, as a real
 * scan of a large repository does). Severities, titles, rule ids, messages and remediation are the real ones.
 */
export function realisticRun(shape: RunShape): Document[] {
  const template = fixtureOutput()
  const results = (template.json.results as Document[]).filter((r) => !shape.failedOnly || r.result === 'failed')
  const modules = shape.modules ?? MODULES
  return shape.containers.map((container, ci) => {
    const doc = clone(template)
    doc._id = new BSON.ObjectId()
    doc.container = container
    doc.name = `Compliancetest_${container}`
    doc.json.container = container
    const ts = BigInt(template.timestamp) + BigInt(ci)
    doc.timestamp = BSON.Long.fromBigInt(ts)
    doc.json.timestamp = BSON.Long.fromBigInt(ts)
    doc.json.results = Array.from({length: shape.perContainer}, (_, i) => {
      const r = structuredClone(results[i % results.length]!) // results hold only strings, booleans, arrays and objects
      const round = Math.floor(i / results.length)
      const module = modules[round % modules.length]!
      const deep = Math.floor(round / modules.length)
      const path = deep === 0 ? `${module}/main.tf` : `${module}/part${deep}/main.tf`
      for (const s of r.snapshots ?? []) s.paths = [path]
      return r
    })
    return doc
  })
}

export function toBson(doc: Document): Uint8Array {
  return BSON.serialize(doc)
}

async function* asBson(docs: Document[]): AsyncGenerator<Uint8Array> {
  for (const d of docs) yield toBson(d)
}

/**
 * An export directory as `export --out` writes it: outputs/<db>.outputs.json written by the project's
 * mongoexport-exact writer with its manifest, and logs/ with the fixture's logs and their manifest.
 */
export async function writeExportDir(dir: string, docs: Document[], format: JsonFormat = 'relaxed', withLogs = true): Promise<string> {
  const outputs = join(dir, 'outputs')
  mkdirp(outputs)
  const file = 'validator.outputs.json'
  const written = await writeExportFile(asBson(docs), join(outputs, file), {format})
  const manifest: Manifest = {
    tool: 'prancer-db-artifacts',
    manifestVersion: 1,
    kind: 'outputs',
    createdAt: new Date(0).toISOString(),
    uriSource: 'test',
    files: [{path: file, database: 'validator', collection: 'outputs', filter: '{}', documents: written.documents, bytes: written.bytes, sha256: written.sha256, jsonFormat: format}]
  }
  await writeManifest(outputs, manifest)
  if (withLogs) {
    const logs = join(dir, 'logs')
    mkdirp(logs)
    const logDocs = fixtureDocuments(LOGS_FIXTURE)
    const logFile = 'logs.json'
    const w = await writeExportFile(asBson(logDocs), join(logs, logFile), {format})
    await writeManifest(logs, {
      tool: 'prancer-db-artifacts',
      manifestVersion: 1,
      kind: 'logs',
      createdAt: new Date(0).toISOString(),
      uriSource: 'test',
      files: [{path: logFile, database: 'whitekite', collection: 'logs', filter: '{}', documents: w.documents, bytes: w.bytes, sha256: w.sha256, jsonFormat: format}]
    })
  }
  return dir
}

function mkdirp(dir: string): void {
  mkdirSync(dir, {recursive: true})
}

/** A zip (deflated entries) of the given files, as the artifact service hands an artifact out. */
export async function writeZip(path: string, entries: Array<[name: string, data: Buffer]>): Promise<void> {
  await writeFile(path, zipArchive(entries))
}
