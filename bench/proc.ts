// Running each measured tool as its own process: wall time, CPU time (user + sys) and peak RSS from GNU time, and the
// CPU the server process spent meanwhile (from /proc), so every row says whether the client or the server was busy.

import {spawn} from 'node:child_process'
import {readdirSync, readFileSync} from 'node:fs'

export interface ProcessRun {
  wallS: number
  userS: number
  sysS: number
  cpuS: number
  maxRssMb: number
  /** CPU seconds the server process used during the run, when its pid is known. */
  serverCpuS?: number
  stdout: string
  stderr: string
}

const CLOCK_TICKS = 100 // sysconf(_SC_CLK_TCK) on Linux

/** utime + stime of a process in seconds, or undefined when /proc cannot tell. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
  } catch {
    return undefined
  }
}

/** The pid of a direct child of this process running `comm` (e.g. the FerretDB the harness started). */
export function childPid(comm: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (name === comm && ppid === process.pid) return Number(entry)
    } catch {
      // gone meanwhile
    }
  }
  return undefined
}

/** Runs `command args` under /usr/bin/time; rejects on a non-zero exit. */
export function timedProcess(command: string, args: string[], opts: {serverPid?: number; env?: NodeJS.ProcessEnv} = {}): Promise<ProcessRun> {
  const serverBefore = processCpuSeconds(opts.serverPid)
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', 'BENCH_TIME %e %U %S %M', command, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: opts.env ?? process.env
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-64 * 1024)))
    child.on('error', reject)
    child.on('close', code => {
      const m = /BENCH_TIME (\S+) (\S+) (\S+) (\d+)/.exec(stderr)
      if (code !== 0 || m === null) {
        reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${stderr.replace(/BENCH_TIME .*\n?/, '').slice(-3000)}`))
        return
      }
      const serverAfter = processCpuSeconds(opts.serverPid)
      const [wallS, userS, sysS] = [Number(m[1]), Number(m[2]), Number(m[3])]
      resolve({
        wallS,
        userS,
        sysS,
        cpuS: userS + sysS,
        maxRssMb: Number(m[4]) / 1024,
        serverCpuS: serverBefore !== undefined && serverAfter !== undefined ? serverAfter - serverBefore : undefined,
        stdout,
        stderr: stderr.replace(/BENCH_TIME .*\n?/, '')
      })
    })
  })
}

export const round = (n: number, digits = 1): number => Number(n.toFixed(digits))
