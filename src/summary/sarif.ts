// SARIF 2.1.0 for GitHub code scanning (github/codeql-action/upload-sarif) and other SARIF viewers.
//
// Entry points
//   buildSarif(findings, options?): {log: SarifLog; results: number; withoutLocation: number}
//   findingFingerprint(finding): string       sha256 hex of the stable key (see src/results/model.ts)
//   SECURITY_SEVERITY                         the severity → security-severity mapping below
//   serializeSarif(log): string               JSON text with a final newline
//
// The log:
// - runs[0].tool.driver: name "Prancer", version when known (options.prancerVersion), one rule per Prancer test
//   rule: id = the eval's rule id (e.g. PR-WEB-S3-001), else the test id (Prancer-language tests have no rule
//   id); name = the test id; shortDescription = title; fullDescription = description; help = remediation;
//   properties.tags = ["security", compliance frameworks, cloud and services]; properties["security-severity"]
//   and defaultConfiguration.level from the severity (below).
// - runs[0].tool.extensions: this tool (prancer-db-artifacts), which converted the results.
// - results: the failed results only (code scanning shows alerts; passed results would be noise), each with
//   ruleId/ruleIndex, level, message (Prancer's message, else the title), one location: artifactLocation.uri
//   relative to the repository root with uriBaseId %SRCROOT%, region.startLine when the resource's line is
//   known, and partialFingerprints["prancerFinding/v1"] = sha256 of the stable key: the same across runs (the
//   per-crawl snapshot id, the line and the timestamp are not part of it), so an alert persists while the
//   result keeps failing and closes when it passes. primaryLocationLineHash carries the same hash, so
//   upload-sarif does not fill in one computed from the line's text (which changes when the file is edited).
//   With a baseline comparison, baselineState is "new" or "unchanged".
// - Failed results whose resource is not a file in the repository (cloud resources, files outside the
//   workspace) are left out: code scanning rejects results without a repository location
//   ("locationFromSarifResult: expected at least one location"). Their number is in `withoutLocation` and in
//   runs[0].properties.failedWithoutRepositoryFile.
// - Code scanning's hard limits: at most 25,000 results per run (`maxResults`; beyond it the new failures and
//   the most severe are kept, the rest counted in `omitted` and runs[0].properties.resultsOmittedOverLimit)
//   and 20 tags per rule (tags past 20 are dropped). Results are ordered most severe first, new ones first
//   within a severity.
//
// Severity → SARIF (GitHub maps security-severity > 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low):
//   High → level "error", security-severity "8.0"; Medium → "warning", "5.0"; Low → "note", "3.0";
//   no severity → "warning", no security-severity.

import {createHash} from 'node:crypto'
import {compareFindings} from '../results/baseline.ts'
import type {FindingLocation} from '../results/locate.ts'
import type {Finding, Severity} from '../results/model.ts'

export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json'
export const FINGERPRINT_NAME = 'prancerFinding/v1'
export const PRANCER_URI = 'https://github.com/prancer-io/cloud-validation-framework'
export const TOOL_NAME = 'prancer-db-artifacts'

export type SarifLevel = 'error' | 'warning' | 'note'

export const SARIF_LEVEL: Record<Severity, SarifLevel> = {High: 'error', Medium: 'warning', Low: 'note', None: 'warning'}
export const SECURITY_SEVERITY: Record<Severity, string | undefined> = {High: '8.0', Medium: '5.0', Low: '3.0', None: undefined}

export interface SarifOptions {
  /** Repository file and line per finding key (locateFindings); findings not in it get no result. */
  locations: Map<string, FindingLocation>
  /** Prancer's version, when the caller knows it. */
  prancerVersion?: string
  /** This tool's version (package.json). */
  toolVersion?: string
  /** Keys of new failures (compareWithBaseline); with `compared` set, results get baselineState. */
  newKeys?: Set<string>
  /** A baseline comparison was made (so a failure that is not new is "unchanged"). */
  compared?: boolean
  /** runs[0].automationDetails.id, e.g. "prancer/aws-prod/" (code scanning's category). */
  automationId?: string
  /** Results at most (default 25,000, code scanning's limit per run). */
  maxResults?: number
}

export const MAX_SARIF_RESULTS = 25_000
const MAX_RULE_TAGS = 20

// A deliberately small structural type: what this module writes (validated against the official schema in tests).
export interface SarifMessage {
  text: string
}
export interface SarifRule {
  id: string
  name?: string
  shortDescription?: SarifMessage
  fullDescription?: SarifMessage
  help?: SarifMessage
  helpUri?: string
  defaultConfiguration: {level: SarifLevel}
  properties: {tags: string[]; 'security-severity'?: string; severity?: string}
}
export interface SarifResult {
  ruleId: string
  ruleIndex: number
  level: SarifLevel
  message: SarifMessage
  locations: Array<{physicalLocation: {artifactLocation: {uri: string; uriBaseId: '%SRCROOT%'}; region?: {startLine: number}}}>
  partialFingerprints: Record<string, string>
  baselineState?: 'new' | 'unchanged'
  properties: Record<string, unknown>
}
export interface SarifLog {
  $schema: string
  version: '2.1.0'
  runs: Array<{
    tool: {
      driver: {name: string; version?: string; informationUri: string; rules: SarifRule[]}
      extensions?: Array<{name: string; version?: string; informationUri?: string}>
    }
    automationDetails?: {id: string}
    originalUriBaseIds?: Record<string, {description: SarifMessage}>
    results: SarifResult[]
    properties?: Record<string, unknown>
  }>
}

