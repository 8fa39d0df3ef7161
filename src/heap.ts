// V8 grows its young generation (the semi-spaces) up to 16 MiB each under a high allocation rate, and the driver
// allocates a few small objects per document: at a million documents that growth alone is ~90 MB of peak RSS
// (bench/export.ts). Keeping the semi-spaces at their initial size costs no measurable time (the survivors per
// scavenge are few), so the action and the CLI set it first thing. A process flag, read by V8 whenever new space
// would grow; it applies to every thread, and nothing else is changed.
import {setFlagsFromString} from 'node:v8'

export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1')
}
