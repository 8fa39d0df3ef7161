// The command's exit codes, in one place: every command returns one of these, and an error's kind decides which
// (src/common/errors.ts). Scripts and CI gates read them, so they never change meaning.
import {ToolError} from '../common/errors.ts'

export const EXIT_OK = 0
/** The command failed: nothing, or not everything, was done. */
export const EXIT_FAILURE = 1
/** Bad command line. */
export const EXIT_USAGE = 2
/** restore finished, but some documents were rejected by the server and skipped (insert mode). */
export const EXIT_PARTIAL = 3
/** report: the results meet --fail-on (the report was written). */
export const EXIT_RESULTS_FAILED = 4

/** What a command that threw exits with. */
export function exitCodeOf(error: unknown): number {
  return error instanceof ToolError && error.kind === 'usage' ? EXIT_USAGE : EXIT_FAILURE
}

export const EXIT_CODES_HELP = `Exit codes:
  ${EXIT_OK}  success
  ${EXIT_FAILURE}  failure (connection, configuration, a corrupt or malformed file, a write error that stopped the restore)
  ${EXIT_USAGE}  usage error (unknown command or flag, bad flag value)
  ${EXIT_PARTIAL}  restore completed, but some documents were rejected by the server and skipped (insert mode, duplicates)`
