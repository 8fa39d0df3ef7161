export {collectionExists, DEFAULT_BATCH_SIZE, exportCollection} from './collection.ts'
export {writeExportFile} from './file-writer.ts'
export type {ExportOptions, ExportProgress, ExportResult, FindSpec} from './types.ts'
