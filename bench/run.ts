// `npm run bench`: runs every benchmark module in turn (each measures ours side by side with the tool a
// user would otherwise use, in the same run), prints one table per module and writes all rows as JSON.
import {mkdir, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

export interface BenchSection {
  title: string
  rows: Array<Record<string, string | number>>
  notes?: string[]
}

const here = path.dirname(fileURLToPath(import.meta.url))
const modules = ['export.ts', 'restore.ts', 'backup.ts', 'store.ts', 'prancer-fields.ts']
const only = process.argv.slice(2)

// The machine's load before and after: the timings are only comparable within one run on an otherwise idle machine.
const loadBefore = os.loadavg().map(n => Number(n.toFixed(2)))
const started = performance.now()
const sections: BenchSection[] = []
for (const file of modules) {
  if (only.length > 0 && !only.some((name) => file.startsWith(name))) continue
  const mod = (await import(path.join(here, file))) as {bench: () => Promise<BenchSection>}
  const section = await mod.bench()
  sections.push(section)
  console.log(`\n## ${section.title}`)
  console.table(section.rows)
  for (const note of section.notes ?? []) console.log(`- ${note}`)
}

const out = path.join(here, 'results', 'bench.json')
await mkdir(path.dirname(out), {recursive: true})
const machine = {cpus: os.cpus().length, loadavgBefore: loadBefore, loadavgAfter: os.loadavg().map(n => Number(n.toFixed(2))), minutes: Number(((performance.now() - started) / 60000).toFixed(1))}
console.log(`\nmachine: ${machine.cpus} CPUs, load average ${machine.loadavgBefore.join(' ')} before, ${machine.loadavgAfter.join(' ')} after; ${machine.minutes} min`)
await writeFile(out, JSON.stringify({node: process.version, date: new Date().toISOString(), machine, sections}, null, 2) + '\n')
console.log(`\nwrote ${path.relative(process.cwd(), out)}`)
