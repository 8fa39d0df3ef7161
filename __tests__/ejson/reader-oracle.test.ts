// Differential test of our Extended JSON reader against mongoimport's parser: the Go driver's
// bson.UnmarshalExtJSON(line, false, &bson.D) + bson.Marshal, run by the ejson-oracle peer.
// Every input must give byte-identical BSON, or an error on both sides.
// Seeded: TEST_SEED=<n> reproduces a run; the seed is printed with any failure.

import assert from 'node:assert/strict'
import {test} from 'node:test'
import {createRng, edgeCaseDocuments, generateDocuments, seedFromEnv, type Rng} from '../../test/harness/bson-gen.ts'
import {marshalExtJson, unmarshalExtJson} from '../../test/harness/oracle.ts'
import {ExtJsonSyntaxError} from '../../src/ejson/errors.ts'
import {extJsonToBson} from '../../src/ejson/ext-json-to-bson.ts'

const seed = seedFromEnv()
const GENERATED_DOCUMENTS = 36_000 // × 2 formats
const MUTATED_LINES = 16_000
const NUMBER_LINES = 12_000
const WRAPPER_LINES = 14_000

interface Mismatch {
  line: string
  ours: string
  go: string
}

/** Runs both parsers over `lines` and returns the disagreements. */
async function compare(lines: string[]): Promise<{mismatches: Mismatch[]; parsed: number; refused: number}> {
  const results = await unmarshalExtJson(lines)
  const mismatches: Mismatch[] = []
  let parsed = 0
  let refused = 0
  lines.forEach((line, index) => {
    let ours: Uint8Array | Error
    try {
      ours = extJsonToBson(line)
    } catch (error) {
      if (!(error instanceof ExtJsonSyntaxError)) throw error
      ours = error
    }
    const go = results[index]
    if ('bson' in go) {
      if (ours instanceof Uint8Array && Buffer.from(ours).equals(Buffer.from(go.bson))) return void parsed++
      mismatches.push({line, ours: describe(ours), go: `BSON ${Buffer.from(go.bson).toString('hex')}`})
    } else {
      if (ours instanceof Error) return void refused++
      mismatches.push({line, ours: describe(ours), go: `error: ${go.error}`})
    }
  })
  return {mismatches, parsed, refused}
}

const describe = (value: Uint8Array | Error): string =>
  value instanceof Error ? `error: ${value.message}` : `BSON ${Buffer.from(value).toString('hex')}`

function assertNoMismatch(name: string, total: number, result: {mismatches: Mismatch[]; parsed: number; refused: number}): void {
  const {mismatches, parsed, refused} = result
  const shown = mismatches
    .slice(0, 8)
    .map((m) => `  input: ${JSON.stringify(m.line).slice(0, 300)}\n    ours: ${m.ours.slice(0, 240)}\n    go:   ${m.go.slice(0, 240)}`)
    .join('\n')
  assert.equal(mismatches.length, 0, `${name}: ${mismatches.length} of ${total} inputs differ from Go (TEST_SEED=${seed})\n${shown}`)
  console.log(`# ${name}: ${total} inputs, ${parsed} identical BSON, ${refused} refused by both (seed ${seed})`)
}

// ------------------------------------------------------------------------------------------- inputs

