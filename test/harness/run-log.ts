// A step's output as a person reads it in a GitHub run's log, for `npm run demo` (test/action-runner.ts renders the
// child's stdout and stderr through it). The workflow commands are read as actions/runner reads them
// (ActionCommand.TryParseV2 / TryParse and ActionCommandManager):
//   `::name k=v,k=v::data` after any leading blanks, and the older `##[name k=v;k=v]data` anywhere in a line, the name
//   one of the runner's commands (any case; any other name leaves the line as it is); data unescapes %0D %0A %25.
// and shown as the log shows them:
//   debug            hidden, or `Debug: data` when debug logging is on (RUNNER_DEBUG=1 on GitHub)
//   warning, error,
//   notice           `Warning: data`, `Error: data`, `Notice: data` (file, line, title, ... go to the annotation, not the log)
//   group            a heading line `▸ NAME`, the lines up to endgroup indented under it; endgroup hidden
//   add-mask         hidden, and its value (and the value URI-escaped) printed as *** from then on, in every line
//   stop-commands    printed (the runner prints it and the resume line); lines up to `::<token>::` are plain text
//   set-output, save-state, echo, add-matcher, remove-matcher: hidden
//   set-env, add-path: refused by the runner, shown as the error it prints

const COMMANDS = new Set(['add-mask', 'add-matcher', 'add-path', 'debug', 'echo', 'endgroup', 'error', 'group', 'notice', 'remove-matcher', 'save-state', 'set-env', 'set-output', 'stop-commands', 'warning'])
const LABELS: Record<string, string> = {warning: 'Warning', error: 'Error', notice: 'Notice'}

export interface RunLogOptions {
  /** Show `::debug::` lines (GitHub shows them when debug logging is on: RUNNER_DEBUG=1). */
  debug?: boolean
  /** The `::add-mask::` values; share one set between a step's stdout and stderr, as the runner does. */
  masks?: Set<string>
}

export interface RunLogRenderer {
  /** Takes a chunk of output; returns the rendered text of the lines it completed. */
  write(chunk: string): string
  /** Renders the unterminated last line, if any. */
  end(): string
}

export function runLogRenderer(options: RunLogOptions = {}): RunLogRenderer {
  const masks = options.masks ?? new Set<string>()
  let pending = ''
  let stopToken: string | null = null
  let inGroup = false

  const mask = (text: string): string => {
    for (const value of [...masks].sort((a, b) => b.length - a.length)) text = text.replaceAll(value, '***')
    return text
  }
  // ActionCommand's unescaping, %25 last: the `::` form's data, or the `##[` form's (which also has %3B and %5D).
  const unescape = (text: string, v1: boolean): string => {
    let out = v1 ? text.replaceAll('%3B', ';') : text
    out = out.replaceAll('%0D', '\r').replaceAll('%0A', '\n')
    if (v1) out = out.replaceAll('%5D', ']')
    return out.replaceAll('%25', '%')
  }
  // The runner's two parsers, the `::` form first; a name it does not know is no command (the stop token is one while stopped).
  const parse = (line: string): {name: string; data: string} | null => {
    const known = (name: string) => COMMANDS.has(name.toLowerCase()) || (!!stopToken && name.toLowerCase() === stopToken)
    const text = line.trimStart()
    const end = text.startsWith('::') ? text.indexOf('::', 2) : -1
    if (end >= 0) {
      const name = text.slice(2, end).split(' ')[0]!
      if (known(name)) return {name: name.toLowerCase(), data: unescape(text.slice(end + 2), false)}
    }
    const start = line.indexOf('##[')
    const close = start >= 0 ? line.indexOf(']', start) : -1
    if (close >= 0) {
      const name = line.slice(start + 3, close).split(' ')[0]!
      if (known(name)) return {name: name.toLowerCase(), data: unescape(line.slice(close + 1), true)}
    }
    return null
  }
  const show = (text: string): string =>
    mask(text)
      .split(/\r\n|\r|\n/)
      .map(l => `${inGroup && l !== '' ? '  ' : ''}${l}\n`)
      .join('')

  const renderLine = (line: string): string => {
    const command = parse(line)
    if (stopToken !== null) {
      if (command?.name === stopToken) stopToken = null
      return show(line)
    }
    if (command === null) return show(line)
    const {name, data} = command
    switch (name) {
      case 'stop-commands':
        stopToken = data.toLowerCase()
        return show(line)
      case 'add-mask':
        if (data.trim() === '') return show("Warning: Can't add secret mask for empty string in ##[add-mask] command.")
        for (const value of new Set([data, encodeURIComponent(data)])) masks.add(value)
        return ''
      case 'debug':
        return options.debug ? show(`Debug: ${data}`) : ''
      case 'warning':
      case 'error':
      case 'notice':
        return show(`${LABELS[name]}: ${data}`)
      case 'group': {
        inGroup = false
        const heading = show(`▸ ${data}`)
        inGroup = true
        return heading
      }
      case 'endgroup':
        inGroup = false
        return ''
      case 'set-env':
      case 'add-path':
        return show(`Error: Unable to process command '${line.trim()}' successfully.`)
      default:
        return ''
    }
  }

  return {
    write(chunk) {
      const lines = (pending + chunk).split('\n')
      pending = lines.pop()!
      return lines.map(l => renderLine(l.replace(/\r$/, ''))).join('')
    },
    end() {
      const last = pending
      pending = ''
      return last === '' ? '' : renderLine(last.replace(/\r$/, ''))
    }
  }
}

/** A whole output rendered at once. */
export function renderRunLog(text: string, options: RunLogOptions = {}): string {
  const renderer = runLogRenderer(options)
  return renderer.write(text) + renderer.end()
}
