// What the local artifact service remembers: repositories, workflow runs (one backend run per
// attempt), jobs, tokens and artifacts. Shared by the Twirp and REST halves.

import {createHash, randomBytes, randomUUID} from 'node:crypto'

/** One attempt of a workflow run, as the results backend sees it. */
export interface RunAttempt {
  repository: string
  runId: string
  runAttempt: number
  /** The repository the run's head commit comes from: another one for a pull request from a fork. */
  headRepository: string
  /** The run's head branch (REST workflow_run.head_branch): the pushed branch, or a pull request's head branch. */
  headBranch: string
  /** The run id in the runtime token's scp claim (a UUID, as on GitHub). */
  backendId: string
}

/** One job of a run attempt. */
export interface Job {
  name: string
  backendId: string
  run: RunAttempt
}

/** An artifact, from CreateArtifact on. */
export interface ArtifactRecord {
  id: number
  name: string
  job: Job
  blobName: string
  createdAt: Date
  updatedAt: Date
  expiresAt: Date
  finalized: boolean
  deleted: boolean
  expired: boolean
  /** Set by FinalizeArtifact from the committed blob. */
  size: number
  /** Bare hex sha256 of the committed blob. */
  sha256: string
  contentType: string
  zip: Buffer
}

/** Artifacts are retained this long when CreateArtifact sends no expires_at (GitHub's default). */
export const DEFAULT_RETENTION_DAYS = 90

/** In-memory model of the backend. */
export class ServiceState {
  /** The REST token (GITHUB_TOKEN) accepted for every repository. */
  readonly githubToken = 'ghs_' + randomBytes(18).toString('hex')
  readonly artifacts: ArtifactRecord[] = []
  private readonly repositoryIds = new Map<string, number>()
  private readonly runs = new Map<string, RunAttempt>()
  private readonly runsByBackendId = new Map<string, RunAttempt>()
  private readonly jobs = new Map<string, Job>()
  private readonly jobsByBackendId = new Map<string, Job>()
  // GitHub's artifact ids are large integers; starting high catches code that confuses them with counts.
  private nextArtifactId = 4_100_000_001

  /** The numeric repository id GitHub would report; registers the repository on first use. */
  repositoryId(repository: string): number {
    const key = repository.toLowerCase()
    let id = this.repositoryIds.get(key)
    if (id === undefined) {
      id = 700_000_001 + this.repositoryIds.size
      this.repositoryIds.set(key, id)
    }
    return id
  }

  /** True when env() has been called for this repository (REST answers 404 otherwise). */
  hasRepository(repository: string): boolean {
    return this.repositoryIds.has(repository.toLowerCase())
  }

  /** The job (and its run attempt), created on first use. */
  job(repository: string, runId: string, runAttempt: number, jobName: string, headRepository = repository, headBranch = 'main'): Job {
    this.repositoryId(repository)
    this.repositoryId(headRepository)
    const runKey = `${repository.toLowerCase()}\n${runId}\n${runAttempt}`
    let run = this.runs.get(runKey)
    if (!run) {
      run = {repository, runId, runAttempt, headRepository, headBranch, backendId: randomUUID()}
      this.runs.set(runKey, run)
      this.runsByBackendId.set(run.backendId, run)
    }
    const jobKey = `${run.backendId}\n${jobName}`
    let job = this.jobs.get(jobKey)
    if (!job) {
      job = {name: jobName, backendId: randomUUID(), run}
      this.jobs.set(jobKey, job)
      this.jobsByBackendId.set(job.backendId, job)
    }
    return job
  }

  /** The job named by backend ids, if both are known and belong together. */
  jobByBackendIds(runBackendId: string, jobBackendId: string): Job | undefined {
    const job = this.jobsByBackendId.get(jobBackendId)
    return job && job.run.backendId === runBackendId ? job : undefined
  }

  /** True when any attempt of this run was registered. */
  hasRun(repository: string, runId: string): boolean {
    for (const run of this.runs.values()) {
      if (run.runId === runId && sameRepository(run.repository, repository)) return true
    }
    return false
  }

  /** Starts an artifact (CreateArtifact). */
  create(job: Job, name: string, expiresAt: Date | undefined): ArtifactRecord {
    const now = new Date()
    const id = this.nextArtifactId++
    const record: ArtifactRecord = {
      id,
      name,
      job,
      blobName: `${job.run.backendId}/${id}`,
      createdAt: now,
      updatedAt: now,
      expiresAt: expiresAt ?? new Date(now.getTime() + DEFAULT_RETENTION_DAYS * 86_400_000),
      finalized: false,
      deleted: false,
      expired: false,
      size: 0,
      sha256: '',
      contentType: '',
      zip: Buffer.alloc(0)
    }
    this.artifacts.push(record)
    return record
  }

  /** Finalized, not deleted artifacts of one run attempt, optionally with one name. */
  liveInRun(run: RunAttempt, name?: string): ArtifactRecord[] {
    return this.artifacts.filter(a => a.finalized && !a.deleted && a.job.run === run && (name === undefined || a.name === name))
  }

  /** The newest upload of `name` in the run attempt that CreateArtifact started but Finalize did not finish. */
  pending(run: RunAttempt, name: string): ArtifactRecord | undefined {
    return this.artifacts.findLast(a => !a.finalized && !a.deleted && a.job.run === run && a.name === name)
  }

  /** Finalized, not deleted artifacts of a repository (all runs and attempts), newest first. */
  liveInRepository(repository: string): ArtifactRecord[] {
    return this.artifacts
      .filter(a => a.finalized && !a.deleted && sameRepository(a.job.run.repository, repository))
      .sort((a, b) => b.id - a.id)
  }

  /** A deterministic commit sha for a run, so REST answers are stable within a test. */
  headSha(run: RunAttempt): string {
    return createHash('sha1').update(`${run.repository}\n${run.runId}`).digest('hex')
  }
}

/** Repository names compare case-insensitively on GitHub. */
export function sameRepository(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase()
}
