// Artifact uploads through the unmodified @actions/artifact client, with the behaviour users
// expect from upload-artifact (overwrite, retention clamp) and errors that say what to change.

import {ArtifactNotFoundError, DefaultArtifactClient} from '@actions/artifact'
import {readdir} from 'node:fs/promises'
import * as path from 'node:path'
import type {ActionLogger} from './logger.ts'
import {RefusedError} from '../common/errors.ts'

export interface ArtifactToUpload {
  /** The input that named it, quoted in errors. */
  input: 'output-artifact-name' | 'logs-artifact-name' | 'backup-artifact-name'
  name: string
  /** Every file below this directory goes into the zip, paths relative to it. */
  rootDirectory: string
}

export interface UploadSettings {
  /** 0 = repository default; already clamped (see clampRetentionDays). */
  retentionDays: number
  compressionLevel: number
  overwrite: boolean
}

export interface UploadedArtifact {
  name: string
  id: number
  size: number
  /** Bare hex sha256 of the zip, as upload-artifact's `artifact-digest`. */
  digest: string
  url: string
}

/**
 * The service refuses retention above the repository's limit (GITHUB_RETENTION_DAYS); clamp it here
 * so the warning can name our input.
 */
export function clampRetentionDays(requested: number, env: Record<string, string | undefined>): {days: number; warning?: string} {
  const limit = Number.parseInt(env['GITHUB_RETENTION_DAYS'] ?? '', 10)
  if (requested === 0 || !Number.isFinite(limit) || limit <= 0 || requested <= limit) return {days: requested}
  return {
    days: limit,
    warning: `Input 'retention-days' (${requested}) is above this repository's artifact retention limit; using ${limit} days.`
  }
}

/** The artifact's page, built as upload-artifact builds it. */
export function artifactUrl(env: Record<string, string | undefined>, id: number): string {
  const server = env['GITHUB_SERVER_URL'] || 'https://github.com'
  return `${server}/${env['GITHUB_REPOSITORY'] ?? ''}/actions/runs/${env['GITHUB_RUN_ID'] ?? ''}/artifacts/${id}`
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, {recursive: true, withFileTypes: true})
  return entries
    .filter(e => e.isFile())
    .map(e => path.join(e.parentPath, e.name))
    .sort()
}

function isNameConflict(error: unknown): boolean {
  return error instanceof Error && /\(409\)|already exists/i.test(error.message)
}

/** The code of the RefusedError for a name taken by another artifact of this run: nothing of ours was created under it. */
export const NAME_TAKEN = 'artifact-name-taken'

export function isNameTaken(error: unknown): boolean {
  return error instanceof RefusedError && error.code === NAME_TAKEN
}

function nameTaken(input: ArtifactToUpload['input'], name: string, cause?: unknown): RefusedError {
  return new RefusedError(
    `An artifact named "${name}" already exists in this workflow run. ` +
      `Give this job its own name with the input '${input}' (for example add {job} or {container}), ` +
      `or set 'overwrite: true' to replace it.`,
    {code: NAME_TAKEN, ...(cause === undefined ? {} : {cause})}
  )
}

export function createUploader(logger: ActionLogger, settings: UploadSettings, env: Record<string, string | undefined>) {
  const client = new DefaultArtifactClient()

  async function deleteIfExists(name: string): Promise<void> {
    try {
      await client.deleteArtifact(name)
      logger.info(`Deleted the existing artifact "${name}" (overwrite: true).`)
    } catch (error) {
      if (error instanceof ArtifactNotFoundError) {
        logger.debug(`No existing artifact "${name}" to delete.`)
        return
      }
      throw error
    }
  }

  /** 'absent' once it is gone (deleted now, or never there); 'unknown' when the delete failed. */
  async function removeIfPresent(name: string): Promise<'absent' | 'unknown'> {
    try {
      await client.deleteArtifact(name)
      logger.info(`Deleted the artifact "${name}" so that no half of this export stays uploaded.`)
      return 'absent'
    } catch (error) {
      if (error instanceof ArtifactNotFoundError) return 'absent'
      logger.warning(`Could not delete the artifact "${name}" after the failed upload: ${(error as Error).message}`)
      return 'unknown'
    }
  }

  return {
    async upload(artifact: ArtifactToUpload): Promise<UploadedArtifact> {
      const files = await listFiles(artifact.rootDirectory)
      if (settings.overwrite) await deleteIfExists(artifact.name)
      let response
      try {
        response = await client.uploadArtifact(artifact.name, files, artifact.rootDirectory, {
          retentionDays: settings.retentionDays === 0 ? undefined : settings.retentionDays,
          compressionLevel: settings.compressionLevel
        })
      } catch (error) {
        // A name found free just before (uploadBoth checks) and now "taken" is most likely our own Finalize retried
        // after it committed: the caller decides from the run's artifact list, never from this message.
        if (isNameConflict(error)) throw nameTaken(artifact.input, artifact.name, error)
        throw new RefusedError(`Uploading the artifact "${artifact.name}" failed: ${(error as Error).message}`, {cause: error})
      }
      if (response.id === undefined || !Number.isSafeInteger(response.id) || response.id <= 0 || !response.digest) {
        // Finalize succeeded, so the artifact exists; without its id and digest it cannot be reported or verified.
        const removed = await removeIfPresent(artifact.name)
        throw new RefusedError(
          `Uploading the artifact "${artifact.name}" failed: the artifact service returned no id or digest` +
            (removed === 'unknown' ? '; it could not be deleted (see the summary for what is safe to do)' : '; no artifact of that name is left')
        )
      }
      const uploaded = {
        name: artifact.name,
        id: response.id,
        size: response.size ?? 0,
        digest: response.digest,
        url: artifactUrl(env, response.id)
      }
      logger.info(`Uploaded "${uploaded.name}": ${files.length} files, ${uploaded.size} bytes, id ${uploaded.id}, sha256 ${uploaded.digest}`)
      return uploaded
    },

    /** Best effort: takes back an artifact of this export after a failure; an absent one is fine. */
    removeIfPresent,

    nameTaken,

    /** This run's artifacts (latest of each name), or null when the service cannot be asked. */
    async listRunArtifacts(): Promise<Array<{name: string; id: number}> | null> {
      try {
        const {artifacts} = await client.listArtifacts({latest: true})
        return artifacts.map(a => ({name: a.name, id: a.id}))
      } catch (error) {
        logger.warning(`Could not list this run's artifacts to find out what the failed upload left: ${(error as Error).message}`)
        return null
      }
    }

  }
}

export type Uploader = ReturnType<typeof createUploader>
