// Differential test: our BSON → Extended JSON writer against the Go driver's bson.MarshalExtJSON (the writer every
// mongoexport 100.x uses), on edge-case documents plus ≥100,000 seeded random documents covering all 21 BSON types,
// in relaxed and canonical mode. Any byte difference fails; the seed is printed so a failure can be replayed with
// TEST_SEED=<seed>.

import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {JSON_FORMATS} from '../../src/ejson/types.ts'
import {bsonToExtJson} from '../../src/ejson/writer.ts'
import {BSON_TYPE_CODES, edgeCaseDocuments, generateDocuments, seedFromEnv} from '../../test/harness/bson-gen.ts'
import {marshalExtJson} from '../../test/harness/oracle.ts'

const RANDOM_DOCUMENTS = Number(process.env.WRITER_ORACLE_DOCS ?? 100_000)
const seed = seedFromEnv()
const docs = [...edgeCaseDocuments(), ...generateDocuments(seed, RANDOM_DOCUMENTS)]
const replay = `seed ${seed} (replay with TEST_SEED=${seed})`

/** Element type codes present anywhere in a document, code-with-scope scopes included. */
function collectTypes(doc: Uint8Array, start: number, seen: Set<number>): void {
  const view = new DataView(doc.buffer, doc.byteOffset, doc.byteLength)
  const end = start + view.getInt32(start, true) - 1
  let p = start + 4
  const cstringEnd = (q: number) => doc.indexOf(0, q)
  while (p < end) {
    const type = doc[p]!
    seen.add(type)
    p = cstringEnd(p + 1) + 1
    const int32 = () => view.getInt32(p, true)
    switch (type) {
      case 0x01: case 0x09: case 0x11: case 0x12: p += 8; break
      case 0x02: case 0x0d: case 0x0e: p += 4 + int32(); break
      case 0x03: case 0x04: collectTypes(doc, p, seen); p += int32(); break
      case 0x05: p += 5 + int32(); break
      case 0x07: p += 12; break
      case 0x08: p += 1; break
      case 0x0b: p = cstringEnd(cstringEnd(p) + 1) + 1; break
      case 0x0c: p += 4 + int32() + 12; break
      case 0x0f: { const total = int32(); const code = view.getInt32(p + 4, true); collectTypes(doc, p + 8 + code, seen); p += total; break }
      case 0x10: p += 4; break
      case 0x13: p += 16; break
      default: break // 0x06, 0x0a, 0x7f, 0xff carry no value
    }
  }
}

describe(`writer vs Go MarshalExtJSON on ${docs.length} documents, ${replay}`, () => {
  test('the corpus contains every one of the 21 BSON element types', () => {
    const seen = new Set<number>()
    for (const doc of docs) collectTypes(doc, 0, seen)
    const missing = Object.entries(BSON_TYPE_CODES).filter(([, code]) => !seen.has(code)).map(([name]) => name)
    assert.deepEqual(missing, [], `${replay}: types never generated`)
  })

  for (const format of JSON_FORMATS) {
    test(`${format}: zero byte differences`, async () => {
      const expected = await marshalExtJson(docs, format)
      assert.equal(expected.length, docs.length, 'the oracle must answer once per document')
      const differences: string[] = []
      let count = 0
      for (let i = 0; i < docs.length; i++) {
        let ours: string
        try {
          ours = bsonToExtJson(docs[i]!, format)
        } catch (error) {
          ours = `(threw) ${(error as Error).message}`
        }
        if (ours === expected[i]) continue
        count++
        if (differences.length < 3) {
          const want = expected[i]!
          let at = 0
          while (at < ours.length && ours[at] === want[at]) at++
          differences.push(
            `document #${i} (bson ${Buffer.from(docs[i]!).toString('hex').slice(0, 400)}…) first differs at char ${at}:\n` +
              `  ours: ${JSON.stringify(ours.slice(Math.max(0, at - 60), at + 60))}\n` +
              `  go:   ${JSON.stringify(want.slice(Math.max(0, at - 60), at + 60))}`
          )
        }
      }
      assert.equal(count, 0, `${replay}: ${count} of ${docs.length} documents differ in ${format} mode\n${differences.join('\n')}`)
    })
  }
})
