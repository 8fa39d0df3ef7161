import {test} from 'node:test'
import assert from 'node:assert/strict'
import {mkdtempSync, mkdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {Logger} from '../../src/common/log.ts'
import {resolveSettings, summarizeSettings} from '../../src/prancer/settings.ts'
import {createRedactor, hasMongoScheme, HOSTS_NOT_SHOWN, redactUri, UNPARSEABLE_URI, uriHosts, uriSecrets} from '../../src/mongo/uri.ts'

/** Records every call, so tests can check that secrets were registered before anything was logged. */
function recordingLogger(): Logger & {calls: Array<[string, string]>} {
  const calls: Array<[string, string]> = []
  return {
    calls,
    debug: m => void calls.push(['debug', m]),
    info: m => void calls.push(['info', m]),
    notice: m => void calls.push(['notice', m]),
    warning: m => void calls.push(['warning', m]),
    secret: m => void calls.push(['secret', m]),
    group: (name, fn) => {
      calls.push(['group', name])
      return fn()
    }
  }
}

function withDir(files: Record<string, string>, fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'settings-'))
    try {
      for (const [name, text] of Object.entries(files)) {
        mkdirSync(join(dir, name, '..'), {recursive: true})
        writeFileSync(join(dir, name), text)
      }
      await fn(dir)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  }
}

const GOOD = '[LOGGING]\nlogFolder = log\ndbname = whitekite\n\n[MONGODB]\ndbname = validator\nOUTPUT = outputs\n'

test(
  'finds config.ini in the working directory and reads the values Prancer reads',
  withDir({'config.ini': GOOD}, async dir => {
    const s = await resolveSettings({env: {}, cwd: dir, logger: recordingLogger()})
    assert.deepEqual(
      {...s, notices: s.notices.length},
      {configPath: join(dir, 'config.ini'), database: 'validator', outputCollection: 'outputs', logsDatabase: 'whitekite', uri: 'mongodb://localhost:27017', uriSource: 'default', notices: 1, warnings: []}
    )
  })
)

test(
  'FRAMEWORKDIR wins over the working directory; an explicit path wins over both',
  withDir({'config.ini': GOOD, 'fw/config.ini': GOOD.replace('validator', 'fwdb'), 'other.ini': GOOD.replace('validator', 'explicit')}, async dir => {
    assert.equal((await resolveSettings({env: {FRAMEWORKDIR: join(dir, 'fw')}, cwd: dir, logger: recordingLogger()})).database, 'fwdb')
    assert.equal((await resolveSettings({configPath: 'other.ini', env: {FRAMEWORKDIR: join(dir, 'fw')}, cwd: dir, logger: recordingLogger()})).database, 'explicit')
  })
)

test(
  'missing config.ini: the message names the path tried and how to fix it',
  withDir({}, async dir => {
    await assert.rejects(resolveSettings({env: {}, cwd: dir, logger: recordingLogger()}), {
      name: 'InputError',
      message: `config.ini not found. Tried: ${join(dir, 'config.ini')} (<working directory>/config.ini (neither the config input nor FRAMEWORKDIR is set)). Pass the config input (CLI: --config) or set FRAMEWORKDIR to the directory holding Prancer's config.ini.`
    })
    await assert.rejects(resolveSettings({env: {FRAMEWORKDIR: join(dir, 'nope')}, cwd: dir, logger: recordingLogger()}), {
      message: `FRAMEWORKDIR is set to ${join(dir, 'nope')}, which is not an existing directory (Prancer stops with "env variable set to non-existent directory"). Fix FRAMEWORKDIR or pass the config input.`
    })
  })
)

