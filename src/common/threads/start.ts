// Starts a worker thread running src/workers/entry.ts with the given role. The entry is found beside this module
// when running from source (.ts) or from tsc's output (.js); in the ncc bundles it is its own bundle,
// dist/workers/index.js, beside dist/index.js or one level up from dist/cli/index.js.

import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {Worker, type TransferListItem} from 'node:worker_threads'
import {InternalError} from '../../common/errors.ts'

const ENTRY_CANDIDATES = ['../../workers/entry.ts', '../../workers/entry.js', './workers/index.js', '../workers/index.js']
// The threads' heaps hold little: the data they work on lives in transferred buffers.
const RESOURCE_LIMITS = {maxYoungGenerationSizeMb: 8}

let entry: string | undefined

function workerEntry(): string {
  if (entry !== undefined) return entry
  for (const name of ENTRY_CANDIDATES) {
    const file = fileURLToPath(new URL(name, import.meta.url))
    if (existsSync(file)) return (entry = file)
  }
  throw new InternalError(`The worker threads' code (workers/index.js) is missing beside ${fileURLToPath(import.meta.url)}; the installation is incomplete.`)
}

export function startWorker(workerData: {role: string}, transferList: TransferListItem[] = []): Worker {
  return new Worker(workerEntry(), {workerData, transferList, resourceLimits: RESOURCE_LIMITS})
}
