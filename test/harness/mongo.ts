// The MongoDB-compatible server of the integration tests: FerretDB v1.24.2 (SQLite backend) on a free loopback port
// with a fresh data directory, or the server named by MONGODB_URI (a real mongod, e.g. a service container on CI).
// FerretDB stores only 13 BSON types and has other limits (mongo-tools-format.md §5.1); tests that need more use the
// oracle on raw BSON instead.

import {spawn} from 'node:child_process'
import type {ChildProcess} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {MongoClient} from 'mongodb'
import {ensurePeers} from './peers.ts'

export interface TestServer {
  uri: string
  kind: 'ferretdb' | 'external'
  /** Stops the server and removes its data; a no-op for an external server. Safe to call twice. */
  stop(): Promise<void>
  /** FerretDB only: kills the server outright (SIGKILL), keeping its data, as a crash mid-export would. */
  crash?(): Promise<void>
  /** FerretDB only: starts it again over the same data after crash(); returns (and sets) the new uri. */
  restart?(): Promise<string>
}

const startTimeoutMs = 20_000
const stopTimeoutMs = 5_000
const stderrKeptBytes = 16 * 1024

/** Servers still running, killed synchronously if the test process exits without stopping them. */
const running = new Map<ChildProcess, string>()
let exitHookInstalled = false

export async function startTestServer(): Promise<TestServer> {
  const external = process.env.MONGODB_URI
  if (external) {
    return {uri: external, kind: 'external', stop: async () => {}}
  }
  installExitHook()
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'prancer-ferretdb-'))
  let current = await spawnFerretDb(dataDir)
  let stopped: Promise<void> | undefined
  const server: TestServer = {
    uri: current.uri,
    kind: 'ferretdb',
    stop: () => {
      stopped ??= stopChild(current.child, dataDir)
      return stopped
    },
    async crash() {
      const exited = new Promise<void>(resolve => current.child.once('exit', () => resolve()))
      current.child.kill('SIGKILL')
      await exited
      running.delete(current.child)
    },
    async restart() {
      // The same port: a chain continues only on the same deployment (the manifest fingerprints the host list).
      current = await spawnFerretDb(dataDir, new URL(current.uri).port)
      server.uri = current.uri
      return current.uri
    }
  }
  return server
}

/** FerretDB on a free port over `dataDir` (kept across a crash and a restart). */
async function spawnFerretDb(dataDir: string, port = '0'): Promise<{uri: string; child: ChildProcess}> {
  const {ferretdb} = await ensurePeers()
  // Port 0: FerretDB binds a free port itself and prints the URI, so there is no race for a port picked beforehand.
  const child = spawn(
    ferretdb,
    ['--handler=sqlite', `--sqlite-url=file:${dataDir}/`, `--listen-addr=127.0.0.1:${port}`, '--log-level=warn', '--stop-on-stdin-eof'],
    {stdio: ['pipe', 'pipe', 'pipe']}
  )
  running.set(child, dataDir)
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-stderrKeptBytes)
  })
  try {
    const uri = await listeningUri(child, () => stderr)
    await waitForPing(uri, () => stderr)
    return {uri, child}
  } catch (error) {
    await stopChild(child, dataDir)
    throw error
  }
}

/** A database name unique to this call, within FerretDB's rule [A-Za-z0-9_-]{1,63}. */
export function uniqueDbName(prefix: string): string {
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(prefix)) {
    throw new Error(`uniqueDbName: prefix ${JSON.stringify(prefix)} must match [A-Za-z0-9_-]{1,40}`)
  }
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`
}

function listeningUri(child: ChildProcess, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = ''
    const onError = (error: Error): void => fail(`could not start: ${error.message}`)
    const onExit = (code: number | null, signal: string | null): void => fail(`exited early (code ${code}, signal ${signal})`)
    const onData = (chunk: string): void => {
      stdout += chunk
      const match = /^listening on (\S+)$/m.exec(stdout)
      if (match) {
        settle()
        child.stdout!.resume()
        resolve(match[1]!)
      }
    }
    const timer = setTimeout(() => fail(`did not report its address within ${startTimeoutMs} ms`), startTimeoutMs)
    const settle = (): void => {
      clearTimeout(timer)
      child.off('error', onError).off('exit', onExit)
      child.stdout!.off('data', onData)
    }
    const fail = (why: string): void => {
      settle()
      reject(new Error(`FerretDB ${why}. stderr:\n${stderr()}`))
    }
    child.on('error', onError).on('exit', onExit)
    child.stdout!.setEncoding('utf8').on('data', onData)
  })
}

async function waitForPing(uri: string, stderr: () => string): Promise<void> {
  const deadline = Date.now() + startTimeoutMs
  let lastError: unknown
  while (Date.now() < deadline) {
    const client = new MongoClient(uri, {serverSelectionTimeoutMS: 1000})
    try {
      await client.db('admin').command({ping: 1})
      return
    } catch (error) {
      lastError = error
      await new Promise(resolve => setTimeout(resolve, 200))
    } finally {
      await client.close()
    }
  }
  throw new Error(`FerretDB at ${uri} did not answer ping within ${startTimeoutMs} ms: ${String(lastError)}. stderr:\n${stderr()}`)
}

async function stopChild(child: ChildProcess, dataDir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs)
    await exited
    clearTimeout(timer)
  }
  child.stdin?.destroy()
  running.delete(child)
  rmSync(dataDir, {recursive: true, force: true})
}

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // 'exit' handlers must be synchronous: kill what is left and remove its data. A process killed outright (SIGKILL)
  // runs no handler; then FerretDB stops by itself when its stdin, held by this process, closes.
  process.once('exit', () => {
    for (const [child, dataDir] of running) {
      child.kill('SIGKILL')
      rmSync(dataDir, {recursive: true, force: true})
    }
  })
}
