// Name patterns as users write them (`prancer-backup-*`, `--include 'db.*'`): `*` matches anything, every other
// character only itself. One translation to RegExp for every place that takes such a pattern.

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** The whole-name RegExp of a pattern in which `*` matches any text (also none). */
export function globToRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`)
}

/** The RegExp that matches exactly `name`. */
export function exactNameRegExp(name: string): RegExp {
  return new RegExp(`^${escapeRegExp(name)}$`)
}
