// How a worker thread takes its messages: one at a time, in the order they came, even when handling one waits (for a
// buffer to come back, for zlib). The first failure is reported once (`fail`) and every later message is dropped:
// the main thread stops the thread when it hears of it.
import type {MessagePort} from 'node:worker_threads'

export function handleInOrder<M>(port: MessagePort, handle: (m: M) => Promise<void>, fail: (error: unknown, m: M) => void): void {
  let queue = Promise.resolve()
  let failed = false
  port.on('message', (m: M) => {
    queue = queue.then(async () => {
      if (failed) return
      try {
        await handle(m)
      } catch (error) {
        failed = true
        fail(error, m)
      }
    })
  })
}
