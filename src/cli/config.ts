// `prancer-db-artifacts config`: the settings an export would use, as JSON (the connection string masked).

import type {ParseArgsConfig} from 'node:util'
import {resolveSettings, summarizeSettings} from '../prancer/settings.ts'
import {connectionString, defineCommand, NAME, type CliContext, type ParsedFlags} from './command.ts'
import {EXIT_CODES_HELP, EXIT_OK} from './exit-codes.ts'
import type {CliLogger} from './output.ts'

export const CONFIG_HELP = `Usage: ${NAME} config [options]

Prints the settings the export would use, as JSON on stdout: config.ini path, database, output
collection, logs database, where the connection string comes from and the string with its password
masked, and notices.

Options:
  --config PATH   Prancer's config.ini (default: $FRAMEWORKDIR/config.ini, else ./config.ini)
  --uri URI       connection string, as for export
  --help          show this help

${EXIT_CODES_HELP}
`

const configOptions = {
  config: {type: 'string'},
  uri: {type: 'string'},
  help: {type: 'boolean'}
} as const satisfies ParseArgsConfig['options']

export const configCommand = defineCommand({options: configOptions, help: CONFIG_HELP}, ({values}, ctx, session) => printConfig(values, ctx, session.logger))

type ConfigValues = ParsedFlags<typeof configOptions>['values']

async function printConfig(values: ConfigValues, ctx: CliContext, logger: CliLogger): Promise<number> {
  const uri = connectionString(values.uri, ctx.env)
  const settings = await resolveSettings({
    ...(values.config !== undefined ? {configPath: values.config} : {}),
    ...(uri !== undefined ? {mongodbUri: uri, mongodbUriSource: values.uri !== undefined ? ('--uri' as const) : ('env MONGODB_URI' as const)} : {}),
    env: ctx.env,
    cwd: ctx.cwd,
    logger
  })
  // Structured output is never redacted by substring (a password "null" would break the JSON): it holds no secret,
  // the connection string only in its redacted form.
  ctx.stdout(`${JSON.stringify(summarizeSettings(settings), null, 2)}\n`)
  return EXIT_OK
}

