// The logging seam between pure job code and its two front ends (the action and the CLI).
// Job code never imports @actions/*: the action passes an adapter over @actions/core,
// the CLI one over stderr.

export interface Logger {
  debug(message: string): void
  info(message: string): void
  /** Something the user should notice but that is not a problem (e.g. a fallback taken). */
  notice(message: string): void
  warning(message: string): void
  /** Runs `fn` inside a collapsible log group (the action) or under a heading (the CLI). */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>
  /**
   * Registers a value that must never be printed. Front ends mask it (core.setSecret) or redact it.
   * Job code calls this for every secret it discovers (connection strings from env or config.ini,
   * their passwords, URL-decoded forms) before it logs anything else.
   */
  secret(value: string): void
}

/** A logger that drops everything; for tests and library use. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  notice() {},
  warning() {},
  group: (_name, fn) => fn(),
  secret() {}
}
