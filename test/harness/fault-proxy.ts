// A loopback HTTP proxy in front of a storage server, for fault tests: it forwards every request as it is, except
// that it can answer 503 (SlowDown) to the next N requests, delay answers, or call a hook once a number of request
// body bytes went through (e.g. to kill the server mid-upload).
import {createServer, request, type IncomingMessage, type Server, type ServerResponse} from 'node:http'

export interface FaultProxy {
  url: string
  /** Requests seen so far (method and path). */
  seen: string[]
  /** The next `count` requests matching `match` get a 503 SlowDown. */
  fail503(count: number, match?: (method: string, path: string) => boolean): void
  /** Every answer waits this long first. */
  delay(ms: number): void
  /** Calls `hook` once, when this many request body bytes have been forwarded. */
  onBytes(bytes: number, hook: () => void): void
  stop(): Promise<void>
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target)
  let failing = 0
  let failMatch: (method: string, path: string) => boolean = () => true
  let delayMs = 0
  let forwarded = 0
  let trigger: {bytes: number; hook: () => void} | undefined
  const seen: string[] = []
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(`${req.method} ${req.url}`)
    const go = (): void => {
      if (failing > 0 && failMatch(req.method ?? '', req.url ?? '')) {
        failing--
        req.resume()
        res.writeHead(503, {'content-type': 'application/xml'})
        res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>')
        return
      }
      const out = request({host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers}, answer => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      })
      out.on('error', () => res.destroy())
      req.on('data', (chunk: Buffer) => {
        forwarded += chunk.length
        if (trigger && forwarded >= trigger.bytes) {
          const hook = trigger.hook
          trigger = undefined
          hook()
        }
      })
      req.pipe(out)
    }
    if (delayMs > 0) setTimeout(go, delayMs)
    else go()
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as {port: number}).port
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    fail503(count, match) {
      failing = count
      failMatch = match ?? (() => true)
    },
    delay(ms) {
      delayMs = ms
    },
    onBytes(bytes, hook) {
      forwarded = 0
      trigger = {bytes, hook}
    },
    stop: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
