// Artifact names: templates with placeholders, the characters the artifact service rejects,
// and the pattern `since: auto` uses to recognise earlier runs' artifacts of the same family.
// Pure: no @actions/* imports.
import {escapeRegExp} from '../common/glob.ts'
import {InputError} from '../common/errors.ts'

export const NAME_PLACEHOLDERS = ['run_id', 'run_attempt', 'job', 'database', 'collection', 'container'] as const
export type NamePlaceholder = (typeof NAME_PLACEHOLDERS)[number]
export type NameValues = Record<NamePlaceholder, string>

// {job} alone cannot tell matrix legs apart (they share GITHUB_JOB), so the defaults also carry
// {container}: two legs only collide when they export the same collection for the same container.
export const DEFAULT_OUTPUT_ARTIFACT_NAME = 'prancer-outputs-{database}-{collection}-{container}-{job}-{run_id}-{run_attempt}'
export const DEFAULT_LOGS_ARTIFACT_NAME = 'prancer-logs-{database}-{collection}-{container}-{job}-{run_id}-{run_attempt}'
export const DEFAULT_BACKUP_ARTIFACT_NAME = 'prancer-backup-{database}-{job}-{run_id}-{run_attempt}'

/** Value of {container} when no `container` input narrows the export. */
export const ALL_CONTAINERS = 'all'

/** Characters @actions/artifact refuses in an artifact name, with the label its own message uses. */
export const REJECTED_NAME_CHARACTERS: ReadonlyArray<readonly [string, string]> = [
  ['"', 'Double quote "'],
  [':', 'Colon :'],
  ['<', 'Less than <'],
  ['>', 'Greater than >'],
  ['|', 'Vertical bar |'],
  ['*', 'Asterisk *'],
  ['?', 'Question mark ?'],
  ['\r', 'Carriage return \\r'],
  ['\n', 'Line feed \\n'],
  ['\\', 'Backslash \\'],
  ['/', 'Forward slash /']
]

// Placeholders whose value changes from run to run: wildcards when looking for earlier runs.
const PER_RUN_PLACEHOLDERS: ReadonlySet<NamePlaceholder> = new Set(['run_id', 'run_attempt'])

type Part = {literal: string} | {placeholder: NamePlaceholder}

function parseTemplate(template: string): Part[] {
  const parts: Part[] = []
  const re = /\{([^{}]*)\}/g
  let last = 0
  for (const m of template.matchAll(re)) {
    const key = m[1] as NamePlaceholder
    if (!NAME_PLACEHOLDERS.includes(key)) {
      throw new InputError(`unknown placeholder {${m[1]}}; accepted: ${NAME_PLACEHOLDERS.map(p => `{${p}}`).join(', ')}`)
    }
    if (m.index > last) parts.push({literal: template.slice(last, m.index)})
    parts.push({placeholder: key})
    last = m.index + m[0].length
  }
  if (last < template.length) parts.push({literal: template.slice(last)})
  return parts
}

/** The first character of `text` the artifact service rejects, with its label. */
export function findRejectedCharacter(text: string): {character: string; label: string} | undefined {
  for (const ch of text) {
    const hit = REJECTED_NAME_CHARACTERS.find(([c]) => c === ch)
    if (hit) return {character: hit[0], label: hit[1]}
  }
  return undefined
}

/**
 * Checks a template before anything runs: known placeholders only, no rejected character
 * in its literal text. Throws an Error whose message completes "input X: ...".
 */
export function validateNameTemplate(template: string): void {
  if (template.trim() === '') throw new InputError('the artifact name template is empty')
  const parts = parseTemplate(template)
  for (const part of parts) {
    if ('literal' in part) {
      if (/[{}]/.test(part.literal)) {
        throw new InputError(`unbalanced brace in "${template}"; placeholders are written {name}`)
      }
      const bad = findRejectedCharacter(part.literal)
      if (bad) {
        throw new InputError(
          `"${template.replace(/\r/g, '\\r').replace(/\n/g, '\\n')}" contains ${bad.label}, which the artifact service rejects in names (rejected: " : < > | * ? \\r \\n \\ /)`
        )
      }
    }
  }
}

/** A placeholder value made safe for a name: rejected characters become `_`, empty becomes `_`. */
export function sanitizeNameValue(value: string): string {
  let out = ''
  for (const ch of value) out += findRejectedCharacter(ch) ? '_' : ch
  return out === '' ? '_' : out
}

/** Expands a (validated) template; values are sanitized so the result is always a valid name. */
export function expandName(template: string, values: NameValues): string {
  return parseTemplate(template)
    .map(part => ('literal' in part ? part.literal : sanitizeNameValue(values[part.placeholder])))
    .join('')
}


/**
 * The pattern matching this template's artifacts from any run: {run_id} and {run_attempt} match
 * any number, every other placeholder must have this run's value.
 */
export function nameFamilyPattern(template: string, values: NameValues): RegExp {
  const source = parseTemplate(template)
    .map(part => {
      if ('literal' in part) return escapeRegExp(part.literal)
      if (PER_RUN_PLACEHOLDERS.has(part.placeholder)) return '[0-9]+'
      return escapeRegExp(sanitizeNameValue(values[part.placeholder]))
    })
    .join('')
  return new RegExp(`^${source}$`)
}

/** True when the family pattern has wildcards, i.e. earlier runs' artifacts carry other names than this run's. */
export function hasPerRunPlaceholder(template: string): boolean {
  return parseTemplate(template).some(part => 'placeholder' in part && PER_RUN_PLACEHOLDERS.has(part.placeholder))
}
