// Differential test: our config.ini reader against python3's configparser.ConfigParser(allow_no_value=True),
// the parser Prancer itself uses. Every file is read by both; sections, keys, values (or the error class of
// each read) must be identical.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {ConfigError, DEFAULT_SECTION, parseConfig} from '../../src/prancer/config-parser.ts'
import {createRng} from '../../test/harness/bson-gen.ts'

type Read = {value: string | null} | {error: string}
type Dump = {error: string} | {sections: string[]; values: Record<string, Record<string, Read>>}

const PYTHON_DUMP = String.raw`
import configparser, json, sys
out = []
for path in json.load(sys.stdin):
    cfg = configparser.ConfigParser(allow_no_value=True)
    try:
        cfg.read(path, encoding='utf-8')
    except Exception as e:
        out.append({'error': type(e).__name__})
        continue
    values = {}
    for section in ['DEFAULT'] + cfg.sections():
        keys = list(cfg.defaults().keys()) if section == 'DEFAULT' else list(cfg[section])
        values[section] = {}
        for key in keys:
            try:
                values[section][key] = {'value': cfg.get(section, key)}
            except Exception as e:
                values[section][key] = {'error': type(e).__name__}
    out.append({'sections': cfg.sections(), 'values': values})
json.dump(out, sys.stdout)
`

function pythonDump(paths: string[]): Dump[] {
  const run = spawnSync('python3', ['-c', PYTHON_DUMP], {input: JSON.stringify(paths), encoding: 'utf8', maxBuffer: 64 << 20})
  assert.equal(run.status, 0, `python3 failed: ${run.stderr}`)
  return JSON.parse(run.stdout) as Dump[]
}

function ourDump(text: string, path: string): Dump {
  try {
    const cfg = parseConfig(text, path)
    const values: Record<string, Record<string, Read>> = {}
    for (const section of [DEFAULT_SECTION, ...cfg.sections()]) {
      values[section] = {}
      for (const key of cfg.options(section)) {
        try {
          values[section][key] = {value: cfg.get(section, key) ?? null}
        } catch (error) {
          values[section][key] = {error: (error as ConfigError).pythonName}
        }
      }
    }
    return {sections: cfg.sections(), values}
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    return {error: error.pythonName}
  }
}

// The real files quoted in ../shared/reference/prancer-db.md §1.4 (A-F).
const REAL_FILES: Record<string, string> = {
  'A-cvf-a03c78c': [
    '[TESTS]', 'containerFolder = realm/validation/', 'database = NONE', '', '[OPA]', 'opa =  true', 'opaexe = $OPA_HOME/opa', '',
    '[REPORTING]', 'reportOutputFolder = realm/validation/', '', '[LOGGING]', 'level = INFO', 'maxbytes = 10', 'backupcount = 10',
    'propagate = true', 'logFolder = log', 'dbname = validator', '', '[MONGODB]', 'dburl = mongodb://localhost:27017/validator',
    'dbname = validator', 'COLLECTION = resources', 'SNAPSHOT = snapshots', 'TEST = tests', 'STRUCTURE = structures',
    'MASTERSNAPSHOT = mastersnapshots', 'MASTERTEST = mastertests', 'OUTPUT = outputs', 'NOTIFICATIONS = notifications', '',
    '[INDEXES]', 'OUTPUT = name, container, timestamp', '', '[VAULT]', 'type = azure', 'tenant_id = <Tenant Id>',
    'client_id = <Service Principal Id>', 'keyvault = <Keyvault where secrets are stored>', '', '[NOTIFICATION]', 'enabled=False', '',
    '[RESULT]', 'console_min_severity_error=Low', '', '[AZURE]', 'api = realm/azureApiVersions.json', 'azureStructureFolder = realm/',
    'azureCli = false', '', '[GOOGLE]', 'params = realm/googleParams.json', '', '[GIT]', 'parameterStructureFolder = realm/', '',
    '[KUBERNETES]', 'kubernetesStructureFolder = /realm', '', '[HELM]', 'helmexe = $HELM_HOME/helm'
  ].join('\n'),
  'B-hello-world-crlf': [
    '[LOGGING]', 'level = ERROR', 'propagate = true', 'logFolder = log', '', '', '[REPORTING]', 'reportOutputFolder = ./validation', '',
    '[TESTS]', 'containerFolder = ./validation/', 'database = NONE', '', '[GIT]', 'parameterStructureFolder = ./', '', '[AZURE]',
    'api = ./azureApiVersions.json', '', '[GOOGLE]', 'params = ./googleParams.json', '', '[OPA]', 'opa =  true',
    'opaexe = /usr/bin/opa ;Add path to the local OPA binary'
  ].join('\r\n'),
  'C-packaged-default': [
    '[DEFAULT]', 'subscription = configdata/subscription.json', '', '[LOGGING]', 'level = INFO', 'maxbytes = 10', 'backupcount = 10',
    'propagate = true', 'logFolder = log', 'dbname = whitekite', '', '[MONGODB]', 'dbname1 = mongodb://localhost:27017/validator',
    'dbname = validator', 'COLLECTION = resources', 'SNAPSHOT = snapshots', 'TEST = tests', 'STRUCTURE = structures', 'OUTPUT = outputs', ''
  ].join('\n'),
  'D-cvf-508bba1': [
    '[TESTS]', 'containerFolder = realm/validation/', 'database = SNAPSHOT', '', '[MONGODB]', 'dburl = mongodb://localhost:27017/validator',
    'dburl1 = mongodb://<username>:<password>@validator-shard-00-00-qzbvt.mongodb.net:27017/test?ssl=true&replicaSet=validator-shard-0&authSource=admin&retryWrites=true&w=majority',
    'dbname = validator', ''
  ].join('\n'),
  'E-remote-generated': [
    '[LOGGING]', 'level = ERROR', 'propagate = True', 'logfolder = log', '', '[REPORTING]', 'reportoutputfolder = ./validation/', '',
    '[TESTS]', 'containerfolder = ./validation/', 'database = NONE', '', '[OPA]', 'opa = True', 'opaexe = opa', ''
  ].join('\n'),
  'F-readme-indented': [
    '  [LOGGING]', '  level = DEBUG', '  propagate = true', '  logFolder = logs', '  dbname = logs', '', '  [MONGODB]',
    '  dburl = mongodb://localhost:27017/prancer', '  dbname = myprancerdatabase', '  OUTPUT = pranceroutput', ''
  ].join('\n')
}

