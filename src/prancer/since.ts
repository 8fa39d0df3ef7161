// The `since` input / --since flag: auto | all | epoch milliseconds | an ISO-8601 time. Shared by the
// action and the CLI so both accept exactly the same values.
import {InputError} from '../common/errors.ts'

/** Where the previous watermark comes from (input `since`). */
export type SinceSpec =
  | {kind: 'auto'} // previous manifest (artifact or file) if one is supplied, else a full export with a notice
  | {kind: 'all'} // full export, ignore any previous manifest
  | {kind: 'time'; ms: number} // documents with timestamp > ms (from a number or an ISO-8601 time)

const ACCEPTED = 'auto, all, a number of epoch milliseconds (e.g. 1767225600000) or an ISO-8601 time (e.g. 2026-01-01T00:00:00Z)'
// date, optional time (minutes required, seconds and up to 9 fraction digits optional), optional zone
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/

/**
 * Parses `since`. A time without a zone is UTC, as Prancer's timestamps are. Every field is range-checked
 * (Date.parse would turn 2026-02-30 into March 2nd).
 */
export function parseSince(text: string): SinceSpec {
  const value = text.trim()
  if (value === '' || value === 'auto') return {kind: 'auto'}
  if (value === 'all') return {kind: 'all'}
  if (/^\d+$/.test(value)) {
    const ms = Number(value)
    // A JavaScript Date (and our windows) ends at 8.64e15 ms, the year 275760.
    if (!Number.isSafeInteger(ms) || ms > 8.64e15) throw new InputError(`since: ${value} is beyond the last representable time (8640000000000000 ms, year 275760); accepted: ${ACCEPTED}`)
    return {kind: 'time', ms}
  }
  const m = ISO_RE.exec(value)
  if (!m) throw new InputError(`since: "${text}" is not accepted; accepted: ${ACCEPTED}`)
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone = 'Z'] = m
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  const lastDay = new Date(0)
  lastDay.setUTCFullYear(year, month, 0)
  const daysInMonth = lastDay.getUTCDate()
  const zoneMatch = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)
  const zoneHours = zoneMatch ? Number(zoneMatch[2]) : 0
  const zoneMinutes = zoneMatch ? Number(zoneMatch[3]) : 0
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59 || zoneHours > 23 || zoneMinutes > 59) {
    throw new InputError(`since: "${text}" is not a valid date or time; accepted: ${ACCEPTED}`)
  }
  const offsetMs = zoneMatch ? (zoneMatch[1] === '-' ? -1 : 1) * (zoneHours * 60 + zoneMinutes) * 60_000 : 0
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(Number(h), Number(mi), Number(s), Number(fraction.padEnd(3, '0').slice(0, 3)))
  return {kind: 'time', ms: date.getTime() - offsetMs}
}

/**
 * How the window's start was chosen, for the manifest and the job summary. `previousSource` names the
 * previous manifest a `since: auto` export continues (e.g. an artifact), or is null when there was none.
 */
export function describeSince(since: SinceSpec, previousSource: string | null): string {
  switch (since.kind) {
    case 'all':
      return 'since: all (full export)'
    case 'time':
      return `since: ${new Date(since.ms).toISOString()} (${since.ms})`
    case 'auto':
      return previousSource === null ? 'since: auto; no usable previous export, so a full export' : `since: auto; ${previousSource}`
  }
}
