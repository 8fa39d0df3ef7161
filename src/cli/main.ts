// The `prancer-db-artifacts` command: dispatches to one module per command (export, restore, backup, report,
// config). Returns an exit code instead of exiting, so tests and the entry point share it.

import packageJson from '../../package.json' with {type: 'json'}
import {errorMessage, UsageError} from '../common/errors.ts'
import {backupCommand} from './backup.ts'
import {NAME, type CliContext, type Command, type CommandSession} from './command.ts'
import {configCommand} from './config.ts'
import {EXIT_CODES_HELP, EXIT_OK, EXIT_USAGE, exitCodeOf} from './exit-codes.ts'
import {exportCommand} from './export.ts'
import {createCliLogger} from './output.ts'
import {reportCommand} from './report.ts'
import {restoreCommand} from './restore.ts'

export type {CliContext} from './command.ts'

const MAIN_HELP = `Usage: ${NAME} <command> [options]

Export Prancer's test results and logs like mongoexport, and restore them like mongoimport --mode upsert.

Commands:
  export    export the output collection (incrementally) and the run's logs into a directory
  restore   import exported files (a .json file, a directory with a manifest, or an artifact .zip)
  backup    every collection of Prancer's databases as a mongodump archive (mongorestore restores it)
  report    the failed results of an export on a terminal, or as Markdown, SARIF or JUnit (new failures
            against a baseline export, an exit code for gating)
  config    print the resolved Prancer settings as JSON (secrets masked)

Run '${NAME} <command> --help' for a command's options.
  --help       show this help
  --version    print the version

${EXIT_CODES_HELP}
`

const COMMANDS: Record<string, Command> = {
  export: exportCommand,
  restore: restoreCommand,
  backup: backupCommand,
  config: configCommand,
  // report prints its own errors and usage hint (its exit codes include 4, results that meet --fail-on).
  report: (args, ctx, session) => reportCommand(args, {stdout: ctx.stdout, stderr: text => ctx.stderr.write(session.logger.redact(text)), cwd: ctx.cwd, env: ctx.env})
}

// The commands whose usage errors point at their own --help.
const OWN_HELP_HINT = new Set(['export', 'restore', 'config'])

export async function main(argv: string[], ctx: CliContext): Promise<number> {
  const [command, ...rest] = argv
  // Errors are printed before any secret is known, so connection strings in them are still redacted.
  const session: CommandSession = {logger: createCliLogger(ctx.stderr, false)}
  try {
    switch (command) {
      case undefined:
        ctx.stderr.write(MAIN_HELP)
        return EXIT_USAGE
      case '--help':
      case '-h':
      case 'help':
        ctx.stdout(MAIN_HELP)
        return EXIT_OK
      case '--version':
      case '-v':
        ctx.stdout(`${packageJson.version}\n`)
        return EXIT_OK
    }
    const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined
    if (run === undefined) throw new UsageError(`unknown command "${command}"; the commands are export, restore, backup, report and config`)
    return await run(rest, ctx, session)
  } catch (error) {
    const code = exitCodeOf(error)
    if (code === EXIT_USAGE) {
      session.logger.error(`${errorMessage(error)}\nRun '${NAME} ${OWN_HELP_HINT.has(command) ? `${command} ` : ''}--help' for usage.`)
    } else {
      // A clear message, no stack trace: every error of ours says what to do.
      session.logger.error(errorMessage(error))
    }
    return code
  }
}