/** Hand-written: boundaries, legacy forms, mis-shaped wrappers, invalid JSON. */
const HAND_WRITTEN = String.raw`{"a":1,"b":1.0,"c":3000000000,"d":99999999999999999999,"e":1e2,"f":-0,"g":-0.0}
{"a":2147483647,"b":2147483648,"c":-2147483648,"d":-2147483649,"e":9223372036854775807,"f":9223372036854775808,"g":-9223372036854775808,"h":-9223372036854775809}
{"a":9007199254740993,"b":-9007199254740993,"c":18446744073709551616,"d":1.7976931348623157e308,"e":2.2250738585072014e-308}
{"a":1e308,"b":5e-324,"c":1e-400,"d":0.1,"e":1E+06,"f":1e-7,"g":2e-324,"h":3e-324}
{"a":1e309}
{"a":-1e309}
{"a":01}
{"a":-01}
{"a":00}
{"a":-}
{"a":1.}
{"a":.5}
{"a":1e}
{"a":1e+}
{"a":+1}
{"a":1.5e3x}
{"a":Infinity}
{"a":NaN}
{"a":0x10}
{"x":"\u00e9\ud83d\ude00\ud83d","y":"\udc00x","z":"\uD800\uD800","w":"\uzzzz","v":"\u12"}
{"x":"\ud800\n"}
{"x":"\ud800\q"}
{"x":"\q"}
{"x":"raw	tab and  control"}
{"a":true,"b":false,"c":null}
{"a":tru}
{"a":nul}
{"a":truex}
{"a":fals}
{"a":falsey}
{"a":1}garbage
{"a":1}}
{"a":1}{"b":2}
{}
{}x
null
nullx
true
"str"
1
[1]
[]

{"a"}
{"a":}
{"a":1,}
{,"a":1}
{"a":1 "b":2}
{"a":[1,]}
{"a":[,1]}
{"a":[1 2]}
{"a":[1}
{"a":{"b":1]}
{'a':1}
{a:1}
{"a":1,"a":2}
{"$oid":"5f1a2b3c4d5e6f7a8b9c0d1e"}
{"$date":5}
{"a":{"$oid":"5F1A2B3C4D5E6F7A8B9C0D1E"}}
{"a":{"$oid":"5f1a2b3c4d5e6f7a8b9c0d1"}}
{"a":{"$oid":"5f1a2b3c4d5e6f7a8b9c0d1g"}}
{"a":{"$oid":5}}
{"a":{"$oid":"5f1a2b3c4d5e6f7a8b9c0d1e","x":1}}
{"a":{"x":1,"$oid":"5f1a2b3c4d5e6f7a8b9c0d1e"}}
{"a":{"$date":"2020-01-01T00:00:00Z"}}
{"a":{"$date":"2020-01-01T00:00:00.1Z"}}
{"a":{"$date":"2020-01-01T00:00:00.123456789123Z"}}
{"a":{"$date":"2020-01-01T00:00:00,5Z"}}
{"a":{"$date":"2020-01-01T00:00:00+01:00"}}
{"a":{"$date":"2020-01-01T00:00:00-0130"}}
{"a":{"$date":"2020-01-01T00:00:00+24:00"}}
{"a":{"$date":"2020-01-01T00:00:00+25:00"}}
{"a":{"$date":"2020-01-01T00:00:00+01:61"}}
{"a":{"$date":"2020-01-01T00:00:00+01:60"}}
{"a":{"$date":"2020-01-01T1:00:00Z"}}
{"a":{"$date":"2020-01-01T24:00:00Z"}}
{"a":{"$date":"2020-01-01T23:60:00Z"}}
{"a":{"$date":"2020-01-01T23:59:60Z"}}
{"a":{"$date":"2020-02-29T00:00:00Z"}}
{"a":{"$date":"2019-02-29T00:00:00Z"}}
{"a":{"$date":"0000-02-29T00:00:00Z"}}
{"a":{"$date":"1900-02-29T00:00:00Z"}}
{"a":{"$date":"9999-12-31T23:59:59.999Z"}}
{"a":{"$date":"0001-01-01T00:00:00Z"}}
{"a":{"$date":"1969-12-31T23:59:59.999Z"}}
{"a":{"$date":"2020-01-01"}}
{"a":{"$date":"2020-01-01T00:00:00"}}
{"a":{"$date":"2020-01-01T00:00:00z"}}
{"a":{"$date":"2020-01-01T00:00:00.Z"}}
{"a":{"$date":"2020-01-01T00:00:00Z "}}
{"a":{"$date":"+2020-01-01T00:00:00Z"}}
{"a":{"$date":"2020-13-01T00:00:00Z"}}
{"a":{"$date":1577836800000}}
{"a":{"$date":-1}}
{"a":{"$date":1.5}}
{"a":{"$date":true}}
{"a":{"$date":null}}
{"a":{"$date":{"$numberLong":"1577836800000"}}}
{"a":{"$date":{"$numberLong":1577836800000}}}
{"a":{"$date":{"$numberLong":{"$numberLong":"5"}}}}
{"a":{"$date":{"$numberInt":"5"}}}
{"a":{"$date":{}}}
{"a":{"$date":{"$numberLong":"5","x":1}}}
{"a":{"$date":[1]}}
{"a":{"$date":"2020-01-01T00:00:00Z","x":1}}
{"a":{"$numberInt":"+5"}}
{"a":{"$numberInt":"007"}}
{"a":{"$numberInt":"3000000000"}}
{"a":{"$numberInt":"1.0"}}
{"a":{"$numberInt":5}}
{"a":{"$numberInt":" 5"}}
{"a":{"$numberLong":"-9223372036854775808"}}
{"a":{"$numberLong":"9223372036854775808"}}
{"a":{"$numberLong":"1_000"}}
{"a":{"$numberLong":5}}
{"a":{"$numberDouble":"1"}}
{"a":{"$numberDouble":"-0"}}
{"a":{"$numberDouble":"Infinity"}}
{"a":{"$numberDouble":"-Infinity"}}
{"a":{"$numberDouble":"NaN"}}
{"a":{"$numberDouble":"nan"}}
{"a":{"$numberDouble":"-nan"}}
{"a":{"$numberDouble":"+Inf"}}
{"a":{"$numberDouble":"infin"}}
{"a":{"$numberDouble":"1_000.5"}}
{"a":{"$numberDouble":"1__0"}}
{"a":{"$numberDouble":"0x1p-2"}}
{"a":{"$numberDouble":"0x1.8p3"}}
{"a":{"$numberDouble":"0x1"}}
{"a":{"$numberDouble":"0x1p2000"}}
{"a":{"$numberDouble":"0x1p-1075"}}
{"a":{"$numberDouble":"0x1.0000000000001p-1074"}}
{"a":{"$numberDouble":"0x1.fffffffffffff8p1023"}}
{"a":{"$numberDouble":"0x1.fffffffffffff7p1023"}}
{"a":{"$numberDouble":"1e309"}}
{"a":{"$numberDouble":".5"}}
{"a":{"$numberDouble":"5."}}
{"a":{"$numberDouble":""}}
{"a":{"$numberDouble":1.5}}
{"a":{"$numberDecimal":"-0"}}
{"a":{"$numberDecimal":"-0.00e3"}}
{"a":{"$numberDecimal":"-nan"}}
{"a":{"$numberDecimal":"+inf"}}
{"a":{"$numberDecimal":"1e6144"}}
{"a":{"$numberDecimal":"1e6112"}}
{"a":{"$numberDecimal":"1e-6176"}}
{"a":{"$numberDecimal":"1e-6177"}}
{"a":{"$numberDecimal":"10e-6177"}}
{"a":{"$numberDecimal":"1234567890123456789012345678901234"}}
{"a":{"$numberDecimal":"12345678901234567890123456789012345"}}
{"a":{"$numberDecimal":"12345678901234567890123456789012340"}}
{"a":{"$numberDecimal":"+12345678901234567890123456789012340"}}
{"a":{"$numberDecimal":"123456789012345678901234567890123400"}}
{"a":{"$numberDecimal":"1e99999999999999999999"}}
{"a":{"$numberDecimal":"0e99999999999999999999"}}
{"a":{"$binary":{"subType":"00","base64":"AQID"}}}
{"a":{"$binary":{"base64":"AQID","subType":"100"}}}
{"a":{"$binary":{"base64":"AQID","subType":"000080"}}}
{"a":{"$binary":{"base64":"AQ==","subType":"02"}}}
{"a":{"$binary":{"base64":"AR==","subType":"00"}}}
{"a":{"$binary":{"base64":"AQ","subType":"00"}}}
{"a":{"$binary":{"base64":"A===","subType":"00"}}}
{"a":{"$binary":{"base64":"AQ\r\n==","subType":"00"}}}
{"a":{"$binary":{"base64":"AQ==AQ==","subType":"00"}}}
{"a":{"$binary":{"base64":"AQID","subType":{"$numberInt":"5"}}}}
{"a":{"$binary":"AQID","$type":"80"}}
{"a":{"$binary":"AQID","$type":5}}
{"a":{"$binary":"AQID","$type":{"$symbol":"05"}}}
{"a":{"$binary":"AQID"}}
{"a":{"$type":"00","$binary":"AQID"}}
{"a":{"$uuid":"01234567-89ab-cdef-0123-456789abcdef"}}
{"a":{"$uuid":"0123456789abcdef0123456789abcdef"}}
{"a":{"$uuid":"01234567-89ab-cdef-0123-456789abcde-"}}
{"a":{"$uuid":{"base64":"AQ==","subType":"00"}},"b":{"$binary":"AQID","$type":"00"}}
{"a":{"$regularExpression":{"pattern":"a","options":"xsmi"}}}
{"a":{"$regularExpression":{"pattern":"a\u0000","options":"i"}}}
{"a":{"$regularExpression":{"pattern":"a","options":"\u00e9ba"}}}
{"a":{"$regex":"a","$options":"i"}}
{"a":{"$timestamp":{"t":4294967295,"i":4294967296}}}
{"a":{"$timestamp":{"t":{"$minKey":1},"i":2}}}
{"a":{"$timestamp":{"t":1,"t":2}}}
{"a":{"$code":"x","$scope":{"b":{"$code":"y","$scope":{}}}}}
{"a":{"$code":"x","other":1}}
{"a":{"$code":"x","$scope":{},"extra":1}}
{"a":{"$scope":{},"$code":"x"}}
{"a":[{"$code":"x","$scope":{"z":[1,2]}},2]}
{"a":{"$minKey":2}}
{"a":{"$undefined":false}}
{"a":{"$dbPointer":{"$ref":"c","$id":"5f1a2b3c4d5e6f7a8b9c0d1e"}}}
{"a":{"$ref":"c","$id":{"$oid":"5f1a2b3c4d5e6f7a8b9c0d1e"}}}
{"a":{"\u0000":1}}
{"a":"x\u0000y"}
{"a":{}, "b":[{}, {}], "c":{"d":{}}}
{"":1}`.split('\n')

