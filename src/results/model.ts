// The results model: Prancer's test results (`json.results[]` of the output documents) as Findings,
// keyed so that the same test on the same resource has the same key in every run.
//
// Entry points
//   new ResultsCollector(options?)         streaming: feed it documents one at a time, keep only Findings
//     .addDocument(bson: Uint8Array)       a raw BSON output document (the export engine's onDocument callback)
//     .addExtJson(text: string)            one Extended JSON document (relaxed or canonical, a line of an export file)
//     .finish(): ResultSet
//   readResults(path, options?): Promise<ResultSet>
//                                          an export directory (`export --out` or a downloaded artifact), its
//                                          manifest.json, an artifact .zip or a single .json export file
//   findingFromResult(result, context, options?): Finding   one result object (already decoded), for tests and tools
//
// Pure: no @actions/*; readResults reads files through src/artifact/export-source.ts (manifests, zips) and the
// mongoimport-faithful Extended JSON reader (src/ejson/reader.ts), so every input is decoded exactly as a
// restore would decode it. Nothing but the Findings is kept: a raw document is dropped as soon as its
// results are read.
//
// What a result looks like (Prancer 3.1.1, processor/comparison/interpreter.py and connector/validation.py):
//   rego / python:  eval, result, message, id (the rule id, e.g. PR-WEB-S3-001), remediation_description,
//                   remediation_function, snapshots[], autoRemediate, result_id, masterTestId, masterSnapshotId,
//                   type, rule, severity, title, description, tags[{cloud, compliance[], service[]}], snapshotId[],
//                   status; python results may carry `errors`.
//   Prancer language (type absent): result, snapshots, autoRemediate, result_id, title, description, rule
//                   (with the crawl's snapshot id in braces, e.g. `exists({TF_HMbip11}.resources[0]...)`), testId,
//                   status; no severity, no id, no message.
//   version 0.1 tests (attribute + comparison): result, snapshots, and the test case's own fields (testId,
//                   snapshotId as a string, ...); a missing snapshot gives result "skipped" with a `message`.
//   unsupported test case format: result "skipped" with a `reason`.
//   snapshots[]:    id (per crawl: TF_ + a random suffix, NOT stable), structure, reference (a filesystem
//                   connector's folderPath, absolute; a git connector's branch name), source (connector),
//                   collection, type, region, resourceTypes, and `paths` (relative to reference) or `path`.
//
// The stable key: JSON of [container, test id (masterTestId, else testId), rule (the eval's id, else its eval
// expression), resource (each snapshot's connector and sorted paths)]. Never the snapshot id, the result_id, a
// timestamp or the absolute reference (a runner's workspace path may differ between runs). Results whose
// snapshots record no path (cloud resources) differ only by their order, so a second result with the same key
// in one document gets `#2`, `#3`, ... appended; when the same key comes from two documents (an export spanning
// several Prancer runs), the result of the newer document (by `timestamp`; on a tie the later one read) is kept
// and the older one counted in `superseded`.

import {readdir, stat} from 'node:fs/promises'
import {basename, dirname, join, posix} from 'node:path'
import {BSON} from 'bson'
import {BSON_TYPE, dateValue, getElement, getElements, getString, numberValue} from '../bson/raw.ts'
import {extJsonToBson} from '../ejson/ext-json-to-bson.ts'
import {readExtJsonDocuments} from '../ejson/reader.ts'
import {MANIFEST_FILE} from '../artifact/manifest.ts'
import {openSource, type RestoreSource} from '../artifact/export-source.ts'
import {InputError} from '../common/errors.ts'

export type Severity = 'High' | 'Medium' | 'Low' | 'None'
export type ResultStatus = 'failed' | 'passed' | 'skipped' | 'other'

/** Highest first. */
export const SEVERITIES: readonly Severity[] = ['High', 'Medium', 'Low', 'None']

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity)
}

