// V8 grows its young generation (the semi-spaces) up to 16 MiB each under a high allocation rate, and the driver
// allocates a few small objects per document: at a million documents that growth alone is ~90 MB of peak RSS
// (bench/export.ts). For the export (batches of 101 documents, gone before the next scavenge) keeping the
// semi-spaces at their initial size costs no measurable time, so the export job sets it. Not the backup: its batches
// of 1000 documents outlive small semi-spaces and get promoted, which tripled its GC time. A process flag, read by
// V8 whenever new space would grow; it applies to every thread, and nothing else is changed.
import {setFlagsFromString} from 'node:v8'

export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1')
}
