// The two size limits this reader adds to the Go parser's rules (mongoimport has neither; see GAPS in
// ext-json-to-bson.ts): the BSON size of one document, checked while its BSON is written, and the text size of one
// value, checked while a file is split into values. Apart so that other layers (the raw writes) use the same number.

/** The largest document a MongoDB server stores (its maxBsonObjectSize): 16 MiB of BSON. */
export const MAX_BSON_DOCUMENT_BYTES = 16 * 1024 * 1024
/**
 * The default cap on the text of one value read from a file: 16 times the BSON limit. mongoexport's
 * one-line output of a 16 MiB document is at most about 13.5 times its BSON size (the worst case is a
 * run of empty-key, empty regular expressions), so no exportable document is refused by it; it keeps
 * a hostile or broken file (one endless line) from being buffered without bound.
 */
export const MAX_DOCUMENT_TEXT_BYTES = 16 * MAX_BSON_DOCUMENT_BYTES