const HEX = '0123456789abcdef'
const hex = (rng: Rng, n: number): string => Array.from({length: n}, () => rng.pick([...HEX, ...'ABCDEF'])).join('')

/** Random number lexemes around the interesting boundaries, valid and not. */
function numberLexeme(rng: Rng): string {
  const fixed = [
    '2147483647', '2147483648', '-2147483648', '-2147483649', '9223372036854775807', '9223372036854775808',
    '-9223372036854775808', '-9223372036854775809', '9007199254740992', '9007199254740993', '1e308', '1e309',
    '-0', '0', '-0.0', '0.1', '5e-324', '2.4703282292062328e-324', '1.7976931348623158e308', '00', '-', '1.', '.5',
    '1e', '1E+', '+1', '0x1p3', 'Infinity', '-inf', 'NaN', 'nan', '1_0', '1e1_0', '0.0e0', '18446744073709551616'
  ]
  if (rng.chance(0.3)) return rng.pick(fixed)
  const digits = (min: number, max: number): string => Array.from({length: rng.int(min, max)}, () => rng.int(0, 9)).join('')
  let text = rng.chance(0.3) ? '-' : ''
  text += rng.chance(0.15) ? '0' + digits(0, 2) : String(rng.int(1, 9)) + digits(0, 22)
  if (rng.chance(0.35)) text += '.' + digits(rng.chance(0.05) ? 0 : 1, 18)
  if (rng.chance(0.3)) text += rng.pick(['e', 'E']) + rng.pick(['', '+', '-']) + digits(rng.chance(0.05) ? 0 : 1, 4)
  return text
}

