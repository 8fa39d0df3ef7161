// JUnit XML for CI systems that read test reports (GitLab `artifacts:reports:junit`, Jenkins junit/xUnit,
// Azure Pipelines, ...). Valid against Jenkins' JUnit schema (xunit-plugin junit-10.xsd; checked in tests).
//
// Entry point
//   buildJUnit(findings, options?): string     the XML document, UTF-8, with a final newline
//
// Shape: <testsuites name="Prancer" tests failures errors> with one <testsuite name="<container>"> per container
// (in the order first seen), one <testcase> per result:
//   name      = title, then the resource's file (or paths) in brackets, so two resources of one test differ
//   classname = the rule id (eval id, e.g. PR-WEB-S3-001, else the test id)
//   failed    → <failure message="<Prancer's message or the title>" type="<severity>">details</failure>
//   skipped   → <skipped message="<reason>"/>
//   other     → <error message="result: <as recorded>" type="<result>"/>
//   passed    → the bare testcase
// The details text: severity, container, test id, rule id, resource, file(s), description, remediation, key.
// Text is escaped for XML; characters XML 1.0 cannot carry (controls, lone surrogates, U+FFFE/U+FFFF) become
// U+FFFD so a hostile message cannot make the report unparseable.

import type {Finding} from '../results/model.ts'

export interface JUnitOptions {
  /** testsuites@name (default "Prancer"). */
  name?: string
  /** Keys of new failures: their failure `type` gets " new" appended (e.g. "High new"). */
  newKeys?: Set<string>
}

// Characters outside XML 1.0's Char production (a lone surrogate is matched by the two ranges below only
// when unpaired, thanks to the lookarounds).
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

export function xmlEscape(text: string): string {
  return text
    .replace(INVALID_XML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
}

/** For attribute values: also line breaks and tabs as character references (attribute normalisation would eat them). */
function attr(text: string): string {
  return xmlEscape(text).replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;')
}

function where(f: Finding): string {
  if (f.resource.files.length > 0) return f.resource.files.join(', ')
  return f.resource.paths.join(', ')
}

function details(f: Finding): string {
  const lines = [
    `Severity: ${f.severity === 'None' ? 'none recorded' : f.severity}`,
    `Container: ${f.container}`,
    `Test: ${f.testId}`,
    `Rule: ${f.ruleId}${f.eval ? ` (${f.eval})` : ''}`
  ]
  const resource = f.resource.resourceTypes.join(', ') || f.resource.type
  if (resource) lines.push(`Resource: ${resource}`)
  const files = where(f)
  if (files) lines.push(`File: ${files}`)
  if (f.message) lines.push(`Message: ${f.message}`)
  if (f.description) lines.push(`Description: ${f.description}`)
  if (f.remediation) lines.push(`Remediation: ${f.remediation}`)
  lines.push(`Key: ${f.key}`)
  return lines.join('\n')
}

function testcase(f: Finding, options: JUnitOptions): string {
  const files = where(f)
  const name = `${f.title || f.ruleId || f.testId || 'Prancer test'}${files ? ` [${files}]` : ''}`
  const open = `    <testcase name="${attr(name)}" classname="${attr(f.ruleId || f.testId || f.container)}"`
  switch (f.result) {
    case 'passed':
      return `${open}/>`
    case 'failed': {
      const type = `${f.severity}${options.newKeys?.has(f.key) ? ' new' : ''}`
      return `${open}>\n      <failure message="${attr(f.message || f.title || 'failed')}" type="${attr(type)}">${xmlEscape(details(f))}</failure>\n    </testcase>`
    }
    case 'skipped':
      return `${open}>\n      <skipped message="${attr(f.message || 'skipped')}"/>\n    </testcase>`
    default:
      return `${open}>\n      <error message="${attr(`result: ${f.resultText}`)}" type="${attr(f.resultText)}">${xmlEscape(details(f))}</error>\n    </testcase>`
  }
}

export function buildJUnit(findings: Iterable<Finding>, options: JUnitOptions = {}): string {
  const suites = new Map<string, Finding[]>()
  for (const f of findings) {
    let list = suites.get(f.container)
    if (list === undefined) suites.set(f.container, (list = []))
    list.push(f)
  }
  const total = {tests: 0, failures: 0, errors: 0}
  const body: string[] = []
  for (const [container, list] of suites) {
    const failures = list.filter((f) => f.result === 'failed').length
    const errors = list.filter((f) => f.result === 'other').length
    const skipped = list.filter((f) => f.result === 'skipped').length
    total.tests += list.length
    total.failures += failures
    total.errors += errors
    body.push(`  <testsuite name="${attr(container || '(no container)')}" tests="${list.length}" failures="${failures}" errors="${errors}" skipped="${skipped}">`)
    for (const f of list) body.push(testcase(f, options))
    body.push('  </testsuite>')
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${attr(options.name ?? 'Prancer')}" tests="${total.tests}" failures="${total.failures}" errors="${total.errors}">`,
    ...body,
    '</testsuites>',
    ''
  ].join('\n')
}
