// hash-wasm's CRC-64 alone (8 KB), rather than its index, which carries every algorithm's WebAssembly (~400 KB) into
// each bundle and each worker thread. A UMD file, so its exports arrive as the default import.
declare module 'hash-wasm/dist/crc64.umd.min.js' {
  const crc64: {createCRC64: typeof import('hash-wasm').createCRC64}
  export default crc64
}
