// The kinds of failure a user can meet, each carrying what the user needs to act. Every error this project throws is
// one of them (a few subclasses add data: a position in a file, what a restore wrote); the CLI maps a kind to its exit
// code in one place (src/cli/exit-codes.ts), the action reports the message. Messages say what is wrong and what to do.

export type ErrorKind =
  /** The command line or an action input is wrong: the user changes how the run is started. */
  | 'usage'
  /** A value the run was given is unusable (config.ini, a query, a chain of exports that does not continue). */
  | 'input'
  /** Stored data is damaged: a file, an archive or a manifest fails its checks. */
  | 'corrupt'
  /** The server or the storage refused (connection, permission, a write error, a name already taken). */
  | 'refused'
  /** A defect of this tool (an API misused, a state that cannot happen). */
  | 'internal'

export interface ToolErrorOptions {
  cause?: unknown
  /** A stable word for code that must tell one refusal from another (e.g. 'artifact-name-taken'). */
  code?: string
}

export class ToolError extends Error {
  readonly kind: ErrorKind
  readonly code: string | undefined
  constructor(kind: ErrorKind, message: string, options: ToolErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.kind = kind
    this.code = options.code
    this.name = new.target.name
  }
}

/** Bad command line or action input. `input` names the action input or flag when there is one. */
export class UsageError extends ToolError {
  readonly input: string | undefined
  constructor(message: string, options: ToolErrorOptions & {input?: string} = {}) {
    super('usage', options.input === undefined ? message : `Input '${options.input}': ${message}`, options)
    this.input = options.input
  }
}

/** An unusable value: a config file, a query, a time, a chain of exports. */
export class InputError extends ToolError {
  constructor(message: string, options: ToolErrorOptions = {}) {
    super('input', message, options)
  }
}

/** Damaged data: a file, an archive, a manifest. */
export class CorruptDataError extends ToolError {
  constructor(message: string, options: ToolErrorOptions = {}) {
    super('corrupt', message, options)
  }
}

/** The server or the storage refused. `status` is the HTTP status where there is one. */
export class RefusedError extends ToolError {
  readonly status: number | undefined
  constructor(message: string, options: ToolErrorOptions & {status?: number} = {}) {
    super('refused', message, options)
    this.status = options.status
  }
}

/** A defect of this tool. */
export class InternalError extends ToolError {
  constructor(message: string, options: ToolErrorOptions = {}) {
    super('internal', message, options)
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

export function errorKind(error: unknown): ErrorKind {
  return error instanceof ToolError ? error.kind : 'internal'
}
