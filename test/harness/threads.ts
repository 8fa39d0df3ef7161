// OS threads of this process (Linux): a worker thread left running shows as more than before the code under test ran.
import {readdirSync} from 'node:fs'

export function threadCount(): number {
  return readdirSync('/proc/self/task').length
}
