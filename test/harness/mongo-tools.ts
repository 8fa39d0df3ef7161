// Runs mongoexport / mongoimport: the real Database Tools (MONGO_TOOLS_BIN, or built from ../shared/peers), otherwise the Go driver
// stand-ins (see peers.ts). Callers pass the tools' own arguments, including --uri.

import {spawn} from 'node:child_process'
import {ensurePeers} from './peers.ts'

export interface ExportRun {
  code: number
  /** Exactly the bytes written, for byte-for-byte comparisons. */
  stdout: Buffer
  stderr: string
}

export interface ImportRun {
  code: number
  stdout: string
  stderr: string
}

export async function runMongoExport(args: string[]): Promise<ExportRun> {
  const {mongoexport} = await ensurePeers()
  const {code, stdout, stderr} = await runTool(mongoexport, args, undefined)
  return {code, stdout, stderr}
}

/** Without `stdin`, the tool's standard input is empty (so give --file, or it imports nothing). */
export async function runMongoImport(args: string[], stdin?: Buffer | string): Promise<ImportRun> {
  const {mongoimport} = await ensurePeers()
  const {code, stdout, stderr} = await runTool(mongoimport, args, stdin)
  return {code, stdout: stdout.toString('utf8'), stderr}
}

function runTool(file: string, args: string[], stdin: Buffer | string | undefined): Promise<ExportRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {stdio: ['pipe', 'pipe', 'pipe']})
    const stdout: Buffer[] = []
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', error => reject(new Error(`Could not run ${file}: ${error.message}`)))
    child.on('close', (code, signal) => {
      if (code === null) {
        reject(new Error(`${file} ${args.join(' ')} was killed by ${signal}. stderr:\n${stderr}`))
      } else {
        resolve({code, stdout: Buffer.concat(stdout), stderr})
      }
    })
    // A tool that fails before reading its input closes the pipe; that is reported through its exit code.
    child.stdin.on('error', () => {})
    child.stdin.end(stdin)
  })
}
