// Documents handed to the Node driver must serialize back to exactly the bytes our reader produced:
// key order (integer-like keys too), Int32 vs Double vs Int64, -0.0, Decimal128, binary subtypes...
// js-bson's serializer (the one the driver uses) is the judge. Inputs take the restore's own path:
// generated BSON → Go's mongoexport writer (oracle) → our reader → toDriverDocument → js-bson.

import assert from 'node:assert/strict'
import {test} from 'node:test'
import {BSON} from 'bson'
import {edgeCaseDocuments, generateDocuments, seedFromEnv} from '../../../test/harness/bson-gen.ts'
import {marshalExtJson} from '../../../test/harness/oracle.ts'
import {extJsonToBson} from '../../../src/ejson/ext-json-to-bson.ts'
import {toDriverDocument, UNREPRESENTABLE} from '../../../src/jobs/restore/driver-document.ts'
import {InputError} from '../../../src/common/errors.ts'

const seed = seedFromEnv()

async function throughReader(docs: Uint8Array[]): Promise<Uint8Array[]> {
  const lines = [...(await marshalExtJson(docs, 'canonical')), ...(await marshalExtJson(docs, 'relaxed'))]
  const parsed: Uint8Array[] = []
  for (const line of lines) {
    try {
      parsed.push(extJsonToBson(line))
    } catch {
      // Go refuses some of its own output too (e.g. NUL in keys); not a restore input.
    }
  }
  return parsed
}

function roundTrip(docs: Uint8Array[]): {exact: number; refused: Record<string, number>} {
  let exact = 0
  const refused: Record<string, number> = {}
  docs.forEach((doc, index) => {
    let converted
    try {
      converted = toDriverDocument(doc)
    } catch (error) {
      if (!(error instanceof InputError && error.code === UNREPRESENTABLE)) throw error
      const reason = error.message.replace(/"(?:[^"\\]|\\.)*"/g, '…').replace(/\(.*\)/, '')
      refused[reason] = (refused[reason] ?? 0) + 1
      return
    }
    const bytes = BSON.serialize(converted as unknown as BSON.Document)
    assert.ok(
      Buffer.from(bytes).equals(Buffer.from(doc)),
      `document #${index} changed through the driver's serializer (TEST_SEED=${seed})\n  in:  ${Buffer.from(doc).toString('hex').slice(0, 400)}\n  out: ${Buffer.from(bytes).toString('hex').slice(0, 400)}`
    )
    exact++
  })
  return {exact, refused}
}

test('documents FerretDB stores survive the driver byte for byte', async () => {
  const docs = await throughReader(generateDocuments(seed, 3_000, {profile: 'ferretdb'}))
  const {exact, refused} = roundTrip(docs)
  assert.deepEqual(refused, {}, `FerretDB-storable documents were refused (TEST_SEED=${seed})`)
  assert.equal(exact, docs.length)
})

test('any BSON type: identical bytes, or refused with a reason (never silently altered)', async () => {
  const docs = await throughReader([...generateDocuments(seed, 3_000, {profile: 'full'}), ...edgeCaseDocuments()])
  const {exact, refused} = roundTrip(docs)
  console.log(`# ${exact} of ${docs.length} exact; refused: ${JSON.stringify(refused)} (seed ${seed})`)
  // Only the types js-bson cannot write may be refused.
  for (const reason of Object.keys(refused)) {
    assert.match(reason, /DBPointer|Undefined|appears twice|outside what a JavaScript Date|NaN|not valid UTF-8|regex|vector/, reason)
  }
})

test('integer-like keys, 1.0, -0.0, Int64 beyond 2^53 and Decimal128 keep their bytes; duplicates are refused', () => {
  const doc = extJsonToBson(
    '{"b":1,"10":1.0,"a":{"$numberLong":"9007199254740993"},"2":-0.0,"d":{"$numberDecimal":"1.10"},"x":{"z":1,"1":[2,{"$numberInt":"3"}]},"t":{"$timestamp":{"t":5,"i":6}},"o":{"$binary":{"base64":"AQID","subType":"02"}}}'
  )
  const converted = toDriverDocument(doc)
  assert.deepEqual([...converted.keys()], ['b', '10', 'a', '2', 'd', 'x', 't', 'o'])
  assert.ok(Buffer.from(BSON.serialize(converted as unknown as BSON.Document)).equals(Buffer.from(doc)))
  assert.throws(() => toDriverDocument(extJsonToBson('{"a":1,"a":2}')), /"a" appears twice/)
  assert.throws(() => toDriverDocument(extJsonToBson('{"u":{"$undefined":true}}')), /Undefined/)
})
