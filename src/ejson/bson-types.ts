// BSON type numbers as the parser uses them (Go's bsontype values, 0 for "no type yet"), their names in Go's error
// messages, and the ranges of BSON's int32 and int64: shared by the scanner, the parser, the $-wrapper values and the
// Go number parsers.

// BSON type numbers; 0 is "no type yet" (Go's Type(0)).
export const T_DOUBLE = 0x01
export const T_STRING = 0x02
export const T_DOC = 0x03
export const T_ARRAY = 0x04
export const T_BINARY = 0x05
export const T_UNDEFINED = 0x06
export const T_OID = 0x07
export const T_BOOL = 0x08
export const T_DATE = 0x09
export const T_NULL = 0x0a
export const T_REGEX = 0x0b
export const T_DBPOINTER = 0x0c
export const T_CODE = 0x0d
export const T_SYMBOL = 0x0e
export const T_CODE_SCOPE = 0x0f
export const T_INT32 = 0x10
export const T_TIMESTAMP = 0x11
export const T_INT64 = 0x12
export const T_DECIMAL = 0x13
export const T_MAXKEY = 0x7f
export const T_MINKEY = 0xff

const TYPE_NAMES: Record<number, string> = {
  [T_DOUBLE]: 'double', [T_STRING]: 'string', [T_DOC]: 'embedded document', [T_ARRAY]: 'array',
  [T_BINARY]: 'binary', [T_UNDEFINED]: 'undefined', [T_OID]: 'objectID', [T_BOOL]: 'boolean',
  [T_DATE]: 'UTC datetime', [T_NULL]: 'null', [T_REGEX]: 'regex', [T_DBPOINTER]: 'dbPointer',
  [T_CODE]: 'javascript', [T_SYMBOL]: 'symbol', [T_CODE_SCOPE]: 'code with scope', [T_INT32]: '32-bit integer',
  [T_TIMESTAMP]: 'timestamp', [T_INT64]: '64-bit integer', [T_DECIMAL]: '128-bit decimal',
  [T_MAXKEY]: 'max key', [T_MINKEY]: 'min key'
}
export const typeName = (t: number): string => TYPE_NAMES[t] ?? `invalid type 0x${t.toString(16)}`

export const INT32_MIN = -2147483648
export const INT32_MAX = 2147483647
export const INT64_MIN = -(2n ** 63n)
export const INT64_MAX = 2n ** 63n - 1n
