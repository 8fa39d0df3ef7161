// Runs dist/index.js the way the Actions runner does (for the action's tests and `npm run demo`): a node24 child process whose inputs are
// INPUT_<NAME> variables (upper case, dashes kept) holding action.yml's defaults unless the step sets
// them, with GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, and the job's GITHUB_* / ACTIONS_* env.

import {spawn, type ChildProcess} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import yauzl from 'yauzl'
import {parse as parseYaml} from 'yaml'
import {runLogRenderer} from './harness/run-log.ts'

export const ROOT = path.resolve(import.meta.dirname, '..')
// ACTION_DIST runs another bundle (e.g. a private build of changed sources) instead of the committed one.
export const DIST = process.env.ACTION_DIST ? path.resolve(process.env.ACTION_DIST) : path.join(ROOT, 'dist', 'index.js')

/** action.yml, parsed by a real YAML parser (strict: what the runner would refuse fails here too). */
export function actionYml(): {inputs: Record<string, {default?: unknown; description: string}>; outputs: Record<string, {description: string}>; runs: {using: string; main: string}} {
  return parseYaml(readFileSync(path.join(ROOT, 'action.yml'), 'utf8'), {strict: true, uniqueKeys: true})
}

/** action.yml's input defaults, read from the file itself so the tests exercise them too. */
export function actionDefaults(): Record<string, string> {
  const defaults: Record<string, string> = {}
  for (const [name, input] of Object.entries(actionYml().inputs)) if (input.default !== undefined) defaults[name] = String(input.default)
  return defaults
}

export interface ActionRun {
  code: number | null
  stdout: string
  stderr: string
  /** Values written to GITHUB_OUTPUT. */
  outputs: Record<string, string>
  /** Raw GITHUB_OUTPUT file. */
  outputFile: string
  /** GITHUB_STEP_SUMMARY contents. */
  summary: string
}

/** Parses GITHUB_OUTPUT's `name<<delimiter` blocks. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i]!)
    if (!m) continue
    const value: string[] = []
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]!)
    out[m[1]!] = value.join('\n')
  }
  return out
}

export interface RunActionOptions {
  /** Print the step's stdout and stderr as a GitHub run's log shows them (test/harness/run-log.ts) while it runs. */
  echo?: boolean
  /** With echo: show `::debug::` lines, as GitHub does with debug logging on (the step also gets RUNNER_DEBUG=1 then). */
  debug?: boolean
  onSpawn?: (child: ChildProcess) => void
}

/**
 * Runs the action once. `env` is the job's environment (e.g. the artifact service's env()), `inputs`
 * the step's `with:`; the runner expands `${{ github.token }}` from GITHUB_TOKEN.
 */
export async function runAction(env: Record<string, string>, inputs: Record<string, string>, options: RunActionOptions = {}): Promise<ActionRun> {
  if (!existsSync(DIST)) throw new Error(`${DIST} is missing: build it with npm run bundle`)
  const dir = await mkdtemp(path.join(os.tmpdir(), 'action-run-'))
  const outputPath = path.join(dir, 'github_output')
  const summaryPath = path.join(dir, 'step_summary')
  await writeFile(outputPath, '')
  await writeFile(summaryPath, '')
  const childEnv: Record<string, string> = {PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.homedir(), ...(options.debug ? {RUNNER_DEBUG: '1'} : {}), ...env}
  childEnv.GITHUB_OUTPUT = outputPath
  childEnv.GITHUB_STEP_SUMMARY = summaryPath
  for (const [name, value] of Object.entries({...actionDefaults(), ...inputs})) {
    childEnv[`INPUT_${name.toUpperCase()}`] = value.replace('${{ github.token }}', env.GITHUB_TOKEN ?? '')
  }
  const child = spawn(process.execPath, [DIST], {env: childEnv, cwd: env.GITHUB_WORKSPACE ?? dir, stdio: ['ignore', 'pipe', 'pipe']})
  options.onSpawn?.(child)
  let stdout = ''
  let stderr = ''
  // The runner reads commands on both streams and masks with one set of secrets.
  const masks = new Set<string>()
  const shownOut = runLogRenderer({debug: options.debug, masks})
  const shownErr = runLogRenderer({debug: options.debug, masks})
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d
    if (options.echo) process.stdout.write(shownOut.write(d))
  })
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d
    if (options.echo) process.stderr.write(shownErr.write(d))
  })
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', resolve)
  })
  if (options.echo) {
    process.stdout.write(shownOut.end())
    process.stderr.write(shownErr.end())
  }
  const outputFile = await readFile(outputPath, 'utf8')
  const summary = await readFile(summaryPath, 'utf8')
  await rm(dir, {recursive: true, force: true})
  return {code, stdout, stderr, outputs: parseOutputFile(outputFile), outputFile, summary}
}

