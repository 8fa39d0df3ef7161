// Restores send documents as the BSON they are (src/mongo/raw-writes.ts). The update statements we build by hand are
// checked against js-bson's serialization of the same statement, for documents of every type; the structure check
// that stands between a file or archive and the server accepts every document the test generator writes and refuses
// each kind of damage, by name.

import assert from 'node:assert/strict'
import {test} from 'node:test'
import {BSON, type Document} from 'bson'
import {createRng, encodeDocument, generateDocuments, prancerOutputDocument, seedFromEnv} from '../../test/harness/bson-gen.ts'
import {getElement} from '../../src/bson/raw.ts'
import {rawDocumentProblem, updateStatement} from '../../src/mongo/raw-writes.ts'

const seed = seedFromEnv()
const asDocument = (bytes: Uint8Array): Document => BSON.deserialize(bytes, {promoteValues: false, promoteBuffers: false, bsonRegExp: true})

test(`update statements equal js-bson's {q: {_id}, u: doc | {$set: doc}, upsert: true} (seed ${seed})`, () => {
  const rng = createRng(seed)
  const docs = [
    ...generateDocuments(seed, 400, {profile: 'ferretdb', maxElements: 8}),
    ...Array.from({length: 50}, (_, i) => encodeDocument(prancerOutputDocument(rng, i)))
  ]
  let checked = 0
  for (const doc of docs) {
    const id = getElement(doc, '_id')
    if (id === undefined) continue
    const parsed = asDocument(doc)
    const idElement = id.bytes.subarray(id.elementStart, id.valueEnd)
    // js-bson writes what it read back to the same bytes for these documents: checked first, so a difference below is ours.
    if (!Buffer.from(BSON.serialize(parsed)).equals(Buffer.from(doc))) continue
    assert.deepEqual(Buffer.from(updateStatement(doc, idElement, false)), Buffer.from(BSON.serialize({q: {_id: parsed._id}, u: parsed, upsert: true})))
    assert.deepEqual(Buffer.from(updateStatement(doc, idElement, true)), Buffer.from(BSON.serialize({q: {_id: parsed._id}, u: {$set: parsed}, upsert: true})))
    checked++
  }
  assert.ok(checked >= 300, `${checked} documents checked`)
})

test('the structure check accepts every generated document and refuses each kind of damage', () => {
  for (const doc of generateDocuments(seed, 1000, {profile: 'full', maxElements: 8})) assert.equal(rawDocumentProblem(doc), undefined)

  const good = Buffer.from(BSON.serialize({_id: 1, str: 'abc', sub: {x: 'y'}, a: [1, 'two']}))
  const damaged = (edit: (b: Buffer) => void): Buffer => {
    const b = Buffer.from(good)
    edit(b)
    return b
  }
  const sAt = good.indexOf(Buffer.from('str\0')) + 4 // the string's int32 length
  const dAt = good.indexOf(Buffer.from('sub\0')) + 4 // the sub-document's int32 length
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['a total length that is not the size', damaged(b => b.writeInt32LE(b.length + 1, 0)), /declares \d+ bytes but has/],
    ['no final 0 byte', damaged(b => (b[b.length - 1] = 1)), /does not end with a 0 byte/],
    ['a string longer than its document', damaged(b => b.writeInt32LE(1000, sAt)), /runs past its document/],
    ['a string not ended by its 0', damaged(b => (b[sAt + 4 + 3] = 0x41)), /not terminated by a 0 byte/],
    ['a negative string length', damaged(b => b.writeInt32LE(-20, sAt)), /negative length|not terminated/],
    ['a sub-document that overruns', damaged(b => b.writeInt32LE(200, dAt)), /runs past its document/],
    ['a sub-document without its final 0', damaged(b => (b[dAt + b.readInt32LE(dAt) - 1] = 7)), /does not end with a 0 byte/],
    ['an unknown type', damaged(b => (b[sAt - 5] = 0x42)), /unknown BSON type 0x42/]
  ]
  // An element may not reach its document's closing 0 byte (found by review; each passed an earlier check).
  const le32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24]
  const overlapsWithString = Uint8Array.from([...le32(15), 0x02, 0x73, 0, ...le32(4), 0x61, 0x62, 0x63, 0]) // {s: "abc"}, its 0 the document's
  const nameIntoTerminator = Uint8Array.from([...le32(7), 0x0a, 0x61, 0]) // {a: null} without its own closing 0
  const nestedNameIntoTerminator = Uint8Array.from([...le32(15), 0x03, 0x64, 0, ...le32(7), 0x0a, 0x61, 0, 0]) // {d: that}
  cases.push(
    ['a string whose 0 is the document\'s closing byte', overlapsWithString, /runs past its document/],
    ['a name ended by the document\'s closing byte', nameIntoTerminator, /unterminated element name/],
    ['the same inside a sub-document', nestedNameIntoTerminator, /unterminated element name/]
  )
  for (const [what, bytes, message] of cases) assert.match(rawDocumentProblem(bytes) ?? 'accepted', message, what)

  assert.match(rawDocumentProblem(BSON.serialize({_id: [1, 2]}))!, /_id is an array/)
  assert.match(rawDocumentProblem(BSON.serialize({_id: /x/}))!, /_id is a regular expression/)
  // Deep nesting is refused, not followed until the stack runs out.
  let deep: Document = {}
  for (let i = 0; i < 1200; i++) deep = {d: deep}
  assert.match(rawDocumentProblem(BSON.serialize(deep, {}))!, /nested more than 1000 levels/)
})
