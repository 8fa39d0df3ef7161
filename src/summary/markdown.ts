// Text from the database or a file, made inert for Markdown (GitHub-flavoured) and HTML: one line, bidi overrides
// and control characters removed, and every character that could open HTML, emphasis, code, a table cell, a link or
// image, an autolink, a mention, an issue reference, an emoji shortcode or math written as a numeric character
// reference. Shared by every summary (src/summary/export-summary.ts, src/summary/results-summary.ts).

const ENTITY: Record<string, string> = {}
for (const ch of '&<>"\'\\`*_[]|~:@$#') ENTITY[ch] = `&#${ch.charCodeAt(0)};`
const SPECIAL = /[&<>"'\\`*_[\]|~:@$#]/g
// Bidi overrides, isolates and marks (text that displays in another order than it reads), zero-width and other
// invisible format characters (text that looks like other text), and controls.
const INVISIBLE = /[\u202A-\u202E\u2066-\u2069\u200B-\u200F\u2060\uFEFF\u061C\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g

export function clip(text: string, max: number): string {
  const chars = Array.from(text)
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text
}

/** Database text as inert Markdown/HTML text on one line (see the top of this file). */
export function escapeMarkdown(text: string, maxLength = Infinity): string {
  const flat = text.replace(/\r\n|\r|\n|\t|\u2028|\u2029/g, ' ').replace(INVISIBLE, '').trim()
  return clip(flat, maxLength)
    .replace(SPECIAL, (ch) => ENTITY[ch]!)
    .replace(/(www)\./gi, '$1&#46;')
}

