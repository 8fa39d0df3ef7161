// GitHub Actions artifacts as a Store: the one lister, downloader and remover of artifacts, through the REST API
// with plain fetch (no @actions/*), so the action (since: auto, the baseline) and the CLI (restore --from-github)
// share it. Only artifacts uploaded by runs of the repository itself count: a pull request from a fork runs in the
// repository, but its code and artifacts are the fork's, so they are counted as untrusted and never returned.
// Uploading needs the runner's results service, which only the action has (src/action/upload.ts).

import {createWriteStream} from 'node:fs'
import {mkdir, mkdtemp, rm} from 'node:fs/promises'
import {dirname, join, posix, resolve, sep} from 'node:path'
import {Readable} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import yauzl from 'yauzl'
import {CorruptDataError, InputError, RefusedError} from '../../../common/errors.ts'
import type {SetListing, SetQuery, Store, StoredSet} from '../../store.ts'

/** The REST API lists newest first; a family older than this many pages is treated as absent. */
export const MAX_PAGES = 10
export const PAGE_SIZE = 100

export interface GitHubArtifactsOptions {
  /** owner/name */
  repository: string
  token: string
  /** GITHUB_API_URL; default https://api.github.com */
  apiUrl?: string | undefined
}

interface RestArtifact {
  id: number
  name: string
  size_in_bytes?: number
  expired: boolean
  created_at: string | null
  archive_download_url: string
  workflow_run?: {id?: number | null; repository_id?: number | null; head_repository_id?: number | null; head_branch?: string | null} | null
}

/** Newer first: by creation time, then by id (ids grow). */
export function newerFirst(a: StoredSet, b: StoredSet): number {
  return (b.createdAt ?? '').localeCompare(a.createdAt ?? '') || Number(b.id) - Number(a.id)
}

export class GitHubArtifacts implements Store {
  readonly label: string
  readonly #api: string
  readonly #repository: string
  readonly #headers: Record<string, string>

  constructor(o: GitHubArtifactsOptions) {
    if (!/^[\w.-]+\/[\w.-]+$/.test(o.repository)) throw new InputError(`"${o.repository}" is not a GitHub repository (owner/name).`)
    this.#repository = o.repository
    this.#api = (o.apiUrl || 'https://api.github.com').replace(/\/$/, '')
    this.#headers = {authorization: `Bearer ${o.token}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28'}
    this.label = `GitHub artifacts of ${o.repository}`
  }

  async list(q: SetQuery): Promise<SetListing> {
    const sets: StoredSet[] = []
    let untrusted = 0
    for (let page = 1; page <= MAX_PAGES; page++) {
      const url = new URL(`${this.#api}/repos/${this.#repository}/actions/artifacts`)
      url.searchParams.set('per_page', String(PAGE_SIZE))
      url.searchParams.set('page', String(page))
      if (q.exactName !== undefined) url.searchParams.set('name', q.exactName)
      const response = await this.#fetch(url, 'list the artifacts')
      const body = (await response.json()) as {artifacts?: RestArtifact[]}
      const artifacts = body.artifacts ?? []
      let stop = false
      for (const a of artifacts) {
        const run = a.workflow_run
        if (a.expired || run?.id == null || !q.family.test(a.name)) continue
        if (run.head_repository_id == null || run.head_repository_id !== run.repository_id) {
          untrusted++
          continue
        }
        const set: StoredSet = {name: a.name, id: String(a.id), createdAt: a.created_at ?? null, runId: run.id, headBranch: run.head_branch ?? null, size: a.size_in_bytes ?? null}
        sets.push(set)
        if (q.stopAtFirstPageWith?.(set)) stop = true
      }
      if (stop || artifacts.length < PAGE_SIZE) return {sets, untrusted, exhausted: false}
    }
    return {sets, untrusted, exhausted: q.stopAtFirstPageWith !== undefined}
  }

  async download(set: StoredSet, dir: string): Promise<void> {
    const url = new URL(`${this.#api}/repos/${this.#repository}/actions/artifacts/${encodeURIComponent(set.id)}/zip`)
    const response = await this.#fetch(url, `download the artifact "${set.name}"`)
    if (response.body === null) throw new RefusedError(`${this.label}: the artifact "${set.name}" came without a body; download it again.`)
    await mkdir(dir, {recursive: true})
    const scratch = await mkdtemp(join(dirname(resolve(dir)), '.artifact-'))
    try {
      const zipPath = join(scratch, 'artifact.zip')
      await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), createWriteStream(zipPath))
      await unzipInto(zipPath, dir, `the artifact "${set.name}"`)
    } finally {
      await rm(scratch, {recursive: true, force: true})
    }
  }

  async remove(set: StoredSet): Promise<void> {
    const url = new URL(`${this.#api}/repos/${this.#repository}/actions/artifacts/${encodeURIComponent(set.id)}`)
    await this.#fetch(url, `delete the artifact "${set.name}"`, 'DELETE')
  }

  async #fetch(url: URL, what: string, method = 'GET'): Promise<Response> {
    let response: Response
    try {
      response = await fetch(url, {method, headers: this.#headers, redirect: 'follow'})
    } catch (error) {
      throw new RefusedError(`${this.label}: could not ${what} (${(error as Error).message}).`, {cause: error})
    }
    if (!response.ok) {
      await response.body?.cancel()
      const permission = method === 'DELETE' ? 'actions: write' : 'actions: read'
      const hint = response.status === 401 || response.status === 403 || response.status === 404 ? `; the token needs ${permission} on ${this.#repository}` : ''
      throw new RefusedError(`${this.label}: could not ${what} (HTTP ${response.status})${hint}.`, {status: response.status})
    }
    return response
  }
}

/** The zip's files under `dir`; an entry that would land outside it (absolute, `..`) is refused before it is written. */
export async function unzipInto(zipPath: string, dir: string, what: string): Promise<void> {
  const root = resolve(dir)
  const zip = await yauzl.openPromise(zipPath, {lazyEntries: true, autoClose: false}).catch((error: Error) => {
    throw new CorruptDataError(`${what} is not a readable zip archive (${error.message}); download it again.`)
  })
  try {
    for await (const entry of zip.eachEntry()) {
      const name = entry.fileName.replaceAll('\\', '/')
      if (name.endsWith('/')) continue
      const normalized = posix.normalize(name)
      const target = resolve(root, normalized)
      if (posix.isAbsolute(name) || normalized.startsWith('../') || !target.startsWith(root + sep)) {
        throw new CorruptDataError(`${what} holds an entry outside its directory: ${JSON.stringify(entry.fileName)}; it was not written by this tool.`)
      }
      await mkdir(dirname(target), {recursive: true})
      await pipeline(await zip.openReadStreamPromise(entry), createWriteStream(target, {flags: 'wx'}))
    }
  } finally {
    zip.close()
  }
}