export function findingFingerprint(finding: Finding): string {
  return createHash('sha256').update(finding.key).digest('hex')
}

/** A repository-relative path as a URI reference: each segment percent-encoded, `/` kept. */
export function pathToUri(path: string): string {
  return path
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/')
}

function ruleIdOf(f: Finding): string {
  return f.ruleId || f.testId || f.eval || 'prancer-test'
}

function ruleFor(f: Finding): SarifRule {
  const rule: SarifRule = {
    id: ruleIdOf(f),
    defaultConfiguration: {level: SARIF_LEVEL[f.severity]},
    properties: {tags: [...new Set(['security', ...f.compliance, ...f.tags])].slice(0, MAX_RULE_TAGS)}
  }
  if (f.testId) rule.name = f.testId
  rule.shortDescription = {text: f.title || rule.id}
  if (f.description) rule.fullDescription = {text: f.description}
  if (f.remediation) rule.help = {text: f.remediation}
  const score = SECURITY_SEVERITY[f.severity]
  if (score !== undefined) rule.properties['security-severity'] = score
  if (f.severityText) rule.properties.severity = f.severityText
  return rule
}

export function buildSarif(
  findings: Iterable<Finding>,
  options: SarifOptions
): {log: SarifLog; results: number; withoutLocation: number; omitted: number} {
  const rules: SarifRule[] = []
  const ruleIndex = new Map<string, number>()
  const results: SarifResult[] = []
  let withoutLocation = 0
  const located: Array<{f: Finding; at: FindingLocation}> = []
  for (const f of findings) {
    if (f.result !== 'failed') continue
    const at = options.locations.get(f.key)
    if (at === undefined) withoutLocation++
    else located.push({f, at})
  }
  const isNew = (f: Finding): number => (options.newKeys?.has(f.key) ? 0 : 1)
  located.sort((a, b) => isNew(a.f) - isNew(b.f) || compareFindings(a.f, b.f))
  const max = options.maxResults ?? MAX_SARIF_RESULTS
  const omitted = Math.max(0, located.length - max)
  const kept = located.slice(0, max).sort((a, b) => compareFindings(a.f, b.f, options.newKeys))
  for (const {f, at} of kept) {
    const id = ruleIdOf(f)
    let index = ruleIndex.get(id)
    if (index === undefined) {
      index = rules.length
      ruleIndex.set(id, index)
      rules.push(ruleFor(f))
    }
    const fingerprint = findingFingerprint(f)
    const physicalLocation: SarifResult['locations'][number]['physicalLocation'] = {artifactLocation: {uri: pathToUri(at.file), uriBaseId: '%SRCROOT%'}}
    if (at.line !== undefined) physicalLocation.region = {startLine: at.line}
    const result: SarifResult = {
      ruleId: id,
      ruleIndex: index,
      level: SARIF_LEVEL[f.severity],
      message: {text: f.message || f.title || id},
      locations: [{physicalLocation}],
      partialFingerprints: {[FINGERPRINT_NAME]: fingerprint, primaryLocationLineHash: fingerprint},
      properties: {
        container: f.container,
        testId: f.testId,
        severity: f.severity,
        resourceTypes: f.resource.resourceTypes,
        paths: f.resource.paths
      }
    }
    if (options.compared === true) result.baselineState = options.newKeys?.has(f.key) ? 'new' : 'unchanged'
    results.push(result)
  }
  const driver: SarifLog['runs'][number]['tool']['driver'] = {name: 'Prancer', informationUri: PRANCER_URI, rules}
  if (options.prancerVersion) driver.version = options.prancerVersion
  const extension: {name: string; version?: string} = {name: TOOL_NAME}
  if (options.toolVersion) extension.version = options.toolVersion
  const run: SarifLog['runs'][number] = {
    tool: {driver, extensions: [extension]},
    originalUriBaseIds: {'%SRCROOT%': {description: {text: 'The repository root (GITHUB_WORKSPACE).'}}},
    results,
    properties: {failedWithoutRepositoryFile: withoutLocation, resultsOmittedOverLimit: omitted}
  }
  if (options.automationId) run.automationDetails = {id: options.automationId}
  return {log: {$schema: SARIF_SCHEMA_URI, version: '2.1.0', runs: [run]}, results: results.length, withoutLocation, omitted}
}

export function serializeSarif(log: SarifLog): string {
  return `${JSON.stringify(log, null, 2)}\n`
}