export interface FindingResource {
  /** Snapshot type, e.g. `terraform`, `cloudformation`, `json`; '' when not recorded. */
  type: string
  /** Connector type: `filesystem`, `git`, `aws`, ... */
  structure: string
  /** Connector (structure file) name. */
  source: string
  collection: string
  /** e.g. `aws_s3_bucket`: what kind of resource the test looked at, when the master snapshot names it. */
  resourceTypes: string[]
  /** Paths as Prancer recorded them (relative to the snapshot's reference), over all of the result's snapshots. */
  paths: string[]
  /**
   * The first path as a repository-relative file when computable: relative(workspace, join(reference, path))
   * when that lies inside the workspace; otherwise the path as Prancer recorded it (absolute, or relative to a
   * git connector's repository). null when the result records no path.
   */
  file: string | null
  /** Every path, made a file the same way. */
  files: string[]
  /** `file` was computed relative to the `workspace` option and lies inside it. */
  inWorkspace: boolean
}

export interface Finding {
  /** Stable across runs: see the top of this file. */
  key: string
  container: string
  /** masterTestId, else testId, else ''. */
  testId: string
  /** The eval's id (e.g. PR-WEB-S3-001), else the test id. */
  ruleId: string
  /** The rego/python eval expression (e.g. data.rule.s3_public_acl); '' for Prancer-language tests. */
  eval: string
  /** rego | python | prancer (type absent) | whatever else Prancer recorded. */
  kind: string
  title: string
  description: string
  severity: Severity
  /** Severity as recorded ('' when absent). */
  severityText: string
  result: ResultStatus
  /** Result as recorded. */
  resultText: string
  /** Prancer's message; else a skip `reason`; else python `errors`; '' when none. */
  message: string
  /** remediation_description ('' when none). */
  remediation: string
  resource: FindingResource
  /** Cloud and services of the test's tags (e.g. git, s3, terraform). */
  tags: string[]
  /** Compliance frameworks of the test's tags (e.g. CIS, PCI-DSS). */
  compliance: string[]
  /** The output document the result came from. */
  output: {name: string; timestamp: number | null}
}

export interface ResultCounts {
  failed: number
  passed: number
  skipped: number
  other: number
}

export interface ResultSet {
  /** One per key, in the order first read. */
  findings: Finding[]
  /** Over `findings`. */
  counts: ResultCounts
  /** Containers with at least one output document (sorted). */
  containers: string[]
  /** Documents read (every kind). */
  documents: number
  /** Documents with a `json.results` array. */
  outputDocuments: number
  /** Output documents still `json.status: Running` (their results may be incomplete). */
  running: number
  /** Results replaced by a newer document's result with the same key. */
  superseded: number
  /** Documents that could not be decoded (a file's broken line, a malformed result). */
  unreadable: number
  /** What went wrong reading, for the caller to show (bounded). */
  warnings: string[]
}

export interface ModelOptions {
  /** Repository root: files are made relative to it when they lie inside it (e.g. GITHUB_WORKSPACE). */
  workspace?: string
  /** Longest text kept for a title, description, message or remediation (default 4000 characters). */
  maxTextLength?: number
}

export interface ResultContext {
  container: string
  output: {name: string; timestamp: number | null}
}

const MAX_WARNINGS = 20
const DEFAULT_MAX_TEXT = 4000

export function emptyCounts(): ResultCounts {
  return {failed: 0, passed: 0, skipped: 0, other: 0}
}

export function countResults(findings: Iterable<Finding>): ResultCounts {
  const counts = emptyCounts()
  for (const f of findings) counts[f.result]++
  return counts
}

function text(value: unknown, max: number): string {
  let s: string
  if (value === undefined || value === null) return ''
  if (typeof value === 'string') s = value
  else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') s = String(value)
  else {
    try {
      s = JSON.stringify(value) ?? ''
    } catch {
      s = String(value)
    }
  }
  return s.length > max ? `${s.slice(0, max - 1)}…` : s
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return value === '' ? [] : [value]
  if (!Array.isArray(value)) return []
  return value.filter((v): v is string => typeof v === 'string' && v !== '')
}

export function normalizeSeverity(value: unknown): Severity {
  const s = typeof value === 'string' ? value.trim().toLowerCase() : ''
  // Prancer's own vocabulary is High/Medium/Low; 'critical' is read as High so it is never under-reported.
  if (s === 'high' || s === 'critical') return 'High'
  if (s === 'medium' || s === 'moderate') return 'Medium'
  if (s === 'low') return 'Low'
  return 'None'
}