export interface WorkflowCommand {
  name: string
  /** The properties, e.g. `title=X,file=a.tf`, escaped as sent. */
  properties: string
  /** The message, unescaped (%0A → newline, …). */
  message: string
}

/**
 * The workflow commands in a step's stdout as the runner reads them: a line (leading blanks allowed) of the form
 * `::name properties::message`; nothing between `::stop-commands::<token>` and `::<token>::` is a command.
 */
export function workflowCommands(stdout: string): WorkflowCommand[] {
  const commands: WorkflowCommand[] = []
  let stopToken: string | null = null
  for (const raw of stdout.split('\n')) {
    const line = raw.replace(/\r$/, '').trimStart()
    if (stopToken !== null) {
      if (line === `::${stopToken}::`) stopToken = null
      continue
    }
    const m = /^::([A-Za-z-]+)(?: ([^:]*))?::(.*)$/.exec(line)
    if (!m) continue
    if (m[1] === 'stop-commands') {
      stopToken = m[3]!
      continue
    }
    commands.push({name: m[1]!, properties: m[2] ?? '', message: m[3]!.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%')})
  }
  return commands
}

/** The `::error::` annotations the step printed (what the run page shows). */
export function errorAnnotations(run: ActionRun): string[] {
  return workflowCommands(run.stdout)
    .filter(c => c.name === 'error')
    .map(c => c.message)
}

export function warningAnnotations(run: ActionRun): string[] {
  return workflowCommands(run.stdout)
    .filter(c => c.name === 'warning')
    .map(c => c.message)
}

/**
 * Places where `secret` appears in what a run leaves behind. `::add-mask::` lines are the masking
 * itself (the runner consumes them and never shows them); every other stdout/stderr line counts.
 */
export function leaks(secret: string, run: ActionRun, extra: Array<[string, string | Buffer]> = []): string[] {
  const forms = [...new Set([secret, encodeURIComponent(secret)])]
  const found: string[] = []
  const places: Array<[string, string | Buffer]> = [
    ...run.stdout.split('\n').filter(l => !l.startsWith('::add-mask::')).map((l, i): [string, string] => [`stdout line ${i + 1}`, l]),
    ...run.stderr.split('\n').map((l, i): [string, string] => [`stderr line ${i + 1}`, l]),
    ['GITHUB_OUTPUT', run.outputFile],
    ['GITHUB_STEP_SUMMARY', run.summary],
    ...extra
  ]
  for (const [where, content] of places) {
    for (const form of forms) {
      const hit = typeof content === 'string' ? content.includes(form) : content.includes(Buffer.from(form))
      if (hit) found.push(`${where} contains ${JSON.stringify(form)}`)
    }
  }
  return found
}

/** The `::add-mask::` values registered, in order, and how many other lines came before each. */
export function maskedBefore(run: ActionRun, secret: string): {masked: boolean; linesBefore: number} {
  const lines = run.stdout.split('\n')
  const i = lines.findIndex(l => l === `::add-mask::${secret.replace(/%/g, '%25')}`)
  return {masked: i >= 0, linesBefore: lines.slice(0, Math.max(i, 0)).filter(l => !l.startsWith('::add-mask::')).length}
}

/** Every file in a zip, by path, read with yauzl (independent of the client's own unzip). */
export function readZip(zip: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, {lazyEntries: true}, (error, file) => {
      if (error) return reject(error)
      const files = new Map<string, Buffer>()
      file.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) return file.readEntry()
        file.openReadStream(entry, (streamError, stream) => {
          if (streamError) return reject(streamError)
          const chunks: Buffer[] = []
          stream.on('data', (c: Buffer) => chunks.push(c))
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(chunks))
            file.readEntry()
          })
          stream.on('error', reject)
        })
      })
      file.on('end', () => resolve(files))
      file.on('error', reject)
      file.readEntry()
    })
  })
}
