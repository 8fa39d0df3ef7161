// Go's time.Parse with the two layouts the driver accepts for {"$date": "<string>"}, to milliseconds since the
// epoch: same digits, offsets and calendar checks as Go, independent of the JavaScript Date parser.

const DAYS_BEFORE_MONTH = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]

/**
 * Go's time.Parse with the two layouts the driver accepts for {"$date": "<string>"}:
 * "2006-01-02T15:04:05.999Z07:00" and "2006-01-02T15:04:05.999Z0700". Milliseconds since the epoch, or null.
 */
export function parseGoDateString(s: string): number | null {
  return parseGoLayout(s, true) ?? parseGoLayout(s, false)
}

function parseGoLayout(s: string, colonOffset: boolean): number | null {
  const digit = (i: number): boolean => i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39
  const two = (i: number): number => (s.charCodeAt(i) - 0x30) * 10 + s.charCodeAt(i + 1) - 0x30
  let i = 0
  if (!(digit(0) && digit(1) && digit(2) && digit(3))) return null
  const year = Number(s.slice(0, 4))
  i = 4
  if (s[i++] !== '-' || !digit(i) || !digit(i + 1)) return null
  const month = two(i)
  i += 2
  if (month < 1 || month > 12) return null
  if (s[i++] !== '-' || !digit(i) || !digit(i + 1)) return null
  const day = two(i)
  i += 2
  if (s[i++] !== 'T' || !digit(i)) return null
  // The hour takes one or two digits (Go's "15" layout element is not zero-padded).
  let hour: number
  if (digit(i + 1)) {
    hour = two(i)
    i += 2
  } else hour = s.charCodeAt(i++) - 0x30
  if (hour > 23) return null
  if (s[i++] !== ':' || !digit(i) || !digit(i + 1)) return null
  const minute = two(i)
  i += 2
  if (minute > 59) return null
  if (s[i++] !== ':' || !digit(i) || !digit(i + 1)) return null
  const second = two(i)
  i += 2
  if (second > 59) return null
  let nanos = 0
  if ((s[i] === '.' || s[i] === ',') && digit(i + 1)) {
    let j = i + 1
    while (digit(j)) j++
    const frac = s.slice(i + 1, Math.min(j, i + 10))
    nanos = Number(frac) * 10 ** (9 - frac.length)
    i = j
  }
  let offsetSeconds = 0
  if (s[i] === 'Z') i++
  else {
    const width = colonOffset ? 6 : 5
    if (s.length - i < width) return null
    if (colonOffset && s[i + 3] !== ':') return null
    const minuteAt = colonOffset ? i + 4 : i + 3
    if (!digit(i + 1) || !digit(i + 2) || !digit(minuteAt) || !digit(minuteAt + 1)) return null
    const hh = two(i + 1)
    const mm = two(minuteAt)
    if (hh > 24 || mm > 60) return null
    if (s[i] !== '+' && s[i] !== '-') return null
    offsetSeconds = (hh * 60 + mm) * 60 * (s[i] === '-' ? -1 : 1)
    i += width
  }
  if (i !== s.length) return null
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  const daysInMonth = month === 2 ? (leap ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
  if (day < 1 || day > daysInMonth) return null
  const days = daysFromCivil(year, month, day)
  const seconds = days * 86400 + hour * 3600 + minute * 60 + second - offsetSeconds
  return seconds * 1000 + Math.floor(nanos / 1e6)
}

/** Days since 1970-01-01 in the proleptic Gregorian calendar (year 0 exists). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = year - 1
  // Days before January 1st of `year`, counted from 0001-01-01, then shifted to the Unix epoch.
  const daysBeforeYear = y * 365 + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400)
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  const dayOfYear = DAYS_BEFORE_MONTH[month - 1] + (leap && month > 2 ? 1 : 0) + day - 1
  return daysBeforeYear + dayOfYear - 719162
}
