// The one part of the Node driver's internals we use (src/mongo/raw-writes.ts says why): the OP_MSG document
// sequence its own insert, update and bulk-write operations build from already serialized documents.
declare module 'mongodb/lib/cmap/commands.js' {
  export class DocumentSequence {
    constructor(field: string)
    push(document: unknown, buffer: Uint8Array): number
  }
}