export function normalizeResult(value: unknown): ResultStatus {
  const s = typeof value === 'string' ? value.trim().toLowerCase() : ''
  if (s === 'failed' || s === 'passed' || s === 'skipped') return s
  return 'other'
}

function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p)
}

function slashes(p: string): string {
  return p.replaceAll('\\', '/')
}

/**
 * A recorded path as a file: repository-relative when the snapshot's reference is an absolute directory (a
 * filesystem connector's folderPath) or the path itself is absolute, and the result lies inside `workspace`.
 * Otherwise the absolute path, or the recorded relative path without a leading `/` or `./` (a git connector's
 * paths are relative to its repository, which may or may not be this one).
 */
export function fileOf(reference: string, path: string, workspace: string | undefined): {file: string; inWorkspace: boolean} {
  const p = slashes(path)
  const ref = slashes(reference)
  let absolute: string | null = null
  if (isAbsolutePath(ref)) absolute = posix.normalize(posix.join(ref, p))
  else if (isAbsolutePath(p) && ref === '') absolute = posix.normalize(p)
  if (absolute !== null) {
    if (workspace !== undefined && workspace !== '') {
      const rel = posix.relative(posix.normalize(slashes(workspace)), absolute)
      if (rel !== '' && !rel.startsWith('../') && rel !== '..' && !isAbsolutePath(rel)) return {file: rel, inWorkspace: true}
    }
    return {file: absolute, inWorkspace: false}
  }
  return {file: posix.normalize(p).replace(/^(\.\/|\/)+/, ''), inWorkspace: false}
}

interface SnapshotInfo {
  type: string
  structure: string
  source: string
  collection: string
  reference: string
  resourceTypes: string[]
  paths: string[]
}

function snapshotsOf(result: Record<string, unknown>): SnapshotInfo[] {
  const list = Array.isArray(result.snapshots) ? result.snapshots : []
  const out: SnapshotInfo[] = []
  for (const s of list) {
    if (s === null || typeof s !== 'object') continue
    const snap = s as Record<string, unknown>
    const paths = 'paths' in snap ? strings(snap.paths) : strings(snap.path)
    out.push({
      type: typeof snap.type === 'string' ? snap.type : '',
      structure: typeof snap.structure === 'string' ? snap.structure : '',
      source: typeof snap.source === 'string' ? snap.source : '',
      collection: typeof snap.collection === 'string' ? snap.collection : '',
      reference: typeof snap.reference === 'string' ? snap.reference : '',
      resourceTypes: strings(snap.resourceTypes),
      paths
    })
  }
  return out
}

function unique<T>(items: Iterable<T>): T[] {
  return [...new Set(items)]
}

/** The key without the per-document occurrence suffix. */
export function baseKey(container: string, testId: string, rule: string, snapshots: SnapshotInfo[]): string {
  const resource = snapshots.map((s) => [s.source, ...[...s.paths].map(slashes).sort()])
  return JSON.stringify([container, testId, rule, resource])
}

