// The exactly-once state an outputs manifest carries from one export to the next (docs/incremental.md). The window
// arithmetic that reads and advances it is Prancer's own (src/prancer/incremental.ts); this is the stored shape.

export interface Watermark {
  field: 'timestamp'
  /** Highest timestamp (epoch ms) exported so far, null when nothing has ever been exported. */
  value: number | null
  lookbackMs: number
  /** Every exported document with timestamp >= value - lookbackMs: canonical Extended JSON of its _id, and its timestamp. */
  seen: Array<{id: string; ts: number}>
  /**
   * Exported documents whose timestamp is usable but implausible for Prancer (before 2001-09-09, e.g. epoch seconds;
   * or more than a day after the export, e.g. epoch microseconds). They never move `value`, so a few bad timestamps
   * cannot poison the chain, and they are kept out of later windows by id. Absent in older manifests.
   */
  outliers?: Array<{id: string; ts: number}>
}
