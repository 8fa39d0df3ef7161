// The architecture rules of .dependency-cruiser.cjs (`npm run deps`): the real tree keeps them, and each kind of
// violation planted in a scratch copy of src/ makes the check fail under the rule meant to catch it.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import * as fs from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import {test} from 'node:test'
import {fileURLToPath} from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const packageJson = JSON.parse(await fs.readFile(path.join(root, 'package.json'), 'utf8')) as {scripts: Record<string, string>}
const depsScript = packageJson.scripts.deps
assert.ok(depsScript, 'package.json has no "deps" script')

interface Violation {
  type: string
  from: string
  to: string
  rule: {name: string; severity: string}
  cycle?: {name: string}[]
}

interface Check {
  /** Exit status of the `npm run deps` command itself. */
  status: number | null
  output: string
  violations: Violation[]
}

function show(v: Violation): string {
  const target = v.cycle ? [v.from, ...v.cycle.map(c => c.name)].join(' → ') : `${v.from} → ${v.to}`
  return `${v.rule.name}: ${target}`
}

function run(cwd: string, extra: string): {status: number | null; stdout: string; stderr: string} {
  // The script runs as npm would run it: through a shell, with the repository's node_modules/.bin first on PATH.
  const env = {...process.env, PATH: `${path.join(root, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH ?? ''}`}
  const r = spawnSync(`${depsScript}${extra}`, {cwd, env, shell: true, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024})
  if (r.error) throw r.error
  return {status: r.status, stdout: r.stdout, stderr: r.stderr}
}

/** Runs the deps script in `cwd` twice: as is (for its exit status) and with JSON output (for the violations). */
function check(cwd: string): Check {
  const plain = run(cwd, '')
  // A later --output-type wins, so this is the same cruise with the machine-readable reporter (which exits 0).
  const json = run(cwd, ' --output-type json')
  assert.equal(json.status, 0, `depcruise (json) failed in ${cwd}:\n${json.stderr}`)
  const result = JSON.parse(json.stdout) as {summary: {violations: Violation[]}}
  return {status: plain.status, output: plain.stdout + plain.stderr, violations: result.summary.violations}
}

/**
 * A scratch copy of src/ with the config, tsconfig.json and package.json beside it, and the repository's node_modules
 * linked in so that packages resolve as in the real tree. `plant` writes its files into the copy.
 */
async function withScratch(plant: (dir: string) => Promise<void>, body: (dir: string) => void | Promise<void>): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'deps-rules-'))
  try {
    await fs.cp(path.join(root, 'src'), path.join(dir, 'src'), {recursive: true})
    for (const file of ['.dependency-cruiser.cjs', 'tsconfig.json', 'package.json']) await fs.copyFile(path.join(root, file), path.join(dir, file))
    await fs.symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir')
    await plant(dir)
    await body(dir)
  } finally {
    // Removes the link to node_modules, not what it points to.
    await fs.rm(dir, {recursive: true, force: true})
  }
}

async function write(dir: string, file: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(path.join(dir, file)), {recursive: true})
  await fs.writeFile(path.join(dir, file), text)
}

function assertFired(c: Check, rule: string, from: string, to: RegExp): void {
  const all = c.violations.map(show).join('\n')
  assert.notEqual(c.status, 0, `npm run deps exited 0 with a planted ${rule} violation:\n${c.output}`)
  const hit = c.violations.find(v => v.rule.name === rule && v.from === from && to.test(v.to))
  assert.ok(hit, `no ${rule} violation from ${from} to ${to}; violations:\n${all}`)
  assert.equal(hit.rule.severity, 'error')
}

test('the real tree keeps every dependency rule', () => {
  const c = check(root)
  assert.deepEqual(c.violations.map(show), [], `${c.violations.length} dependency violations:\n${c.violations.map(show).join('\n')}`)
  assert.equal(c.status, 0, c.output)
  assert.match(c.output, /no dependency violations found/)
})

test('a planted import cycle fails no-circular, naming the cycle', async () => {
  const log = 'src/common/log.ts'
  const back = 'src/common/planted-cycle.ts'
  await withScratch(
    async dir => {
      // log.ts imports the planted module, which imports log.ts back. (An import may stand anywhere at top level.)
      await fs.appendFile(path.join(dir, log), "\nimport './planted-cycle.ts'\n")
      await write(dir, back, "import './log.ts'\n\nexport const planted = 1\n")
    },
    dir => {
      const c = check(dir)
      assert.notEqual(c.status, 0, c.output)
      const cycles = c.violations.filter(v => v.rule.name === 'no-circular')
      const hit = cycles.find(v => {
        const members = [v.from, ...(v.cycle ?? []).map(m => m.name)]
        return members.includes(log) && members.includes(back)
      })
      assert.ok(hit, `no no-circular violation through ${log} and ${back}; cycles found:\n${cycles.map(show).join('\n')}`)
      assert.match(c.output, /planted-cycle\.ts/)
    }
  )
})

test('a format importing a job (type-only or not) fails formats-only-formats-common', async () => {
  await withScratch(
    async dir => {
      await write(dir, 'src/jobs/planted/target.ts', 'export type Planted = {n: number}\nexport const planted = 1\n')
      // Type-only: seen because of tsPreCompilationDeps.
      await write(dir, 'src/ejson/planted-type-up.ts', "import type {Planted} from '../jobs/planted/target.ts'\n\nexport type Up = Planted\n")
      await write(dir, 'src/ejson/planted-value-up.ts', "import {planted} from '../jobs/planted/target.ts'\n\nexport const up = planted\n")
    },
    dir => {
      const c = check(dir)
      assertFired(c, 'formats-only-formats-common', 'src/ejson/planted-type-up.ts', /^src\/jobs\/planted\/target\.ts$/)
      assertFired(c, 'formats-only-formats-common', 'src/ejson/planted-value-up.ts', /^src\/jobs\/planted\/target\.ts$/)
    }
  )
})

test("@actions/* imported outside src/action/ fails actions-only-in-action", async () => {
  await withScratch(
    async dir => {
      await write(dir, 'src/jobs/planted/uses-actions.ts', "import '@actions/core'\n\nexport const planted = 1\n")
    },
    dir => {
      const c = check(dir)
      assertFired(c, 'actions-only-in-action', 'src/jobs/planted/uses-actions.ts', /(^|\/)@actions\/core(\/|$)/)
    }
  )
})