test(
  'missing OUTPUT key or section: the message names the file and the section',
  withDir({'a.ini': '[MONGODB]\ndbname = validator\n', 'b.ini': '[LOGGING]\nlevel = INFO\n'}, async dir => {
    await assert.rejects(resolveSettings({configPath: join(dir, 'a.ini'), env: {}, cwd: dir, logger: recordingLogger()}), {
      message: `${join(dir, 'a.ini')}: section [MONGODB] has no OUTPUT value. Prancer stores test results in the collection named by [MONGODB] OUTPUT (usually "outputs"); add it, e.g. "[MONGODB]\\nOUTPUT = outputs".`
    })
    await assert.rejects(resolveSettings({configPath: join(dir, 'b.ini'), env: {}, cwd: dir, logger: recordingLogger()}), {
      message: `${join(dir, 'b.ini')}: it has no [MONGODB] section (sections: [LOGGING]). Prancer stores test results in the collection named by [MONGODB] OUTPUT (usually "outputs"); add it, e.g. "[MONGODB]\\nOUTPUT = outputs".`
    })
  })
)

test(
  'lower-case sections (as the backup guide writes them) are used with a notice; missing dbname values have their defaults',
  withDir({'config.ini': '[mongodb]\nOUTPUT = outputs\n'}, async dir => {
    const s = await resolveSettings({env: {}, cwd: dir, logger: recordingLogger()})
    const path = join(dir, 'config.ini')
    assert.equal(s.database, 'test')
    assert.equal(s.logsDatabase, null)
    assert.deepEqual(s.notices, [
      `${path} has no [MONGODB] section; using [mongodb] instead. Prancer itself reads only [MONGODB] (section names are case-sensitive), so rename the section for Prancer to see it.`,
      `${path}: [MONGODB] dbname is not set; using "test", the database Prancer uses then.`,
      `${path}: [LOGGING] dbname is not set, so Prancer writes no database logs; no logs will be exported.`,
      'No connection string given (mongodb-uri input, env DBURL or [MONGODB] dburl); using mongodb://localhost:27017, as Prancer does.'
    ])
  })
)

test(
  'a BOM and a duplicate key fail with the file, the line and the fix',
  withDir({'bom.ini': '\ufeff' + GOOD, 'dup.ini': GOOD + 'output = other\n'}, async dir => {
    await assert.rejects(resolveSettings({configPath: join(dir, 'bom.ini'), env: {}, cwd: dir, logger: recordingLogger()}), {
      name: 'MissingSectionHeaderError',
      message: `${join(dir, 'bom.ini')} line 1: text before the first [section] header: "\ufeff[LOGGING]". The file starts with a UTF-8 byte order mark (BOM), which Python reads as part of the first line: save the file without a BOM.`
    })
    await assert.rejects(resolveSettings({configPath: join(dir, 'dup.ini'), env: {}, cwd: dir, logger: recordingLogger()}), {
      name: 'DuplicateOptionError',
      message: `${join(dir, 'dup.ini')} line 8: key "output" appears a second time in section [MONGODB] (keys are case-insensitive); Python's configparser (and so Prancer) refuses the file. Keep one of them.`
    })
  })
)

test(
  'connection string order: input, env DBURL, [MONGODB] dburl (legacy), default; secrets registered before any log',
  withDir({'config.ini': GOOD.replace('[MONGODB]\n', '[MONGODB]\ndburl = mongodb://cfg:c%40fgpw@cfghost:27017/validator\n')}, async dir => {
    const pick = async (mongodbUri: string | undefined, env: Record<string, string>) => {
      const logger = recordingLogger()
      const s = await resolveSettings({mongodbUri, env, cwd: dir, logger})
      return {source: s.uriSource, uri: s.uri, logger, s}
    }
    assert.equal((await pick('mongodb://in:inpw@h1', {DBURL: 'mongodb://env:envpw@h2'})).source, 'input mongodb-uri')
    assert.equal((await pick(undefined, {DBURL: 'mongodb://env:envpw@h2'})).source, 'env DBURL')
    const legacy = await pick(undefined, {})
    assert.equal(legacy.source, 'config.ini [MONGODB] dburl')
    // configparser cannot interpolate the URL-encoded password; the text is taken as written
    assert.equal(legacy.uri, 'mongodb://cfg:c%40fgpw@cfghost:27017/validator')
    const secrets = legacy.logger.calls.filter(([kind]) => kind === 'secret').map(([, v]) => v)
    for (const needed of ['mongodb://cfg:c%40fgpw@cfghost:27017/validator', 'c%40fgpw', 'c@fgpw']) assert.ok(secrets.includes(needed), needed)
    assert.ok(legacy.logger.calls.every(([kind]) => kind === 'secret'), 'resolveSettings logs nothing itself')
    const summary = summarizeSettings(legacy.s)
    assert.equal(summary.redactedUri, 'mongodb://cfg:****@cfghost:27017/validator')
    assert.ok(!JSON.stringify(summary).includes('fgpw'))
  })
)

