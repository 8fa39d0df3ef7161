// What a worker thread started by start.ts is for (its workerData.role).
export const ROLES = {
  exportConverter: 'prancer-db-artifacts export converter',
  exportWriter: 'prancer-db-artifacts export writer',
  archiveOutput: 'prancer-db-artifacts archive output',
  ejsonParser: 'prancer-db-artifacts Extended JSON parser'
} as const