// Seeded generator of odd-but-plausible files.

function generateVariant(seed: number): string {
  const rnd = createRng(seed).float
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!
  const sections = ['MONGODB', 'mongodb', 'Mongodb', 'LOGGING', 'logging', 'DEFAULT', 'TESTS', 'a b', 'x]y', 'MONGODB ']
  const keys = ['dbname', 'DBNAME', 'Output', 'OUTPUT', 'dburl', 'level', 'logFolder', 'a b', 'k', 'base', 'x']
  const values = [
    'validator', 'outputs', 'mongodb://u:p%40ss@h:27017/db', 'mongodb://u:p%%40ss@h/db', '%(dbname)s_x', '%(base)s/%(k)s', '%%', '100%%',
    'a ;inline comment', '# not a comment', 'x: y', 'v=w', '', '%(missing)s', '%', '%(', '%(x)s', '%(OUTPUT)s', '  spaced  ', '$OPA_HOME/opa', 'naïve'
  ]
  const delimiters = ['=', ':', ' = ', ' : ', '= ', ' =', '\t=\t', '  :']
  const out: string[] = []
  if (rnd() < 0.05) out.push(pick(keys) + ' = early')
  if (rnd() < 0.08) out.push(pick(['# leading comment', '']))
  out.push(`[${pick(sections)}]`)
  const lineCount = 3 + Math.floor(rnd() * 18)
  for (let i = 0; i < lineCount; i++) {
    const r = rnd()
    // mostly distinct keys, so that duplicates are one error among others rather than most files' fate
    const key = pick(keys) + (rnd() < 0.75 ? String(i) : '')
    const indent = rnd() < 0.15 ? pick([' ', '  ', '\t']) : ''
    if (r < 0.1) out.push(`${indent}[${pick(sections)}]`)
    else if (r < 0.6) out.push(`${indent}${key}${pick(delimiters)}${pick(values)}`)
    else if (r < 0.66) out.push(`${indent}${key}`)
    else if (r < 0.74) out.push(pick(['# comment', '; comment', '   # indented comment', '\t; tab comment', '#', ';x = 1']))
    else if (r < 0.82) out.push('')
    else if (r < 0.9) out.push(pick(['  continued', '\tmore text', '    %(dbname)s', '   # looks like a comment', '  [MONGODB]']))
    else if (r < 0.93) out.push(pick(['= value', ': value', '[', '[]', 'key = value = more', '   ', '[LOGGING] trailing']))
    else out.push(pick(['[DEFAULT]', 'base = /opt', 'dbname = %(base)s/db']))
  }
  const newline = pick(['\n', '\n', '\r\n', '\r'])
  let text = out.join(newline)
  if (rnd() < 0.7) text += newline
  if (rnd() < 0.04) text = '\ufeff' + text
  return text
}