/** One result object (as Prancer wrote it) as a Finding; `key` still lacks any occurrence suffix. */
export function findingFromResult(result: Record<string, unknown>, context: ResultContext, options: ModelOptions = {}): Finding {
  const max = options.maxTextLength ?? DEFAULT_MAX_TEXT
  const testId = text(result.masterTestId, max) || text(result.testId, max)
  const evalExpr = typeof result.eval === 'string' ? result.eval : ''
  const id = typeof result.id === 'string' ? result.id : ''
  const snapshots = snapshotsOf(result)
  const kind = typeof result.type === 'string' && result.type !== '' ? result.type : 'prancer'

  let message = text(result.message, max)
  if (message === '') message = text(result.reason, max)
  if (message === '' && result.errors !== undefined && result.errors !== null) {
    message = Array.isArray(result.errors) ? text(result.errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('; '), max) : text(result.errors, max)
  }

  const files: Array<{file: string; inWorkspace: boolean}> = []
  for (const snap of snapshots) for (const p of snap.paths) files.push(fileOf(snap.reference, p, options.workspace))
  const first = files[0]

  const tags: string[] = []
  const compliance: string[] = []
  if (Array.isArray(result.tags)) {
    for (const t of result.tags) {
      if (t === null || typeof t !== 'object') continue
      const tag = t as Record<string, unknown>
      tags.push(...strings(tag.cloud), ...strings(tag.service))
      compliance.push(...strings(tag.compliance))
    }
  }

  return {
    key: baseKey(context.container, testId, id || evalExpr, snapshots),
    container: context.container,
    testId,
    ruleId: id || testId,
    eval: evalExpr,
    kind,
    title: text(result.title, max),
    description: text(result.description, max),
    severity: normalizeSeverity(result.severity),
    severityText: typeof result.severity === 'string' ? result.severity : '',
    result: normalizeResult(result.result),
    resultText: typeof result.result === 'string' ? result.result : text(result.result, 100),
    message,
    remediation: text(result.remediation_description, max),
    resource: {
      type: unique(snapshots.map((s) => s.type).filter((t) => t !== '')).join(', '),
      structure: unique(snapshots.map((s) => s.structure).filter((t) => t !== '')).join(', '),
      source: unique(snapshots.map((s) => s.source).filter((t) => t !== '')).join(', '),
      collection: unique(snapshots.map((s) => s.collection).filter((t) => t !== '')).join(', '),
      resourceTypes: unique(snapshots.flatMap((s) => s.resourceTypes)),
      paths: snapshots.flatMap((s) => s.paths),
      file: first?.file ?? null,
      files: unique(files.map((f) => f.file)),
      inWorkspace: first?.inWorkspace ?? false
    },
    tags: unique(tags),
    compliance: unique(compliance),
    output: context.output
  }
}

function timestampOf(doc: Uint8Array): number | null {
  for (const path of ['timestamp', 'json.timestamp']) {
    const el = getElement(doc, path)
    const n = el?.type === BSON_TYPE.date ? dateValue(el) : numberValue(el)
    if (typeof n === 'number' && Number.isFinite(n)) return n
  }
  return null
}

/** Streaming collector: feed documents, then finish(). Holds only the Findings. */
export class ResultsCollector {
  private readonly options: ModelOptions
  private readonly byKey = new Map<string, Finding>()
  private readonly containers = new Set<string>()
  private readonly warnings: string[] = []
  private documents = 0
  private outputDocuments = 0
  private running = 0
  private superseded = 0
  private unreadable = 0

  constructor(options: ModelOptions = {}) {
    this.options = options
  }

  /** Records a problem met while reading (shown to the user; bounded). */
  warn(message: string): void {
    if (this.warnings.length < MAX_WARNINGS) this.warnings.push(message)
    else if (this.warnings.length === MAX_WARNINGS) this.warnings.push('… further problems not listed')
  }

  /** A document that could not be decoded at all. */
  unreadableDocument(message: string): void {
    this.documents++
    this.unreadable++
    this.warn(message)
  }

  /** One raw BSON document of the output collection. */
  addDocument(doc: Uint8Array): void {
    const docIndex = this.documents++
    let elements
    try {
      if (getElement(doc, 'json.results')?.type !== BSON_TYPE.array) return
      elements = getElements(doc, 'json.results[]')
    } catch (error) {
      this.unreadable++
      this.warn(`document ${docIndex + 1}: ${(error as Error).message}`)
      return
    }
    this.outputDocuments++
    const container = getString(doc, 'container') ?? getString(doc, 'json.container') ?? ''
    this.containers.add(container)
    if (getString(doc, 'json.status') === 'Running') this.running++
    const context: ResultContext = {container, output: {name: getString(doc, 'name') ?? '', timestamp: timestampOf(doc)}}
    const occurrences = new Map<string, number>()
    for (const el of elements) {
      if (el.type !== BSON_TYPE.document) {
        this.unreadable++
        this.warn(`document ${docIndex + 1} (${context.output.name}): a result that is not a document`)
        continue
      }
      let finding: Finding
      try {
        const result = BSON.deserialize(el.bytes.subarray(el.valueStart, el.valueEnd)) as Record<string, unknown>
        finding = findingFromResult(result, context, this.options)
      } catch (error) {
        this.unreadable++
        this.warn(`document ${docIndex + 1} (${context.output.name}): ${(error as Error).message}`)
        continue
      }
      const seen = (occurrences.get(finding.key) ?? 0) + 1
      occurrences.set(finding.key, seen)
      if (seen > 1) finding.key = `${finding.key}#${seen}`
      this.keep(finding)
    }
  }

