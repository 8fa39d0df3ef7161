// The Logger (src/log.ts) over @actions/core. Every message passes through redact(): the runner
// masks registered secrets in its own log, but not in files we write (outputs, the job summary),
// nor when dist/index.js runs outside a runner, so we never rely on the runner alone.

import * as core from '@actions/core'
import type {Logger} from '../log.ts'
import {createRedactor} from '../prancer/uri.ts'

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
    info: message => core.info(redact(message)),
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
        core.info(`— ${redact(name)}`)
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
