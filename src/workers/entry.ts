// The one entry of every worker thread this project starts (src/common/threads/start.ts): the role in workerData says what
// the thread does. Bundled on its own (dist/workers/index.js) so a thread loads ~150 KB, not the whole action.

import {parentPort, workerData, type MessagePort} from 'node:worker_threads'
import {serveArchiveOutput} from '../archive/output-thread.ts'
import type {ArchiveOutputData} from '../archive/output-protocol.ts'
import {serveParser} from '../ejson/parser-thread.ts'
import type {ParserData} from '../ejson/parser-protocol.ts'
import {serveConverter, serveWriter} from '../mongo/export/thread-roles.ts'
import type {ConverterData, WriterData} from '../mongo/export/thread-protocol.ts'
import {ROLES} from '../common/threads/roles.ts'
import {InternalError} from '../common/errors.ts'

const data = workerData as {role?: string} | null
const main = parentPort as unknown as MessagePort | null
if (main !== null) {
  switch (data?.role) {
    case ROLES.exportConverter:
      serveConverter(data as ConverterData, main)
      break
    case ROLES.exportWriter:
      serveWriter(data as WriterData, main)
      break
    case ROLES.archiveOutput:
      serveArchiveOutput(data as ArchiveOutputData, main)
      break
    case ROLES.ejsonParser:
      serveParser(data as ParserData, main)
      break
    default:
      throw new InternalError(`a worker thread was started without a known role (${String(data?.role)})`)
  }
}