function numberLine(rng: Rng): string {
  const lexeme = numberLexeme(rng)
  switch (rng.int(0, 8)) {
    case 0:
    case 1:
      return `{"n":${lexeme}}`
    case 2:
      return `{"n":[${lexeme},${numberLexeme(rng)}],"m":{"k":${lexeme}}}`
    case 3:
      return `{"n":{"$numberInt":"${lexeme}"}}`
    case 4:
      return `{"n":{"$numberLong":"${lexeme}"}}`
    case 5:
      return `{"n":{"$numberDouble":"${lexeme}"}}`
    case 6:
      return `{"n":{"$numberDecimal":"${lexeme}${rng.chance(0.2) ? rng.pick(['', '0000000000', '0'.repeat(30)]) : ''}"}}`
    case 7:
      return `{"n":{"$date":${rng.chance(0.5) ? lexeme : `{"$numberLong":"${lexeme}"}`}}}`
    default:
      return `{"n":{"$timestamp":{"t":${lexeme},"i":${numberLexeme(rng)}}}}`
  }
}

/** Date strings around Go's two accepted layouts, with one component sometimes off. */
function dateString(rng: Rng): string {
  const pad = (n: number, width: number): string => String(n).padStart(width, '0')
  const parts = [
    pad(rng.pick([0, 1, 1969, 1970, 2000, 2020, 2024, 9999, rng.int(0, 9999)]), 4), '-',
    pad(rng.pick([1, 2, 12, 13, 0, rng.int(1, 12)]), 2), '-',
    pad(rng.pick([1, 28, 29, 30, 31, 0, 32, rng.int(1, 31)]), 2), 'T',
    rng.chance(0.1) ? String(rng.int(0, 9)) : pad(rng.pick([0, 23, 24, rng.int(0, 23)]), 2), ':',
    pad(rng.pick([0, 59, 60, rng.int(0, 59)]), 2), ':',
    pad(rng.pick([0, 59, 60, rng.int(0, 59)]), 2),
    rng.chance(0.5) ? rng.pick(['.', ',']) + String(rng.int(0, 999999999999)).slice(0, rng.int(0, 12)) : '',
    rng.pick(['Z', 'Z', '+00:00', '-05:30', '+0530', '+24:00', '-2400', '+25:00', '+01:60', '+01:61', 'z', '', '+1', 'Z+01:00'])
  ]
  if (rng.chance(0.1)) parts.splice(rng.int(0, parts.length - 1), 1)
  return parts.join('')
}

