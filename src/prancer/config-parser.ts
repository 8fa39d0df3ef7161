// A reader for config.ini with the semantics of Python's configparser.ConfigParser(allow_no_value=True),
// which is what Prancer uses (reference prancer-db.md §1.2).
//
// Why not the `ini` package: checked with ini 6, it strips inline `;` comments from values, does not
// accept `:` as a delimiter, does not lower-case keys, keeps the last of duplicate keys silently, turns
// continuation lines into new keys, and has no [DEFAULT] inheritance or %(name)s interpolation. Each of
// these would make us read a different value than Prancer does, so this file reproduces Python's
// `RawConfigParser._read` and `BasicInterpolation` (Python 3.11) instead. Errors carry the Python
// class name (`pythonName`) so the differential test can compare them with python3.

// Characters for which Python's str.isspace() is true: what str.strip() removes and what `\s` matches.
// JS trim() differs (it strips U+FEFF, a BOM, and keeps U+001C-U+001F and U+0085).
import {redactUrisInText} from '../mongo/uri.ts'
import {InputError} from '../common/errors.ts'

const PY_SPACE = '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000'
const STRIP_RE = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g')
const NON_SPACE_RE = new RegExp(`[^${PY_SPACE}]`)
// configparser.SECTCRE: `\[(?P<header>.+)\]` applied with re.match (anchored at the start only).
// dotAll: Python's `.` matches everything but \n, JS's also stops at \r, U+2028 and U+2029.
const SECTION_RE = /^\[(.+)\]/s
// configparser.OPTCRE_NV with the default delimiters `=` and `:`.
const OPTION_RE = new RegExp(`^(.*?)[${PY_SPACE}]*(?:([=:])[${PY_SPACE}]*(.*))?$`, 's')
// BasicInterpolation._KEYCRE
const INTERPOLATION_KEY_RE = /^%\(([^)]+)\)s/
const MAX_INTERPOLATION_DEPTH = 10
/** Ten levels that each repeat a reference grow exponentially; no real setting is this long. */
const MAX_INTERPOLATED_LENGTH = 1024 * 1024

export const DEFAULT_SECTION = 'DEFAULT'

function pyStrip(text: string): string {
  return text.replace(STRIP_RE, '')
}

/** Python's str.lower() is the Unicode default lower-casing, like String.prototype.toLowerCase. */
function optionXform(name: string): string {
  return name.toLowerCase()
}

/** config.ini cannot be read as Prancer reads it; named after the exception Python's configparser raises there. */
export class ConfigError extends InputError {
  /** The configparser exception Python raises in the same situation. */
  readonly pythonName: string
  readonly file: string
  readonly line: number | null
  constructor(pythonName: string, file: string, line: number | null, message: string) {
    super(message)
    this.name = pythonName
    this.pythonName = pythonName
    this.file = file
    this.line = line
  }
}

function where(file: string, line: number): string {
  return `${file} line ${line}`
}

// The situations configparser refuses, each with the exception name Python gives it.
const configErrors = {
  duplicateSection: (file: string, line: number, section: string) =>
    new ConfigError('DuplicateSectionError', file, line, `${where(file, line)}: section [${section}] appears a second time; Python's configparser (and so Prancer) refuses the file. Merge the two sections.`),
  duplicateOption: (file: string, line: number, section: string, option: string) =>
    new ConfigError('DuplicateOptionError', file, line, `${where(file, line)}: key "${option}" appears a second time in section [${section}] (keys are case-insensitive); Python's configparser (and so Prancer) refuses the file. Keep one of them.`),
  missingSectionHeader: (file: string, line: number, text: string) => {
    const bom = text.startsWith('\ufeff') ? ' The file starts with a UTF-8 byte order mark (BOM), which Python reads as part of the first line: save the file without a BOM.' : ''
    return new ConfigError('MissingSectionHeaderError', file, line, `${where(file, line)}: text before the first [section] header: ${JSON.stringify(redactUrisInText(text))}.${bom}`)
  },
  parsing: (file: string, lines: Array<{line: number; text: string}>) => {
    const list = lines.map(l => `line ${l.line}: ${JSON.stringify(redactUrisInText(l.text))}`).join('; ')
    return new ConfigError('ParsingError', file, lines[0]?.line ?? null, `${file}: lines that are neither a [section], a key nor a comment: ${list}`)
  },
  /** Python raises AttributeError when an indented line follows a key that has no value. */
  valuelessContinuation: (file: string, line: number, option: string) =>
    new ConfigError('AttributeError', file, line, `${where(file, line)}: indented line continues key "${option}", which has no value (no "=" or ":"); Python's configparser crashes on this. Give the key a value or remove the indentation.`),
  interpolationSyntax: (file: string, line: number, section: string, option: string, detail: string) =>
    new ConfigError('InterpolationSyntaxError', file, line, `${where(file, line)}: value of [${section}] ${option} cannot be read: ${detail}. configparser treats "%" as interpolation; write "%%" for a literal percent sign.`),
  interpolationMissingOption: (file: string, line: number, section: string, option: string, reference: string) =>
    new ConfigError('InterpolationMissingOptionError', file, line, `${where(file, line)}: value of [${section}] ${option} refers to %(${reference})s, but neither [${section}] nor [DEFAULT] has a key "${reference}".`),
  interpolationDepth: (file: string, line: number, section: string, option: string) =>
    new ConfigError('InterpolationDepthError', file, line, `${where(file, line)}: value of [${section}] ${option} nests %(...)s references more than ${MAX_INTERPOLATION_DEPTH} levels deep (a reference loop?).`),
  /** Python raises TypeError when %(name)s refers to a key without a value. */
  interpolationNone: (file: string, line: number, section: string, option: string, reference: string) =>
    new ConfigError('TypeError', file, line, `${where(file, line)}: value of [${section}] ${option} refers to %(${reference})s, a key without a value.`)
}

