// A local GitHub artifact service for integration tests and the demo. The real, unmodified
// @actions/artifact client uploads to and downloads from it:
// - the results service (five Twirp methods) and the GitHub REST artifact routes on one node:http
//   server on a free loopback port (so ACTIONS_RESULTS_URL and GITHUB_API_URL both point to it);
// - blob storage in a real Azurite emulator (child process, in memory), reached through SAS URLs.
// Facts it follows: ../shared/reference/artifact-protocol.md.

import {mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {createServer} from 'node:http'
import type {IncomingHttpHeaders, IncomingMessage, Server, ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {startAzurite} from './artifact-service/azurite.ts'
import type {AzuriteBlobStore} from './artifact-service/azurite.ts'
import {handleRest, matchRest, restError} from './artifact-service/rest.ts'
import type {RestRoute} from './artifact-service/rest.ts'
import {DEFAULT_RETENTION_DAYS, ServiceState} from './artifact-service/state.ts'
import {TWIRP_PREFIX, handleTwirp, twirpCodeForStatus} from './artifact-service/twirp.ts'
import type {HandlerResult, TwirpMethod} from './artifact-service/twirp.ts'

export type {RestRoute} from './artifact-service/rest.ts'
export type {TwirpMethod} from './artifact-service/twirp.ts'

/** The repository env() uses when none is given. */
export const DEFAULT_REPOSITORY = 'octo-org/prancer-checks'

/** Options of startArtifactService(). */
export interface ArtifactServiceOptions {
  /**
   * Port of the Twirp/REST server on 127.0.0.1; default 0 (a free port). @actions/github reads
   * GITHUB_API_URL once, when first imported, so a process that starts a second service after
   * importing it must reuse the first service's port for `findBy` calls to reach it.
   */
  port?: number
}

/** Which workflow run env() describes. */
export interface RunEnvOptions {
  /** GITHUB_RUN_ID (the run, shared by all attempts). */
  runId: number | string
  /** GITHUB_RUN_ATTEMPT; default 1. Each attempt has its own backend run id, as on GitHub. */
  runAttempt?: number
  /** GITHUB_JOB; default `export`. */
  job?: string
  /** GITHUB_REPOSITORY (`owner/name`); default DEFAULT_REPOSITORY. */
  repository?: string
  /** GITHUB_TOKEN to hand out; default the service's valid REST token (pass another to test a 401). */
  token?: string
  /** GITHUB_RETENTION_DAYS, the repository's retention limit; default 90. */
  retentionDays?: number
  /** The repository of the run's head commit; another `owner/name` simulates a pull request from a fork. */
  headRepository?: string
  /** A push to this branch (default `main`). */
  branch?: string
  /** A `pull_request` run instead of a push: its base and head branches. */
  pullRequest?: {base: string; head: string; number?: number}
}

/** Names of the variables env() returns. */
export type RunEnvName =
  | 'ACTIONS_RESULTS_URL' | 'ACTIONS_RUNTIME_TOKEN' | 'ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY'
  | 'GITHUB_ACTIONS' | 'CI' | 'GITHUB_SERVER_URL' | 'GITHUB_API_URL'
  | 'GITHUB_REPOSITORY' | 'GITHUB_REPOSITORY_OWNER' | 'GITHUB_RUN_ID' | 'GITHUB_RUN_ATTEMPT' | 'GITHUB_JOB'
  | 'GITHUB_SHA' | 'GITHUB_REF' | 'GITHUB_REF_NAME' | 'GITHUB_EVENT_NAME'
  | 'GITHUB_WORKSPACE' | 'RUNNER_TEMP' | 'GITHUB_TOKEN' | 'GITHUB_RETENTION_DAYS' | 'GITHUB_BASE_REF' | 'GITHUB_HEAD_REF'

/** Environment of one job of one workflow run, as the runner sets it (plus GITHUB_TOKEN). */
export type RunEnv = Record<RunEnvName, string>

/** A response to inject instead of handling the next matching request(s). */
export interface FaultSpec {
  /** A Twirp method to fail, e.g. `'CreateArtifact'`. Give this or `route`. */
  method?: TwirpMethod
  /** A REST route to fail, e.g. `'GET /repos/{owner}/{repo}/actions/artifacts'`. Give this or `method`. */
  route?: RestRoute
  /** HTTP status to answer. */
  status: number
  /**
   * Body: an object is sent as JSON; a string is sent verbatim as text/plain (a non-JSON Twirp
   * body makes the client retry 5 times, ~26 s). Default: a JSON error (`{code, msg}` for Twirp,
   * `{message}` for REST) with the message `injected failure`.
   */
  body?: string | object
  /** How many matching requests to fail; default 1. */
  times?: number
  /** Let this many matching requests through unchanged before the fault applies (e.g. 1: the second Finalize). */
  after?: number
  /** Wait this long before acting on the request (e.g. to send a signal to the client meanwhile). */
  delayMs?: number
  /**
   * `instead` (default): answer the fault instead of handling the request; `after-handling`: handle it (a Finalize
   * commits the artifact), then answer the fault: the ambiguous failure; `delay-only`: handle it normally after delayMs.
   */
  mode?: 'instead' | 'after-handling' | 'delay-only'
}

/** A finalized artifact, as the service stored it. */
export interface StoredArtifact {
  id: number
  name: string
  repository: string
  /** GITHUB_RUN_ID of the run that uploaded it. */
  runId: string
  runAttempt: number
  job: string
  /** Size of the stored blob in bytes. */
  size: number
  /** `sha256:<hex>` of the stored blob. */
  digest: string
  /** Content type stored with the blob (`application/zip` for normal uploads). */
  contentType: string
  /** The stored bytes (the zip), captured at FinalizeArtifact, also after deletion. */
  zip: Buffer
  createdAt: Date
  expiresAt: Date
  expired: boolean
  deleted: boolean
}

/** One request the Twirp/REST server received (blob traffic goes to Azurite and is not logged). */
export interface LoggedRequest {
  time: Date
  method: string
  /** Path and query. */
  url: string
  headers: IncomingHttpHeaders
  /** Request body as UTF-8 text. */
  body: string
  /** Status answered; 0 until the response is sent. */
  status: number
}

/** A running local artifact service. */
export interface ArtifactService {
  /** Origin of the Twirp/REST server, e.g. `http://127.0.0.1:41235` (= GITHUB_API_URL). */
  readonly url: string
  /** Azurite's blob endpoint, e.g. `http://127.0.0.1:41234/devstoreaccount1`. */
  readonly blobUrl: string
  /** The REST token the service accepts (GITHUB_TOKEN in env()). */
  readonly githubToken: string
  /** Milliseconds startArtifactService() took (Azurite start + container creation + server). */
  readonly startupMs: number
  /**
   * Every variable the @actions/artifact client and a GitHub Action need for one job of one run:
   * ACTIONS_RESULTS_URL, ACTIONS_RUNTIME_TOKEN (unsigned JWT, scp `Actions.Results:<run>:<job>`),
   * GITHUB_SERVER_URL=https://github.com (a plain http://localhost counts as GHES to the client),
   * GITHUB_API_URL (this service), GITHUB_REPOSITORY, GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT, GITHUB_JOB,
   * GITHUB_WORKSPACE and RUNNER_TEMP (fresh directories, removed by stop()), GITHUB_TOKEN, and more.
   * Registers the repository and run; the same options give the same ids and token.
   * Set these in process.env BEFORE importing @actions/artifact or @actions/github: some are read at import.
   */
  env(options: RunEnvOptions): RunEnv
  /** Answers the next matching request(s) with a fault instead of handling them. */
  failNext(fault: FaultSpec): void
  /**
   * Grants (true, the default) or withdraws the token's `actions` permission: when withdrawn,
   * every REST route answers 403 `Resource not accessible by integration` to a valid token.
   */
  setActionsPermission(granted: boolean): void
  /** Expires an artifact now: REST lists it with `expired: true`, its zip answers 410, Twirp hides it. */
  setExpired(artifactId: number): void
  /** Finalized artifacts (including deleted ones), in upload order. */
  storedArtifacts(): StoredArtifact[]
  /** Every request the Twirp/REST server received, oldest first (a copy). */
  requestLog(): LoggedRequest[]
  /** Stops the server and Azurite and removes the temporary directories. Idempotent. */
  stop(): Promise<void>
}

/** Starts Azurite and the Twirp/REST server; stop() it in `after()`. */
export async function startArtifactService(options: ArtifactServiceOptions = {}): Promise<ArtifactService> {
  const started = performance.now()
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'artifact-service-'))
  let blobs: AzuriteBlobStore
  try {
    blobs = await startAzurite(workDir)
  } catch (error) {
    rmSync(workDir, {recursive: true, force: true})
    throw error
  }

  // A process that exits without stop() still removes the directories (Azurite kills itself).
  const removeWorkDir = (): void => rmSync(workDir, {recursive: true, force: true})
  process.once('exit', removeWorkDir)
  const state = new ServiceState()
  state.repositoryId(DEFAULT_REPOSITORY)
  const faults: Array<FaultSpec & {times: number}> = []
  const log: LoggedRequest[] = []
  let actionsPermission = true
  let apiUrl = ''

  const respond = (res: ServerResponse, entry: LoggedRequest, result: HandlerResult): void => {
    entry.status = result.status
    res.writeHead(result.status, result.headers)
    res.end(result.body)
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const method = req.method ?? 'GET'
    const entry: LoggedRequest = {time: new Date(), method, url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status: 0}
    log.push(entry)
    const url = new URL(entry.url, apiUrl)

    if (url.pathname.startsWith(TWIRP_PREFIX) && method === 'POST') {
      const twirpMethod = url.pathname.slice(TWIRP_PREFIX.length)
      const fault = takeFault(faults, f => f.method === twirpMethod)
      if (fault?.delayMs) await new Promise(resolve => setTimeout(resolve, fault.delayMs))
      if (fault && (fault.mode ?? 'instead') === 'instead') return respond(res, entry, faultResult(fault, 'twirp'))
      const handled = await handleTwirp(state, blobs, twirpMethod, req.headers.authorization, entry.body)
      return respond(res, entry, fault?.mode === 'after-handling' ? faultResult(fault, 'twirp') : handled)
    }
    const match = matchRest(method, url)
    if (match) {
      const fault = takeFault(faults, f => f.route === match.route)
      if (fault) return respond(res, entry, faultResult(fault, 'rest'))
      return respond(res, entry, await handleRest({state, blobs, apiUrl, authorization: req.headers.authorization, actionsPermission}, match))
    }
    respond(res, entry, restError(404, 'Not Found'))
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A harness bug or an Azurite failure. Printed here because the client retries a 500 for
      // ~30 s before it shows the message; JSON so the message reaches it at all.
      console.error(`artifact service: ${req.method} ${req.url} failed:`, error)
      if (!res.headersSent) {
        res.writeHead(500, {'content-type': 'application/json'})
        res.end(JSON.stringify({code: 'internal', msg: `artifact service error: ${(error as Error).message}`}))
      } else {
        res.destroy()
      }
    })
  })
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
    })
  } catch (error) {
    await blobs.stop()
    process.removeListener('exit', removeWorkDir)
    removeWorkDir()
    throw error
  }
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const startupMs = Math.round(performance.now() - started)

  let stopping: Promise<void> | undefined
  return {
    url: apiUrl,
    blobUrl: blobs.url,
    githubToken: state.githubToken,
    startupMs,

    env(runOptions) {
      const runId = String(runOptions.runId)
      if (!/^[1-9]\d*$/.test(runId)) throw new Error(`env(): runId must be a positive integer, got ${runOptions.runId}`)
      const runAttempt = runOptions.runAttempt ?? 1
      const jobName = runOptions.job ?? 'export'
      const repository = runOptions.repository ?? DEFAULT_REPOSITORY
      if (!/^[\w.-]+\/[\w.-]+$/.test(repository)) throw new Error(`env(): repository must be owner/name, got ${repository}`)
      const pr = runOptions.pullRequest
      const headBranch = pr ? pr.head : (runOptions.branch ?? 'main')
      const job = state.job(repository, runId, runAttempt, jobName, runOptions.headRepository ?? repository, headBranch)
      const jobDir = path.join(workDir, 'runs', `${repository.replace('/', '__')}-${runId}-${runAttempt}-${jobName.replace(/[^\w.-]/g, '_')}`)
      mkdirSync(path.join(jobDir, 'workspace'), {recursive: true})
      mkdirSync(path.join(jobDir, 'temp'), {recursive: true})
      return {
        ACTIONS_RESULTS_URL: `${apiUrl}/`,
        ACTIONS_RUNTIME_TOKEN: runtimeToken(job.run.backendId, job.backendId),
        ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY: '2',
        GITHUB_ACTIONS: 'true',
        CI: 'true',
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_API_URL: apiUrl,
        GITHUB_REPOSITORY: repository,
        GITHUB_REPOSITORY_OWNER: repository.split('/')[0] as string,
        GITHUB_RUN_ID: runId,
        GITHUB_RUN_ATTEMPT: String(runAttempt),
        GITHUB_JOB: jobName,
        GITHUB_SHA: state.headSha(job.run),
        GITHUB_REF: pr ? `refs/pull/${pr.number ?? 1}/merge` : `refs/heads/${headBranch}`,
        GITHUB_REF_NAME: pr ? `${pr.number ?? 1}/merge` : headBranch,
        GITHUB_EVENT_NAME: pr ? 'pull_request' : 'push',
        // The runner sets these two on pull_request runs only; empty otherwise.
        GITHUB_BASE_REF: pr?.base ?? '',
        GITHUB_HEAD_REF: pr?.head ?? '',
        GITHUB_WORKSPACE: path.join(jobDir, 'workspace'),
        RUNNER_TEMP: path.join(jobDir, 'temp'),
        GITHUB_TOKEN: runOptions.token ?? state.githubToken,
        GITHUB_RETENTION_DAYS: String(runOptions.retentionDays ?? DEFAULT_RETENTION_DAYS)
      }
    },

    failNext(fault) {
      if ((fault.method === undefined) === (fault.route === undefined)) {
        throw new Error('failNext(): give exactly one of `method` (Twirp) or `route` (REST)')
      }
      faults.push({...fault, times: fault.times ?? 1, after: fault.after ?? 0})
    },

    setActionsPermission(granted) {
      actionsPermission = granted
    },

    setExpired(artifactId) {
      const record = state.artifacts.find(a => a.id === artifactId && a.finalized)
      if (!record) throw new Error(`setExpired(): no finalized artifact with id ${artifactId}`)
      record.expired = true
      record.expiresAt = new Date()
    },

    storedArtifacts() {
      return state.artifacts.filter(a => a.finalized).map(a => ({
        id: a.id,
        name: a.name,
        repository: a.job.run.repository,
        runId: a.job.run.runId,
        runAttempt: a.job.run.runAttempt,
        job: a.job.name,
        size: a.size,
        digest: `sha256:${a.sha256}`,
        contentType: a.contentType,
        zip: a.zip,
        createdAt: a.createdAt,
        expiresAt: a.expiresAt,
        expired: a.expired,
        deleted: a.deleted
      }))
    },

    requestLog() {
      return [...log]
    },

    stop() {
      stopping ??= (async () => {
        await new Promise<void>(resolve => {
          server.close(() => resolve())
          // Clients keep connections alive; close() alone would wait for them.
          server.closeAllConnections()
        })
        await blobs.stop()
        process.removeListener('exit', removeWorkDir)
        removeWorkDir()
      })()
      return stopping
    }
  }
}