test(
  'env CUSTOMER gives a warning',
  withDir({'config.ini': GOOD}, async dir => {
    const s = await resolveSettings({env: {CUSTOMER: 'acme'}, cwd: dir, logger: recordingLogger()})
    assert.equal(s.warnings.length, 1)
    assert.match(s.warnings[0]!, /^env CUSTOMER is set: Prancer then reads a per-customer file/)
  })
)

test('redactUri hides passwords and secret options; uriSecrets lists every form', () => {
  assert.equal(redactUri('mongodb+srv://u:p%2Fw@cluster0.x.net/db?retryWrites=true&authMechanismProperties=AWS_SESSION_TOKEN:abc'), 'mongodb+srv://u:****@cluster0.x.net/db?retryWrites=true&authMechanismProperties=****')
  assert.equal(redactUri('mongodb://h1:1,h2:2/?replicaSet=r'), 'mongodb://h1:1,h2:2/?replicaSet=r')
  assert.equal(redactUri('mongodb://user@h'), 'mongodb://user@h')
  // the driver refuses an unencoded @ in a password, so no split can be trusted: nothing of it is shown
  assert.equal(redactUri('mongodb://u:p@ss@h/x'), UNPARSEABLE_URI)
  assert.equal(redactUri('postgres://u:p@h'), '(connection string not shown: it does not start with mongodb:// or mongodb+srv://)')
  assert.deepEqual(uriSecrets('mongodb://u:p%40ss@h').sort(), ['mongodb://u:p%40ss@h', 'p%40ss', 'p@ss'].sort())
})

test('passwords with characters the driver refuses unencoded: no part of them is ever shown', () => {
  for (const password of ['pa?ss', 'p@ss', 'p:ss/x', 'pw#frag', 'p[1]']) {
    const uri = `mongodb://user:${password}@db.example:27017/validator?authSource=admin&authMechanismProperties=A:b@c`
    assert.equal(redactUri(uri), UNPARSEABLE_URI, password)
    assert.equal(uriHosts(uri), HOSTS_NOT_SHOWN, password)
    const redactor = createRedactor()
    for (const secret of uriSecrets(uri)) redactor.add(secret)
    // however the text around it is cut, the password does not survive redaction
    for (const text of [uri, `failed: ${uri.slice('mongodb://'.length)}`, `password ${password} here`]) {
      assert.ok(!redactor.redact(text).includes(password), `${password}: ${redactor.redact(text)}`)
    }
  }
  // percent-encoded passwords are split as the driver splits them
  assert.equal(redactUri('mongodb://user:p%40ss%3F@db.example/x'), 'mongodb://user:****@db.example/x')
  assert.equal(uriHosts('mongodb://user:p%40ss%3F@h1,h2:27018/x'), 'h1,h2:27018')
  assert.ok(uriSecrets('mongodb://user:p%40ss%3F@h').includes('p@ss?'))
  assert.equal(uriHosts('mongodb://user:p%ZZ@h/x'), HOSTS_NOT_SHOWN)
})

test('secret options: anything named password, secret or token, and authMechanismProperties', () => {
  const uri = 'mongodb://h/?proxyHost=px&proxyPassword=pr0xy-pw&tlsCertificateKeyFilePassword=kf-pw&authMechanismProperties=AWS_SESSION_TOKEN:tok123,SERVICE_NAME:svc&mySecret=s3c&appName=ci'
  assert.equal(redactUri(uri), 'mongodb://h/?proxyHost=px&proxyPassword=****&tlsCertificateKeyFilePassword=****&authMechanismProperties=****&mySecret=****&appName=ci')
  const secrets = uriSecrets(uri)
  for (const s of ['pr0xy-pw', 'kf-pw', 'AWS_SESSION_TOKEN:tok123,SERVICE_NAME:svc', 'tok123', 's3c']) assert.ok(secrets.includes(s), s)
  assert.ok(!secrets.includes('ci') && !secrets.includes('px'))
})

