// The error of a restore (JSON files and archives alike) and the tally behind it: what a restore that stopped had
// changed on the server (documents written or maybe written, collections dropped or created), and the warning that
// says so and how to finish. A restore that stops before its first write carries no tally: nothing was changed.

import type {RawWriteMode} from '../../mongo/raw-writes.ts'
import {shownName} from '../../mongo/names.ts'
import {ToolError, type ErrorKind} from '../../common/errors.ts'

/** What a restore that stopped had changed on the server. */
export interface WrittenSummary {
  mode: RawWriteMode
  /** Documents the server acknowledged as inserted, replaced or updated. */
  documents: number
  /** Documents sent in a command whose outcome is unknown (the connection failed): maybe written. */
  uncertain: number
  /** Files (of an archive: namespaces) done, and how many there are. */
  filesComplete: number
  fileCount: number
  /** Namespaces (db.collection) the acknowledged documents went to. */
  collections: string[]
  /** Namespaces dropped by --drop. */
  dropped: string[]
  /** An archive restore's (files have none): the collections and views it created. Its parts are namespaces. */
  created?: string[]
}

/** Restore could not run or stopped; nothing (verification, pre-check) or only part (a write error) was written. */
export class RestoreError extends ToolError {
  /** What was changed before the error; undefined when the error came before any write. */
  readonly written: WrittenSummary | undefined
  /** True when the server's data was changed (documents written or maybe written, collections dropped or created). */
  readonly partial: boolean
  /** `kind`: what stopped it; by default the server or the files refused (a checked source that is unusable says so). */
  constructor(message: string, written?: WrittenSummary, kind: ErrorKind = 'refused') {
    super(kind, message)
    this.written = written
    this.partial = written !== undefined && (written.documents > 0 || written.uncertain > 0 || written.dropped.length > 0 || (written.created?.length ?? 0) > 0)
  }

  /** The warning to print when `partial`: how much was written where, and how to finish. */
  get partialWarning(): string | undefined {
    return partialWriteWarning(this)
  }
}

/**
 * The warning for a restore that stopped after changing data: how much was written where, and how to
 * finish. Undefined when nothing was changed.
 */
export function partialWriteWarning(error: RestoreError): string | undefined {
  const w = error.written
  if (w === undefined || !error.partial) return undefined
  const created = w.created
  const archive = created !== undefined
  const parts = [`${w.documents} document(s) written`]
  if (w.collections.length > 0) parts[0] += ` into ${listNamespaces(w.collections)}`
  parts.push(`${w.filesComplete} of ${w.fileCount} ${archive ? 'namespace(s)' : 'file(s)'} complete`)
  if (w.uncertain > 0) parts.push(`${w.uncertain} more document(s) were sent when the connection failed and may or may not have been written`)
  if (w.dropped.length > 0) parts.push(`dropped first (--drop): ${listNamespaces(w.dropped)}`)
  if (created !== undefined && created.length > 0) parts.push(`collections created: ${listNamespaces(created)}`)
  if (archive) {
    const redo =
      w.mode === 'insert'
        ? 'run it again with --drop (insert mode would skip or duplicate what is already there)'
        : `run the same command again (${w.mode} mode replaces documents by _id)`
    return `the archive restore stopped after changing the data: ${parts.join('; ')}. When the cause of the error is fixed, ${redo}.`
  }
  const redo =
    w.mode === 'insert'
      ? 'insert mode would add the written documents a second time: run it again with --drop (or with --mode upsert)'
      : `run the same command again: ${w.mode} mode replaces documents by _id, so nothing is duplicated${w.dropped.length > 0 ? ' (and --drop starts those collections over)' : ''}`
  return `the restore stopped after writing part of the data: ${parts.join('; ')}. When the cause of the error is fixed, ${redo}.`
}

/** What has been changed so far, for the error of a restore that stops: of files, or of an archive's namespaces. */
export class WriteTally {
  documents = 0
  uncertain = 0
  filesComplete = 0
  readonly collections = new Set<string>()
  readonly dropped = new Set<string>()
  readonly created = new Set<string>()
  private readonly of: 'files' | 'archive'
  private readonly mode: RawWriteMode
  private readonly fileCount: number
  constructor(of: 'files' | 'archive', mode: RawWriteMode, fileCount: number) {
    this.of = of
    this.mode = mode
    this.fileCount = fileCount
  }
  /** Counts a batch the server answered, for its file or namespace (`target`) and for the restore. */
  count(namespace: string, target: {imported: number; failed: number}, batch: {applied: number; writeErrors: readonly unknown[]}): void {
    target.imported += batch.applied
    target.failed += batch.writeErrors.length
    this.documents += batch.applied
    if (batch.applied > 0) this.collections.add(namespace)
  }
  summary(): WrittenSummary {
    return {
      mode: this.mode,
      documents: this.documents,
      uncertain: this.uncertain,
      filesComplete: this.filesComplete,
      fileCount: this.fileCount,
      collections: [...this.collections],
      dropped: [...this.dropped],
      ...(this.of === 'archive' ? {created: [...this.created]} : {})
    }
  }
}

/** An outside message inside ours: without its final period. */
export function clause(text: string): string {
  return text.trim().replace(/[.\s]+$/, '')
}

/** Namespaces for a message: the first ten, and how many more. */
export function listNamespaces(namespaces: string[]): string {
  const shown = namespaces.slice(0, 10).map(shownName).join(', ')
  return namespaces.length > 10 ? `${shown} and ${namespaces.length - 10} more` : shown
}