/** The next matching fault, consumed (one that lets requests through first only counts them down). */
function takeFault<T extends {times: number; after?: number}>(faults: T[], matches: (fault: T) => boolean): T | undefined {
  const index = faults.findIndex(matches)
  if (index >= 0 && (faults[index]!.after ?? 0) > 0) {
    faults[index]!.after!--
    return undefined
  }
  if (index < 0) return undefined
  const fault = faults[index] as T
  if (--fault.times <= 0) faults.splice(index, 1)
  return fault
}

function faultResult(fault: FaultSpec, half: 'twirp' | 'rest'): HandlerResult {
  if (typeof fault.body === 'string') return {status: fault.status, headers: {'content-type': 'text/plain'}, body: fault.body}
  const body = fault.body ?? (half === 'twirp'
    ? {code: twirpCodeForStatus(fault.status), msg: 'injected failure'}
    : {message: 'injected failure'})
  return {status: fault.status, headers: {'content-type': 'application/json'}, body: JSON.stringify(body)}
}

/** An unsigned JWT like the runner's ACTIONS_RUNTIME_TOKEN; the client never checks signatures. */
function runtimeToken(runBackendId: string, jobBackendId: string): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${part({alg: 'none', typ: 'JWT'})}.${part({scp: `Actions.Results:${runBackendId}:${jobBackendId}`})}.`
}
