// What every command shares: its context (the environment, the terminal), the logger errors are printed through (it
// knows the secrets the command registered), strict flag parsing, and the connection string's flag or environment.
import {parseArgs, type ParseArgsConfig} from 'node:util'
import {UsageError} from '../common/errors.ts'
import {EXIT_OK} from './exit-codes.ts'
import type {CliLogger, Terminal} from './output.ts'

export const NAME = 'prancer-db-artifacts'

export interface CliContext {
  env: Record<string, string | undefined>
  cwd: string
  stdout: (text: string) => void
  stderr: Terminal
}

/** Set by a command once it made its logger, so that its error is printed with its secrets redacted. */
export interface CommandSession {
  logger: CliLogger
}

export type Command = (args: string[], ctx: CliContext, session: CommandSession) => Promise<number>

export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, positionals: boolean) {
  try {
    return parseArgs({args, options, allowPositionals: positionals, strict: true})
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

export function connectionString(flag: string | undefined, env: Record<string, string | undefined>): string | undefined {
  if (flag !== undefined) return flag
  return env.MONGODB_URI || undefined
}

type FlagOptions = NonNullable<ParseArgsConfig['options']>
export type ParsedFlags<T extends FlagOptions> = ReturnType<typeof parseFlags<T>>

/** A command from its flags, its help text and what it runs; --help prints the help and runs nothing. */
export function defineCommand<T extends FlagOptions>(
  spec: {options: T; help: string; positionals?: boolean},
  run: (parsed: ParsedFlags<T>, ctx: CliContext, session: CommandSession) => Promise<number>
): Command {
  return async (args, ctx, session) => {
    const parsed = parseFlags(args, spec.options, spec.positionals === true)
    if ((parsed.values as {help?: boolean}).help === true) {
      ctx.stdout(spec.help)
      return EXIT_OK
    }
    return run(parsed, ctx, session)
  }
}
