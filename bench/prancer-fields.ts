// What the export job reads from every exported output (_id, timestamp, json.status, json.log,
// json.results[].result): src/bson/raw.ts on the raw bytes vs a full BSON.deserialize per document.
import {BSON, Long, ObjectId} from 'bson'
import type {BenchSection} from './run.ts'
import {getElement, getString, getStrings, canonicalEjson} from '../src/bson/raw.ts'
import {usableTimestamp} from '../src/prancer/incremental.ts'

function prancerOutput(i: number, results: number): Uint8Array {
  return BSON.serialize({
    _id: new ObjectId(),
    checksum: '99914b932bd37a50b983c5e7c90ae93b',
    collection: 'outputs',
    container: 'azure-prod',
    json: {
      container: 'azure-prod',
      log: 'logs_20260301090015_COMPLIANCE',
      results: Array.from({length: results}, (_, j) => ({
        description: 'Ensure that the storage account denies public network access by default. '.repeat(3),
        eval: `data.rule.r${j}`,
        message: '',
        result: j % 5 === 0 ? 'failed' : 'passed',
        severity: 'High',
        snapshots: [{id: `snap${j}`, path: `/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa${j}`, structure: 'azure'}],
        tags: [{cloud: 'azure', compliance: ['CIS', 'NIST 800'], service: ['Storage']}],
        title: `Rule ${j}`
      })),
      session_id: 'session_1772355615000',
      status: 'Completed',
      timestamp: Long.fromNumber(1_772_355_615_000 + i)
    },
    name: `Compliancetest_${i}`,
    timestamp: Long.fromNumber(1_772_355_615_000 + i),
    type: 'output'
  })
}

function measure(docs: Uint8Array[], read: (doc: Uint8Array) => unknown): {docsPerSec: number; mbPerSec: number} {
  const bytes = docs.reduce((n, d) => n + d.length, 0)
  for (const d of docs.slice(0, 50)) read(d) // warm-up
  const start = performance.now()
  let rounds = 0
  while (performance.now() - start < 1000) {
    for (const d of docs) read(d)
    rounds++
  }
  const seconds = (performance.now() - start) / 1000
  return {docsPerSec: Math.round((rounds * docs.length) / seconds), mbPerSec: Math.round((rounds * bytes) / seconds / 1e5) / 10}
}

export async function bench(): Promise<BenchSection> {
  const rows: BenchSection['rows'] = []
  for (const results of [10, 200]) {
    const docs = Array.from({length: 200}, (_, i) => prancerOutput(i, results))
    const raw = measure(docs, doc => [canonicalEjson(getElement(doc, '_id')!), usableTimestamp(doc), getString(doc, 'json.status'), getString(doc, 'json.log'), getStrings(doc, 'json.results[].result')])
    const full = measure(docs, doc => {
      const d = BSON.deserialize(doc)
      return [d._id.toHexString(), d.timestamp, d.json.status, d.json.log, d.json.results.map((r: {result: string}) => r.result)]
    })
    const size = Math.round(docs[0]!.length / 1024)
    rows.push({document: `${results} results (~${size} KiB)`, method: 'raw field reads (ours)', 'docs/s': raw.docsPerSec, 'MB/s': raw.mbPerSec})
    rows.push({document: `${results} results (~${size} KiB)`, method: 'BSON.deserialize', 'docs/s': full.docsPerSec, 'MB/s': full.mbPerSec, ratio: Math.round((raw.docsPerSec / full.docsPerSec) * 10) / 10})
  }
  return {title: 'Reading the fields the export job tracks, per output document', rows, notes: ['ratio = raw reads per second / full deserializes per second, same documents, same process']}
}