interface RawOption {
  /** null for a key without a delimiter (allow_no_value). */
  lines: string[] | null
  line: number
}

interface RawSection {
  name: string
  options: Map<string, RawOption>
}

/** One parsed file; reads are interpolated lazily, as Python does, so errors appear only for the keys read. */
export class ConfigFile {
  readonly path: string
  readonly #defaults: Map<string, RawOption>
  readonly #sections: Map<string, Map<string, RawOption>>

  constructor(path: string, defaults: Map<string, RawOption>, sections: Map<string, Map<string, RawOption>>) {
    this.path = path
    this.#defaults = defaults
    this.#sections = sections
  }

  /** Section names in file order, without DEFAULT (like ConfigParser.sections()). */
  sections(): string[] {
    return [...this.#sections.keys()]
  }

  /** Exact, case-sensitive test, like `name in config`; DEFAULT is always present. */
  hasSection(name: string): boolean {
    return name === DEFAULT_SECTION || this.#sections.has(name)
  }

  /** Keys of a section followed by the inherited DEFAULT keys (like iterating a SectionProxy). */
  options(section: string): string[] {
    if (section === DEFAULT_SECTION) return [...this.#defaults.keys()]
    const own = this.#sections.get(section)
    if (!own) return []
    return [...new Set([...own.keys(), ...this.#defaults.keys()])]
  }

  /**
   * ConfigParser.get(section, key, fallback=undefined): undefined when the section or key is missing,
   * null for a key without a value, otherwise the interpolated value (errors thrown here, lazily).
   */
  get(section: string, key: string): string | null | undefined {
    const name = optionXform(key)
    const option = this.#lookup(section, name)
    if (!option) return undefined
    const raw = joinValue(option.lines)
    if (raw === null) return null
    const out: string[] = []
    this.#interpolate(section, name, option.line, raw, out, 1)
    return out.join('')
  }

  /** The value without interpolation (ConfigParser.get(..., raw=True)). */
  getRaw(section: string, key: string): string | null | undefined {
    const option = this.#lookup(section, optionXform(key))
    return option ? joinValue(option.lines) : undefined
  }

  #lookup(section: string, name: string): RawOption | undefined {
    if (section !== DEFAULT_SECTION) {
      const own = this.#sections.get(section)
      if (!own) return undefined
      const found = own.get(name)
      if (found) return found
    }
    return this.#defaults.get(name)
  }

  #interpolate(section: string, option: string, line: number, value: string, out: string[], depth: number, total = {length: 0}): void {
    if (depth > MAX_INTERPOLATION_DEPTH) throw configErrors.interpolationDepth(this.path, line, section, option)
    const push = (text: string) => {
      total.length += text.length
      if (total.length > MAX_INTERPOLATED_LENGTH) {
        throw configErrors.interpolationSyntax(this.path, line, section, option, `its %(...)s references expand to more than ${MAX_INTERPOLATED_LENGTH} characters (references repeated at every level?)`)
      }
      out.push(text)
    }
    let rest = value
    while (rest) {
      const p = rest.indexOf('%')
      if (p < 0) {
        push(rest)
        return
      }
      if (p > 0) {
        push(rest.slice(0, p))
        rest = rest.slice(p)
      }
      const next = rest.slice(1, 2)
      if (next === '%') {
        push('%')
        rest = rest.slice(2)
      } else if (next === '(') {
        const match = INTERPOLATION_KEY_RE.exec(rest)
        if (!match) throw configErrors.interpolationSyntax(this.path, line, section, option, `bad reference ${JSON.stringify(rest)}`)
        const reference = optionXform(match[1]!)
        rest = rest.slice(match[0].length)
        const target = this.#lookup(section, reference)
        if (!target) throw configErrors.interpolationMissingOption(this.path, line, section, option, reference)
        const targetValue = joinValue(target.lines)
        if (targetValue === null) throw configErrors.interpolationNone(this.path, line, section, option, reference)
        if (targetValue.includes('%')) this.#interpolate(section, option, line, targetValue, out, depth + 1, total)
        else push(targetValue)
      } else {
        throw configErrors.interpolationSyntax(this.path, line, section, option, `"%" must be followed by "%" or "(", found ${JSON.stringify(rest)}`)
      }
    }
  }
}

function joinValue(lines: string[] | null): string | null {
  // _join_multiline_values: '\n'.join(lines).rstrip()
  return lines === null ? null : lines.join('\n').replace(new RegExp(`[${PY_SPACE}]+$`), '')
}

/** Parses config.ini text. `file` is used in error messages. */
export function parseConfig(text: string, file: string): ConfigFile {
  const defaults = new Map<string, RawOption>()
  const sections = new Map<string, Map<string, RawOption>>()
  // strict=True: a section or (section, key) seen twice in one read is an error
  const added = new Set<string>()
  const badLines: Array<{line: number; text: string}> = []
  let current: RawSection | null = null
  let optionName: string | null = null
  let indentLevel = 0
  // Python reads in universal-newline mode: \r\n, \r and \n all end a line.
  const lines = text.split(/\r\n|\r|\n/)
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  lines.forEach((line, i) => {
    const lineNo = i + 1
    const stripped = pyStrip(line)
    const isComment = stripped.startsWith('#') || stripped.startsWith(';')
    const value = isComment ? '' : stripped
    if (!value) {
      // empty_lines_in_values=True: a blank (not comment) line inside a value is kept, trailing ones dropped at join
      if (!isComment && current && optionName) current.options.get(optionName)?.lines?.push('')
      return
    }
    const firstNonSpace = line.search(NON_SPACE_RE)
    const indent = firstNonSpace < 0 ? 0 : firstNonSpace
    if (current && optionName && indent > indentLevel) {
      const option = current.options.get(optionName)!
      if (option.lines === null) throw configErrors.valuelessContinuation(file, lineNo, optionName)
      option.lines.push(value)
      return
    }
    indentLevel = indent
    const header = SECTION_RE.exec(value)
    if (header) {
      const name = header[1]!
      if (sections.has(name)) {
        if (added.has(`s:${name}`)) throw configErrors.duplicateSection(file, lineNo, name)
        added.add(`s:${name}`)
        current = {name, options: sections.get(name)!}
      } else if (name === DEFAULT_SECTION) {
        current = {name, options: defaults}
      } else {
        const options = new Map<string, RawOption>()
        sections.set(name, options)
        added.add(`s:${name}`)
        current = {name, options}
      }
      optionName = null
      return
    }
    if (!current) throw configErrors.missingSectionHeader(file, lineNo, line)
    const option = OPTION_RE.exec(value)
    if (!option) {
      badLines.push({line: lineNo, text: line})
      return
    }
    const [, rawName = '', delimiter, optionValue] = option
    if (!rawName) badLines.push({line: lineNo, text: line})
    optionName = optionXform(rawName.replace(new RegExp(`[${PY_SPACE}]+$`), ''))
    const key = `o:${current.name}\u0000${optionName}`
    if (added.has(key)) throw configErrors.duplicateOption(file, lineNo, current.name, optionName)
    added.add(key)
    current.options.set(optionName, {lines: delimiter === undefined ? null : [pyStrip(optionValue ?? '')], line: lineNo})
  })
  if (badLines.length > 0) throw configErrors.parsing(file, badLines)
  return new ConfigFile(file, defaults, sections)
}