const WRAPPER_KEYS = [
  '$oid', '$date', '$numberInt', '$numberLong', '$numberDouble', '$numberDecimal', '$binary', '$type', '$uuid',
  '$regularExpression', '$regex', '$options', '$timestamp', '$code', '$scope', '$symbol', '$minKey', '$maxKey',
  '$undefined', '$dbPointer', '$ref', '$id', '$foo', 'base64', 'subType', 'pattern', 'options', 't', 'i', 'x'
]

/** A random small JSON value biased towards what the wrappers accept. */
function wrapperValue(rng: Rng, depth: number): string {
  switch (rng.int(0, depth > 2 ? 9 : 12)) {
    case 0: return `"${hex(rng, rng.pick([24, 24, 23, 2, 1, 3, 0]))}"`
    case 1: return `"${rng.pick(['AQID', 'AQ==', 'AR==', 'AQ', '', 'AQI=', 'A===', 'AAAA'])}"`
    case 2: return `"${rng.pick(['00', '04', '80', 'ff', '100', '0', 'g', '2', '05'])}"`
    case 3: return `"${rng.pick(['01234567-89ab-cdef-0123-456789abcdef', 'x', 'imx', 'i', '', '1'])}"`
    case 4: return `"${dateString(rng)}"`
    case 5: return numberLexeme(rng)
    case 6: return rng.pick(['true', 'false', 'null', '1', '0', '-1', '4294967295', '4294967296'])
    case 7: return `"${numberLexeme(rng)}"`
    case 8: return rng.pick(['[]', '{}', '[1]', '[{}]'])
    case 9: return `"${rng.pick(['a', 'a\\u0000', '\\u00e9ba', 'Infinity', 'NaN', '-0'])}"`
    default: return wrapperObject(rng, depth + 1)
  }
}

function wrapperObject(rng: Rng, depth: number): string {
  const count = rng.pick([1, 1, 2, 2, 2, 3, 0])
  const fields: string[] = []
  for (let i = 0; i < count; i++) fields.push(`"${rng.pick(WRAPPER_KEYS)}":${wrapperValue(rng, depth)}`)
  return `{${fields.join(',')}}`
}

