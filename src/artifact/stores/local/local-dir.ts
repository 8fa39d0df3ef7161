// A local directory as the destination of an export (the CLI's --out, the action's `path`): the export is written
// into a staging directory inside it and only moved into DIR/outputs and DIR/logs once it is complete, so a failed
// or cancelled export leaves every earlier file exactly as it was. What it replaces waits in the staging directory
// until the caller calls finish() (after a successful upload, say) or rollback() (after a failed one).
// A staging directory left by a killed process is cleaned at the next open: a replaced export it still holds is put
// back where nothing took its place.

import {randomBytes} from 'node:crypto'
import {link, mkdir, readdir, readFile, rename, rm, stat, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {MANIFEST_FILE, readManifestFile, TOOL_NAME} from '../../manifest.ts'
import type {Logger} from '../../../common/log.ts'
import {InputError, RefusedError} from '../../../common/errors.ts'

export const EXPORT_SUBDIRS = ['outputs', 'logs'] as const
const STAGING_PREFIX = `.${TOOL_NAME}-`
const SWAPPED_MARKER = 'swapping.json'
const TRASH_PREFIX = `.${TOOL_NAME}-trash-`
const STAGING_RE = new RegExp(`^\\.${TOOL_NAME}-(\\d+)-[0-9a-f]+$`)

export interface LocalExport {
  /** The destination, DIR. */
  dir: string
  /** Where the export job writes its outputs/ and logs/ (inside DIR, so every move is a rename on one file system). */
  stagingDir: string
  /** The sub-directories of DIR that held an earlier export of this tool. */
  existing: string[]
  /** Moves the finished export into DIR/outputs and DIR/logs; what was there waits in the staging directory. */
  swapIn(): Promise<void>
  /** Puts DIR back as it was before swapIn(). */
  rollback(): Promise<void>
  /** Removes the staging directory and what it holds (the replaced export once swapped in, else the unfinished one). */
  finish(): Promise<void>
}

export interface OpenOptions {
  /** How the caller names DIR in messages, e.g. `Input 'path'` or `--out`. */
  label: string
  /** Whether an earlier export of this tool in DIR may be replaced (the action's `path`: yes; the CLI: --replace). */
  replace: boolean
  /** Hint added when an earlier export is refused. */
  refuseHint?: string
  logger: Logger
}

/** Checks DIR before anything is exported, cleans stale staging directories and makes a fresh one. */
export async function openLocalExport(dir: string, o: OpenOptions): Promise<LocalExport> {
  const info = await stat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null
    throw new InputError(`${o.label}: ${dir} cannot be used (${error.code ?? error.message}); choose another directory.`, {cause: error})
  })
  if (info !== null && !info.isDirectory()) throw new InputError(`${o.label}: ${dir} is a file, not a directory; choose a directory (it is created if missing).`)
  try {
    await mkdir(dir, {recursive: true})
  } catch (error) {
    throw new InputError(`${o.label}: ${dir} cannot be created (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); choose a directory you can write to.`, {cause: error})
  }
  await cleanStaleStaging(dir, o.logger)

  const existing: string[] = []
  for (const sub of EXPORT_SUBDIRS) {
    const target = path.join(dir, sub)
    let entries: string[]
    try {
      entries = await readdir(target)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT') continue
      throw new InputError(`${o.label}: ${target} cannot be used for the export (${code === 'ENOTDIR' ? 'it is a file' : (code ?? (error as Error).message)}); choose another directory.`, {cause: error})
    }
    if (entries.length === 0) continue
    const manifest = await readManifestFile(path.join(target, MANIFEST_FILE)).catch(() => null)
    if (manifest?.tool !== TOOL_NAME) {
      throw new InputError(
        `${o.label}: ${target} already exists and was not written by ${TOOL_NAME} (it has no ${MANIFEST_FILE} of this tool), so it is not replaced. ` +
          `Choose a new or empty directory, or remove ${target}.`
      )
    }
    existing.push(sub)
  }
  if (existing.length > 0 && !o.replace) {
    throw new InputError(`${o.label}: ${dir} already holds an export (${existing.join(', ')}), which a restore of the chain needs; it is not replaced.${o.refuseHint ? ` ${o.refuseHint}` : ''}`)
  }

  const stagingDir = path.join(dir, `${STAGING_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`)
  await mkdir(stagingDir)
  const replaced = new Set<string>()
  const movedIn = new Set<string>()
  const local: LocalExport = {
    dir,
    stagingDir,
    existing,
    async swapIn() {
      try {
        // Recorded first, so that a process killed in the middle (or before finish()) is undone by the next open.
        await writeFile(path.join(stagingDir, SWAPPED_MARKER), JSON.stringify(EXPORT_SUBDIRS))
        for (const sub of EXPORT_SUBDIRS) {
          const to = path.join(dir, sub)
          try {
            await rename(to, path.join(stagingDir, `replaced-${sub}`))
            replaced.add(sub)
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
          }
          await rename(path.join(stagingDir, sub), to)
          movedIn.add(sub)
        }
      } catch (error) {
        await local.rollback().catch(() => undefined)
        throw new RefusedError(`Moving the export into ${dir} failed (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); ${dir} is as it was before.`, {cause: error})
      }
    },
    async rollback() {
      for (const sub of EXPORT_SUBDIRS) {
        const to = path.join(dir, sub)
        if (movedIn.has(sub)) await rm(to, {recursive: true, force: true})
        movedIn.delete(sub)
        if (replaced.has(sub)) await rename(path.join(stagingDir, `replaced-${sub}`), to)
        replaced.delete(sub)
      }
    },
    async finish() {
      // Renamed first (atomic): a kill during the delete leaves a trash directory, never a staging directory whose
      // leftovers the next open would take for an unconfirmed swap.
      const trash = path.join(dir, `${TRASH_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`)
      await rename(stagingDir, trash).catch(() => undefined)
      await rm(trash, {recursive: true, force: true})
      await rm(stagingDir, {recursive: true, force: true})
    }
  }
  return local
}

