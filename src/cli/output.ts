// Terminal output of the CLI: a Logger (src/common/log.ts) over stderr that redacts every registered secret
// and any connection string, and a progress display (a bar on a terminal, plain lines otherwise).
// stdout is reserved for results (JSON of `config`, the summaries), so it can be piped.

import {randomUUID} from 'node:crypto'
import type {Logger} from '../common/log.ts'
import {createRedactor} from '../mongo/uri.ts'

export interface CliLogger extends Logger {
  redact(text: string): string
  /** Prints an error line (never suppressed by --quiet). */
  error(message: string): void
}

export interface Terminal {
  write(text: string): void
  isTTY: boolean
  columns?: number
}

export function stderrTerminal(): Terminal {
  return {
    write: (text) => void process.stderr.write(text),
    isTTY: process.stderr.isTTY === true,
    columns: process.stderr.columns
  }
}

export function createCliLogger(terminal: Terminal, quiet: boolean, progress?: ProgressDisplay): CliLogger {
  const redactor = createRedactor('****')
  const redact = (text: string): string => redactor.redact(text)
  const line = (prefix: string, message: string): void => {
    progress?.clear()
    const text = `${prefix}${redact(message)}`
    // In a workflow step the runner reads this output too: text from the database must not become a command there.
    if (process.env.GITHUB_ACTIONS === 'true' && /::|##\[/.test(text)) {
      const token = randomUUID()
      terminal.write(`::stop-commands::${token}\n${text}\n::${token}::\n`)
    } else {
      terminal.write(`${text}\n`)
    }
  }
  return {
    redact,
    debug() {},
    info: (message) => quiet || line('', message),
    notice: (message) => quiet || line('notice: ', message),
    warning: (message) => line('warning: ', message),
    error: (message) => line('error: ', message),
    async group(name, fn) {
      if (!quiet) line('', `== ${name}`)
      return fn()
    },
    secret(value) {
      redactor.add(value)
    }
  }
}

export interface ProgressState {
  label: string
  done: number
  total: number
  detail: string
}

/** A one-line bar redrawn in place on a terminal; elsewhere a plain line at most every few seconds. */
export class ProgressDisplay {
  private readonly terminal: Terminal
  private readonly enabled: boolean
  private readonly intervalMs: number
  private lastPlain = 0
  private lastLabel = ''
  private drawn = false

  constructor(terminal: Terminal, enabled: boolean, intervalMs = 3000) {
    this.terminal = terminal
    this.enabled = enabled
    this.intervalMs = intervalMs
  }

  update(state: ProgressState, final = false): void {
    if (!this.enabled) return
    const fraction = state.total > 0 ? Math.min(1, state.done / state.total) : 0
    const percent = `${Math.floor(fraction * 100)}%`.padStart(4)
    if (this.terminal.isTTY) {
      const width = 24
      const filled = Math.round(fraction * width)
      const text = `${state.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${percent} ${state.detail}`
      const columns = this.terminal.columns ?? 100
      this.terminal.write(`\r${text.slice(0, columns - 1).padEnd(Math.min(columns - 1, text.length + 2))}`)
      this.drawn = true
      if (final) this.clear()
      return
    }
    const now = Date.now()
    if (!final && state.label === this.lastLabel && now - this.lastPlain < this.intervalMs) return
    this.lastPlain = now
    this.lastLabel = state.label
    this.terminal.write(`${state.label}: ${percent.trim()} ${state.detail}\n`)
  }

  /** Erases the bar so that a log line can be printed. */
  clear(): void {
    if (!this.drawn) return
    this.drawn = false
    this.terminal.write(`\r${' '.repeat(Math.max(0, (this.terminal.columns ?? 100) - 1))}\r`)
  }
}
