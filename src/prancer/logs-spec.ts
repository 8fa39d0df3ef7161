// The `logs` input / --logs flag: auto | latest | new | none | log names. Shared by the action and the
// CLI so both accept exactly the same values.
import {InputError} from '../common/errors.ts'

/** Which runs' logs to export (input `logs`). */
export type LogsSpec =
  | {kind: 'auto'} // names referenced by the exported outputs' json.log; else the logs newer than the previous export, or `latest` on a first export
  | {kind: 'latest'}
  | {kind: 'new'} // every log name newer than the previous export's newest
  | {kind: 'none'}
  | {kind: 'names'; names: string[]}

const LOG_NAME = /^[A-Za-z0-9_.-]+$/

/** Parses `logs`; names are separated by commas or new lines (a multi-line workflow input). */
export function parseLogsSpec(text: string): LogsSpec {
  const value = text.trim()
  if (value === '' || value === 'auto') return {kind: 'auto'}
  if (value === 'latest' || value === 'new' || value === 'none') return {kind: value}
  const names = value
    .split(/[,\n]/)
    .map(s => s.trim())
    .filter(s => s !== '')
  const bad = names.find(name => !LOG_NAME.test(name))
  if (bad !== undefined || names.length === 0) {
    throw new InputError(
      `"${bad ?? value}" is not a log name; accepted: auto, latest, new, none, or log names such as logs_20260301093015_CRAWLER separated by commas`
    )
  }
  return {kind: 'names', names}
}