test('one redactor: connection strings masked whole, secrets of 3+ characters by substring, shorter ones never', () => {
  const redactor = createRedactor('***')
  for (const secret of uriSecrets('mongodb://u:1@h:27017/db')) redactor.add(secret)
  assert.equal(redactor.add('1'), false)
  assert.equal(redactor.add('abc'), true)
  // the one-character password does not turn every 1 into ***, but the connection string is still masked
  assert.equal(redactor.redact('documents 1100, uri mongodb://u:1@h:27017/db, abcd'), 'documents 1100, uri mongodb://u:****@h:27017/db, ***d')
  // longest first: a secret containing another is replaced whole
  redactor.add('abcdef')
  assert.equal(redactor.redact('abcdefg'), '***g')
})

test('scheme check is case-insensitive, as the driver\'s', () => {
  assert.ok(hasMongoScheme('MongoDB://h'))
  assert.ok(hasMongoScheme('mongodb+SRV://c.example'))
  assert.ok(!hasMongoScheme('postgres://h'))
  assert.equal(redactUri('MONGODB://u:pw@h'), 'MONGODB://u:****@h')
})

test('a connection string with no password or secret option is no secret: its hosts stay readable', () => {
  assert.deepEqual(uriSecrets('mongodb://db1.example.com:27017,db2.example.com/validator?replicaSet=rs0'), [])
  assert.deepEqual(uriSecrets('mongodb://reader@db1.example.com/validator'), [])
  // any secret part makes the whole string a secret too
  assert.ok(uriSecrets('mongodb://db1.example.com/?proxyPassword=hunter22').includes('mongodb://db1.example.com/?proxyPassword=hunter22'))
  assert.ok(uriSecrets('mongodb://u:pw1@db1.example.com/').includes('mongodb://u:pw1@db1.example.com/'))
  // unparseable strings stay masked whole
  assert.ok(uriSecrets('mongodb://u:p@ss@h').length > 0)
})

test('messages instead of bare JS errors: a UTF-16 config, an exploding interpolation, a config that is a directory, the CLI --uri source', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'settings-msg-'))
  try {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('[MONGODB]\r\nOUTPUT = outputs\r\n', 'utf16le')])
    writeFileSync(join(dir, 'u16.ini'), utf16)
    await assert.rejects(resolveSettings({configPath: 'u16.ini', env: {}, cwd: dir, logger: recordingLogger()}), {message: /u16\.ini is saved as UTF-16 \(or holds NUL bytes\); Prancer reads config\.ini as UTF-8\. Save it as UTF-8/})
    // each level repeats the one below: 2^8 copies of an 8 KiB value would be 2 MiB (within the depth limit of 10)
    const levels = Array.from({length: 8}, (_, i) => `k${i} = %(k${i + 1})s%(k${i + 1})s`)
    writeFileSync(join(dir, 'boom.ini'), `[MONGODB]\nOUTPUT = %(k0)s\n${levels.join('\n')}\nk8 = ${'x'.repeat(8192)}\n`)
    await assert.rejects(resolveSettings({configPath: 'boom.ini', env: {}, cwd: dir, logger: recordingLogger()}), {message: /\[MONGODB\] output cannot be read: its %\(\.\.\.\)s references expand to more than 1048576 characters/})
    mkdirSync(join(dir, 'adir.ini'))
    await assert.rejects(resolveSettings({configPath: 'adir.ini', env: {}, cwd: dir, logger: recordingLogger()}), {message: /adir\.ini is not a file/})
    writeFileSync(join(dir, 'ok.ini'), '[MONGODB]\nOUTPUT = outputs\n')
    const s = await resolveSettings({configPath: 'ok.ini', mongodbUri: 'mongodb://h', mongodbUriSource: '--uri', env: {}, cwd: dir, logger: recordingLogger()})
    assert.equal(s.uriSource, '--uri')
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
})
