// Where in the repository a finding is: its file (repository-relative) and, where it can be told, the line of
// the resource the test looked at. Shared by the annotations (src/summary/annotations.ts) and SARIF
// (src/summary/sarif.ts), so both point at the same place.
//
// Entry points
//   locateFindings(findings, {workspace, readFile?}): Map<finding key, FindingLocation>
//       only findings whose file is in the repository get an entry
//   findResourceLine(text, fileName, finding): {line?: number; how: LineHow}
//       the line of the finding's resource in one file's text
//
// A Prancer result does not name the resource it judged, only the file(s) and, for master-snapshot tests, the
// resource types (`resourceTypes`, e.g. aws_s3_bucket). So the line is found only when that is unambiguous:
//   - the file declares exactly one resource of those types (terraform `resource "<type>" "<name>"` blocks;
//     CloudFormation/ARM `Type`/`type` and Kubernetes `kind` values in YAML or JSON), or exactly one resource at
//     all when the result names no type (Prancer-language tests);
//   - or several do, but the result's message names exactly one of them (`<type>.<name>`, or the name quoted
//     or in backticks).
// Otherwise the location has no line (an annotation on the file, not on a guessed line).
// Pure (no @actions/*); files are read through `readFile` (default: node:fs, at most 2 MiB per file).

import {readFileSync, statSync} from 'node:fs'
import {isAbsolute, join} from 'node:path'
import type {Finding} from './model.ts'

export type LineHow =
  | 'only-resource-of-type' // the file has one declaration of the result's resource type
  | 'only-resource' // the result names no type and the file declares one resource
  | 'named-in-message' // several candidates; the message names one
  | 'ambiguous' // several candidates, nothing tells them apart
  | 'not-found' // no declaration of that type in the file
  | 'unreadable' // the file could not be read (missing, a directory, too large)

export interface FindingLocation {
  /** Repository-relative, `/`-separated. */
  file: string
  line?: number
  how: LineHow
}

export interface LocateOptions {
  /** Repository root (GITHUB_WORKSPACE). */
  workspace: string
  /** Reads a file's text, or null when it cannot be read. Default: node:fs, files up to 2 MiB. */
  readFile?: (absolutePath: string) => string | null
}

interface Declaration {
  line: number
  type: string
  name: string
}

const MAX_FILE_BYTES = 2 * 1024 * 1024

export function defaultReadFile(path: string): string | null {
  try {
    const info = statSync(path)
    if (!info.isFile() || info.size > MAX_FILE_BYTES) return null
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

const TERRAFORM_RESOURCE = /^\s*resource\s+"?([A-Za-z0-9_-]+)"?\s+"?([A-Za-z0-9_.-]+)"?/
// CloudFormation `Type: AWS::S3::Bucket` / `"Type": "AWS::S3::Bucket"`, ARM `"type": "Microsoft.Storage/..."`, Kubernetes `kind: Deployment`.
const TYPED_VALUE = /^\s*"?(Type|type|kind)"?\s*:\s*["']?([A-Za-z0-9:._/-]+)["']?\s*,?\s*$/
// The mapping key a CloudFormation resource is declared under (`MyBucket:` or `"MyBucket": {`).
const KEY_LINE = /^\s*"?([A-Za-z0-9_.-]+)"?\s*:\s*\{?\s*$/

/** Resource declarations of one file, in order. */
export function declarations(text: string, fileName: string): Declaration[] {
  const lines = text.split(/\r\n|\r|\n/)
  const out: Declaration[] = []
  const terraform = /\.tf$/i.test(fileName)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (terraform) {
      const m = TERRAFORM_RESOURCE.exec(line)
      if (m) out.push({line: i + 1, type: m[1]!, name: m[2]!})
      continue
    }
    const m = TYPED_VALUE.exec(line)
    if (!m) continue
    let name = ''
    for (let j = i - 1; j >= 0 && j >= i - 3; j--) {
      const key = KEY_LINE.exec(lines[j]!)
      if (key && key[1] !== 'Properties' && key[1] !== 'metadata') {
        name = key[1]!
        break
      }
    }
    out.push({line: i + 1, type: m[2]!, name})
  }
  return out
}

function mentions(message: string, decl: Declaration): boolean {
  if (decl.name === '') return false
  return (
    message.includes(`${decl.type}.${decl.name}`) ||
    message.includes(`"${decl.name}"`) ||
    message.includes(`'${decl.name}'`) ||
    message.includes(`\`${decl.name}\``)
  )
}

function pick(decls: Declaration[], finding: Finding): {line?: number; how: LineHow} {
  const types = new Set(finding.resource.resourceTypes.map((t) => t.toLowerCase()))
  const candidates = types.size > 0 ? decls.filter((d) => types.has(d.type.toLowerCase())) : decls
  if (candidates.length === 0) return {how: 'not-found'}
  if (candidates.length === 1) return {line: candidates[0]!.line, how: types.size > 0 ? 'only-resource-of-type' : 'only-resource'}
  const named = candidates.filter((d) => mentions(finding.message, d))
  if (named.length === 1) return {line: named[0]!.line, how: 'named-in-message'}
  return {how: 'ambiguous'}
}

/** The line of the finding's resource in one file's text (see the top of this file for when there is one). */
export function findResourceLine(text: string, fileName: string, finding: Finding): {line?: number; how: LineHow} {
  return pick(declarations(text, fileName), finding)
}

/** The repository-relative file of a finding, or null when its resource is not a file in the repository. */
function repositoryFile(finding: Finding, readable: (relative: string) => boolean): string | null {
  const file = finding.resource.file
  if (file === null || file === '') return null
  if (finding.resource.inWorkspace) return file
  // A git connector's path is relative to its repository: it is this repository's when the file is here.
  if (!isAbsolute(file) && !/^[A-Za-z]:[\\/]/.test(file) && !file.startsWith('../') && readable(file)) return file
  return null
}

/**
 * Locates each finding's resource in the workspace. Each file is read and scanned once, however many findings
 * point at it; only its declarations are kept.
 */
export function locateFindings(findings: Iterable<Finding>, options: LocateOptions): Map<string, FindingLocation> {
  const read = options.readFile ?? defaultReadFile
  const scanned = new Map<string, Declaration[] | null>()
  const scan = (file: string): Declaration[] | null => {
    let decls = scanned.get(file)
    if (decls === undefined) {
      const text = read(join(options.workspace, file))
      decls = text === null ? null : declarations(text, file)
      scanned.set(file, decls)
    }
    return decls
  }
  const out = new Map<string, FindingLocation>()
  for (const finding of findings) {
    const file = repositoryFile(finding, (relative) => scan(relative) !== null)
    if (file === null) continue
    const decls = scan(file)
    if (decls === null) {
      out.set(finding.key, {file, how: 'unreadable'})
      continue
    }
    const found = pick(decls, finding)
    out.set(finding.key, found.line === undefined ? {file, how: found.how} : {file, line: found.line, how: found.how})
  }
  return out
}
