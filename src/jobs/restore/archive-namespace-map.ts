// mongorestore's namespace mapping, --nsFrom/--nsTo (here --ns-from/--ns-to): each pair a pattern with `$name$`
// variables, or (without `$`) `*` wild cards, and the name it becomes; the last matching pair wins. Only the syntax
// is checked here; the names it makes are checked with every other target in archive-plan.ts.

import {shownName} from '../../mongo/names.ts'
import {RestoreError} from './restore-error.ts'

export interface RenameRule {
  from: string
  to: string
  matcher: RegExp
  /** For each variable of `to`, in order: its group number in matcher; literal text between. */
  parts: Array<string | number>
  /** Whether the database part (before the first '.') of `to` is literal text, and the whole of it. */
  literalDatabase: boolean
  literal: boolean
}

const REGEX_SPECIAL = /[*[\](){}\\?$^+!.|]/

/** Splits a pattern into literal text and `$name$` variables; `*` wild cards (when no `$`) become variables. */
function tokenize(pattern: string, what: string): Array<{text: string} | {variable: string}> {
  const tokens: Array<{text: string} | {variable: string}> = []
  if (!pattern.includes('$')) {
    let wild = 0
    let text = ''
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i]!
      if (c === '\\' && (pattern[i + 1] === '*' || pattern[i + 1] === '\\')) {
        text += pattern[++i]
      } else if (c === '*') {
        if (text !== '') tokens.push({text})
        text = ''
        tokens.push({variable: String(++wild)})
      } else {
        text += c
      }
    }
    if (text !== '') tokens.push({text})
    return tokens
  }
  let rest = pattern
  while (rest !== '') {
    const at = rest.indexOf('$')
    if (at < 0) {
      tokens.push({text: rest})
      break
    }
    if (at > 0) tokens.push({text: rest.slice(0, at)})
    const end = rest.indexOf('$', at + 1)
    if (end < 0) throw new RestoreError(`${what} "${shownName(pattern)}": odd number of dollar signs (variables are written $name$). Nothing was written.`)
    tokens.push({variable: rest.slice(at + 1, end)})
    rest = rest.slice(end + 1)
  }
  return tokens
}

export function renameRules(from: string[], to: string[]): RenameRule[] {
  if (from.length !== to.length) {
    throw new RestoreError(`--ns-from and --ns-to come in pairs: got ${from.length} --ns-from and ${to.length} --ns-to. Nothing was written.`)
  }
  const rules: RenameRule[] = []
  for (const [i, f] of from.entries()) {
    const t = to[i]!
    const fromTokens = tokenize(f, '--ns-from')
    const toTokens = tokenize(t, '--ns-to')
    const groups = new Map<string, number>()
    let source = '^'
    for (const token of fromTokens) {
      if ('variable' in token) {
        if (groups.has(token.variable)) throw new RestoreError(`--ns-from "${shownName(f)}": the variable $${token.variable}$ appears twice. Nothing was written.`)
        groups.set(token.variable, groups.size + 1)
        source += '(.*?)'
      } else {
        for (const c of token.text) source += REGEX_SPECIAL.test(c) ? `\\${c}` : c
      }
    }
    const parts: Array<string | number> = []
    for (const token of toTokens) {
      if ('variable' in token) {
        const group = groups.get(token.variable)
        if (group === undefined) {
          throw new RestoreError(
            f.includes('$') || !token.variable.match(/^\d+$/)
              ? `--ns-to "${shownName(t)}" uses $${token.variable}$, which its --ns-from "${shownName(f)}" does not define. Nothing was written.`
              : `--ns-from "${shownName(f)}" and --ns-to "${shownName(t)}" have a different number of * wild cards. Nothing was written.`
          )
        }
        parts.push(group)
      } else {
        parts.push(token.text)
      }
    }
    if (!f.includes('$') && toTokens.filter(tk => 'variable' in tk).length !== groups.size) {
      throw new RestoreError(`--ns-from "${shownName(f)}" and --ns-to "${shownName(t)}" have a different number of * wild cards. Nothing was written.`)
    }
    const firstDot = (() => {
      let literal = true
      for (const part of parts) {
        if (typeof part === 'number') return false
        if (part.includes('.')) return literal
      }
      return literal
    })()
    rules.push({from: f, to: t, matcher: new RegExp(`${source}$`, 's'), parts, literalDatabase: firstDot, literal: parts.every(p => typeof p === 'string')})
  }
  return rules
}

/** The rule that renames `namespace` (the last matching pair wins, as in mongorestore), and the new name. */
export function applyRules(rules: RenameRule[], namespace: string): {rule: RenameRule; name: string} | undefined {
  for (let i = rules.length - 1; i >= 0; i--) {
    const rule = rules[i]!
    const match = rule.matcher.exec(namespace)
    if (match === null) continue
    return {rule, name: rule.parts.map(p => (typeof p === 'number' ? match[p] ?? '' : p)).join('')}
  }
  return undefined
}