test('config parser matches python3 configparser on the real files and 400 generated variants', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfgdiff-'))
  try {
    const cases: Array<{name: string; text: string}> = Object.entries(REAL_FILES).map(([name, text]) => ({name, text}))
    for (let seed = 1; seed <= 400; seed++) cases.push({name: `seed-${seed}`, text: generateVariant(seed)})
    const paths = cases.map((c, i) => {
      const path = join(dir, `${i}.ini`)
      writeFileSync(path, c.text, 'utf8')
      return path
    })
    const expected = pythonDump(paths)
    const errorClasses = new Map<string, number>()
    cases.forEach((c, i) => {
      const want = expected[i]!
      assert.deepEqual(ourDump(c.text, paths[i]!), want, `${c.name} differs from python3; file text: ${JSON.stringify(c.text)}`)
      const classes = 'error' in want ? [want.error] : Object.values(want.values).flatMap(s => Object.values(s)).flatMap(r => ('error' in r ? [r.error] : []))
      for (const name of classes) errorClasses.set(name, (errorClasses.get(name) ?? 0) + 1)
    })
    // The generator must actually reach every error path (otherwise the comparison proves little).
    for (const name of ['DuplicateSectionError', 'DuplicateOptionError', 'MissingSectionHeaderError', 'ParsingError', 'InterpolationSyntaxError', 'InterpolationMissingOptionError']) {
      assert.ok(errorClasses.has(name), `no generated case raised ${name}: ${JSON.stringify([...errorClasses])}`)
    }
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
})

test('reads the values Prancer reads from the real files', () => {
  const a = parseConfig(REAL_FILES['A-cvf-a03c78c']!, 'A.ini')
  assert.equal(a.get('MONGODB', 'output'), 'outputs')
  assert.equal(a.get('LOGGING', 'DBNAME'), 'validator')
  const b = parseConfig(REAL_FILES['B-hello-world-crlf']!, 'B.ini')
  assert.equal(b.get('OPA', 'opaexe'), '/usr/bin/opa ;Add path to the local OPA binary')
  assert.equal(b.hasSection('MONGODB'), false)
})

test('interpolation errors are raised only when the key is read, naming file and line', () => {
  const cfg = parseConfig('[MONGODB]\ndburl = mongodb://u:p%40ss@h/db\nOUTPUT = outputs\nloop = %(loop)s\n', '/x/config.ini')
  assert.equal(cfg.get('MONGODB', 'OUTPUT'), 'outputs')
  assert.throws(() => cfg.get('MONGODB', 'dburl'), {name: 'InterpolationSyntaxError', message: /^\/x\/config\.ini line 2: value of \[MONGODB\] dburl cannot be read/})
  assert.throws(() => cfg.get('MONGODB', 'loop'), {name: 'InterpolationDepthError', message: /^\/x\/config\.ini line 4: /})
  assert.equal(cfg.getRaw('MONGODB', 'dburl'), 'mongodb://u:p%40ss@h/db')
})

test('structural errors name the file and line', () => {
  assert.throws(() => parseConfig('\ufeff[MONGODB]\nOUTPUT = o\n', '/c/config.ini'), {
    name: 'MissingSectionHeaderError',
    message: '/c/config.ini line 1: text before the first [section] header: "\ufeff[MONGODB]". The file starts with a UTF-8 byte order mark (BOM), which Python reads as part of the first line: save the file without a BOM.'
  })
  assert.throws(() => parseConfig('[MONGODB]\nOUTPUT = a\noutput = b\n', '/c/config.ini'), {
    name: 'DuplicateOptionError',
    message: `/c/config.ini line 3: key "output" appears a second time in section [MONGODB] (keys are case-insensitive); Python's configparser (and so Prancer) refuses the file. Keep one of them.`
  })
  assert.throws(() => parseConfig('[A]\n[B]\n[A]\n', '/c/config.ini'), {name: 'DuplicateSectionError', message: /^\/c\/config\.ini line 3: section \[A\] appears a second time/})
})