  /** One Extended JSON document (relaxed or canonical), decoded as mongoimport would. */
  addExtJson(json: string): void {
    let bson: Uint8Array
    try {
      bson = extJsonToBson(json)
    } catch (error) {
      this.unreadableDocument(`document ${this.documents + 1}: ${(error as Error).message}`)
      return
    }
    this.addDocument(bson)
  }

  private keep(finding: Finding): void {
    const previous = this.byKey.get(finding.key)
    if (previous === undefined) {
      this.byKey.set(finding.key, finding)
      return
    }
    this.superseded++
    const older = previous.output.timestamp
    const newer = finding.output.timestamp
    // The newer document wins; on equal or unknown timestamps, the one read later.
    if (older !== null && newer !== null && newer < older) return
    // Map.set on an existing key keeps its position: the order stays that of first appearance.
    this.byKey.set(finding.key, finding)
  }

  finish(): ResultSet {
    const findings = [...this.byKey.values()]
    return {
      findings,
      counts: countResults(findings),
      containers: [...this.containers].sort(),
      documents: this.documents,
      outputDocuments: this.outputDocuments,
      running: this.running,
      superseded: this.superseded,
      unreadable: this.unreadable,
      warnings: [...this.warnings]
    }
  }
}

/**
 * Where the output documents of an export are: a directory holding outputs/manifest.json (as `export --out`
 * writes it) is narrowed to outputs/, so the logs are never read; a manifest.json path means its directory.
 */
async function resolveOutputsPath(path: string): Promise<string> {
  const info = await stat(path).catch(() => null)
  if (info === null) throw new InputError(`${path}: no such file or directory`)
  if (info.isDirectory()) {
    const names = await readdir(path).catch(() => [] as string[])
    if (!names.includes(MANIFEST_FILE) && names.includes('outputs')) {
      const inner = await readdir(join(path, 'outputs')).catch(() => [] as string[])
      if (inner.includes(MANIFEST_FILE)) return join(path, 'outputs')
    }
    return path
  }
  if (basename(path) === MANIFEST_FILE) return dirname(path)
  return path
}

/**
 * The folders (as prefixes of file names) of the logs manifests of a source holding both an outputs and a logs
 * manifest (an archive of a whole `export --out` directory); a source with one manifest is read as it is.
 */
function logsFolders(source: RestoreSource): string[] {
  if (source.manifests.length < 2) return []
  return source.manifests.filter((m) => /(^|[/\\:])logs[/\\]manifest\.json$/.test(m)).map((m) => m.slice(0, -MANIFEST_FILE.length))
}

/**
 * Reads every output document of an export into a ResultSet, streaming (one document in memory at a time).
 * Accepts what `restore` accepts: a .json export file, a directory with manifest.json (or outputs/manifest.json),
 * the manifest itself, or a downloaded artifact .zip. Throws InputError when the path cannot be opened.
 */
export async function readResults(path: string, options: ModelOptions = {}): Promise<ResultSet> {
  let source: RestoreSource
  try {
    source = await openSource(await resolveOutputsPath(path))
  } catch (error) {
    if (error instanceof InputError) throw error
    throw new InputError((error as Error).message, {cause: error})
  }
  const collector = new ResultsCollector(options)
  const skipped = logsFolders(source)
  try {
    for (const file of source.files) {
      if (skipped.some((folder) => file.name.startsWith(folder))) continue
      const stream = await file.open()
      for await (const doc of readExtJsonDocuments(stream)) {
        if (doc.bson !== undefined) collector.addDocument(doc.bson)
        else collector.unreadableDocument(`${file.name}:${doc.line}: ${doc.error?.message ?? 'unreadable document'}`)
      }
    }
  } finally {
    await source.close()
  }
  return collector.finish()
}
