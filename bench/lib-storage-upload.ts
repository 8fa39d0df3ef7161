// The floor for `--to s3://`: the same bytes uploaded with @aws-sdk/lib-storage alone (same part size and queue as
// ours), one file after another. `node bench/lib-storage-upload.ts BUCKET PREFIX FILE...` (endpoint and keys from env).
import {createReadStream} from 'node:fs'
import {basename} from 'node:path'
import {S3Client} from '@aws-sdk/client-s3'
import {Upload} from '@aws-sdk/lib-storage'

const [bucket, prefix, ...files] = process.argv.slice(2)
const client = new S3Client({endpoint: process.env.AWS_ENDPOINT_URL_S3, forcePathStyle: true, region: 'us-east-1', requestChecksumCalculation: 'WHEN_REQUIRED'})
for (const file of files) {
  await new Upload({client, params: {Bucket: bucket, Key: `${prefix}/${basename(file)}`, Body: createReadStream(file)}, partSize: 8 * 1024 * 1024, queueSize: 4}).done()
}
client.destroy()