/**
 * Staging directories of processes that no longer run. A process that died after swapIn() but before finish() left
 * an export in DIR that was never confirmed (uploaded, for the action): it is taken out again and what it replaced
 * is put back, so DIR never keeps a watermark that may not have been uploaded. Then the staging directory goes.
 */
async function cleanStaleStaging(dir: string, logger: Logger): Promise<void> {
  for (const name of await readdir(dir)) {
    if (name.startsWith(TRASH_PREFIX)) {
      await rm(path.join(dir, name), {recursive: true, force: true})
      continue
    }
    const m = STAGING_RE.exec(name)
    if (!m || isAlive(Number(m[1]))) continue
    const staging = path.join(dir, name)
    const swapping = await exists(path.join(staging, SWAPPED_MARKER))
    for (const sub of EXPORT_SUBDIRS) {
      const target = path.join(dir, sub)
      const movedIn = swapping && !(await exists(path.join(staging, sub)))
      if (movedIn) await rm(target, {recursive: true, force: true})
      const replacedDir = path.join(staging, `replaced-${sub}`)
      if (await exists(replacedDir)) {
        await rm(target, {recursive: true, force: true})
        await rename(replacedDir, target)
        logger.notice(`Put back the earlier export in ${target}: an export that was killed (pid ${m[1]}) had replaced it before it could finish.`)
      } else if (movedIn) {
        logger.notice(`Removed ${target}: an export that was killed (pid ${m[1]}) had put it there before it could finish.`)
      }
    }
    await rm(staging, {recursive: true, force: true})
    logger.info(`Removed ${staging}, left by an export that was killed (pid ${m[1]}).`)
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false
  )
}

export interface HeldLock {
  release(): Promise<void>
}

/**
 * An exclusive lock file (pid inside), taken over when its process is gone. Two CLI exports continuing from the same
 * previous export at once would both export the same documents; the lock beside that export makes the second fail.
 * Where no lock can be made (a read-only download), the caller is warned and goes on.
 */
export async function lockBeside(file: string, what: string, logger: Logger): Promise<HeldLock> {
  const lockPath = path.join(path.dirname(file), `.${path.basename(file)}.${TOOL_NAME}.lock`)
  // The pid is written to a file of our own, then linked into place: the lock never exists without its pid.
  const mine = `${lockPath}.${process.pid}-${randomBytes(4).toString('hex')}`
  try {
    await writeFile(mine, String(process.pid), {flag: 'wx'})
  } catch (error) {
    logger.warning(`Could not lock ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}), so another export continuing from it at the same time would not be noticed.`)
    return {release: async () => undefined}
  }
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await link(mine, lockPath)
        return {release: () => rm(lockPath, {force: true}).catch(() => undefined)}
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          logger.warning(`Could not lock ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}), so another export continuing from it at the same time would not be noticed.`)
          return {release: async () => undefined}
        }
      }
      const holder = Number(await readFile(lockPath, 'utf8').catch(() => ''))
      if (holder > 0 && isAlive(holder)) {
        throw new RefusedError(
          `Another export (pid ${holder}) is continuing from ${file} right now; two exports continuing from the same ${what} would export the same documents. ` +
            `Wait for it to finish and continue from its result instead (or delete ${lockPath} if no such export runs).`
        )
      }
      // A dead holder's lock: moved aside under a name of our own (only one taker can move it), then retried.
      await rename(lockPath, `${mine}.stale`).catch(() => undefined)
      await rm(`${mine}.stale`, {force: true})
    }
    throw new RefusedError(`Could not take the lock ${lockPath}; delete it if no export is running.`)
  } finally {
    await rm(mine, {force: true})
  }
}
