/** mongoexport's --jsonFormat values. Relaxed is mongoexport's default. */
export type JsonFormat = 'relaxed' | 'canonical'

export const JSON_FORMATS: readonly JsonFormat[] = ['relaxed', 'canonical']
