// `npm run peers`: builds (or finds in the cache) the Go test peers and prints where they are.

import {ensurePeers} from './peers.ts'

const peers = await ensurePeers()
for (const [name, value] of Object.entries(peers)) {
  console.log(`${name}\t${value}`)
}
