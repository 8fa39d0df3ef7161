// Splitting a file into documents like mongoimport: a BOM, values separated by any whitespace, values
// spanning lines, several on one line, a top-level array; chunk boundaries anywhere (inside UTF-8
// sequences too); the 1-based line where each document starts. Each document's BSON is compared with
// the Go parser's result for the same value.

import assert from 'node:assert/strict'
import {test} from 'node:test'
import {createRng, generateDocuments, seedFromEnv, type Rng} from '../../test/harness/bson-gen.ts'
import {marshalExtJson, unmarshalExtJson} from '../../test/harness/oracle.ts'
import {readExtJsonDocuments, type ExtJsonDocument} from '../../src/ejson/reader.ts'

const seed = seedFromEnv()

/** Re-flows one document over several lines by adding whitespace after , { [ : outside strings. */
function spreadOverLines(rng: Rng, line: string): string {
  let out = ''
  let inString = false
  let escaped = false
  for (const c of line) {
    out += c
    if (inString) {
      if (escaped) escaped = false
      else if (c === '\\') escaped = true
      else if (c === '"') inString = false
    } else if (c === '"') inString = true
    else if ((c === ',' || c === '{' || c === '[' || c === ':') && rng.chance(0.3)) out += rng.pick(['\n', '\r\n', '\n\t', ' \n  '])
  }
  return out
}

/** The text as a stream of random-sized byte chunks. */
async function* chunked(rng: Rng, bytes: Buffer): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; ) {
    const size = rng.pick([1, 2, 3, 7, 64, 1000, 4096, 65536])
    yield bytes.subarray(at, at + size)
    at += size
  }
}

async function readAll(rng: Rng, text: string, jsonArray?: boolean): Promise<ExtJsonDocument[]> {
  const docs: ExtJsonDocument[] = []
  const options = jsonArray === undefined ? {} : {jsonArray}
  for await (const doc of readExtJsonDocuments(chunked(rng, Buffer.from(text, 'utf8')), options)) docs.push(doc)
  return docs
}

const countLines = (text: string): number => text.split('\n').length - 1

test('documents across lines, several per line, random chunks: same BSON as Go and the right start lines', async () => {
  const rng = createRng(seed)
  const lines = await marshalExtJson(generateDocuments(seed, 3_000, {profile: 'full', maxElements: 6}), rng.chance(0.5) ? 'relaxed' : 'canonical')
  const expected = await unmarshalExtJson(lines)
  let text = '\ufeff'
  const startLines: number[] = []
  for (const line of lines) {
    text += rng.pick(['', '\n', '\r\n', ' ', '\n\n', '\t'])
    startLines.push(countLines(text) + 1)
    text += rng.chance(0.2) ? spreadOverLines(rng, line) : line
    text += rng.pick(['\n', '\n', '\r\n', ' ', '\t\n'])
  }
  const docs = await readAll(rng, text)
  assert.equal(docs.length, lines.length, `TEST_SEED=${seed}`)
  docs.forEach((doc, i) => {
    assert.equal(doc.line, startLines[i], `document #${i}: start line (TEST_SEED=${seed})`)
    const go = expected[i]
    if ('bson' in go) {
      assert.ok(doc.bson && Buffer.from(doc.bson).equals(Buffer.from(go.bson)), `document #${i} at line ${doc.line} differs from Go (TEST_SEED=${seed}): ${doc.error?.message ?? ''}`)
    } else {
      assert.ok(doc.error, `document #${i}: Go refuses it (${go.error}) but we did not (TEST_SEED=${seed})`)
    }
  })
})

test('a top-level array (jsonArray), detected from the first byte or forced', async () => {
  const rng = createRng(seed ^ 7)
  const lines = await marshalExtJson(generateDocuments(seed ^ 7, 200, {profile: 'ferretdb'}), 'canonical')
  const expected = await unmarshalExtJson(lines)
  const text = `\ufeff  [\n${lines.join(',\n')}\n]\n`
  for (const jsonArray of [undefined, true]) {
    const docs = await readAll(rng, text, jsonArray)
    assert.equal(docs.length, lines.length)
    docs.forEach((doc, i) => {
      assert.equal(doc.line, i + 2)
      const go = expected[i] as {bson: Uint8Array}
      assert.ok(doc.bson && Buffer.from(doc.bson).equals(Buffer.from(go.bson)), `array element #${i}`)
    })
  }
  assert.deepEqual(await readAll(rng, '[]'), [])
})

test('errors name the line: a bad document (reading goes on), an unterminated one, bad array syntax', async () => {
  const rng = createRng(seed ^ 9)
  const docs = await readAll(rng, '{"a":1}\n{"b":2}\n{"c":01}\n{"d":\n4}\n{"e":[1,\n')
  assert.deepEqual(docs.map((d) => [d.line, d.error === undefined]), [[1, true], [2, true], [3, false], [4, true], [6, false]])
  assert.match(docs[2].error?.message ?? '', /^line 3, column 6: invalid JSON number/)
  assert.match(docs[4].error?.message ?? '', /^line 6: unexpected end of input/)

  const afterArray = await readAll(rng, '[{"a":1}]\n x', true)
  assert.match(afterArray.at(-1)?.error?.message ?? '', /line 2: bad JSON array format - found 'x' after '\]'/)
  const trailingComma = await readAll(rng, '[{"a":1},\n]', true)
  assert.match(trailingComma.at(-1)?.error?.message ?? '', /line 2: .*found '\]' where a document was expected/)
  const notArray = await readAll(rng, '{"a":1}', true)
  assert.match(notArray[0].error?.message ?? '', /no opening bracket/)
  const unclosed = await readAll(rng, '[{"a":1}', true)
  assert.match(unclosed.at(-1)?.error?.message ?? '', /no closing bracket/)
})
