export {restore, RestoreError, RESTORE_MODES, MAX_BATCH_DOCUMENTS} from './restore.ts'
export type {RestoreFileResult, RestoreMode, RestoreOptions, RestoreProgress, RestoreResult} from './restore.ts'
export {RestoreSourceError} from './source.ts'
export {toDriverDocument, UnrepresentableDocumentError} from './driver-document.ts'
