// A point-in-time chain found through the GitHub REST API: the newest backup artifact (by name pattern) of a
// repository, made no later than `until`, and the outputs artifacts made after it (and by `until`), oldest first;
// artifacts of pull requests from forks never count. They are downloaded into a directory for restoreChain
// (src/jobs/restore/chain.ts), which then checks the whole chain before anything is written. Plain fetch, no @actions/*:
// the CLI uses it outside GitHub Actions too. The token comes from the environment, never from the command line.

import {createWriteStream} from 'node:fs'
import {mkdir} from 'node:fs/promises'
import {dirname, join} from 'node:path'
import {pipeline} from 'node:stream/promises'
import yauzl from 'yauzl'
import type {Logger} from '../../../common/log.ts'

export interface GitHubChainQuery {
  /** owner/name */
  repository: string
  /** Artifact name patterns, `*` matching anything. */
  backupName: string
  outputsName: string
  /** epoch ms; default now */
  until?: number
  token: string
  /** GITHUB_API_URL, default https://api.github.com */
  apiUrl?: string
  dir: string
  logger: Logger
}

interface RestArtifact {
  id: number
  name: string
  expired: boolean
  created_at: string
  archive_download_url: string
  workflow_run?: {id?: number; repository_id?: number; head_repository_id?: number}
}

const PAGE_SIZE = 100
const MAX_PAGES = 10

function glob(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map(p => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`)
}

export class GitHubChainError extends Error {}

/** Downloads the chain; returns the local paths in restore order (the backup directory first, then the zips). */
export async function downloadGitHubChain(q: GitHubChainQuery): Promise<string[]> {
  if (!/^[\w.-]+\/[\w.-]+$/.test(q.repository)) throw new GitHubChainError(`--from-github: "${q.repository}" is not owner/name.`)
  const api = (q.apiUrl || 'https://api.github.com').replace(/\/$/, '')
  const headers = {authorization: `Bearer ${q.token}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28'}
  const artifacts: RestArtifact[] = []
  for (let page = 1; page <= MAX_PAGES; page++) {
    const response = await fetch(`${api}/repos/${q.repository}/actions/artifacts?per_page=${PAGE_SIZE}&page=${page}`, {headers})
    if (!response.ok) throw new GitHubChainError(`Listing the artifacts of ${q.repository} failed (HTTP ${response.status}); the token needs actions: read on that repository.`)
    const body = (await response.json()) as {artifacts: RestArtifact[]}
    artifacts.push(...body.artifacts)
    if (body.artifacts.length < PAGE_SIZE) break
  }
  const until = q.until ?? Date.now()
  const own = artifacts.filter(a => !a.expired && a.workflow_run?.head_repository_id != null && a.workflow_run.head_repository_id === a.workflow_run.repository_id && Date.parse(a.created_at) <= until)
  const byTime = (a: RestArtifact, b: RestArtifact) => Date.parse(a.created_at) - Date.parse(b.created_at) || a.id - b.id
  const backups = own.filter(a => glob(q.backupName).test(a.name)).sort(byTime)
  const backup = backups.at(-1)
  if (!backup) throw new GitHubChainError(`${q.repository} has no backup artifact matching "${q.backupName}" made by ${new Date(until).toISOString()} (artifacts of forks and expired ones do not count).`)
  const increments = own.filter(a => glob(q.outputsName).test(a.name) && byTime(a, backup) > 0).sort(byTime)
  q.logger.info(`Chain from ${q.repository}: backup "${backup.name}" (${backup.created_at}), then ${increments.length} exports: ${increments.map(a => a.name).join(', ') || 'none'}.`)

  const paths: string[] = []
  const backupDir = join(q.dir, 'backup')
  await unzipTo(await download(backup, q.dir, headers), backupDir)
  paths.push(backupDir)
  for (const increment of increments) paths.push(await download(increment, q.dir, headers))
  return paths
}

async function download(artifact: RestArtifact, dir: string, headers: Record<string, string>): Promise<string> {
  const response = await fetch(artifact.archive_download_url, {headers, redirect: 'follow'})
  if (!response.ok || !response.body) throw new GitHubChainError(`Downloading the artifact "${artifact.name}" failed (HTTP ${response.status}).`)
  const path = join(dir, `${artifact.id}.zip`)
  await mkdir(dir, {recursive: true})
  await pipeline(response.body as unknown as NodeJS.ReadableStream, createWriteStream(path))
  return path
}

/** The zip's files under `dir` (names with `..` or absolute ones refused). */
async function unzipTo(zipPath: string, dir: string): Promise<void> {
  const zip = await yauzl.openPromise(zipPath, {lazyEntries: true, autoClose: false})
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.endsWith('/')) continue
      if (entry.fileName.startsWith('/') || entry.fileName.split('/').includes('..')) throw new GitHubChainError(`${zipPath} holds an entry outside its directory: ${entry.fileName}`)
      const target = join(dir, entry.fileName)
      await mkdir(dirname(target), {recursive: true})
      await pipeline(await zip.openReadStreamPromise(entry), createWriteStream(target))
    }
  } finally {
    zip.close()
  }
}
