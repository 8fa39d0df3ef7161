// The Logger (src/common/log.ts) over @actions/core. Every message passes through redact(): the runner masks registered
// secrets in its own log, but not when dist/index.js runs outside a runner, so we never rely on the runner alone.
// Outputs and the job summary are never redacted by substring (that corrupts them); they are built without secrets.

import * as core from '@actions/core'
import {randomUUID} from 'node:crypto'
import type {Logger} from '../common/log.ts'
import {createRedactor} from '../mongo/uri.ts'

export interface ActionLogger extends Logger {
  /** `text` with every connection string redacted and every registered secret replaced by `***`. */
  redact(text: string): string
  /** Warnings and notices given so far (redacted), for the job summary. */
  readonly warnings: string[]
  readonly notices: string[]
}

export function createActionLogger(): ActionLogger {
  const redactor = createRedactor('***')
  const registered = new Set<string>()
  const warnings: string[] = []
  const notices: string[] = []
  let inGroup = false

  const redact = (text: string): string => redactor.redact(text)
  // The runner reads `::command::` at the start of a line (after any whitespace, Unicode included) and the older
  // `##[command]` anywhere in a line. Messages carry text from the database (log names, ids, errors quoting
  // documents), so any message holding `::` or `##[` is printed with command processing stopped (annotations, made
  // through core.warning/notice/error, escape their text themselves).
  const print = (text: string): void => {
    if (!/::|##\[/.test(text)) return core.info(text)
    const token = randomUUID()
    core.info(`::stop-commands::${token}`)
    core.info(text)
    core.info(`::${token}::`)
  }

  return {
    warnings,
    notices,
    redact,
    secret(value: string) {
      // A very short secret is not masked by substring (here or by the runner): it would corrupt every number.
      if (registered.has(value) || !redactor.add(value)) return
      registered.add(value)
      core.setSecret(value)
    },
    debug: message => core.debug(redact(message)),
    info: message => print(redact(message)),
    notice(message) {
      const text = redact(message)
      notices.push(text)
      core.notice(text)
    },
    warning(message) {
      const text = redact(message)
      warnings.push(text)
      core.warning(text)
    },
    async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
      // The runner cannot nest groups: an inner group becomes a heading line inside the outer one.
      if (inGroup) {
        print(`— ${redact(name)}`)
        return fn()
      }
      inGroup = true
      try {
        return await core.group(redact(name), fn)
      } finally {
        inGroup = false
      }
    }
  }
}