/** Well-formed wrappers with one random deviation, and free-form combinations. */
function wrapperLine(rng: Rng): string {
  const oid = hex(rng, 24)
  const templates = [
    `{"$oid":"${oid}"}`,
    `{"$date":"${dateString(rng)}"}`,
    `{"$date":{"$numberLong":"${numberLexeme(rng)}"}}`,
    `{"$binary":{"base64":${wrapperValue(rng, 3)},"subType":${wrapperValue(rng, 3)}}}`,
    `{"$binary":${wrapperValue(rng, 3)},"$type":${wrapperValue(rng, 3)}}`,
    `{"$uuid":${rng.chance(0.7) ? `"${hex(rng, 8)}-${hex(rng, 4)}-${hex(rng, 4)}-${hex(rng, 4)}-${hex(rng, 12)}"` : wrapperValue(rng, 3)}}`,
    `{"$regularExpression":{"pattern":${wrapperValue(rng, 3)},"options":"${rng.pick(['', 'i', 'msix', 'xu', 'é'])}"}}`,
    `{"$regex":"a","$options":"i"}`,
    `{"$timestamp":{"t":${wrapperValue(rng, 3)},"i":${wrapperValue(rng, 3)}}}`,
    `{"$code":${wrapperValue(rng, 3)}}`,
    `{"$code":"x","$scope":${wrapperObject(rng, 2)}}`,
    `{"$dbPointer":{"$ref":"db.c","$id":${rng.chance(0.5) ? `{"$oid":"${oid}"}` : wrapperValue(rng, 3)}}}`,
    `{"$minKey":${wrapperValue(rng, 3)}}`,
    `{"$undefined":${wrapperValue(rng, 3)}}`,
    wrapperObject(rng, 0)
  ]
  let value = rng.pick(templates)
  if (rng.chance(0.15)) value = value.slice(0, -1) + `,"${rng.pick(WRAPPER_KEYS)}":${wrapperValue(rng, 3)}}`
  return rng.chance(0.2) ? `{"a":[${value},${rng.pick(templates)}],"b":${value}}` : `{"v":${value}}`
}

const MUTATION_CHARS = [...'{}[]:,"\\ 0123456789-+.eE$tfnulx', '\t', '\r', 'é']

/** One to three random edits of a valid line: most become invalid, some become other valid documents. */
function mutate(rng: Rng, line: string): string {
  let text = line
  for (let edits = rng.int(1, 3); edits > 0; edits--) {
    const at = rng.int(0, Math.max(0, text.length - 1))
    switch (rng.int(0, 4)) {
      case 0:
        text = text.slice(0, at) + text.slice(at + 1)
        break
      case 1:
        text = text.slice(0, at) + rng.pick(MUTATION_CHARS) + text.slice(at)
        break
      case 2:
        text = text.slice(0, at) + rng.pick(MUTATION_CHARS) + text.slice(at + 1)
        break
      case 3: {
        const length = rng.int(1, 12)
        text = text.slice(0, at) + text.slice(at, at + length) + text.slice(at)
        break
      }
      default:
        text = text.slice(0, at) + text.slice(at + rng.int(1, 40))
    }
  }
  return text
}

// -------------------------------------------------------------------------------------------- tests

test('generated documents: Go relaxed and canonical Extended JSON parse to the same BSON', async () => {
  const docs = [...generateDocuments(seed, GENERATED_DOCUMENTS, {profile: 'full'}), ...edgeCaseDocuments()]
  const lines = [...(await marshalExtJson(docs, 'relaxed')), ...(await marshalExtJson(docs, 'canonical'))]
  assertNoMismatch('relaxed + canonical', lines.length, await compare(lines))
})

test('hand-written edge numbers, legacy forms and invalid inputs', async () => {
  assertNoMismatch('hand-written', HAND_WRITTEN.length, await compare(HAND_WRITTEN))
})

test('generated number lexemes in every numeric context', async () => {
  const rng = createRng(seed ^ 0x4e554d)
  const lines = Array.from({length: NUMBER_LINES}, () => numberLine(rng))
  assertNoMismatch('numbers', lines.length, await compare(lines))
})

test('generated wrapper objects, well-formed and mis-shaped', async () => {
  const rng = createRng(seed ^ 0x575250)
  const lines = Array.from({length: WRAPPER_LINES}, () => wrapperLine(rng))
  assertNoMismatch('wrappers', lines.length, await compare(lines))
})

test('randomly mutated documents: same BSON or both refused', async () => {
  const rng = createRng(seed ^ 0x4d5554)
  const docs = generateDocuments(seed ^ 0x4d5554, 2_000, {profile: 'full', maxElements: 6})
  const sources = [...(await marshalExtJson(docs, 'canonical')), ...(await marshalExtJson(docs, 'relaxed'))]
  const wrappers = Array.from({length: 2_000}, () => wrapperLine(rng))
  const pool = [...sources, ...wrappers, ...HAND_WRITTEN]
  const lines = Array.from({length: MUTATED_LINES}, () => mutate(rng, rng.pick(pool)))
  assertNoMismatch('mutations', lines.length, await compare(lines))
})
