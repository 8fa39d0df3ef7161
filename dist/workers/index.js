import './sourcemap-register.cjs';import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 914:
/***/ (function(__unused_webpack_module, exports) {

/*!
 * hash-wasm (https://www.npmjs.com/package/hash-wasm)
 * (c) Dani Biro
 * @license MIT
 */

!function(e,t){ true?t(exports):0}(this,function(e){"use strict";var t,r={name:"crc64",data:"AGFzbQEAAAABDANgAAF/YAAAYAF/AAMHBgABAgEAAQUEAQECAgYPAn8BQYCABAt/AEGAgAQLB4IBCQZtZW1vcnkCAA9fX3N0YWNrX3BvaW50ZXIDAA5IYXNoX0dldEJ1ZmZlcgAACUhhc2hfSW5pdAABC0hhc2hfVXBkYXRlAAIKSGFzaF9GaW5hbAADDUhhc2hfR2V0U3RhdGUABA5IYXNoX0NhbGN1bGF0ZQAFClNUQVRFX1NJWkUDAQrSBwYGAEGAgQQL4QMDAX4BfwJ+AkBBACkDgIEGQQApA4CBBCIAUQ0AQYCBBSEBQgAhAgNAIAFCAEIAQgBCAEIAQgBCAEIAIAJCAYN9IACDIAJCAYiFIgNCAYN9IACDIANCAYiFIgNCAYN9IACDIANCAYiFIgNCAYN9IACDIANCAYiFIgNCAYN9IACDIANCAYiFIgNCAYN9IACDIANCAYiFIgNCAYN9IACDIANCAYiFIgNCAYN9IACDIANCAYiFNwMAIAFBCGohASACQgF8IgJCgAJSDQALQQAhAQNAIAFBiJEFaiABQYiBBWopAwAiAqdB/wFxQQN0KQOAgQUgAkIIiIUiAjcDACABQYihBWogAqdB/wFxQQN0KQOAgQUgAkIIiIUiAjcDACABQYixBWogAqdB/wFxQQN0KQOAgQUgAkIIiIUiAjcDACABQYjBBWogAqdB/wFxQQN0KQOAgQUgAkIIiIUiAjcDACABQYjRBWogAqdB/wFxQQN0KQOAgQUgAkIIiIUiAjcDACABQYjhBWogAqdB/wFxQQN0KQOAgQUgAkIIiIUiAjcDACABQYjxBWogAqdB/wFxQQN0KQOAgQUgAkIIiIU3AwAgAUEIaiIBQfgPRw0AC0EAIAA3A4CBBgtBAEIANwOIgQYL9QICAX4Cf0EAKQOIgQZCf4UhAUGAgQQhAgJAIABBCEkNAEGAgQQhAgNAIAIpAwAgAYUiAUIwiKdB/wFxQQN0KQOAkQUgAUI4iKdBA3QpA4CBBYUgAUIoiKdB/wFxQQN0KQOAoQWFIAFCIIinQf8BcUEDdCkDgLEFhSABpyIDQRV2QfgPcSkDgMEFhSADQQ12QfgPcSkDgNEFhSADQQV2QfgPcSkDgOEFhSADQf8BcUEDdCkDgPEFhSEBIAJBCGohAiAAQXhqIgBBB0sNAAsLAkAgAEUNAAJAAkAgAEEBcQ0AIAAhAwwBCyABQv8BgyACMQAAhadBA3QpA4CBBSABQgiIhSEBIAJBAWohAiAAQX9qIQMLIABBAUYNAANAIAFC/wGDIAIxAACFp0EDdCkDgIEFIAFCCIiFIgFC/wGDIAJBAWoxAACFp0EDdCkDgIEFIAFCCIiFIQEgAkECaiECIANBfmoiAw0ACwtBACABQn+FNwOIgQYLZQEBfkEAQQApA4iBBiIAQjiGIABCgP4Dg0IohoQgAEKAgPwHg0IYhiAAQoCAgPgPg0IIhoSEIABCCIhCgICA+A+DIABCGIhCgID8B4OEIABCKIhCgP4DgyAAQjiIhISENwOAgQQLBgBBiIEGCwIACwsMAQBBgIAECwQIAAAA",hash:"c112163d"};function A(e,t,r,A){return new(r||(r=Promise))(function(n,i){function o(e){try{a(A.next(e))}catch(e){i(e)}}function s(e){try{a(A.throw(e))}catch(e){i(e)}}function a(e){var t;e.done?n(e.value):(t=e.value,t instanceof r?t:new r(function(e){e(t)})).then(o,s)}a((A=A.apply(e,t||[])).next())})}"function"==typeof SuppressedError&&SuppressedError;class n{constructor(){this.mutex=Promise.resolve()}lock(){let e=()=>{};return this.mutex=this.mutex.then(()=>new Promise(e)),new Promise(t=>{e=t})}dispatch(e){return A(this,void 0,void 0,function*(){const t=yield this.lock();try{return yield Promise.resolve(e())}finally{t()}})}}const i="undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:"undefined"!=typeof window?window:global,o=null!==(t=i.Buffer)&&void 0!==t?t:null,s=i.TextEncoder?new i.TextEncoder:null;function a(e,t){return(15&e)+(e>>6|e>>3&8)<<4|(15&t)+(t>>6|t>>3&8)}const c="a".charCodeAt(0)-10,f="0".charCodeAt(0);function l(e,t,r){let A=0;for(let n=0;n<r;n++){let r=t[n]>>>4;e[A++]=r>9?r+c:r+f,r=15&t[n],e[A++]=r>9?r+c:r+f}return String.fromCharCode.apply(null,e)}const h=null!==o?e=>{if("string"==typeof e){const t=o.from(e,"utf8");return new Uint8Array(t.buffer,t.byteOffset,t.length)}if(o.isBuffer(e))return new Uint8Array(e.buffer,e.byteOffset,e.length);if(ArrayBuffer.isView(e))return new Uint8Array(e.buffer,e.byteOffset,e.byteLength);throw new Error("Invalid data type!")}:e=>{if("string"==typeof e)return s.encode(e);if(ArrayBuffer.isView(e))return new Uint8Array(e.buffer,e.byteOffset,e.byteLength);throw new Error("Invalid data type!")},g="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",u=new Uint8Array(256);for(let e=0;e<64;e++)u[g.charCodeAt(e)]=e;function I(e){const t=function(e){let t=Math.floor(.75*e.length);const r=e.length;return"="===e[r-1]&&(t-=1,"="===e[r-2]&&(t-=1)),t}(e),r=e.length,A=new Uint8Array(t);let n=0;for(let t=0;t<r;t+=4){const r=u[e.charCodeAt(t)],i=u[e.charCodeAt(t+1)],o=u[e.charCodeAt(t+2)],s=u[e.charCodeAt(t+3)];A[n]=r<<2|i>>4,n+=1,A[n]=(15&i)<<4|o>>2,n+=1,A[n]=(3&o)<<6|63&s,n+=1}return A}const d=16384,Q=new n,C=new Map;function B(e,t){return A(this,void 0,void 0,function*(){let r=null,n=null,i=!1;if("undefined"==typeof WebAssembly)throw new Error("WebAssembly is not supported in this environment!");const o=()=>new DataView(r.exports.memory.buffer).getUint32(r.exports.STATE_SIZE,!0),s=Q.dispatch(()=>A(this,void 0,void 0,function*(){if(!C.has(e.name)){const t=I(e.data),r=WebAssembly.compile(t.buffer);C.set(e.name,r)}const t=yield C.get(e.name);r=yield WebAssembly.instantiate(t,{})})),c=(e=null)=>{i=!0,r.exports.Hash_Init(e)},f=e=>{if(!i)throw new Error("update() called before init()");(e=>{let t=0;for(;t<e.length;){const A=e.subarray(t,t+d);t+=A.length,n.set(A),r.exports.Hash_Update(A.length)}})(h(e))},g=new Uint8Array(2*t),u=(e,A=null)=>{if(!i)throw new Error("digest() called before init()");return i=!1,r.exports.Hash_Final(A),"binary"===e?n.slice(0,t):l(g,n,t)},B=e=>"string"==typeof e?e.length<4096:e.byteLength<d;let w=B;switch(e.name){case"argon2":case"scrypt":w=()=>!0;break;case"blake2b":case"blake2s":w=(e,t)=>t<=512&&B(e);break;case"blake3":w=(e,t)=>0===t&&B(e);break;case"xxhash64":case"xxhash3":case"xxhash128":case"crc64":w=()=>!1}return yield(()=>A(this,void 0,void 0,function*(){r||(yield s);const e=r.exports.Hash_GetBuffer(),t=r.exports.memory.buffer;n=new Uint8Array(t,e,d)}))(),{getMemory:()=>n,writeMemory:(e,t=0)=>{n.set(e,t)},getExports:()=>r.exports,setMemorySize:e=>{r.exports.Hash_SetMemorySize(e);const t=r.exports.Hash_GetBuffer(),A=r.exports.memory.buffer;n=new Uint8Array(A,t,e)},init:c,update:f,digest:u,save:()=>{if(!i)throw new Error("save() can only be called after init() and before digest()");const t=r.exports.Hash_GetState(),A=o(),n=r.exports.memory.buffer,s=new Uint8Array(n,t,A),c=new Uint8Array(4+A);return function(e,t){const r=t.length>>1;for(let A=0;A<r;A++){const r=A<<1;e[A]=a(t.charCodeAt(r),t.charCodeAt(r+1))}}(c,e.hash),c.set(s,4),c},load:t=>{if(!(t instanceof Uint8Array))throw new Error("load() expects an Uint8Array generated by save()");const A=r.exports.Hash_GetState(),n=o(),s=4+n,c=r.exports.memory.buffer;if(t.length!==s)throw new Error(`Bad state length (expected ${s} bytes, got ${t.length})`);if(!function(e,t){if(e.length!==2*t.length)return!1;for(let r=0;r<t.length;r++){const A=r<<1;if(t[r]!==a(e.charCodeAt(A),e.charCodeAt(A+1)))return!1}return!0}(e.hash,t.subarray(0,4)))throw new Error("This state was written by an incompatible hash implementation");const f=t.subarray(4);new Uint8Array(c,A,n).set(f),i=!0},calculate:(e,A=null,i=null)=>{if(!w(e,A))return c(A),f(e),u("hex",i);const o=h(e);return n.set(o),r.exports.Hash_Calculate(o.length,A,i),l(g,n,t)},hashLength:t}})}const w=new n;let y=null;const p=new Uint8Array(8);function E(e){const t="Polynomial must be provided as a 16 char long hex string";if("string"!=typeof e||16!==e.length)return{hi:0,lo:0,err:new Error(t)};const r=Number(`0x${e.slice(0,8)}`),A=Number(`0x${e.slice(8)}`);return Number.isNaN(r)||Number.isNaN(A)?{hi:r,lo:A,err:new Error(t)}:{hi:r,lo:A,err:null}}function b(e,t,r){const A=new DataView(e);A.setUint32(0,t,!0),A.setUint32(4,r,!0)}e.crc64=function(e,t="c96c5795d7870f42"){const{hi:n,lo:i,err:o}=E(t);if(null!==o)return Promise.reject(o);if(null===y)return function(e,t,r){return A(this,void 0,void 0,function*(){const A=yield e.lock(),n=yield B(t,r);return A(),n})}(w,r,8).then(t=>(y=t,b(p.buffer,i,n),y.writeMemory(p),y.calculate(e)));try{b(p.buffer,i,n),y.writeMemory(p);const t=y.calculate(e);return Promise.resolve(t)}catch(o){return Promise.reject(o)}},e.createCRC64=function(e="c96c5795d7870f42"){const{hi:t,lo:A,err:n}=E(e);return null!==n?Promise.reject(n):B(r,8).then(e=>{const r=new Uint8Array(8);b(r.buffer,A,t),e.writeMemory(r),e.init();const n={init:()=>(e.writeMemory(r),e.init(),n),update:t=>(e.update(t),n),digest:t=>e.digest(t),save:()=>e.save(),load:t=>(e.load(t),n),blockSize:8,digestSize:8};return n})}});


/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId].call(module.exports, module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/make namespace object */
/******/ (() => {
/******/ 	// define __esModule on exports
/******/ 	__nccwpck_require__.r = (exports) => {
/******/ 		if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 			Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 		}
/******/ 		Object.defineProperty(exports, '__esModule', { value: true });
/******/ 	};
/******/ })();
/******/ 
/************************************************************************/
var __webpack_exports__ = {};

// NAMESPACE OBJECT: ./lib/ejson/bson-types.js
var bson_types_namespaceObject = {};
__nccwpck_require__.r(bson_types_namespaceObject);
__nccwpck_require__.d(bson_types_namespaceObject, {
  go: () => (INT32_MAX),
  Qh: () => (INT32_MIN),
  vh: () => (INT64_MAX),
  bO: () => (INT64_MIN),
  JK: () => (T_ARRAY),
  B8: () => (T_BINARY),
  sd: () => (T_BOOL),
  v1: () => (T_CODE),
  P2: () => (T_CODE_SCOPE),
  SE: () => (T_DATE),
  Bd: () => (T_DBPOINTER),
  jG: () => (T_DECIMAL),
  ux: () => (T_DOC),
  F6: () => (T_DOUBLE),
  ms: () => (T_INT32),
  tx: () => (T_INT64),
  jB: () => (T_MAXKEY),
  l3: () => (T_MINKEY),
  BS: () => (T_NULL),
  wX: () => (T_OID),
  px: () => (T_REGEX),
  ts: () => (T_STRING),
  KA: () => (T_SYMBOL),
  Km: () => (T_TIMESTAMP),
  _I: () => (T_UNDEFINED),
  S8: () => (typeName)
});

// NAMESPACE OBJECT: ./lib/ejson/scanner.js
var scanner_namespaceObject = {};
__nccwpck_require__.r(scanner_namespaceObject);
__nccwpck_require__.d(scanner_namespaceObject, {
  VF: () => (JsonScanner),
  g0: () => (TK_BEGIN_ARR),
  Ko: () => (TK_BEGIN_OBJ),
  Rs: () => (TK_BOOL),
  Qx: () => (TK_COLON),
  kv: () => (TK_COMMA),
  uE: () => (TK_DOUBLE),
  m1: () => (TK_END_ARR),
  my: () => (TK_END_OBJ),
  fD: () => (TK_EOF),
  Hk: () => (TK_INT32),
  uS: () => (TK_INT64),
  MX: () => (TK_NULL),
  wZ: () => (TK_STRING),
  Gl: () => (isWhite),
  Wy: () => (latin1),
  Hp: () => (utf8Text)
});

// NAMESPACE OBJECT: ./lib/ejson/ext-json-parser.js
var ext_json_parser_namespaceObject = {};
__nccwpck_require__.r(ext_json_parser_namespaceObject);
__nccwpck_require__.d(ext_json_parser_namespaceObject, {
  u0: () => (END_OF_ARRAY),
  PW: () => (END_OF_DOC),
  XJ: () => (ExtJsonParser),
  Xr: () => (S_START)
});

;// CONCATENATED MODULE: external "node:worker_threads"
const external_node_worker_threads_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");
;// CONCATENATED MODULE: external "node:crypto"
const external_node_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");
;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
;// CONCATENATED MODULE: external "node:zlib"
const external_node_zlib_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");
;// CONCATENATED MODULE: ./lib/common/threads/in-order.js
function handleInOrder(port, handle, fail) {
    let queue = Promise.resolve();
    let failed = false;
    port.on('message', (m) => {
        queue = queue.then(async () => {
            if (failed)
                return;
            try {
                await handle(m);
            }
            catch (error) {
                failed = true;
                fail(error, m);
            }
        });
    });
}
//# sourceMappingURL=in-order.js.map
// EXTERNAL MODULE: ./node_modules/hash-wasm/dist/crc64.umd.min.js
var crc64_umd_min = __nccwpck_require__(914);
;// CONCATENATED MODULE: ./lib/archive/crc64.js
// CRC-64 as the mongodump archive format uses it to check each namespace's data: the ECMA-182 polynomial in its
// reflected form (0xC96C5795D7870F42), all-ones initial value and final inversion, i.e. CRC-64/XZ — what Go's
// hash/crc64 computes with crc64.MakeTable(crc64.ECMA). Check value: "123456789" → 0x995dc9bbdf1939fa.
//
// Computed by hash-wasm's WebAssembly CRC-64 (its default polynomial is this one): 1.34 GB/s here against 0.77 GB/s
// for the slicing-by-8 JavaScript we had, which needed 32-bit halves for lack of fast 64-bit integers. An archive
// interleaves its namespaces, so one hasher serves all of them: each namespace's running state (12 bytes) is saved
// and loaded when the stream switches (~0.7 µs).

/** The running CRC-64/XZ of several streams, told apart by a key. */
class Crc64Set {
    hasher;
    saved = new Map();
    current;
    constructor(hasher) {
        this.hasher = hasher;
    }
    static async create() {
        return new Crc64Set(await crc64_umd_min.createCRC64());
    }
    select(key) {
        if (this.current !== undefined && this.current.key === key)
            return;
        if (this.current !== undefined)
            this.saved.set(this.current.key, this.hasher.save());
        const state = this.saved.get(key);
        if (state === undefined)
            this.hasher.init();
        else
            this.hasher.load(state);
        this.current = { key };
    }
    update(key, bytes) {
        this.select(key);
        this.hasher.update(bytes);
    }
    /** The CRC of everything given for `key`, as an unsigned 64-bit value; the key starts from nothing afterwards. */
    digest(key) {
        this.select(key);
        const value = BigInt(`0x${this.hasher.digest('hex')}`);
        this.saved.delete(key);
        this.current = undefined;
        return value;
    }
}
/** The CRC-64/XZ of the bytes. */
async function crc64(bytes) {
    const set = await Crc64Set.create();
    set.update(0, bytes);
    return set.digest(0);
}
//# sourceMappingURL=crc64.js.map
;// CONCATENATED MODULE: ./lib/archive/output-thread.js
// The archive output thread (output-protocol.ts): for each chunk, the CRC-64 and sha256 of the documents of each
// namespace in it, then the chunk itself to the file (or through gzip), with the file's sha256. Work is done in the
// order the messages came (a gzip write may wait for zlib).





const GZIP_OUTPUT_CHUNK_BYTES = 256 * 1024;
/** A streamed archive: at most this many bytes sent to the main thread and not yet passed on by it. */
const STREAM_WINDOW_BYTES = 8 * 1024 * 1024;
function serveArchiveOutput(data, main) {
    const crcs = Crc64Set.create();
    const namespaces = Array.from({ length: data.namespaces }, () => ({ sha256: (0,external_node_crypto_namespaceObject.createHash)('sha256') }));
    const fileHash = (0,external_node_crypto_namespaceObject.createHash)('sha256');
    let position = 0;
    // A streamed archive's flow control: bytes sent and not yet acknowledged, and who waits for room.
    let unacknowledged = 0;
    let waitingForRoom;
    main.on('message', (m) => {
        if (m.type !== 'ack')
            return;
        unacknowledged -= m.bytes;
        if (unacknowledged < STREAM_WINDOW_BYTES) {
            const resume = waitingForRoom;
            waitingForRoom = undefined;
            resume?.();
        }
    });
    const room = async () => {
        while (data.fd === null && unacknowledged >= STREAM_WINDOW_BYTES)
            await new Promise(resolve => (waitingForRoom = resolve));
    };
    const writeOut = (bytes) => {
        if (data.fd === null) {
            const copy = new Uint8Array(bytes);
            unacknowledged += copy.length;
            main.postMessage({ type: 'data', buffer: copy.buffer }, [copy.buffer]);
        }
        else {
            let done = 0;
            while (done < bytes.length)
                done += (0,external_node_fs_namespaceObject.writeSync)(data.fd, bytes, done, bytes.length - done, position + done);
        }
        position += bytes.length;
        fileHash.update(bytes);
    };
    let gzip;
    let gzipFailure;
    let gzipEnded;
    if (data.gzip) {
        gzip = (0,external_node_zlib_namespaceObject.createGzip)({ level: data.gzipLevel, chunkSize: GZIP_OUTPUT_CHUNK_BYTES });
        gzip.on('data', (chunk) => {
            try {
                writeOut(chunk);
            }
            catch (error) {
                gzipFailure ??= error;
                gzip.destroy();
            }
        });
        gzipEnded = new Promise((resolve, reject) => {
            gzip.on('end', resolve);
            gzip.on('error', error => reject(gzipFailure ?? error));
            gzip.on('close', () => (gzipFailure ? reject(gzipFailure) : undefined));
        });
        gzipEnded.catch(() => undefined);
    }
    const handle = async (m) => {
        if (m.type === 'ack')
            return; // taken above, out of order
        if (m.type === 'chunk') {
            await room();
            const chunk = new Uint8Array(m.buffer, 0, m.length);
            const crc = await crcs;
            const s = m.segments;
            for (let i = 0; i < s.length; i += 3) {
                const part = chunk.subarray(s[i + 1], s[i + 1] + s[i + 2]);
                crc.update(s[i], part);
                namespaces[s[i]].sha256.update(part);
            }
            if (gzip === undefined)
                writeOut(chunk);
            else {
                if (gzipFailure)
                    throw gzipFailure;
                // The callback comes once zlib has taken the chunk in: only then may its memory go back.
                await new Promise((resolve, reject) => gzip.write(chunk, error => (error ? reject(gzipFailure ?? error) : resolve())));
            }
            main.postMessage({ type: 'free', buffer: m.buffer }, [m.buffer]);
        }
        else if (m.type === 'digest') {
            const ns = namespaces[m.namespace];
            main.postMessage({ type: 'digest', namespace: m.namespace, crc: (await crcs).digest(m.namespace), sha256: ns.sha256.digest('hex') });
        }
        else {
            if (gzip !== undefined) {
                gzip.end();
                await gzipEnded;
            }
            main.postMessage({ type: 'done', bytes: position, sha256: fileHash.digest('hex') });
        }
    };
    handleInOrder(main, handle, error => {
        const e = error;
        main.postMessage({ type: 'error', message: e.message, code: e.code, errno: e.errno, syscall: e.syscall });
    });
}
//# sourceMappingURL=output-thread.js.map
;// CONCATENATED MODULE: ./lib/common/errors.js
// The kinds of failure a user can meet, each carrying what the user needs to act. Every error this project throws is
// one of them (a few subclasses add data: a position in a file, what a restore wrote); the CLI maps a kind to its exit
// code in one place (src/cli/exit-codes.ts), the action reports the message. Messages say what is wrong and what to do.
class ToolError extends Error {
    kind;
    code;
    constructor(kind, message, options = {}) {
        super(message, options.cause === undefined ? undefined : { cause: options.cause });
        this.kind = kind;
        this.code = options.code;
        this.name = new.target.name;
    }
}
/** Bad command line or action input. `input` names the action input or flag when there is one. */
class UsageError extends ToolError {
    input;
    constructor(message, options = {}) {
        super('usage', options.input === undefined ? message : `Input '${options.input}': ${message}`, options);
        this.input = options.input;
    }
}
/** An unusable value: a config file, a query, a time, a chain of exports. */
class InputError extends ToolError {
    constructor(message, options = {}) {
        super('input', message, options);
    }
}
/** Damaged data: a file, an archive, a manifest. */
class CorruptDataError extends ToolError {
    constructor(message, options = {}) {
        super('corrupt', message, options);
    }
}
/** The server or the storage refused. `status` is the HTTP status where there is one. */
class RefusedError extends ToolError {
    status;
    constructor(message, options = {}) {
        super('refused', message, options);
        this.status = options.status;
    }
}
/** A defect of this tool. */
class InternalError extends ToolError {
    constructor(message, options = {}) {
        super('internal', message, options);
    }
}
function errorMessage(error) {
    return error instanceof Error ? error.message : String(error);
}
function errorKind(error) {
    return error instanceof ToolError ? error.kind : 'internal';
}
//# sourceMappingURL=errors.js.map
;// CONCATENATED MODULE: ./lib/ejson/errors.js
// The errors of the Extended JSON reader, and where they point. A document (or a file) that mongoimport would refuse
// is damaged data, so ExtJsonSyntaxError is a CorruptDataError (src/common/errors.ts); it adds the position of the
// problem, which the parser gives as a byte offset in the document and the file reader turns into a line and column
// of the file (errorInFile).

/** A document that mongoimport would refuse. `offset` is the byte offset in the parsed text. */
class ExtJsonSyntaxError extends CorruptDataError {
    /** 1-based byte column where the problem was found, relative to the start of the document. */
    column;
    offset;
    /** 1-based line of the problem, when read from a file. */
    line;
    constructor(message, offset, column, line) {
        super(message);
        this.name = 'ExtJsonSyntaxError';
        this.offset = offset;
        this.column = column;
        if (line !== undefined)
            this.line = line;
    }
}
/**
 * A document whose BSON would be larger than MAX_BSON_DOCUMENT_BYTES, the most a MongoDB server stores in
 * one document. The Go parser has no such limit (mongoimport leaves it to the server); it is refused here
 * as soon as the output passes the limit, so the output buffer never grows beyond it.
 */
class DocumentTooLargeError extends ExtJsonSyntaxError {
    constructor(message, offset, column, line) {
        super(message, offset, column, line);
        this.name = 'DocumentTooLargeError';
    }
}
/**
 * The parser's error for a document of a file, given again with the document's line (`line`, whose first byte is at
 * `lineStart` in `text`) and the problem's line and column in the file. The document is text[valueStart, end).
 */
function errorInFile(error, text, valueStart, end, line, lineStart) {
    if (error instanceof DocumentTooLargeError)
        return new DocumentTooLargeError(`line ${line}: ${error.message}`, error.offset, error.column, line);
    // Position of the problem as line and column in the file.
    let errLine = line;
    let errLineStart = lineStart;
    const stop = Math.min(error.offset, end);
    for (let i = valueStart; i < stop; i++) {
        if (text[i] === 0x0a) {
            errLine++;
            errLineStart = i + 1;
        }
    }
    const column = error.offset - errLineStart + 1;
    const where = errLine === line ? `line ${line}, column ${column}` : `line ${line} (error at line ${errLine}, column ${column})`;
    return new ExtJsonSyntaxError(`${where}: ${error.message}`, error.offset, column, line);
}
//# sourceMappingURL=errors.js.map
;// CONCATENATED MODULE: ./lib/ejson/bson-types.js
// BSON type numbers as the parser uses them (Go's bsontype values, 0 for "no type yet"), their names in Go's error
// messages, and the ranges of BSON's int32 and int64: shared by the scanner, the parser, the $-wrapper values and the
// Go number parsers.
// BSON type numbers; 0 is "no type yet" (Go's Type(0)).
const T_DOUBLE = 0x01;
const T_STRING = 0x02;
const T_DOC = 0x03;
const T_ARRAY = 0x04;
const T_BINARY = 0x05;
const T_UNDEFINED = 0x06;
const T_OID = 0x07;
const T_BOOL = 0x08;
const T_DATE = 0x09;
const T_NULL = 0x0a;
const T_REGEX = 0x0b;
const T_DBPOINTER = 0x0c;
const T_CODE = 0x0d;
const T_SYMBOL = 0x0e;
const T_CODE_SCOPE = 0x0f;
const T_INT32 = 0x10;
const T_TIMESTAMP = 0x11;
const T_INT64 = 0x12;
const T_DECIMAL = 0x13;
const T_MAXKEY = 0x7f;
const T_MINKEY = 0xff;
const TYPE_NAMES = {
    [T_DOUBLE]: 'double', [T_STRING]: 'string', [T_DOC]: 'embedded document', [T_ARRAY]: 'array',
    [T_BINARY]: 'binary', [T_UNDEFINED]: 'undefined', [T_OID]: 'objectID', [T_BOOL]: 'boolean',
    [T_DATE]: 'UTC datetime', [T_NULL]: 'null', [T_REGEX]: 'regex', [T_DBPOINTER]: 'dbPointer',
    [T_CODE]: 'javascript', [T_SYMBOL]: 'symbol', [T_CODE_SCOPE]: 'code with scope', [T_INT32]: '32-bit integer',
    [T_TIMESTAMP]: 'timestamp', [T_INT64]: '64-bit integer', [T_DECIMAL]: '128-bit decimal',
    [T_MAXKEY]: 'max key', [T_MINKEY]: 'min key'
};
const typeName = (t) => TYPE_NAMES[t] ?? `invalid type 0x${t.toString(16)}`;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
//# sourceMappingURL=bson-types.js.map
;// CONCATENATED MODULE: ./lib/ejson/limits.js
// The two size limits this reader adds to the Go parser's rules (mongoimport has neither; see GAPS in
// ext-json-to-bson.ts): the BSON size of one document, checked while its BSON is written, and the text size of one
// value, checked while a file is split into values. Apart so that other layers (the raw writes) use the same number.
/** The largest document a MongoDB server stores (its maxBsonObjectSize): 16 MiB of BSON. */
const MAX_BSON_DOCUMENT_BYTES = 16 * 1024 * 1024;
/**
 * The default cap on the text of one value read from a file: 16 times the BSON limit. mongoexport's
 * one-line output of a 16 MiB document is at most about 13.5 times its BSON size (the worst case is a
 * run of empty-key, empty regular expressions), so no exportable document is refused by it; it keeps
 * a hostile or broken file (one endless line) from being buffered without bound.
 */
const MAX_DOCUMENT_TEXT_BYTES = 16 * MAX_BSON_DOCUMENT_BYTES;
//# sourceMappingURL=limits.js.map
;// CONCATENATED MODULE: ./lib/ejson/byte-buffers.js
// The growable byte buffers the parser writes into: Out, the BSON of the document being decoded (never beyond
// MAX_BSON_DOCUMENT_BYTES: passing it throws OUTPUT_LIMIT, which the decoder turns into a DocumentTooLargeError), and
// Arena, scratch storage for the bytes of strings that contained escapes. Both are reused from document to document.

/** A copy of the first `used` bytes of `buf` in an array doubled until `needed` more bytes fit. */
function grown(buf, used, needed) {
    let size = buf.length * 2;
    while (size < used + needed)
        size *= 2;
    const next = new Uint8Array(size);
    next.set(buf.subarray(0, used));
    return next;
}
/** Thrown by Out when the document passes MAX_BSON_DOCUMENT_BYTES; the parser turns it into a DocumentTooLargeError. */
const OUTPUT_LIMIT = Symbol('output limit');
/**
 * Growable output buffer for BSON, never larger than MAX_BSON_DOCUMENT_BYTES: capacities are 4096
 * times a power of two, so the fast path of ensure() cannot pass the limit either.
 */
class Out {
    buf = new Uint8Array(4096);
    view = new DataView(this.buf.buffer);
    len = 0;
    ensure(n) {
        if (this.len + n <= this.buf.length)
            return;
        if (this.len + n > MAX_BSON_DOCUMENT_BYTES)
            throw OUTPUT_LIMIT;
        this.buf = grown(this.buf, this.len, n);
        this.view = new DataView(this.buf.buffer);
    }
    byte(b) {
        this.ensure(1);
        this.buf[this.len++] = b;
    }
    int32(v) {
        this.ensure(4);
        this.view.setInt32(this.len, v, true);
        this.len += 4;
    }
    int64(num, big) {
        this.ensure(8);
        if (big !== null)
            this.view.setBigInt64(this.len, big, true);
        else {
            const hi = Math.floor(num / 4294967296);
            this.view.setUint32(this.len, num - hi * 4294967296, true);
            this.view.setInt32(this.len + 4, hi, true);
        }
        this.len += 8;
    }
    double(d) {
        this.ensure(8);
        if (Number.isNaN(d)) {
            // Go's math.NaN() bit pattern, which is what the Go parser stores for "NaN".
            this.view.setUint32(this.len, 1, true);
            this.view.setUint32(this.len + 4, 0x7ff80000, true);
        }
        else
            this.view.setFloat64(this.len, d, true);
        this.len += 8;
    }
    bytes(src, s, e) {
        this.ensure(e - s);
        // Most keys and strings are short: a loop beats creating a subarray view for set().
        if (e - s < 32) {
            const buf = this.buf;
            let at = this.len;
            for (let i = s; i < e; i++)
                buf[at++] = src[i];
        }
        else
            this.buf.set(src.subarray(s, e), this.len);
        this.len += e - s;
    }
    /** int32 length + bytes + NUL. */
    string(src, s, e) {
        this.int32(e - s + 1);
        this.bytes(src, s, e);
        this.byte(0);
    }
    patchLength(at) {
        this.view.setInt32(at, this.len - at, true);
    }
}
/** Scratch storage for strings that contained escapes; references stay valid until reset. */
class Arena {
    buf = new Uint8Array(1024);
    len = 0;
    grow(n) {
        if (this.len + n <= this.buf.length)
            return;
        // Older Values keep pointing at the old array, whose bytes never change again.
        this.buf = grown(this.buf, this.len, n);
    }
    rune(r) {
        this.grow(4);
        const b = this.buf;
        if (r < 0 || r > 0x10ffff || (r >= 0xd800 && r < 0xe000))
            r = 0xfffd;
        if (r < 0x80)
            b[this.len++] = r;
        else if (r < 0x800) {
            b[this.len++] = 0xc0 | (r >> 6);
            b[this.len++] = 0x80 | (r & 0x3f);
        }
        else if (r < 0x10000) {
            b[this.len++] = 0xe0 | (r >> 12);
            b[this.len++] = 0x80 | ((r >> 6) & 0x3f);
            b[this.len++] = 0x80 | (r & 0x3f);
        }
        else {
            b[this.len++] = 0xf0 | (r >> 18);
            b[this.len++] = 0x80 | ((r >> 12) & 0x3f);
            b[this.len++] = 0x80 | ((r >> 6) & 0x3f);
            b[this.len++] = 0x80 | (r & 0x3f);
        }
    }
}
//# sourceMappingURL=byte-buffers.js.map
;// CONCATENATED MODULE: ./lib/ejson/decimal128.js
// bson.ParseDecimal128 of the Go driver for $numberDecimal: the text to the 16 bytes of a BSON Decimal128, exact
// values only (Go refuses what would need rounding), with its clamping and NaN/Infinity spellings.

// As in the parser modules, the constants are bound as this module's own (V8 folds those into optimized code).
const { /* INT64_MAX */ "vh": decimal128_INT64_MAX, /* INT64_MIN */ "bO": decimal128_INT64_MIN } = bson_types_namespaceObject;
const DEC_MAX_EXP = 6111;
const DEC_MIN_EXP = -6176;
const DEC_MAX_SIGNIFICAND = 10n ** 34n - 1n;
/** bson.ParseDecimal128: exact values only (no rounding), clamping, NaN/Inf spellings; null on error. */
function parseDecimal128(s) {
    if (s === '')
        return null;
    const m = /^([-+]?[0-9]*)(?:\.([0-9]*))?(?:[eE]([-+]?[0-9]+))?$/.exec(s);
    if (!m) {
        const neg = s[0] === '-';
        const rest = neg || s[0] === '+' ? s.slice(1) : s;
        if (/^nan$/i.test(rest))
            return decimalBits(0x7c00000000000000n, 0n);
        if (/^(inf|infinity)$/i.test(rest))
            return decimalBits(neg ? 0xf800000000000000n : 0x7800000000000000n, 0n);
        return null;
    }
    const [, intPart, decPart = '', expPart] = m;
    let exp = 0;
    if (expPart !== undefined) {
        const e = BigInt(expPart);
        if (e < decimal128_INT64_MIN || e > decimal128_INT64_MAX)
            return null;
        exp = Number(e);
    }
    exp -= decPart.length;
    if (trimChars(intPart + decPart, '-0').length > 35)
        return null;
    const digits = intPart + decPart;
    if (!/^[+-]?[0-9]+$/.test(digits))
        return null;
    let sig = BigInt(digits);
    const negative = sig < 0n || (sig === 0n && s[0] === '-');
    if (sig < 0n)
        sig = -sig;
    if (sig === 0n)
        exp = Math.max(DEC_MIN_EXP, Math.min(DEC_MAX_EXP, exp));
    while (sig > DEC_MAX_SIGNIFICAND) {
        if (sig % 10n !== 0n)
            return null;
        sig /= 10n;
        if (++exp > DEC_MAX_EXP)
            return null;
    }
    while (exp < DEC_MIN_EXP) {
        if (sig % 10n !== 0n)
            return null;
        sig /= 10n;
        exp++;
    }
    while (exp > DEC_MAX_EXP) {
        sig *= 10n;
        if (sig > DEC_MAX_SIGNIFICAND)
            return null;
        exp--;
    }
    let high = (sig >> 64n) | ((BigInt(exp - DEC_MIN_EXP) & 0x3fffn) << 49n);
    if (negative)
        high |= 1n << 63n;
    return decimalBits(high, sig & 0xffffffffffffffffn);
}
function trimChars(s, chars) {
    let a = 0;
    let b = s.length;
    while (a < b && chars.includes(s[a]))
        a++;
    while (b > a && chars.includes(s[b - 1]))
        b--;
    return s.slice(a, b);
}
function decimalBits(high, low) {
    const bytes = new Uint8Array(16);
    const view = new DataView(bytes.buffer);
    view.setBigUint64(0, low, true);
    view.setBigUint64(8, high, true);
    return bytes;
}
//# sourceMappingURL=decimal128.js.map
;// CONCATENATED MODULE: ./lib/ejson/scanner.js
// The JSON scanner (Go's jsonScanner): bytes to tokens, with Go's number, string and literal rules and its error
// texts. JsonScanner is the base of the parser classes (ext-json-parser.ts, wrapper-values.ts, ext-json-to-bson.ts)
// rather than an object of its own: the current token lives in fields of the one parser object, so reading a token
// costs no extra indirection, and V8 inlines these methods into the parser's as it did when they were one class.



// Constants of other modules are bound here as this module's own: V8 folds a module's own constants into optimized
// code, but loads an imported binding at each use (measured: ~4% slower parsing of canonical Extended JSON).
const { /* INT32_MAX */ "go": scanner_INT32_MAX, /* INT32_MIN */ "Qh": scanner_INT32_MIN, /* INT64_MAX */ "vh": scanner_INT64_MAX, /* INT64_MIN */ "bO": scanner_INT64_MIN } = bson_types_namespaceObject;
// Tokens of the JSON scanner.
const TK_BEGIN_OBJ = 0;
const TK_END_OBJ = 1;
const TK_BEGIN_ARR = 2;
const TK_END_ARR = 3;
const TK_COLON = 4;
const TK_COMMA = 5;
const TK_INT32 = 6;
const TK_INT64 = 7;
const TK_DOUBLE = 8;
const TK_STRING = 9;
const TK_BOOL = 10;
const TK_NULL = 11;
const TK_EOF = 12;
const latin1 = (b, s, e) => Buffer.prototype.latin1Slice.call(b, s, e);
const utf8Text = new TextDecoder('utf-8');
const isWhite = (c) => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
const isDigit = (c) => c >= 0x30 && c <= 0x39;
const isTerminator = (c) => c === 0x2c || c === 0x7d || c === 0x5d || isWhite(c);
class JsonScanner {
    // input
    b = new Uint8Array(0);
    pos = 0;
    end = 0;
    base = 0;
    // current token
    tk = 0;
    tkPos = 0;
    tkNum = 0;
    tkBig = null;
    tkBool = false;
    tkSb = null;
    tkS0 = 0;
    tkS1 = 0;
    arena = new Arena();
    fail(message, at = this.pos) {
        return new ExtJsonSyntaxError(message, at, at - this.base + 1);
    }
    nextToken() {
        const b = this.b;
        let p = this.pos;
        while (p < this.end && isWhite(b[p]))
            p++;
        this.pos = p;
        if (p >= this.end) {
            this.tk = TK_EOF;
            this.tkPos = 0;
            return;
        }
        const c = b[p];
        this.tkPos = p;
        this.pos = p + 1;
        switch (c) {
            case 0x7b:
                this.tk = TK_BEGIN_OBJ;
                return;
            case 0x7d:
                this.tk = TK_END_OBJ;
                return;
            case 0x5b:
                this.tk = TK_BEGIN_ARR;
                return;
            case 0x5d:
                this.tk = TK_END_ARR;
                return;
            case 0x3a:
                this.tk = TK_COLON;
                return;
            case 0x2c:
                this.tk = TK_COMMA;
                return;
            case 0x22:
                this.scanString();
                return;
        }
        if (c === 0x2d || isDigit(c))
            return this.scanNumber(c);
        if (c === 0x74 || c === 0x66 || c === 0x6e)
            return this.scanLiteral();
        throw this.fail(`invalid JSON input. Position: ${p - this.base}. Character: ${String.fromCharCode(c)}`, p);
    }
    scanString() {
        const b = this.b;
        const end = this.end;
        const start = this.pos;
        let p = start;
        // Fast path: no escapes, the bytes are used in place.
        while (p < end) {
            const c = b[p];
            if (c === 0x22) {
                this.tk = TK_STRING;
                this.tkSb = b;
                this.tkS0 = start;
                this.tkS1 = p;
                this.pos = p + 1;
                return;
            }
            if (c === 0x5c)
                break;
            p++;
        }
        if (p >= end)
            throw this.fail('end of input in JSON string', end);
        const arena = this.arena;
        arena.grow(p - start);
        arena.buf.set(b.subarray(start, p), arena.len);
        const s0 = arena.len;
        arena.len += p - start;
        const eof = () => this.fail('end of input in JSON string', end);
        for (;;) {
            if (p >= end)
                throw eof();
            let c = b[p++];
            // `c` is evaluated as a plain character, or (after a backslash) as an escape character.
            let escape = false;
            if (c === 0x5c) {
                if (p >= end)
                    throw eof();
                c = b[p++];
                escape = true;
            }
            for (;;) {
                if (!escape) {
                    if (c === 0x22) {
                        this.tk = TK_STRING;
                        this.tkSb = arena.buf;
                        this.tkS0 = s0;
                        this.tkS1 = arena.len;
                        this.pos = p;
                        return;
                    }
                    arena.grow(1);
                    arena.buf[arena.len++] = c;
                    break;
                }
                // escape character
                let simple = -1;
                switch (c) {
                    case 0x22:
                    case 0x5c:
                    case 0x2f:
                        simple = c;
                        break;
                    case 0x62:
                        simple = 0x08;
                        break;
                    case 0x66:
                        simple = 0x0c;
                        break;
                    case 0x6e:
                        simple = 0x0a;
                        break;
                    case 0x72:
                        simple = 0x0d;
                        break;
                    case 0x74:
                        simple = 0x09;
                        break;
                    case 0x75: break;
                    default:
                        throw this.fail(`invalid escape sequence in JSON string '\\${String.fromCharCode(c)}'`, p - 1);
                }
                if (simple >= 0) {
                    arena.grow(1);
                    arena.buf[arena.len++] = simple;
                    break;
                }
                if (p + 4 > end)
                    throw this.fail('invalid unicode sequence in JSON string', end);
                const r = hex4(b, p);
                p += 4;
                if (r >= 0xd800 && r < 0xe000) {
                    // A surrogate: try to pair it with a following \uXXXX.
                    if (p >= end)
                        throw eof();
                    c = b[p++];
                    if (c !== 0x5c) {
                        arena.rune(0xfffd);
                        escape = false;
                        continue;
                    }
                    if (p >= end)
                        throw eof();
                    c = b[p++];
                    if (c !== 0x75) {
                        arena.rune(0xfffd);
                        escape = true;
                        continue;
                    }
                    if (p + 4 > end)
                        throw this.fail('invalid unicode sequence in JSON string', end);
                    const r2 = hex4(b, p);
                    p += 4;
                    if (r < 0xdc00 && r2 >= 0xdc00 && r2 < 0xe000) {
                        arena.rune(0x10000 + ((r - 0xd800) << 10) + (r2 - 0xdc00));
                    }
                    else {
                        arena.rune(0xfffd);
                        arena.rune(r2);
                    }
                    break;
                }
                arena.rune(r);
                break;
            }
        }
    }
    scanLiteral() {
        const b = this.b;
        const p = this.tkPos;
        if (p + 4 > this.end)
            throw this.fail('unexpected end of input in literal', this.end);
        const text = latin1(b, p, p + 4);
        const at = p + 4;
        const terminated = (i) => i >= this.end || isTerminator(b[i]);
        if (text === 'true' && terminated(at)) {
            this.tk = TK_BOOL;
            this.tkBool = true;
            this.pos = at;
            return;
        }
        if (text === 'null' && terminated(at)) {
            this.tk = TK_NULL;
            this.pos = at;
            return;
        }
        if (text === 'fals' && at < this.end && b[at] === 0x65 && terminated(at + 1)) {
            this.tk = TK_BOOL;
            this.tkBool = false;
            this.pos = at + 1;
            return;
        }
        throw this.fail(`invalid JSON literal. Position: ${p - this.base}, literal: ${text}`, p);
    }
    scanNumber(first) {
        const b = this.b;
        const end = this.end;
        const start = this.pos - 1;
        let p = this.pos;
        let isDouble = false;
        // RFC 8259 grammar, with the terminators Go accepts after a number: , } ] whitespace, end of input.
        if (first === 0x2d) {
            if (p >= end || !isDigit(b[p]))
                throw this.badNumber(start);
            first = b[p++];
        }
        if (first !== 0x30)
            while (p < end && isDigit(b[p]))
                p++;
        if (p < end && b[p] === 0x2e) {
            isDouble = true;
            p++;
            if (p >= end || !isDigit(b[p]))
                throw this.badNumber(start);
            while (p < end && isDigit(b[p]))
                p++;
        }
        if (p < end && (b[p] === 0x65 || b[p] === 0x45)) {
            isDouble = true;
            p++;
            if (p < end && (b[p] === 0x2b || b[p] === 0x2d))
                p++;
            if (p >= end || !isDigit(b[p]))
                throw this.badNumber(start);
            while (p < end && isDigit(b[p]))
                p++;
        }
        if (p < end && !isTerminator(b[p]))
            throw this.badNumber(start);
        this.pos = p;
        const text = latin1(b, start, p);
        if (!isDouble) {
            const digits = p - start - (b[start] === 0x2d ? 1 : 0);
            if (digits <= 15) {
                const n = Number(text);
                this.setInteger(n, null);
                return;
            }
            const big = BigInt(text);
            if (big >= scanner_INT64_MIN && big <= scanner_INT64_MAX) {
                const n = Number(big);
                this.setInteger(n, Number.isSafeInteger(n) ? null : big);
                return;
            }
        }
        const d = Number(text);
        if (!Number.isFinite(d))
            throw this.fail(`strconv.ParseFloat: parsing "${text}": value out of range`, start);
        this.tk = TK_DOUBLE;
        this.tkNum = d;
    }
    setInteger(n, big) {
        if (big === null && n >= scanner_INT32_MIN && n <= scanner_INT32_MAX) {
            this.tk = TK_INT32;
            this.tkNum = n === 0 ? 0 : n; // "-0" is the integer 0
        }
        else {
            this.tk = TK_INT64;
            this.tkNum = n;
            this.tkBig = big;
        }
    }
    badNumber(start) {
        return this.fail(`invalid JSON number. Position: ${start - this.base}`, start);
    }
}
function hex4(b, p) {
    let r = 0;
    for (let i = 0; i < 4; i++) {
        const c = b[p + i];
        let d;
        if (c >= 0x30 && c <= 0x39)
            d = c - 0x30;
        else if (c >= 0x61 && c <= 0x66)
            d = c - 0x57;
        else if (c >= 0x41 && c <= 0x46)
            d = c - 0x37;
        else
            return -1; // written as U+FFFD, as Go does
        r = r * 16 + d;
    }
    return r;
}
//# sourceMappingURL=scanner.js.map
;// CONCATENATED MODULE: ./lib/ejson/ext-json-parser.js
// Go's extJSONParser: the lookahead state machine over the scanner's tokens that types each value (peekType), reads
// keys (readKey) and reads the values and wrapper objects ($oid, $binary, $date, $code/$scope, ...) as the Go code
// does, in the same states and the same lookahead order, with the same error texts. It extends the scanner
// (scanner.ts) and is extended by the $-wrapper checks (wrapper-values.ts): one object, no indirection per token.




// Constants of other modules are bound here as this module's own: V8 folds a module's own constants into optimized
// code, but loads an imported binding at each use (measured: ~4% slower parsing of canonical Extended JSON).
const { /* T_ARRAY */ "JK": ext_json_parser_T_ARRAY, /* T_BINARY */ "B8": ext_json_parser_T_BINARY, /* T_BOOL */ "sd": ext_json_parser_T_BOOL, /* T_CODE */ "v1": ext_json_parser_T_CODE, /* T_CODE_SCOPE */ "P2": ext_json_parser_T_CODE_SCOPE, /* T_DATE */ "SE": ext_json_parser_T_DATE, /* T_DBPOINTER */ "Bd": ext_json_parser_T_DBPOINTER, /* T_DECIMAL */ "jG": ext_json_parser_T_DECIMAL, /* T_DOC */ "ux": ext_json_parser_T_DOC, /* T_DOUBLE */ "F6": ext_json_parser_T_DOUBLE, /* T_INT32 */ "ms": ext_json_parser_T_INT32, /* T_INT64 */ "tx": ext_json_parser_T_INT64, /* T_MAXKEY */ "jB": ext_json_parser_T_MAXKEY, /* T_MINKEY */ "l3": ext_json_parser_T_MINKEY, /* T_NULL */ "BS": ext_json_parser_T_NULL, /* T_OID */ "wX": ext_json_parser_T_OID, /* T_REGEX */ "px": ext_json_parser_T_REGEX, /* T_STRING */ "ts": ext_json_parser_T_STRING, /* T_SYMBOL */ "KA": ext_json_parser_T_SYMBOL, /* T_TIMESTAMP */ "Km": ext_json_parser_T_TIMESTAMP, /* T_UNDEFINED */ "_I": ext_json_parser_T_UNDEFINED } = bson_types_namespaceObject;
const { /* TK_BEGIN_ARR */ "g0": ext_json_parser_TK_BEGIN_ARR, /* TK_BEGIN_OBJ */ "Ko": ext_json_parser_TK_BEGIN_OBJ, /* TK_BOOL */ "Rs": ext_json_parser_TK_BOOL, /* TK_COLON */ "Qx": ext_json_parser_TK_COLON, /* TK_COMMA */ "kv": ext_json_parser_TK_COMMA, /* TK_DOUBLE */ "uE": ext_json_parser_TK_DOUBLE, /* TK_END_ARR */ "m1": ext_json_parser_TK_END_ARR, /* TK_END_OBJ */ "my": ext_json_parser_TK_END_OBJ, /* TK_EOF */ "fD": ext_json_parser_TK_EOF, /* TK_INT32 */ "Hk": ext_json_parser_TK_INT32, /* TK_INT64 */ "uS": ext_json_parser_TK_INT64, /* TK_NULL */ "MX": ext_json_parser_TK_NULL, /* TK_STRING */ "wZ": ext_json_parser_TK_STRING } = scanner_namespaceObject;
/** peekType result at the end of an array (Go's ErrEOA). */
const END_OF_ARRAY = -1;
/** readKey result at the end of a document (Go's ErrEOD). */
const END_OF_DOC = -2;
// Parser states (Go's jpsXxx) and the tokens each accepts, as bit sets.
const S_START = 0;
const S_BEGIN_OBJ = 1;
const S_END_OBJ = 2;
const S_BEGIN_ARR = 3;
const S_END_ARR = 4;
const S_COLON = 5;
const S_COMMA = 6;
const S_KEY = 7;
const S_VALUE = 8;
const S_DONE = 9;
const bits = (...tokens) => tokens.reduce((set, tk) => set | (1 << tk), 0);
const SCALARS = [ext_json_parser_TK_INT32, ext_json_parser_TK_INT64, ext_json_parser_TK_DOUBLE, ext_json_parser_TK_STRING, ext_json_parser_TK_BOOL, ext_json_parser_TK_NULL];
const VALUE_START = bits(ext_json_parser_TK_BEGIN_OBJ, ext_json_parser_TK_BEGIN_ARR, ...SCALARS);
const AFTER_VALUE = bits(ext_json_parser_TK_END_OBJ, ext_json_parser_TK_END_ARR, ext_json_parser_TK_COMMA, ext_json_parser_TK_EOF);
const ALLOWED_AFTER = [];
ALLOWED_AFTER[S_START] = VALUE_START | bits(ext_json_parser_TK_EOF);
ALLOWED_AFTER[S_BEGIN_OBJ] = bits(ext_json_parser_TK_END_OBJ, ext_json_parser_TK_STRING);
ALLOWED_AFTER[S_END_OBJ] = AFTER_VALUE;
ALLOWED_AFTER[S_BEGIN_ARR] = VALUE_START | bits(ext_json_parser_TK_END_ARR);
ALLOWED_AFTER[S_END_ARR] = AFTER_VALUE;
ALLOWED_AFTER[S_COLON] = VALUE_START;
ALLOWED_AFTER[S_COMMA] = VALUE_START;
ALLOWED_AFTER[S_KEY] = bits(ext_json_parser_TK_COLON);
ALLOWED_AFTER[S_VALUE] = AFTER_VALUE;
ALLOWED_AFTER[S_DONE] = 0;
const MODE_OBJECT = 1;
const MODE_ARRAY = 2;
const MAX_OBJECT_DEPTH = 200;
/**
 * Objects and arrays nested in one another, at most. Go limits only objects; a limit of our own keeps the answer the
 * same whatever the call stack (a worker thread's is larger than the main thread's), far above what any server stores
 * (MongoDB: 100 levels).
 */
const MAX_NESTING = 1000;
function objectValue(keys, vals) {
    return { t: ext_json_parser_T_DOC, num: 0, big: null, bool: false, sb: null, s0: 0, s1: 0, keys, vals };
}
function stringValue(text) {
    const bytes = Buffer.from(text, 'latin1');
    return { t: ext_json_parser_T_STRING, num: 0, big: null, bool: false, sb: bytes, s0: 0, s1: bytes.length, keys: null, vals: null };
}
const ENC = new TextEncoder();
const keyBytes = (k) => ENC.encode(k);
const K_SCOPE = keyBytes('$scope');
const K_TYPE = keyBytes('$type');
const K_UUID = keyBytes('$uuid');
/** The `$` keys Go recognises as the first key of a wrapper object (wrapperKeyBSONType). */
const WRAPPER_KEYS = Object.entries({
    $numberInt: ext_json_parser_T_INT32, $numberLong: ext_json_parser_T_INT64, $oid: ext_json_parser_T_OID, $symbol: ext_json_parser_T_SYMBOL, $numberDouble: ext_json_parser_T_DOUBLE,
    $numberDecimal: ext_json_parser_T_DECIMAL, $binary: ext_json_parser_T_BINARY, $code: ext_json_parser_T_CODE, $scope: ext_json_parser_T_CODE_SCOPE, $timestamp: ext_json_parser_T_TIMESTAMP,
    $regularExpression: ext_json_parser_T_REGEX, $dbPointer: ext_json_parser_T_DBPOINTER, $date: ext_json_parser_T_DATE, $minKey: ext_json_parser_T_MINKEY, $maxKey: ext_json_parser_T_MAXKEY,
    $undefined: ext_json_parser_T_UNDEFINED
}).map(([k, t]) => [keyBytes(k), t]);
function bytesEqual(b, s, e, k) {
    if (e - s !== k.length)
        return false;
    for (let i = 0; i < k.length; i++)
        if (b[s + i] !== k[i])
            return false;
    return true;
}
class ExtJsonParser extends JsonScanner {
    // parser state (Go's extJSONParser)
    s = S_START;
    modes = [];
    depth = 0;
    v = null;
    kb = new Uint8Array(0);
    k0 = 0;
    k1 = 0;
    emptyObject = false;
    relaxedUUID = false;
    // key returned by readKey
    rkb = new Uint8Array(0);
    rk0 = 0;
    rk1 = 0;
    tokenValue() {
        switch (this.tk) {
            case ext_json_parser_TK_INT32: return scalar(ext_json_parser_T_INT32, this.tkNum);
            case ext_json_parser_TK_INT64: {
                const v = scalar(ext_json_parser_T_INT64, this.tkNum);
                v.big = this.tkBig;
                this.tkBig = null;
                return v;
            }
            case ext_json_parser_TK_DOUBLE: return scalar(ext_json_parser_T_DOUBLE, this.tkNum);
            case ext_json_parser_TK_BOOL: {
                const v = scalar(ext_json_parser_T_BOOL, 0);
                v.bool = this.tkBool;
                return v;
            }
            case ext_json_parser_TK_NULL: return scalar(ext_json_parser_T_NULL, 0);
            default: {
                const v = scalar(ext_json_parser_T_STRING, 0);
                v.sb = this.tkSb;
                v.s0 = this.tkS0;
                v.s1 = this.tkS1;
                return v;
            }
        }
    }
    advance() {
        if (this.s === S_DONE)
            return;
        this.nextToken();
        const tk = this.tk;
        if (!this.validToken(tk))
            throw this.unexpected();
        switch (tk) {
            case ext_json_parser_TK_BEGIN_OBJ:
                this.s = S_BEGIN_OBJ;
                this.modes.push(MODE_OBJECT);
                if (this.modes.length > MAX_NESTING)
                    throw this.fail(`nesting deeper than ${MAX_NESTING} levels (MongoDB stores at most 100)`, this.tkPos);
                if (++this.depth > MAX_OBJECT_DEPTH) {
                    throw this.fail(`invalid JSON input; nesting too deep (${this.depth} levels) at position ${this.tkPos - this.base}`, this.tkPos);
                }
                return;
            case ext_json_parser_TK_END_OBJ:
                this.s = S_END_OBJ;
                this.depth--;
                if (this.modes.pop() !== MODE_OBJECT)
                    throw this.unexpected();
                return;
            case ext_json_parser_TK_BEGIN_ARR:
                this.s = S_BEGIN_ARR;
                this.modes.push(MODE_ARRAY);
                if (this.modes.length > MAX_NESTING)
                    throw this.fail(`nesting deeper than ${MAX_NESTING} levels (MongoDB stores at most 100)`, this.tkPos);
                return;
            case ext_json_parser_TK_END_ARR:
                this.s = S_END_ARR;
                if (this.modes.pop() !== MODE_ARRAY)
                    throw this.unexpected();
                return;
            case ext_json_parser_TK_COLON:
                this.s = S_COLON;
                return;
            case ext_json_parser_TK_COMMA:
                this.s = S_COMMA;
                return;
            case ext_json_parser_TK_EOF:
                this.s = S_DONE;
                if (this.modes.length !== 0)
                    throw this.fail('invalid JSON input; unexpected end of input', this.end);
                return;
            case ext_json_parser_TK_STRING:
                if (this.s === S_BEGIN_OBJ || (this.s === S_COMMA && this.modes[this.modes.length - 1] !== MODE_ARRAY)) {
                    this.s = S_KEY;
                    this.kb = this.tkSb;
                    this.k0 = this.tkS0;
                    this.k1 = this.tkS1;
                    return;
                }
        }
        this.s = S_VALUE;
        this.v = this.tokenValue();
    }
    validToken(tk) {
        const mode = this.modes.length === 0 ? 0 : this.modes[this.modes.length - 1];
        if (this.s === S_END_OBJ && tk === ext_json_parser_TK_BEGIN_OBJ && this.depth === 0)
            return mode !== MODE_ARRAY;
        if (this.s === S_COMMA) {
            if (mode === MODE_OBJECT)
                return tk === ext_json_parser_TK_STRING;
            if (mode === 0)
                return false;
        }
        return (ALLOWED_AFTER[this.s] & (1 << tk)) !== 0;
    }
    unexpected() {
        const at = this.tk === ext_json_parser_TK_EOF ? this.end : this.tkPos;
        const what = this.tk === ext_json_parser_TK_EOF ? 'end of input' : this.tk === ext_json_parser_TK_STRING ? 'string' : latin1(this.b, this.tkPos, this.tkPos + 1);
        return this.fail(`invalid JSON input; unexpected ${what} at position ${at - this.base}`, at);
    }
    keyIs(k) {
        return bytesEqual(this.kb, this.k0, this.k1, k);
    }
    keyText() {
        return utf8Text.decode(this.kb.subarray(this.k0, this.k1));
    }
    wrapperType() {
        if (this.k1 === this.k0 || this.kb[this.k0] !== 0x24)
            return ext_json_parser_T_DOC;
        for (const [k, t] of WRAPPER_KEYS)
            if (this.keyIs(k))
                return t;
        return ext_json_parser_T_DOC;
    }
    peekType() {
        const initial = this.s;
        this.advance();
        switch (this.s) {
            case S_VALUE:
                return this.v.t;
            case S_BEGIN_ARR:
                return ext_json_parser_T_ARRAY;
            case S_COMMA:
                return this.modes[this.modes.length - 1] === MODE_ARRAY ? this.peekType() : 0;
            case S_END_ARR:
                return END_OF_ARRAY;
            case S_BEGIN_OBJ: {
                this.advance();
                if (this.s === S_END_OBJ) {
                    this.emptyObject = true;
                    return ext_json_parser_T_DOC;
                }
                if (this.s !== S_KEY)
                    return 0;
                if (initial === S_START)
                    return ext_json_parser_T_DOC;
                let t = this.wrapperType();
                if (this.keyIs(K_UUID)) {
                    this.relaxedUUID = true;
                    t = ext_json_parser_T_BINARY;
                }
                if (t === ext_json_parser_T_CODE) {
                    // $code alone is JavaScript; followed by $scope it is code with scope.
                    this.readValue(ext_json_parser_T_CODE);
                    if (this.s === S_COMMA) {
                        this.advance();
                        if (this.s === S_KEY && this.keyIs(K_SCOPE))
                            t = ext_json_parser_T_CODE_SCOPE;
                        else
                            throw this.fail(`invalid extended JSON: unexpected key ${this.keyText()} in CodeWithScope object`);
                    }
                    else if (this.s !== S_END_OBJ)
                        throw this.fail('invalid JSON input');
                }
                else if (t === ext_json_parser_T_CODE_SCOPE) {
                    throw this.fail('invalid extended JSON: code with $scope must contain $code before $scope');
                }
                return t;
            }
        }
        return 0;
    }
    /** Reads the next key and peeks its value's type; END_OF_DOC at the closing brace. */
    readKey() {
        if (this.emptyObject) {
            this.emptyObject = false;
            return END_OF_DOC;
        }
        switch (this.s) {
            case S_START:
                this.advance();
                if (this.s === S_BEGIN_OBJ)
                    this.advance();
                break;
            case S_BEGIN_OBJ:
                this.advance();
                break;
            case S_VALUE:
            case S_END_OBJ:
            case S_END_ARR:
                this.advance();
                switch (this.s) {
                    case S_BEGIN_OBJ:
                    case S_COMMA:
                        this.advance();
                        break;
                    case S_END_OBJ:
                        return END_OF_DOC;
                    case S_DONE:
                        throw this.fail('unexpected end of input');
                    default:
                        throw this.fail('invalid JSON input');
                }
                break;
            case S_KEY:
                break;
            default:
                throw this.fail('invalid request to read key');
        }
        if (this.s === S_END_OBJ)
            return END_OF_DOC;
        if (this.s !== S_KEY)
            throw this.fail('invalid request to read key');
        const kb = this.kb;
        const k0 = this.k0;
        const k1 = this.k1;
        this.advance();
        this.expectColon(kb, k0, k1);
        const t = this.peekType();
        if (t === END_OF_ARRAY)
            throw this.fail('end of array');
        this.rkb = kb;
        this.rk0 = k0;
        this.rk1 = k1;
        return t;
    }
    expectColon(kb, k0, k1) {
        if (this.s !== S_COLON) {
            throw this.fail(`invalid JSON input: missing colon after key "${utf8Text.decode(kb.subarray(k0, k1))}"`);
        }
    }
    expectValueType(t) {
        const vt = this.v.t;
        switch (t) {
            case ext_json_parser_T_MINKEY:
            case ext_json_parser_T_MAXKEY:
                return vt === ext_json_parser_T_INT32;
            case ext_json_parser_T_UNDEFINED:
                return vt === ext_json_parser_T_BOOL;
            default:
                return vt === ext_json_parser_T_STRING;
        }
    }
    invalidFor(expected, t) {
        return this.fail(`invalid JSON input; expected ${expected} for ${typeName(t)}`);
    }
    /** Reads the value whose type peekType returned (Go's readValue). */
    readValue(t) {
        switch (t) {
            case ext_json_parser_T_NULL:
            case ext_json_parser_T_BOOL:
            case ext_json_parser_T_STRING:
                if (this.s !== S_VALUE)
                    throw this.fail(`invalid request to read ${typeName(t)}`);
                return this.v;
            case ext_json_parser_T_INT32:
            case ext_json_parser_T_INT64:
            case ext_json_parser_T_DOUBLE:
                // a relaxed number, or the canonical {"$numberInt": "…"} form
                return this.s === S_VALUE ? this.v : this.readSingleKeyWrapper(t);
            case ext_json_parser_T_DECIMAL:
            case ext_json_parser_T_SYMBOL:
            case ext_json_parser_T_OID:
            case ext_json_parser_T_MINKEY:
            case ext_json_parser_T_MAXKEY:
            case ext_json_parser_T_UNDEFINED:
                return this.readSingleKeyWrapper(t);
            case ext_json_parser_T_BINARY:
            case ext_json_parser_T_REGEX:
            case ext_json_parser_T_TIMESTAMP:
            case ext_json_parser_T_DBPOINTER: {
                if (this.s !== S_KEY)
                    throw this.fail(`invalid request to read ${typeName(t)}`);
                this.advance();
                this.expectColon(this.kb, this.k0, this.k1);
                this.advance();
                if (t === ext_json_parser_T_BINARY && this.s === S_VALUE) {
                    if (this.relaxedUUID)
                        return this.readUuid();
                    // legacy {"$binary": "<base64>", "$type": "<hex>"}
                    const base64 = this.v;
                    this.advance();
                    if (this.s !== S_COMMA)
                        throw this.invalidFor(',', ext_json_parser_T_BINARY);
                    this.advance();
                    const subtypeType = this.readKey();
                    if (subtypeType === END_OF_DOC)
                        throw this.fail('end of document');
                    if (!bytesEqual(this.rkb, this.rk0, this.rk1, K_TYPE))
                        throw this.invalidFor('$type', ext_json_parser_T_BINARY);
                    const subtype = this.readValue(subtypeType);
                    this.advance();
                    if (this.s !== S_END_OBJ)
                        throw this.invalidFor('2 key-value pairs and then }', ext_json_parser_T_BINARY);
                    return objectValue(['base64', 'subType'], [base64, subtype]);
                }
                if (this.s !== S_BEGIN_OBJ)
                    throw this.invalidFor('{', t);
                const v = this.readObject(2);
                this.advance();
                if (this.s !== S_END_OBJ)
                    throw this.invalidFor('2 key-value pairs and then }', t);
                return v;
            }
            case ext_json_parser_T_DATE:
                if (this.s === S_VALUE)
                    return this.v;
                if (this.s !== S_KEY)
                    throw this.fail(`invalid request to read ${typeName(t)}`);
                {
                    this.advance();
                    this.expectColon(this.kb, this.k0, this.k1);
                    this.advance();
                    let v;
                    if (this.s === S_BEGIN_OBJ)
                        v = this.readObject(1);
                    else if (this.s === S_VALUE)
                        v = this.v;
                    else
                        throw this.invalidFor('ISO-8601 Internet Date/Time Format as described in RFC-3339', t);
                    this.advance();
                    if (this.s !== S_END_OBJ)
                        throw this.invalidFor('value and then }', t);
                    return v;
                }
            case ext_json_parser_T_CODE:
                if (this.s === S_KEY) {
                    this.advance();
                    this.expectColon(this.kb, this.k0, this.k1);
                    this.advance();
                    if (this.s !== S_VALUE)
                        throw this.invalidFor('value', t);
                    const v = this.v;
                    this.advance(); // the closing brace, or the comma before $scope
                    return v;
                }
                if (this.s === S_END_OBJ)
                    return this.v;
                throw this.fail(`invalid request to read ${typeName(t)}`);
            case ext_json_parser_T_CODE_SCOPE: {
                if (this.s !== S_KEY || !this.keyIs(K_SCOPE))
                    throw this.fail(`invalid request to read ${typeName(t)}`);
                const code = this.v;
                this.advance();
                this.expectColon(this.kb, this.k0, this.k1);
                this.advance();
                if (this.s !== S_BEGIN_OBJ)
                    throw this.fail('invalid JSON input; expected $scope to be embedded document');
                return code;
            }
        }
        throw this.fail(`invalid request to read ${typeName(t)}`);
    }
    /** {"$oid": "…"} and the like: the value, then the closing brace. */
    readSingleKeyWrapper(t) {
        if (this.s !== S_KEY)
            throw this.fail(`invalid request to read ${typeName(t)}`);
        this.advance();
        this.expectColon(this.kb, this.k0, this.k1);
        this.advance();
        if (this.s !== S_VALUE || !this.expectValueType(t))
            throw this.invalidFor('value', t);
        const v = this.v;
        this.advance();
        if (this.s !== S_END_OBJ)
            throw this.invalidFor('} after value', t);
        return v;
    }
    readUuid() {
        this.relaxedUUID = false;
        const v = this.v;
        if (v.t !== ext_json_parser_T_STRING)
            throw this.fail(`$symbol value should be string, but instead is ${typeName(v.t)}`);
        const sb = v.sb;
        const text = latin1(sb, v.s0, v.s1);
        const shapeError = () => this.fail('$uuid value does not follow RFC 4122 format regarding length and hyphens');
        if (text.length !== 36 || text[8] !== '-' || text[13] !== '-' || text[18] !== '-' || text[23] !== '-')
            throw shapeError();
        const hexDigits = text.replaceAll('-', '');
        if (hexDigits.length !== 32)
            throw shapeError();
        if (!/^[0-9a-fA-F]*$/.test(hexDigits))
            throw this.fail('$uuid value does not follow RFC 4122 format regarding hex bytes');
        this.advance();
        if (this.s !== S_END_OBJ)
            throw this.invalidFor('$uuid and value and then }', ext_json_parser_T_BINARY);
        return objectValue(['base64', 'subType'], [stringValue(Buffer.from(hexDigits, 'hex').toString('base64')), stringValue('04')]);
    }
    /** Reads `count` key/value pairs of a wrapper object, then its closing brace. */
    readObject(count) {
        const keys = [];
        const vals = [];
        for (let i = 0; i < count; i++) {
            const t = this.readKey();
            if (t === END_OF_DOC)
                throw this.fail('end of document');
            const key = utf8Text.decode(this.rkb.subarray(this.rk0, this.rk1));
            if (this.s === S_KEY)
                vals.push(this.readValue(t));
            else if (this.s === S_VALUE)
                vals.push(this.v);
            else
                throw this.fail('invalid JSON input; expected value');
            keys.push(key);
        }
        this.advance();
        if (this.s !== S_END_OBJ)
            throw this.fail('invalid JSON input; expected }');
        return objectValue(keys, vals);
    }
}
function scalar(t, num) {
    return { t, num, big: null, bool: false, sb: null, s0: 0, s1: 0, keys: null, vals: null };
}
//# sourceMappingURL=ext-json-parser.js.map
;// CONCATENATED MODULE: ./lib/ejson/go-encoding.js
// Go's encoding/hex, encoding/base64 and unicode/utf8 as the driver applies them to $oid, $dbPointer and $binary
// text and to $regularExpression options (sorted by code point after Go's []rune conversion).
/** hex.DecodeString of exactly `size` bytes (24 hex digits for an ObjectID). */
function decodeHex(s, size) {
    if (s.length !== size * 2 || !/^[0-9a-fA-F]*$/.test(s))
        return null;
    return Buffer.from(s, 'hex');
}
/** base64.StdEncoding.DecodeString: padding required, CR/LF ignored, non-zero trailing bits allowed. */
function decodeBase64(s) {
    const text = s.includes('\n') || s.includes('\r') ? s.replace(/[\r\n]/g, '') : s;
    if (text.length % 4 !== 0)
        return null;
    if (!/^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text))
        return null;
    return Buffer.from(text, 'base64');
}
/** Go's []rune conversion (invalid bytes become U+FFFD), sorted by code point, back to UTF-8. */
function sortRunes(b, s, e) {
    let ascii = true;
    for (let i = s; i < e; i++)
        if (b[i] >= 0x80)
            ascii = false;
    if (ascii)
        return Uint8Array.from(b.subarray(s, e)).sort();
    const runes = [];
    for (let i = s; i < e;) {
        const [r, size] = decodeRune(b, i, e);
        runes.push(r);
        i += size;
    }
    runes.sort((x, y) => x - y);
    return Buffer.from(String.fromCodePoint(...runes), 'utf8');
}
/** utf8.DecodeRune: the rune and its size, (U+FFFD, 1) for an invalid sequence. */
function decodeRune(b, i, e) {
    const c0 = b[i];
    if (c0 < 0x80)
        return [c0, 1];
    let size;
    let lo = 0x80;
    let hi = 0xbf;
    if (c0 >= 0xc2 && c0 <= 0xdf)
        size = 2;
    else if (c0 >= 0xe0 && c0 <= 0xef) {
        size = 3;
        if (c0 === 0xe0)
            lo = 0xa0;
        if (c0 === 0xed)
            hi = 0x9f;
    }
    else if (c0 >= 0xf0 && c0 <= 0xf4) {
        size = 4;
        if (c0 === 0xf0)
            lo = 0x90;
        if (c0 === 0xf4)
            hi = 0x8f;
    }
    else
        return [0xfffd, 1];
    if (i + size > e)
        return [0xfffd, 1];
    if (b[i + 1] < lo || b[i + 1] > hi)
        return [0xfffd, 1];
    for (let k = 2; k < size; k++)
        if (b[i + k] < 0x80 || b[i + k] > 0xbf)
            return [0xfffd, 1];
    let r = c0 & (size === 2 ? 0x1f : size === 3 ? 0x0f : 0x07);
    for (let k = 1; k < size; k++)
        r = (r << 6) | (b[i + k] & 0x3f);
    return [r, size];
}
//# sourceMappingURL=go-encoding.js.map
;// CONCATENATED MODULE: ./lib/ejson/go-strconv.js
// Go's strconv as the driver applies it to the text of $numberInt, $numberLong, $numberDouble and a $binary
// subType: the same accepted syntax (signs, underscores, hex floats, inf/nan spellings) and the same range checks.

// As in the parser modules, the constants are bound as this module's own (V8 folds those into optimized code).
const { /* INT64_MAX */ "vh": go_strconv_INT64_MAX, /* INT64_MIN */ "bO": go_strconv_INT64_MIN } = bson_types_namespaceObject;
/** strconv.ParseInt(s, 10, 64): optional sign, ASCII digits, no underscores; null on error. */
function goParseInt64(s) {
    if (!/^[+-]?[0-9]+$/.test(s))
        return null;
    const n = BigInt(s);
    return n < go_strconv_INT64_MIN || n > go_strconv_INT64_MAX ? null : n;
}
/** strconv.ParseUint(s, 16, 8): hex digits only, leading zeros allowed, at most 0xff. */
function parseSubtype(s) {
    if (!/^[0-9a-fA-F]+$/.test(s))
        return null;
    const significant = s.replace(/^0+/, '');
    return significant.length > 2 ? null : parseInt(significant || '0', 16);
}
/**
 * strconv.ParseFloat(s, 64): Go float syntax (decimal or hex with a p exponent, `_` between digits,
 * inf/infinity/nan in any case); null on a syntax error or when the value overflows to ±Inf.
 */
function goParseFloat(s) {
    const special = /^([+-]?)(inf|infinity)$/i.exec(s);
    if (special)
        return special[1] === '-' ? -Infinity : Infinity;
    if (/^nan$/i.test(s))
        return NaN;
    if (s.includes('_') && !underscoresOk(s))
        return null;
    const clean = s.replaceAll('_', '');
    const hex = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?[0-9]+)$/.exec(clean);
    if (hex) {
        const [, sign, whole, frac = '', exp] = hex;
        if (whole.length + frac.length === 0)
            return null;
        const d = hexFloat(BigInt('0x' + (whole + frac || '0')), Math.max(-100000, Math.min(100000, Number(exp))) - 4 * frac.length);
        if (!Number.isFinite(d))
            return null;
        return sign === '-' ? -d : d;
    }
    if (!/^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(clean))
        return null;
    const d = Number(clean);
    return Number.isFinite(d) ? d : null;
}
/** Go's underscoreOK: underscores only between digits (or after a base prefix). */
function underscoresOk(s) {
    let i = 0;
    if (s[0] === '+' || s[0] === '-')
        i = 1;
    let saw = '^';
    let hex = false;
    if (s.length >= i + 2 && s[i] === '0' && /[bBoOxX]/.test(s[i + 1])) {
        hex = /[xX]/.test(s[i + 1]);
        i += 2;
        saw = '0';
    }
    for (; i < s.length; i++) {
        const c = s[i];
        if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
            saw = '0';
            continue;
        }
        if (c === '_') {
            if (saw !== '0')
                return false;
            saw = '_';
            continue;
        }
        if (saw === '_')
            return false;
        saw = '!';
    }
    return saw !== '_';
}
/** mantissa × 2^exp rounded to the nearest double, ties to even. */
function hexFloat(mantissa, exp) {
    if (mantissa === 0n)
        return 0;
    const bitsLen = mantissa.toString(2).length;
    // Value = mantissa × 2^exp = 1.xxx × 2^(bitsLen - 1 + exp)
    let e = bitsLen - 1 + exp;
    if (e > 1023)
        return Infinity;
    // Number of mantissa bits kept: 53 for normals, fewer for subnormals.
    const keep = e >= -1022 ? 53 : 53 - (-1022 - e);
    if (keep <= 0) {
        // Below half the smallest subnormal (or exactly half: ties to even gives 0).
        if (keep === 0 && mantissa > 1n << BigInt(bitsLen - 1))
            return 2 ** -1074;
        return 0;
    }
    let m = mantissa;
    const drop = bitsLen - keep;
    if (drop > 0) {
        const dropped = m & ((1n << BigInt(drop)) - 1n);
        m >>= BigInt(drop);
        const half = 1n << BigInt(drop - 1);
        if (dropped > half || (dropped === half && (m & 1n) === 1n))
            m += 1n;
        if (m === 1n << BigInt(keep)) {
            m >>= 1n;
            e += 1;
            if (e > 1023)
                return Infinity;
        }
    }
    else
        m <<= BigInt(-drop);
    return Number(m) * 2 ** (e - (keep - 1));
}
//# sourceMappingURL=go-strconv.js.map
;// CONCATENATED MODULE: ./lib/ejson/go-time.js
// Go's time.Parse with the two layouts the driver accepts for {"$date": "<string>"}, to milliseconds since the
// epoch: same digits, offsets and calendar checks as Go, independent of the JavaScript Date parser.
const DAYS_BEFORE_MONTH = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
/**
 * Go's time.Parse with the two layouts the driver accepts for {"$date": "<string>"}:
 * "2006-01-02T15:04:05.999Z07:00" and "2006-01-02T15:04:05.999Z0700". Milliseconds since the epoch, or null.
 */
function parseGoDateString(s) {
    return parseGoLayout(s, true) ?? parseGoLayout(s, false);
}
function parseGoLayout(s, colonOffset) {
    const digit = (i) => i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39;
    const two = (i) => (s.charCodeAt(i) - 0x30) * 10 + s.charCodeAt(i + 1) - 0x30;
    let i = 0;
    if (!(digit(0) && digit(1) && digit(2) && digit(3)))
        return null;
    const year = Number(s.slice(0, 4));
    i = 4;
    if (s[i++] !== '-' || !digit(i) || !digit(i + 1))
        return null;
    const month = two(i);
    i += 2;
    if (month < 1 || month > 12)
        return null;
    if (s[i++] !== '-' || !digit(i) || !digit(i + 1))
        return null;
    const day = two(i);
    i += 2;
    if (s[i++] !== 'T' || !digit(i))
        return null;
    // The hour takes one or two digits (Go's "15" layout element is not zero-padded).
    let hour;
    if (digit(i + 1)) {
        hour = two(i);
        i += 2;
    }
    else
        hour = s.charCodeAt(i++) - 0x30;
    if (hour > 23)
        return null;
    if (s[i++] !== ':' || !digit(i) || !digit(i + 1))
        return null;
    const minute = two(i);
    i += 2;
    if (minute > 59)
        return null;
    if (s[i++] !== ':' || !digit(i) || !digit(i + 1))
        return null;
    const second = two(i);
    i += 2;
    if (second > 59)
        return null;
    let nanos = 0;
    if ((s[i] === '.' || s[i] === ',') && digit(i + 1)) {
        let j = i + 1;
        while (digit(j))
            j++;
        const frac = s.slice(i + 1, Math.min(j, i + 10));
        nanos = Number(frac) * 10 ** (9 - frac.length);
        i = j;
    }
    let offsetSeconds = 0;
    if (s[i] === 'Z')
        i++;
    else {
        const width = colonOffset ? 6 : 5;
        if (s.length - i < width)
            return null;
        if (colonOffset && s[i + 3] !== ':')
            return null;
        const minuteAt = colonOffset ? i + 4 : i + 3;
        if (!digit(i + 1) || !digit(i + 2) || !digit(minuteAt) || !digit(minuteAt + 1))
            return null;
        const hh = two(i + 1);
        const mm = two(minuteAt);
        if (hh > 24 || mm > 60)
            return null;
        if (s[i] !== '+' && s[i] !== '-')
            return null;
        offsetSeconds = (hh * 60 + mm) * 60 * (s[i] === '-' ? -1 : 1);
        i += width;
    }
    if (i !== s.length)
        return null;
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    const daysInMonth = month === 2 ? (leap ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
    if (day < 1 || day > daysInMonth)
        return null;
    const days = daysFromCivil(year, month, day);
    const seconds = days * 86400 + hour * 3600 + minute * 60 + second - offsetSeconds;
    return seconds * 1000 + Math.floor(nanos / 1e6);
}
/** Days since 1970-01-01 in the proleptic Gregorian calendar (year 0 exists). */
function daysFromCivil(year, month, day) {
    const y = year - 1;
    // Days before January 1st of `year`, counted from 0001-01-01, then shifted to the Unix epoch.
    const daysBeforeYear = y * 365 + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400);
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    const dayOfYear = DAYS_BEFORE_MONTH[month - 1] + (leap && month > 2 ? 1 : 0) + day - 1;
    return daysBeforeYear + dayOfYear - 719162;
}
//# sourceMappingURL=go-time.js.map
;// CONCATENATED MODULE: ./lib/ejson/wrapper-values.js
// The $-wrapper values ($numberInt, $numberLong, $numberDouble, $date, $oid, $binary, $regularExpression,
// $timestamp, $dbPointer): their contents checked as the Go driver checks them (the first failing field gives the
// error, with Go's text) and written as BSON. A layer of the parser object (it extends ext-json-parser.ts and holds
// the BSON output), so that the decoder (ext-json-to-bson.ts) calls these as methods of the same object.








// Constants of other modules are bound here as this module's own: V8 folds a module's own constants into optimized
// code, but loads an imported binding at each use (measured: ~4% slower parsing of canonical Extended JSON).
const { /* INT32_MAX */ "go": wrapper_values_INT32_MAX, /* INT32_MIN */ "Qh": wrapper_values_INT32_MIN, /* T_DOC */ "ux": wrapper_values_T_DOC, /* T_DOUBLE */ "F6": wrapper_values_T_DOUBLE, /* T_INT32 */ "ms": wrapper_values_T_INT32, /* T_INT64 */ "tx": wrapper_values_T_INT64, /* T_STRING */ "ts": wrapper_values_T_STRING } = bson_types_namespaceObject;
class WrapperValues extends ExtJsonParser {
    out = new Out();
    text(v) {
        return utf8Text.decode(v.sb.subarray(v.s0, v.s1));
    }
    requireString(v, wrapper) {
        if (v.t !== wrapper_values_T_STRING)
            throw this.fail(`${wrapper} value should be string, but instead is ${typeName(v.t)}`);
    }
    parseInt32(v) {
        if (v.t === wrapper_values_T_INT32)
            return v.num;
        this.requireString(v, '$numberInt');
        const n = goParseInt64(latin1(v.sb, v.s0, v.s1));
        if (n === null)
            throw this.fail(`strconv.ParseInt: parsing "${this.text(v)}": invalid syntax or out of range`);
        if (n < BigInt(wrapper_values_INT32_MIN) || n > BigInt(wrapper_values_INT32_MAX)) {
            throw this.fail(`$numberInt value should be int32 but instead is int64: ${n}`);
        }
        return Number(n);
    }
    parseInt64(v, wrapper) {
        if (v.t === wrapper_values_T_INT64)
            return [v.num, v.big];
        this.requireString(v, wrapper);
        const n = goParseInt64(latin1(v.sb, v.s0, v.s1));
        if (n === null)
            throw this.fail(`strconv.ParseInt: parsing "${this.text(v)}": invalid syntax or out of range`);
        const num = Number(n);
        return [num, Number.isSafeInteger(num) ? null : n];
    }
    parseDouble(v) {
        if (v.t === wrapper_values_T_DOUBLE)
            return v.num;
        if (v.t !== wrapper_values_T_STRING)
            throw this.fail(`$numberDouble value should be string, but instead is ${typeName(v.t)}`);
        const text = latin1(v.sb, v.s0, v.s1);
        if (text === 'Infinity')
            return Infinity;
        if (text === '-Infinity')
            return -Infinity;
        if (text === 'NaN')
            return NaN;
        const d = goParseFloat(text);
        if (d === null)
            throw this.fail(`strconv.ParseFloat: parsing "${this.text(v)}": invalid syntax or out of range`);
        return d;
    }
    parseDateTime(v) {
        switch (v.t) {
            case wrapper_values_T_INT32:
                return [v.num, null];
            case wrapper_values_T_INT64:
                return [v.num, v.big];
            case wrapper_values_T_STRING: {
                const ms = parseGoDateString(latin1(v.sb, v.s0, v.s1));
                if (ms === null)
                    throw this.fail(`invalid $date value string: ${this.text(v)}`);
                return [ms, null];
            }
            case wrapper_values_T_DOC: {
                let found = null;
                const keys = v.keys;
                for (let i = 0; i < keys.length; i++) {
                    const val = v.vals[i];
                    if (keys[i] !== '$numberLong')
                        throw this.fail(`invalid key in $date object: ${keys[i]}`);
                    if (found !== null)
                        throw this.fail('duplicate $numberLong key in $date');
                    if (val.t !== wrapper_values_T_STRING)
                        throw this.fail(`$date $numberLong field should be string, but instead is ${typeName(val.t)}`);
                    found = this.parseInt64(val, '$numberLong');
                }
                if (found === null)
                    throw this.fail('missing $numberLong field in $date object');
                return found;
            }
        }
        throw this.fail(`$date value should be string or object, but instead is ${typeName(v.t)}`);
    }
    writeObjectId(v) {
        this.requireString(v, '$oid');
        const bytes = decodeHex(latin1(v.sb, v.s0, v.s1), 12);
        if (bytes === null)
            throw this.fail(`the provided hex string is not a valid ObjectID: ${this.text(v)}`);
        this.out.bytes(bytes, 0, 12);
    }
    /** Fields of a wrapper object, each allowed once; Go's error texts. */
    fields(v, wrapper, names) {
        if (v.t !== wrapper_values_T_DOC)
            throw this.fail(`${wrapper} value should be object, but instead is ${typeName(v.t)}`);
        const found = [];
        const keys = v.keys;
        for (let i = 0; i < keys.length; i++) {
            const slot = names.indexOf(keys[i]);
            if (slot < 0)
                throw this.fail(`invalid key in ${wrapper} object: ${keys[i]}`);
            if (found[slot] !== undefined)
                throw this.fail(`duplicate ${keys[i]} key in ${wrapper}`);
            found[slot] = v.vals[i];
            this.checkField(wrapper, keys[i], found[slot]);
        }
        names.forEach((name, slot) => {
            if (found[slot] === undefined)
                throw this.fail(`missing ${name} field in ${wrapper} object`);
        });
        return found;
    }
    /** Per-field checks made while iterating, so the first failing field gives the error, as in Go. */
    checkField(wrapper, key, val) {
        if (wrapper === '$timestamp') {
            this.uint32Field(key, val);
            return;
        }
        if (val.t !== wrapper_values_T_STRING)
            throw this.fail(`${wrapper} ${key} value should be string, but instead is ${typeName(val.t)}`);
        if (wrapper === '$binary' && key === 'base64' && decodeBase64(latin1(val.sb, val.s0, val.s1)) === null) {
            throw this.fail(`invalid $binary base64 string: ${this.text(val)}`);
        }
        if (wrapper === '$binary' && key === 'subType' && parseSubtype(latin1(val.sb, val.s0, val.s1)) === null) {
            throw this.fail(`invalid $binary subType string: ${JSON.stringify(this.text(val))}`);
        }
        if (wrapper === '$dbPointer' && key === '$id' && decodeHex(latin1(val.sb, val.s0, val.s1), 12) === null) {
            throw this.fail(`the provided hex string is not a valid ObjectID: ${this.text(val)}`);
        }
    }
    uint32Field(key, val) {
        const n = val.t === wrapper_values_T_INT32 || (val.t === wrapper_values_T_INT64 && val.big === null) ? val.num : val.t === wrapper_values_T_INT64 ? -1 : NaN;
        if (Number.isNaN(n))
            throw this.fail(`$timestamp ${key} value should be uint32, but instead is ${typeName(val.t)}`);
        if (n < 0 || n > 0xffffffff)
            throw this.fail(`$timestamp ${key} number should be uint32: ${val.big ?? val.num}`);
        return n;
    }
    writeBinary(v) {
        const [base64, subtypeText] = this.fields(v, '$binary', ['base64', 'subType']);
        const data = decodeBase64(latin1(base64.sb, base64.s0, base64.s1));
        const subtype = parseSubtype(latin1(subtypeText.sb, subtypeText.s0, subtypeText.s1));
        const out = this.out;
        if (subtype === 0x02) {
            // The old binary subtype carries its own inner length (bsoncore.AppendBinary).
            out.int32(data.length + 4);
            out.byte(subtype);
            out.int32(data.length);
        }
        else {
            out.int32(data.length);
            out.byte(subtype);
        }
        out.bytes(data, 0, data.length);
    }
    writeRegex(v) {
        const [pattern, options] = this.fields(v, '$regularExpression', ['pattern', 'options']);
        const pb = pattern.sb;
        const ob = options.sb;
        if (pb.subarray(pattern.s0, pattern.s1).includes(0) || ob.subarray(options.s0, options.s1).includes(0)) {
            throw this.fail('BSON regex values cannot contain null bytes');
        }
        const out = this.out;
        out.bytes(pb, pattern.s0, pattern.s1);
        out.byte(0);
        const sorted = sortRunes(ob, options.s0, options.s1);
        out.bytes(sorted, 0, sorted.length);
        out.byte(0);
    }
    writeTimestamp(v) {
        const [t, i] = this.fields(v, '$timestamp', ['t', 'i']);
        this.out.ensure(8);
        this.out.view.setUint32(this.out.len, this.uint32Field('i', i), true);
        this.out.view.setUint32(this.out.len + 4, this.uint32Field('t', t), true);
        this.out.len += 8;
    }
    writeDbPointer(v) {
        const [ref, id] = this.fields(v, '$dbPointer', ['$ref', '$id']);
        this.out.string(ref.sb, ref.s0, ref.s1);
        this.out.bytes(decodeHex(latin1(id.sb, id.s0, id.s1), 12), 0, 12);
    }
}
//# sourceMappingURL=wrapper-values.js.map
;// CONCATENATED MODULE: ./lib/ejson/ext-json-to-bson.js
// Extended JSON → BSON, with exactly the results of mongoimport's parser: Go's
// `bson.UnmarshalExtJSON(data, false, &bson.D)` followed by `bson.Marshal` (mongo-go-driver v2).
//
// Why not EJSON.parse: JSON.parse throws the number lexemes away (`1.0` would become Int32, big
// integers lose precision), reorders integer-like keys and drops duplicate keys. Here every value is
// typed from its text and written straight into BSON bytes in input order.
//
// The Go parser is a lookahead state machine with many corner cases (what it accepts inside wrapper
// objects, which `$` keys it recognises, when it stops reading). To get the same answer on every
// input, the parser keeps the same states and the same lookahead order, and the differential
// test (__tests__/ejson/reader-oracle.test.ts) checks it against the Go code itself.
// Known, documented gaps: see GAPS at the end of this file.
//
// This file holds the entry points and the decoder (Go's D decoder + bson.Marshal) that writes a document's BSON. The
// parser is one object built in layers, each its own file: scanner.ts (tokens) <- ext-json-parser.ts (Go's state
// machine) <- wrapper-values.ts ($-wrapper values) <- DocumentDecoder here. Splitting a file into documents is
// reader.ts.









// Constants of other modules are bound here as this module's own: V8 folds a module's own constants into optimized
// code, but loads an imported binding at each use (measured: ~4% slower parsing of canonical Extended JSON).
const { /* T_ARRAY */ "JK": ext_json_to_bson_T_ARRAY, /* T_BINARY */ "B8": ext_json_to_bson_T_BINARY, /* T_BOOL */ "sd": ext_json_to_bson_T_BOOL, /* T_CODE */ "v1": ext_json_to_bson_T_CODE, /* T_CODE_SCOPE */ "P2": ext_json_to_bson_T_CODE_SCOPE, /* T_DATE */ "SE": ext_json_to_bson_T_DATE, /* T_DBPOINTER */ "Bd": ext_json_to_bson_T_DBPOINTER, /* T_DECIMAL */ "jG": ext_json_to_bson_T_DECIMAL, /* T_DOC */ "ux": ext_json_to_bson_T_DOC, /* T_DOUBLE */ "F6": ext_json_to_bson_T_DOUBLE, /* T_INT32 */ "ms": ext_json_to_bson_T_INT32, /* T_INT64 */ "tx": ext_json_to_bson_T_INT64, /* T_MAXKEY */ "jB": ext_json_to_bson_T_MAXKEY, /* T_MINKEY */ "l3": ext_json_to_bson_T_MINKEY, /* T_NULL */ "BS": ext_json_to_bson_T_NULL, /* T_OID */ "wX": ext_json_to_bson_T_OID, /* T_REGEX */ "px": ext_json_to_bson_T_REGEX, /* T_STRING */ "ts": ext_json_to_bson_T_STRING, /* T_SYMBOL */ "KA": ext_json_to_bson_T_SYMBOL, /* T_TIMESTAMP */ "Km": ext_json_to_bson_T_TIMESTAMP, /* T_UNDEFINED */ "_I": ext_json_to_bson_T_UNDEFINED } = bson_types_namespaceObject;
const { /* END_OF_ARRAY */ "u0": ext_json_to_bson_END_OF_ARRAY, /* END_OF_DOC */ "PW": ext_json_to_bson_END_OF_DOC, /* S_START */ "Xr": ext_json_to_bson_S_START } = ext_json_parser_namespaceObject;
/** Converts one Extended JSON document (canonical, relaxed or the legacy forms mongoimport accepts) to BSON. */
function extJsonToBson(text) {
    const bytes = Buffer.from(text, 'utf8');
    return extJsonBytesToBson(bytes, 0, bytes.length);
}
/** Like extJsonToBson for UTF-8 bytes; invalid UTF-8 inside strings is kept byte for byte, as Go does. */
function extJsonBytesToBson(bytes, start = 0, end = bytes.length) {
    const parser = sharedParser ?? (sharedParser = new DocumentDecoder());
    if (parser.busy)
        return new DocumentDecoder().run(bytes, start, end);
    return parser.run(bytes, start, end);
}
let sharedParser;
/** The parser object, whole: the decoding of a document into BSON on top of the layers it extends. */
class DocumentDecoder extends WrapperValues {
    busy = false;
    run(bytes, start, end) {
        this.busy = true;
        try {
            this.b = bytes;
            this.pos = start;
            this.base = start;
            this.end = end;
            this.s = ext_json_to_bson_S_START;
            this.modes.length = 0;
            this.depth = 0;
            this.v = null;
            this.emptyObject = false;
            this.relaxedUUID = false;
            this.arena.len = 0;
            this.out.len = 0;
            this.decodeTop();
            return this.out.buf.slice(0, this.out.len);
        }
        catch (error) {
            if (error instanceof ExtJsonSyntaxError)
                throw error;
            if (error === OUTPUT_LIMIT) {
                throw new DocumentTooLargeError(`the document is larger than ${MAX_BSON_DOCUMENT_BYTES} bytes (16 MiB) as BSON, the most a MongoDB server stores in one document`, this.pos, this.pos - this.base + 1);
            }
            if (error instanceof RangeError && /call stack/i.test(error.message)) {
                throw this.fail('nesting too deep for this reader');
            }
            throw error;
        }
        finally {
            this.busy = false;
            this.b = EMPTY;
            if (this.out.buf.length > 1 << 20)
                this.out = new Out();
            if (this.arena.buf.length > 1 << 20)
                this.arena = new Arena();
        }
    }
    decodeTop() {
        let t;
        try {
            t = this.peekType();
        }
        catch (error) {
            if (error instanceof ExtJsonSyntaxError)
                throw this.fail(`invalid JSON input: ${error.message}`, error.offset);
            throw error;
        }
        if (t === ext_json_to_bson_T_DOC)
            return this.writeDocument(false);
        // `null` decodes to a nil bson.D, which bson.Marshal then refuses.
        if (t === ext_json_to_bson_T_NULL)
            throw this.fail('a top-level null is not a document');
        if (t === 0)
            throw this.fail('positioned on invalid type, but attempted to read embedded document');
        throw this.fail(`cannot decode ${typeName(t)} into a D`);
    }
    writeDocument(isScope) {
        const out = this.out;
        const at = out.len;
        out.int32(0);
        for (;;) {
            const t = this.readKey();
            if (t === ext_json_to_bson_END_OF_DOC) {
                // The $scope's closing brace: Go peeks once more (normally the wrapper's closing brace).
                if (isScope)
                    this.peekType();
                break;
            }
            const kb = this.rkb;
            const k0 = this.rk0;
            const k1 = this.rk1;
            if (t === 0)
                throw this.fail('positioned on invalid type, but attempted to read embedded document');
            for (let i = k0; i < k1; i++)
                if (kb[i] === 0)
                    throw this.fail('BSON element key cannot contain null bytes');
            out.byte(t);
            out.bytes(kb, k0, k1);
            out.byte(0);
            this.writeValue(t);
        }
        out.byte(0);
        out.patchLength(at);
    }
    writeArray() {
        const out = this.out;
        const at = out.len;
        out.int32(0);
        for (let index = 0;; index++) {
            const t = this.peekType();
            if (t === ext_json_to_bson_END_OF_ARRAY)
                break;
            if (t === 0)
                throw this.fail('positioned on invalid type, but attempted to read embedded document');
            out.byte(t);
            const key = String(index);
            // Exactly what is written: a margin here would refuse documents just under the size limit.
            out.ensure(key.length);
            out.len += writeAscii(out.buf, out.len, key);
            out.byte(0);
            this.writeValue(t);
        }
        out.byte(0);
        out.patchLength(at);
    }
    writeValue(t) {
        const out = this.out;
        switch (t) {
            case ext_json_to_bson_T_DOC:
                return this.writeDocument(false);
            case ext_json_to_bson_T_ARRAY:
                return this.writeArray();
            case ext_json_to_bson_T_STRING: {
                const v = this.readValue(ext_json_to_bson_T_STRING);
                if (v.t !== ext_json_to_bson_T_STRING)
                    throw this.fail(`expected type string but got type ${typeName(v.t)}`);
                return out.string(v.sb, v.s0, v.s1);
            }
            case ext_json_to_bson_T_INT32:
                return out.int32(this.parseInt32(this.readValue(ext_json_to_bson_T_INT32)));
            case ext_json_to_bson_T_INT64: {
                const [num, big] = this.parseInt64(this.readValue(ext_json_to_bson_T_INT64), '$numberLong');
                return out.int64(num, big);
            }
            case ext_json_to_bson_T_DOUBLE:
                return out.double(this.parseDouble(this.readValue(ext_json_to_bson_T_DOUBLE)));
            case ext_json_to_bson_T_BOOL: {
                const v = this.readValue(ext_json_to_bson_T_BOOL);
                if (v.t !== ext_json_to_bson_T_BOOL)
                    throw this.fail(`expected type bool, but got type ${typeName(v.t)}`);
                return out.byte(v.bool ? 1 : 0);
            }
            case ext_json_to_bson_T_NULL: {
                const v = this.readValue(ext_json_to_bson_T_NULL);
                if (v.t !== ext_json_to_bson_T_NULL)
                    throw this.fail(`expected type null but got type ${typeName(v.t)}`);
                return;
            }
            case ext_json_to_bson_T_OID:
                return this.writeObjectId(this.readValue(ext_json_to_bson_T_OID));
            case ext_json_to_bson_T_DATE: {
                const [num, big] = this.parseDateTime(this.readValue(ext_json_to_bson_T_DATE));
                return out.int64(num, big);
            }
            case ext_json_to_bson_T_BINARY:
                return this.writeBinary(this.readValue(ext_json_to_bson_T_BINARY));
            case ext_json_to_bson_T_REGEX:
                return this.writeRegex(this.readValue(ext_json_to_bson_T_REGEX));
            case ext_json_to_bson_T_TIMESTAMP:
                return this.writeTimestamp(this.readValue(ext_json_to_bson_T_TIMESTAMP));
            case ext_json_to_bson_T_DBPOINTER:
                return this.writeDbPointer(this.readValue(ext_json_to_bson_T_DBPOINTER));
            case ext_json_to_bson_T_CODE:
            case ext_json_to_bson_T_SYMBOL: {
                const v = this.readValue(t);
                this.requireString(v, t === ext_json_to_bson_T_CODE ? '$code' : '$symbol');
                return out.string(v.sb, v.s0, v.s1);
            }
            case ext_json_to_bson_T_CODE_SCOPE: {
                const code = this.readValue(ext_json_to_bson_T_CODE_SCOPE);
                this.requireString(code, '$code');
                const at = out.len;
                out.int32(0);
                out.string(code.sb, code.s0, code.s1);
                this.writeDocument(true);
                return out.patchLength(at);
            }
            case ext_json_to_bson_T_DECIMAL: {
                const v = this.readValue(ext_json_to_bson_T_DECIMAL);
                if (v.t !== ext_json_to_bson_T_STRING)
                    throw this.fail(`$numberDecimal value should be string, but instead is ${typeName(v.t)}`);
                const bytes = parseDecimal128(latin1(v.sb, v.s0, v.s1));
                if (bytes === null)
                    throw this.fail(`$invalid $numberDecimal string: ${this.text(v)}`);
                return out.bytes(bytes, 0, 16);
            }
            case ext_json_to_bson_T_UNDEFINED: {
                const v = this.readValue(ext_json_to_bson_T_UNDEFINED);
                if (v.t !== ext_json_to_bson_T_BOOL)
                    throw this.fail(`undefined value should be boolean, but instead is ${typeName(v.t)}`);
                if (!v.bool)
                    throw this.fail('$undefined value boolean should be true, but instead is false');
                return;
            }
            case ext_json_to_bson_T_MINKEY:
            case ext_json_to_bson_T_MAXKEY: {
                const v = this.readValue(t);
                const name = t === ext_json_to_bson_T_MINKEY ? '$minKey' : '$maxKey';
                if (v.t !== ext_json_to_bson_T_INT32)
                    throw this.fail(`${name} value should be int32, but instead is ${typeName(v.t)}`);
                if (v.num !== 1)
                    throw this.fail(`${name} value must be 1, but instead is ${v.num}`);
                return;
            }
        }
        throw this.fail(`cannot decode ${typeName(t)}`);
    }
}
const EMPTY = new Uint8Array(0);
function writeAscii(buf, at, text) {
    for (let i = 0; i < text.length; i++)
        buf[at + i] = text.charCodeAt(i);
    return text.length;
}
// GAPS (documented differences from the Go parser, none reachable from mongoexport output):
// - Objects and arrays nested more than 1000 levels (MAX_NESTING in ext-json-parser.ts; Go limits only objects, to
//   200) are refused here with "nesting deeper than 1000 levels"; no server stores more than 100.
// - Go caps a float exponent at 5 digits while accumulating (strconv.readFloat); a number with
//   thousands of leading zeros and an exponent of 100000 or more can round differently.
// - Size limits (limits.ts), which Go does not have (mongoimport 100.18.0 buffers a value of any length and leaves
//   the size to the server: mongod refuses a document over 16 MiB, FerretDB v1.24 stores it): a
//   document over MAX_BSON_DOCUMENT_BYTES of BSON is refused here, and so is a value of more than
//   MAX_DOCUMENT_TEXT_BYTES of text (mongoexport's compact output of a legal document stays below it;
//   indented output or padding of a legal document beyond 16 times its size does not).
//# sourceMappingURL=ext-json-to-bson.js.map
;// CONCATENATED MODULE: ./lib/ejson/reader.js
// Reading an Extended JSON file as mongoimport does: the stream is split into values (a UTF-8 BOM skipped, values
// separated by whitespace or in one top-level array, a value may span lines), each value is parsed as it completes
// (ext-json-to-bson.ts), and each document comes with its line, or with why mongoimport would refuse it. Finding
// the end of a value without parsing it, and buffering the unfinished one, is the hot loop of reading a file.




// Bound as this module's own, as a constant V8 can inline without a check: it is called on bytes between values.
const { /* isWhite */ "Gl": reader_isWhite } = scanner_namespaceObject;
/**
 * Splits an Extended JSON stream into documents like mongoimport: a UTF-8 BOM is skipped, values
 * only need whitespace between them and may span lines. Each value is parsed as it completes.
 * A structural error of the file itself (unterminated value, bad array syntax) ends the iteration
 * with an `error` entry; a document that does not parse is reported and reading continues.
 */
async function* readExtJsonDocuments(stream, opts = {}) {
    const splitter = new ValueSplitter(opts.jsonArray ?? 'auto', opts.maxDocumentTextBytes ?? MAX_DOCUMENT_TEXT_BYTES, opts.stats);
    for await (const chunk of stream) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        yield* splitter.push(bytes);
        if (splitter.failed)
            return;
    }
    for (const doc of splitter.finish())
        yield doc;
}
const reader_EMPTY = new Uint8Array(0);
const SPLIT_START = 0; // before anything (BOM, array detection)
const SPLIT_BETWEEN = 1; // between top-level values
const SPLIT_CONTAINER = 2; // inside an object or array value
const SPLIT_SCALAR = 3; // inside a bare top-level scalar
const SPLIT_ARRAY_OPEN = 4; // jsonArray: after '[' (a value or ']')
const SPLIT_ARRAY_SEP = 5; // jsonArray: after a value (',' or ']')
const SPLIT_ARRAY_VALUE = 6; // jsonArray: after ',' (a value)
const SPLIT_ARRAY_DONE = 7; // jsonArray: after ']' (only whitespace)
/**
 * Finds value boundaries without parsing, resumable across chunks, counting lines.
 *
 * Buffering is linear in the input: a chunk that starts no value is used in place; an unfinished value
 * lives in an owned buffer that is appended to, compacted when it is full but its start is consumed,
 * and doubled otherwise, so each byte is copied a bounded number of times however long the value is
 * (joining every new chunk to the whole unfinished value made one long line quadratic). A value is
 * never buffered beyond `maxText` bytes.
 */
class ValueSplitter {
    failed = false;
    /** The bytes being scanned: a chunk as received, or the used part of `store`. */
    buf = reader_EMPTY;
    /** Owned storage for an unfinished value; `buf` is `store.subarray(0, buf.length)` when `inStore`. */
    store = reader_EMPTY;
    inStore = false;
    pos = 0;
    state = SPLIT_START;
    array;
    maxText;
    stats;
    line = 1;
    /** Offset in buf of the first byte of the current line (may be negative after a shift). */
    lineStart = 0;
    valueStart = 0;
    valueLine = 1;
    valueLineStart = 0;
    depth = 0;
    inString = false;
    escaped = false;
    sawBom = false;
    constructor(array, maxText, stats) {
        this.array = array;
        this.maxText = maxText;
        this.stats = stats;
    }
    push(chunk) {
        if (this.failed || chunk.length === 0)
            return [];
        // Keep only the unfinished value (or nothing) from the previous chunk.
        const keepFrom = this.state === SPLIT_CONTAINER || this.state === SPLIT_SCALAR ? this.valueStart : this.pos;
        const rest = this.buf.length - keepFrom;
        let shift = keepFrom;
        if (rest === 0) {
            this.buf = chunk;
            this.inStore = false;
            // A buffer grown for one long value is not kept for the rest of the file.
            if (this.store.length > 1 << 20)
                this.store = reader_EMPTY;
        }
        else {
            const needed = rest + chunk.length;
            let copied = chunk.length;
            if (this.inStore && keepFrom + needed <= this.store.length) {
                this.store.set(chunk, this.buf.length);
                this.buf = this.store.subarray(0, keepFrom + needed);
                shift = 0;
            }
            else {
                if (this.inStore && needed <= this.store.length) {
                    // Room after moving the unfinished value to the start. Each byte is moved at most once this
                    // way: the next move only concerns a value that starts after this one.
                    this.store.copyWithin(0, keepFrom, this.buf.length);
                }
                else {
                    const source = this.buf.subarray(keepFrom);
                    if (needed > this.store.length) {
                        // Doubled (amortized linear), but never far beyond what the value may grow to.
                        const doubled = Math.max(2 * this.store.length, 65536);
                        this.store = new Uint8Array(Math.max(needed, Math.min(doubled, this.maxText + chunk.length)));
                    }
                    this.store.set(source);
                }
                copied += rest;
                this.store.set(chunk, rest);
                this.buf = this.store.subarray(0, needed);
            }
            this.inStore = true;
            if (this.stats)
                this.stats.bufferedBytes += copied;
        }
        this.pos -= shift;
        this.valueStart -= shift;
        this.lineStart -= shift;
        this.valueLineStart -= shift;
        return this.scan(false);
    }
    finish() {
        if (this.failed)
            return [];
        const docs = this.scan(true);
        if (this.failed)
            return docs;
        if (this.state === SPLIT_CONTAINER)
            docs.push(this.structural('unexpected end of input: the document is not terminated', this.valueLine));
        else if (this.state === SPLIT_SCALAR)
            docs.push(this.emit(this.buf.length));
        else if (this.array === true && this.state !== SPLIT_ARRAY_DONE) {
            docs.push(this.structural(this.state === SPLIT_START ? "bad JSON array format - found no opening bracket '[' in input source" : "bad JSON array format - found no closing bracket ']' in input source", this.line));
        }
        return docs;
    }
    structural(message, line) {
        this.failed = true;
        return { line, error: new ExtJsonSyntaxError(`line ${line}: ${message}`, this.pos, this.pos - this.lineStart + 1, line) };
    }
    emit(end) {
        const line = this.valueLine;
        try {
            return { line, bson: extJsonBytesToBson(this.buf, this.valueStart, end) };
        }
        catch (error) {
            if (!(error instanceof ExtJsonSyntaxError))
                throw error;
            return { line, error: errorInFile(error, this.buf, this.valueStart, end, line, this.valueLineStart) };
        }
    }
    startValue(at) {
        this.valueStart = at;
        this.valueLine = this.line;
        this.valueLineStart = this.lineStart;
        this.depth = 0;
        this.inString = false;
        this.escaped = false;
    }
    scan(atEnd) {
        const docs = [];
        const b = this.buf;
        const n = b.length;
        let p = this.pos;
        while (p < n) {
            const c = b[p];
            switch (this.state) {
                case SPLIT_START:
                    if (!this.sawBom && p === 0 && c === 0xef) {
                        if (n < 3 && !atEnd) {
                            this.pos = p;
                            return docs;
                        }
                        this.sawBom = true;
                        if (b[1] === 0xbb && b[2] === 0xbf) {
                            p = 3;
                            continue;
                        }
                    }
                    this.sawBom = true;
                    if (reader_isWhite(c))
                        break;
                    if (this.array === 'auto')
                        this.array = c === 0x5b;
                    if (this.array === true) {
                        if (c !== 0x5b) {
                            this.pos = p;
                            docs.push(this.structural("bad JSON array format - found no opening bracket '[' in input source", this.line));
                            return docs;
                        }
                        this.state = SPLIT_ARRAY_OPEN;
                        break;
                    }
                    this.state = SPLIT_BETWEEN;
                    continue;
                case SPLIT_BETWEEN:
                case SPLIT_ARRAY_OPEN:
                case SPLIT_ARRAY_VALUE:
                    if (reader_isWhite(c))
                        break;
                    if (c === 0x5d && this.state === SPLIT_ARRAY_OPEN) {
                        this.state = SPLIT_ARRAY_DONE;
                        break;
                    }
                    if (this.state !== SPLIT_BETWEEN && (c === 0x2c || c === 0x5d)) {
                        this.pos = p;
                        docs.push(this.structural(`bad JSON array format - found '${String.fromCharCode(c)}' where a document was expected`, this.line));
                        return docs;
                    }
                    this.startValue(p);
                    this.state = c === 0x7b || c === 0x5b ? SPLIT_CONTAINER : SPLIT_SCALAR;
                    continue;
                case SPLIT_CONTAINER: {
                    // The hot loop of file reading: runs over every byte of every document.
                    let depth = this.depth;
                    let inString = this.inString;
                    let escaped = this.escaped;
                    let q = p;
                    for (; q < n; q++) {
                        const d = b[q];
                        if (inString) {
                            if (escaped)
                                escaped = false;
                            else if (d === 0x5c)
                                escaped = true;
                            else if (d === 0x22)
                                inString = false;
                            else if (d === 0x0a)
                                this.newline(q);
                        }
                        else if (d === 0x22)
                            inString = true;
                        else if (d === 0x7b || d === 0x5b)
                            depth++;
                        else if (d === 0x7d || d === 0x5d) {
                            if (--depth === 0)
                                break;
                        }
                        else if (d === 0x0a)
                            this.newline(q);
                    }
                    this.depth = depth;
                    this.inString = inString;
                    this.escaped = escaped;
                    if (q === n) {
                        p = n;
                        continue;
                    }
                    if (q + 1 - this.valueStart > this.maxText) {
                        this.pos = q + 1;
                        docs.push(this.tooMuchText());
                        return docs;
                    }
                    docs.push(this.emit(q + 1));
                    this.state = this.array === true ? SPLIT_ARRAY_SEP : SPLIT_BETWEEN;
                    p = q + 1;
                    continue;
                }
                case SPLIT_SCALAR:
                    if (reader_isWhite(c) || (this.array === true && (c === 0x2c || c === 0x5d))) {
                        if (p - this.valueStart > this.maxText) {
                            this.pos = p;
                            docs.push(this.tooMuchText());
                            return docs;
                        }
                        docs.push(this.emit(p));
                        this.state = this.array === true ? SPLIT_ARRAY_SEP : SPLIT_BETWEEN;
                        continue;
                    }
                    break;
                case SPLIT_ARRAY_SEP:
                    if (reader_isWhite(c))
                        break;
                    if (c === 0x2c)
                        this.state = SPLIT_ARRAY_VALUE;
                    else if (c === 0x5d)
                        this.state = SPLIT_ARRAY_DONE;
                    else {
                        this.pos = p;
                        docs.push(this.structural(`bad JSON array format - found '${String.fromCharCode(c)}' outside JSON object/array in input source`, this.line));
                        return docs;
                    }
                    break;
                case SPLIT_ARRAY_DONE:
                    if (reader_isWhite(c))
                        break;
                    this.pos = p;
                    docs.push(this.structural(`bad JSON array format - found '${String.fromCharCode(c)}' after ']' in input source`, this.line));
                    return docs;
            }
            if (c === 0x0a)
                this.newline(p);
            p++;
        }
        this.pos = p;
        // An unfinished value is buffered until its end: not beyond the cap.
        if ((this.state === SPLIT_CONTAINER || this.state === SPLIT_SCALAR) && n - this.valueStart > this.maxText)
            docs.push(this.tooMuchText());
        return docs;
    }
    tooMuchText() {
        const limit = this.maxText % (1 << 20) === 0 ? `${this.maxText / (1 << 20)} MiB` : `${this.maxText} bytes`;
        return this.structural(`the document starting here is more than ${limit} of text, far beyond the ${MAX_BSON_DOCUMENT_BYTES} bytes (16 MiB) a MongoDB document may hold, so reading stopped ` +
            `(is this an Extended JSON export, one document per line? a damaged file can run lines together)`, this.valueLine);
    }
    newline(at) {
        this.line++;
        this.lineStart = at + 1;
    }
}
//# sourceMappingURL=reader.js.map
;// CONCATENATED MODULE: ./lib/ejson/parser-protocol.js
// Messages between the main thread and the thread that parses a large Extended JSON file (threaded-reader.ts is the
// main side, parser-thread.ts the thread's):
//
//   main ──input (text chunk) / end / abort──▶ parser ──docs (pack) / error / end / aborted / failed──▶ main
//        ◀──────────taken──────────           ◀─────────────consumed──────────────
//
// Every buffer is transferred, not copied, and never reused: the main thread's consumer may keep a document's bytes
// (a view into its pack) as long as it likes. `taken` and `consumed` are credits, so at most INPUT_CHUNKS chunks and
// OUTPUT_PACKS packs or errors are on their way at any time and memory stays bounded whichever side is slower.
const INPUT_CHUNK_BYTES = (/* unused pure expression or super */ null && (256 * 1024));
const INPUT_CHUNKS = 4;
const PACK_BYTES = 512 * 1024;
const OUTPUT_PACKS = 4;
/** A pack holds, per document: its line (float64), its BSON length (uint32), its BSON. */
const ENTRY_HEADER_BYTES = 12;
//# sourceMappingURL=parser-protocol.js.map
;// CONCATENATED MODULE: ./lib/ejson/parser-thread.js
// The parser thread of a large Extended JSON read (parser-protocol.ts has the picture): it runs the same reader as a
// small read does (reader.ts) over the chunks the main thread sends, and packs the BSON of every document it yields.
// Started through src/workers (one entry for every kind of worker thread).



/** Thrown into the reader when the main thread could not read the input: not a parse error, not the end (a sentinel, never shown). */
const INPUT_ABORTED = Symbol('input aborted');
function serveParser(data, main) {
    const chunks = [];
    let chunkArrived;
    let packsOut = 0;
    let packConsumed;
    const post = (m, transfer = []) => main.postMessage(m, transfer);
    main.on('message', (m) => {
        if (m.type === 'consumed') {
            packsOut--;
            packConsumed?.();
            packConsumed = undefined;
            return;
        }
        chunks.push(m.type === 'input' ? new Uint8Array(m.buffer, 0, m.length) : m.type);
        chunkArrived?.();
        chunkArrived = undefined;
    });
    // The reader asks for the next chunk only when it is done with the previous one (it copies what it keeps).
    async function* input() {
        for (;;) {
            while (chunks.length === 0)
                await new Promise(resolve => (chunkArrived = resolve));
            const chunk = chunks.shift();
            if (chunk === 'end')
                return;
            if (chunk === 'abort')
                throw INPUT_ABORTED;
            post({ type: 'taken' });
            yield chunk;
        }
    }
    let pack;
    let view;
    let length = 0;
    // A pack or a refused document's error: each takes a credit, so a file of bad lines is held back like good ones.
    const credit = async () => {
        while (packsOut >= OUTPUT_PACKS)
            await new Promise(resolve => (packConsumed = resolve));
        packsOut++;
    };
    const sendPack = async () => {
        if (pack === undefined || length === 0)
            return;
        await credit();
        const buffer = pack.buffer;
        post({ type: 'docs', buffer, length }, [buffer]);
        pack = undefined;
        length = 0;
    };
    const run = async () => {
        for await (const doc of readExtJsonDocuments(input(), data)) {
            if (doc.error !== undefined) {
                await sendPack();
                await credit();
                const error = doc.error;
                post({ type: 'error', line: doc.line, tooLarge: error instanceof DocumentTooLargeError, message: error.message, offset: error.offset, column: error.column, errorLine: error.line });
                continue;
            }
            const bson = doc.bson;
            const size = ENTRY_HEADER_BYTES + bson.byteLength;
            if (pack === undefined || length + size > pack.byteLength) {
                await sendPack();
                // A document larger than a pack travels in a pack of its own.
                pack = new Uint8Array(new ArrayBuffer(Math.max(PACK_BYTES, size)));
                view = new DataView(pack.buffer);
            }
            view.setFloat64(length, doc.line, true);
            view.setUint32(length + 8, bson.byteLength, true);
            pack.set(bson, length + ENTRY_HEADER_BYTES);
            length += size;
        }
        await sendPack();
        post({ type: 'end' });
    };
    run().catch(async (error) => {
        if (error !== INPUT_ABORTED)
            return post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
        // The documents read before the failure go first, as the main-thread reader yields them before the error.
        await sendPack();
        post({ type: 'aborted' });
    });
}
//# sourceMappingURL=parser-thread.js.map
;// CONCATENATED MODULE: ./lib/ejson/writer.js
// Raw BSON → compact Extended JSON v2, byte for byte as the Go driver's bson.MarshalExtJSON(doc, canonical, false)
// writes it (the call every mongoexport 100.x makes per document). The rules are in
// ../shared/reference/mongo-tools-format.md §1.3–1.6.
//
// The transcoder works on bytes end to end: BSON strings are already UTF-8, so valid text is copied straight from the
// input into the output after escaping, with no decode/encode round trip and no per-element allocation.
const INITIAL_CAPACITY = 64 * 1024;
// 1 = an ASCII byte Go escapes in a JSON string (control characters, '"' and '\\'); DEL, '/', '<', '>', '&' are not.
const ASCII_NEEDS_ESCAPE = new Uint8Array(128);
for (let b = 0; b < 0x20; b++)
    ASCII_NEEDS_ESCAPE[b] = 1;
ASCII_NEEDS_ESCAPE[0x22] = 1;
ASCII_NEEDS_ESCAPE[0x5c] = 1;
// 1 = a byte copied as is into a JSON string (printable ASCII other than '"' and '\\').
const PLAIN = new Uint8Array(256);
for (let b = 0x20; b < 0x80; b++)
    PLAIN[b] = ASCII_NEEDS_ESCAPE[b] === 1 ? 0 : 1;
const HEX = new Uint8Array(Buffer.from('0123456789abcdef', 'latin1'));
const BASE64 = new Uint8Array(Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 'latin1'));
// String bodies and element names are scanned four bytes at a time through an Int32Array of the source buffer, which
// reads the bytes in little-endian order; on a big-endian host every byte goes through the byte loop instead.
const WORD_SCAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
// Dates in [1970-01-01, 10000-01-01) are written as ISO strings in relaxed mode; Go checks the UTC year.
const MAX_ISO_DATE_MS = 253402300800000;
const MS_PER_DAY = 86400000;
// Int64 values whose high word is within ±2^21 fit a double exactly (|v| < 2^53).
const SAFE_HIGH_WORD = 0x200000;
const asciiBytes = (s) => new Uint8Array(Buffer.from(s, 'latin1'));
const writer_T_OID = asciiBytes('{"$oid":"');
const T_NUMBER_INT = asciiBytes('{"$numberInt":"');
const T_NUMBER_LONG = asciiBytes('{"$numberLong":"');
const T_NUMBER_DOUBLE = asciiBytes('{"$numberDouble":"');
const T_NUMBER_DECIMAL = asciiBytes('{"$numberDecimal":"');
const T_DATE_ISO = asciiBytes('{"$date":"');
const T_DATE_LONG = asciiBytes('{"$date":{"$numberLong":"');
const writer_T_BINARY = asciiBytes('{"$binary":{"base64":"');
const T_SUBTYPE = asciiBytes('","subType":"');
const writer_T_TIMESTAMP = asciiBytes('{"$timestamp":{"t":');
const T_TIMESTAMP_I = asciiBytes(',"i":');
const writer_T_REGEX = asciiBytes('{"$regularExpression":{"pattern":');
const T_REGEX_OPTIONS = asciiBytes(',"options":');
const writer_T_CODE = asciiBytes('{"$code":');
const T_SCOPE = asciiBytes(',"$scope":');
const writer_T_SYMBOL = asciiBytes('{"$symbol":');
const writer_T_DBPOINTER = asciiBytes('{"$dbPointer":{"$ref":"');
const T_DBPOINTER_ID = asciiBytes('","$id":{"$oid":"');
const writer_T_UNDEFINED = asciiBytes('{"$undefined":true}');
const writer_T_MINKEY = asciiBytes('{"$minKey":1}');
const writer_T_MAXKEY = asciiBytes('{"$maxKey":1}');
const writer_T_NULL = asciiBytes('null');
const T_TRUE = asciiBytes('true');
const T_FALSE = asciiBytes('false');
const T_CLOSE_QUOTE_BRACE = asciiBytes('"}');
const T_CLOSE_QUOTE_BRACE2 = asciiBytes('"}}');
const T_REPLACEMENT = asciiBytes('\\ufffd');
function bsonError(offset, message) {
    return new Error(`Malformed BSON at byte ${offset}: ${message}`);
}
/**
 * An output buffer that BSON documents are transcoded into, one after another. The exporter appends documents and
 * framing, and hands off full chunks with `takeChunk()`; `bsonToExtJson` uses a shared instance for single documents.
 */
class writer_ExtJsonTranscoder {
    buf;
    len = 0;
    canonical = false;
    // > 0 while writing a code-with-scope scope: Go copies scopes through its BSON builder, which changes one value.
    scopeDepth = 0;
    src = new Uint8Array(0);
    viewOf = new DataView(new ArrayBuffer(8));
    viewFor = new Uint8Array(0);
    // The source's whole ArrayBuffer as 32-bit words, for scanning string bodies four bytes at a time.
    words = new Int32Array(0);
    wordsOf = undefined;
    base = 0;
    constructor(capacity = INITIAL_CAPACITY) {
        this.buf = Buffer.allocUnsafe(capacity);
    }
    /** Appends the compact Extended JSON of one whole BSON document. */
    appendDocument(doc, format) {
        if (doc.byteLength < 5)
            throw bsonError(0, `a document needs at least 5 bytes, got ${doc.byteLength}`);
        const declared = readInt32(doc, 0);
        if (declared !== doc.byteLength) {
            throw bsonError(0, `document length field says ${declared} bytes but the buffer holds ${doc.byteLength}`);
        }
        this.canonical = format === 'canonical';
        this.src = doc;
        this.viewFor = writer_EMPTY;
        if (doc.buffer !== this.wordsOf) {
            this.wordsOf = doc.buffer;
            this.words = new Int32Array(doc.buffer, 0, doc.buffer.byteLength >>> 2);
        }
        this.base = doc.byteOffset;
        const start = this.len;
        try {
            this.writeDocument(0, doc.byteLength, false);
        }
        catch (error) {
            this.len = start;
            this.scopeDepth = 0;
            throw error;
        }
        finally {
            this.src = writer_EMPTY;
        }
    }
    /** A DataView of the source document, made when a value first needs one (doubles, huge int64s, Decimal128). */
    get view() {
        if (this.viewFor !== this.src) {
            this.viewFor = this.src;
            this.viewOf = new DataView(this.src.buffer, this.src.byteOffset, this.src.byteLength);
        }
        return this.viewOf;
    }
    appendByte(b) {
        if (this.len >= this.buf.length)
            this.grow(1);
        this.buf[this.len++] = b;
    }
    appendBytes(bytes) {
        this.ensure(bytes.length);
        this.buf.set(bytes, this.len);
        this.len += bytes.length;
    }
    /**
     * Returns the bytes written so far and continues in `next` (an empty buffer the caller owns), so the returned chunk
     * can be written asynchronously while the next one fills. The exporter alternates between two buffers this way.
     */
    takeChunk(next) {
        const chunk = this.buf.subarray(0, this.len);
        this.buf = next;
        this.len = 0;
        return chunk;
    }
    ensure(extra) {
        if (this.len + extra > this.buf.length)
            this.grow(extra);
    }
    grow(extra) {
        let capacity = this.buf.length * 2;
        while (capacity < this.len + extra)
            capacity *= 2;
        const next = Buffer.allocUnsafe(capacity);
        this.buf.copy(next, 0, 0, this.len);
        this.buf = next;
    }
    writeTemplate(t) {
        this.ensure(t.length);
        const buf = this.buf;
        let o = this.len;
        for (let i = 0; i < t.length; i++)
            buf[o++] = t[i];
        this.len = o;
    }
    /** Writes the document (or array) starting at `p`, which must end by `limit`; returns the offset after it. */
    writeDocument(p, limit, isArray) {
        const src = this.src;
        if (p + 5 > limit)
            throw bsonError(p, 'embedded document runs past the end of its parent');
        const size = readInt32(src, p);
        if (size < 5 || p + size > limit)
            throw bsonError(p, `embedded document length ${size} is invalid here`);
        const end = p + size - 1;
        if (src[end] !== 0)
            throw bsonError(end, 'document is missing its 0x00 terminator');
        this.appendByte(isArray ? 0x5b : 0x7b);
        let q = p + 4;
        let first = true;
        while (q < end) {
            const typeOffset = q;
            const type = src[q++];
            if (type === 0)
                throw bsonError(typeOffset, 'end-of-document byte before the end of the document');
            let keyEnd;
            if (isArray) {
                if (!first)
                    this.appendByte(0x2c);
                keyEnd = q;
                while (keyEnd < end && src[keyEnd] !== 0)
                    keyEnd++;
                if (keyEnd >= end)
                    throw bsonError(q, 'element name is not terminated inside its document');
            }
            else {
                keyEnd = this.writeKey(q, end, !first);
            }
            first = false;
            q = this.writeValue(type, typeOffset, keyEnd + 1, end);
        }
        this.appendByte(isArray ? 0x5d : 0x7d);
        return p + size;
    }
    /**
     * Writes the element name starting at `p` as `"name":` and returns the offset of its NUL. Names are short and
     * nearly always plain ASCII, so they are copied while searching for the NUL; anything else goes through writeEscaped.
     */
    writeKey(p, end, comma) {
        const src = this.src;
        const start = this.len;
        // A plain name needs its bytes plus a comma, two quotes and a colon; reserve generously and fall back if longer.
        this.ensure(Math.min(end - p, 256) + 4);
        const buf = this.buf;
        const limit = Math.min(end, p + 256);
        let o = start;
        if (comma)
            buf[o++] = 0x2c;
        buf[o++] = 0x22;
        // Names are short: a plain byte loop up to the NUL beats the word scan strings use (3.3 -> 3.0 µs per Prancer
        // output document converted, bench/export.ts part a).
        let i = p;
        for (; i < limit; i++) {
            const b = src[i];
            if (b === 0) {
                buf[o++] = 0x22;
                buf[o++] = 0x3a;
                this.len = o;
                return i;
            }
            if (PLAIN[b] !== 1)
                break;
            buf[o++] = b;
        }
        let keyEnd = i;
        while (keyEnd < end && src[keyEnd] !== 0)
            keyEnd++;
        if (keyEnd >= end)
            throw bsonError(p, 'element name is not terminated inside its document');
        this.len = comma ? start + 1 : start;
        this.writeEscaped(src, p, keyEnd);
        this.appendByte(0x3a);
        return keyEnd;
    }
    /** Writes one element value at `p` (its bytes must end by `end`); returns the offset after the value. */
    writeValue(type, typeOffset, p, end) {
        const src = this.src;
        switch (type) {
            case 0x01: {
                need(p, 8, end, 'double');
                this.writeDouble(this.view.getFloat64(p, true));
                return p + 8;
            }
            case 0x02: {
                const stop = stringEnd(src, p, end, 'string');
                this.writeString(p + 4, stop);
                return stop + 1;
            }
            case 0x03:
                return this.writeDocument(p, end, false);
            case 0x04:
                return this.writeDocument(p, end, true);
            case 0x05:
                return this.writeBinary(p, end);
            case 0x06:
                this.writeTemplate(writer_T_UNDEFINED);
                return p;
            case 0x07: {
                need(p, 12, end, 'ObjectId');
                this.writeTemplate(writer_T_OID);
                this.writeHex(p, 12);
                this.writeTemplate(T_CLOSE_QUOTE_BRACE);
                return p + 12;
            }
            case 0x08: {
                need(p, 1, end, 'boolean');
                const b = src[p];
                if (b === 1)
                    this.writeTemplate(T_TRUE);
                else if (b === 0)
                    this.writeTemplate(T_FALSE);
                else
                    throw bsonError(p, `boolean byte must be 0 or 1, got ${b}`);
                return p + 1;
            }
            case 0x09: {
                need(p, 8, end, 'date');
                this.writeDate(p);
                return p + 8;
            }
            case 0x0a:
                this.writeTemplate(writer_T_NULL);
                return p;
            case 0x0b:
                return this.writeRegex(p, end);
            case 0x0c: {
                // Go writes the namespace without escaping (extjson_writer.go WriteDBPointer).
                const stop = stringEnd(src, p, end, 'DBPointer namespace');
                need(stop + 1, 12, end, 'DBPointer id');
                this.writeTemplate(writer_T_DBPOINTER);
                this.appendBytes(src.subarray(p + 4, stop));
                this.writeTemplate(T_DBPOINTER_ID);
                this.writeHex(stop + 1, 12);
                this.writeTemplate(T_CLOSE_QUOTE_BRACE2);
                this.appendByte(0x7d);
                return stop + 13;
            }
            case 0x0d:
            case 0x0e: {
                const stop = stringEnd(src, p, end, type === 0x0d ? 'JavaScript code' : 'symbol');
                this.writeTemplate(type === 0x0d ? writer_T_CODE : writer_T_SYMBOL);
                this.writeEscaped(src, p + 4, stop);
                this.appendByte(0x7d);
                return stop + 1;
            }
            case 0x0f:
                return this.writeCodeWithScope(p, end);
            case 0x10: {
                need(p, 4, end, 'int32');
                const v = readInt32(src, p);
                if (this.canonical)
                    this.writeTemplate(T_NUMBER_INT);
                this.writeInteger(v);
                if (this.canonical)
                    this.writeTemplate(T_CLOSE_QUOTE_BRACE);
                return p + 4;
            }
            case 0x11: {
                need(p, 8, end, 'timestamp');
                // Stored as increment (low word) then seconds (high word).
                this.writeTemplate(writer_T_TIMESTAMP);
                this.writeInteger(readInt32(src, p + 4) >>> 0);
                this.writeTemplate(T_TIMESTAMP_I);
                this.writeInteger(readInt32(src, p) >>> 0);
                this.appendByte(0x7d);
                this.appendByte(0x7d);
                return p + 8;
            }
            case 0x12: {
                need(p, 8, end, 'int64');
                if (this.canonical)
                    this.writeTemplate(T_NUMBER_LONG);
                this.writeInt64(p);
                if (this.canonical)
                    this.writeTemplate(T_CLOSE_QUOTE_BRACE);
                return p + 8;
            }
            case 0x13: {
                need(p, 16, end, 'Decimal128');
                this.writeTemplate(T_NUMBER_DECIMAL);
                this.writeAscii(decimal128ToString(this.view.getBigUint64(p + 8, true), this.view.getBigUint64(p, true)));
                this.writeTemplate(T_CLOSE_QUOTE_BRACE);
                return p + 16;
            }
            case 0x7f:
                this.writeTemplate(writer_T_MAXKEY);
                return p;
            case 0xff:
                this.writeTemplate(writer_T_MINKEY);
                return p;
            default:
                throw bsonError(typeOffset, `unknown element type 0x${type.toString(16).padStart(2, '0')}`);
        }
    }
    writeBinary(p, end) {
        const src = this.src;
        need(p, 5, end, 'binary header');
        const size = readInt32(src, p);
        const subtype = src[p + 4];
        let data = p + 5;
        let dataSize = size;
        if (size < 0 || data + size > end)
            throw bsonError(p, `binary length ${size} runs past the end of its document`);
        // Subtype 2 ("old binary") carries its own inner length; Go strips it when it is present (length > 4).
        if (subtype === 0x02 && size > 4) {
            dataSize = readInt32(src, data);
            if (dataSize !== size - 4)
                throw bsonError(data, `old binary (subtype 2) inner length ${dataSize} does not match ${size - 4}`);
            data += 4;
        }
        this.writeTemplate(writer_T_BINARY);
        if (subtype === 0x02 && dataSize === 0 && this.scopeDepth > 0) {
            // Inside a scope Go rebuilds an empty old binary with an inner length of 0 (4 bytes), then reads it back with
            // outer length 4, which is not > 4, so the 4 zero bytes become the data.
            this.writeAscii('AAAAAA==');
        }
        else {
            this.writeBase64(data, dataSize);
        }
        this.writeTemplate(T_SUBTYPE);
        this.ensure(4);
        this.buf[this.len++] = HEX[subtype >> 4];
        this.buf[this.len++] = HEX[subtype & 0xf];
        this.writeTemplate(T_CLOSE_QUOTE_BRACE2);
        return p + 5 + size;
    }
    writeRegex(p, end) {
        const src = this.src;
        let patternEnd = p;
        while (patternEnd < end && src[patternEnd] !== 0)
            patternEnd++;
        if (patternEnd >= end)
            throw bsonError(p, 'regex pattern is not terminated');
        const optionsStart = patternEnd + 1;
        let optionsEnd = optionsStart;
        while (optionsEnd < end && src[optionsEnd] !== 0)
            optionsEnd++;
        if (optionsEnd >= end)
            throw bsonError(optionsStart, 'regex options are not terminated');
        this.writeTemplate(writer_T_REGEX);
        this.writeEscaped(src, p, patternEnd);
        this.writeTemplate(T_REGEX_OPTIONS);
        const options = sortedRegexOptions(src, optionsStart, optionsEnd);
        this.writeEscaped(options, 0, options.length);
        this.appendByte(0x7d);
        this.appendByte(0x7d);
        return optionsEnd + 1;
    }
    writeCodeWithScope(p, end) {
        const src = this.src;
        need(p, 4, end, 'code with scope');
        const total = readInt32(src, p);
        if (total < 14 || p + total > end)
            throw bsonError(p, `code-with-scope length ${total} is invalid here`);
        const limit = p + total;
        const stop = stringEnd(src, p + 4, limit, 'code-with-scope code');
        this.writeTemplate(writer_T_CODE);
        this.writeEscaped(src, p + 8, stop);
        this.writeTemplate(T_SCOPE);
        this.scopeDepth++;
        const after = this.writeDocument(stop + 1, limit, false);
        this.scopeDepth--;
        if (after !== limit)
            throw bsonError(p, `code-with-scope length ${total} does not match its contents`);
        this.appendByte(0x7d);
        return limit;
    }
    writeDouble(v) {
        if (v !== v || v === Infinity || v === -Infinity) {
            this.writeTemplate(T_NUMBER_DOUBLE);
            this.writeAscii(v !== v ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity');
            this.writeTemplate(T_CLOSE_QUOTE_BRACE);
            return;
        }
        if (this.canonical)
            this.writeTemplate(T_NUMBER_DOUBLE);
        if (Number.isInteger(v) && v > -1e6 && v < 1e6) {
            if (v === 0 && 1 / v < 0)
                this.appendByte(0x2d);
            this.writeInteger(v);
            this.appendByte(0x2e);
            this.appendByte(0x30);
        }
        else {
            this.writeAscii(formatDoubleGo(v));
        }
        if (this.canonical)
            this.writeTemplate(T_CLOSE_QUOTE_BRACE);
    }
    writeDate(p) {
        const hi = readInt32(this.src, p + 4);
        const lo = readInt32(this.src, p) >>> 0;
        const safe = hi >= -SAFE_HIGH_WORD && hi < SAFE_HIGH_WORD;
        const ms = hi * 4294967296 + lo;
        if (!this.canonical && safe && ms >= 0 && ms < MAX_ISO_DATE_MS) {
            this.writeTemplate(T_DATE_ISO);
            this.writeIsoDate(ms);
            this.writeTemplate(T_CLOSE_QUOTE_BRACE);
            return;
        }
        this.writeTemplate(T_DATE_LONG);
        if (safe)
            this.writeInteger(ms);
        else
            this.writeAscii(this.view.getBigInt64(p, true).toString());
        this.writeTemplate(T_CLOSE_QUOTE_BRACE2);
    }
    // Go: t.Format("2006-01-02T15:04:05.999Z07:00") in UTC; milliseconds lose trailing zeros, none at all when zero.
    writeIsoDate(ms) {
        const days = Math.floor(ms / MS_PER_DAY);
        let rest = ms - days * MS_PER_DAY;
        const [year, month, day] = civilFromDays(days);
        const hours = Math.floor(rest / 3600000);
        rest -= hours * 3600000;
        const minutes = Math.floor(rest / 60000);
        rest -= minutes * 60000;
        const seconds = Math.floor(rest / 1000);
        const millis = rest - seconds * 1000;
        this.ensure(24);
        const buf = this.buf;
        let o = this.len;
        buf[o++] = 0x30 + Math.floor(year / 1000);
        buf[o++] = 0x30 + (Math.floor(year / 100) % 10);
        buf[o++] = 0x30 + (Math.floor(year / 10) % 10);
        buf[o++] = 0x30 + (year % 10);
        buf[o++] = 0x2d;
        o = put2(buf, o, month);
        buf[o++] = 0x2d;
        o = put2(buf, o, day);
        buf[o++] = 0x54;
        o = put2(buf, o, hours);
        buf[o++] = 0x3a;
        o = put2(buf, o, minutes);
        buf[o++] = 0x3a;
        o = put2(buf, o, seconds);
        if (millis !== 0) {
            buf[o++] = 0x2e;
            buf[o++] = 0x30 + Math.floor(millis / 100);
            const tens = Math.floor(millis / 10) % 10;
            const units = millis % 10;
            if (tens !== 0 || units !== 0)
                buf[o++] = 0x30 + tens;
            if (units !== 0)
                buf[o++] = 0x30 + units;
        }
        buf[o++] = 0x5a;
        this.len = o;
    }
    writeInt64(p) {
        const hi = readInt32(this.src, p + 4);
        if (hi >= -SAFE_HIGH_WORD && hi < SAFE_HIGH_WORD)
            this.writeInteger(hi * 4294967296 + (readInt32(this.src, p) >>> 0));
        else
            this.writeAscii(this.view.getBigInt64(p, true).toString());
    }
    /** Writes an integer-valued number with |n| < 2^53 in decimal. */
    writeInteger(n) {
        this.ensure(17);
        if (n < 0) {
            this.buf[this.len++] = 0x2d;
            n = -n;
        }
        if (n < 1e9) {
            this.writeSmall(n);
            return;
        }
        // Two parts below 1e9 each, so the digit arithmetic stays in 32-bit integers.
        const high = Math.floor(n / 1e9);
        let low = n - high * 1e9;
        this.writeSmall(high);
        const buf = this.buf;
        let o = this.len + 9;
        this.len = o;
        for (let k = 0; k < 9; k++) {
            const q = (low / 10) | 0;
            buf[--o] = 0x30 + low - q * 10;
            low = q;
        }
    }
    /** Writes 0 <= n < 1e9 in decimal (room already ensured). */
    writeSmall(n) {
        const digits = n < 10 ? 1 : n < 100 ? 2 : n < 1e3 ? 3 : n < 1e4 ? 4 : n < 1e5 ? 5 : n < 1e6 ? 6 : n < 1e7 ? 7 : n < 1e8 ? 8 : 9;
        const buf = this.buf;
        let o = this.len + digits;
        this.len = o;
        while (n >= 10) {
            const q = (n / 10) | 0;
            buf[--o] = 0x30 + n - q * 10;
            n = q;
        }
        buf[--o] = 0x30 + n;
    }
    writeAscii(s) {
        this.ensure(s.length);
        const buf = this.buf;
        let o = this.len;
        for (let i = 0; i < s.length; i++)
            buf[o++] = s.charCodeAt(i);
        this.len = o;
    }
    writeHex(p, count) {
        this.ensure(count * 2);
        const src = this.src;
        const buf = this.buf;
        let o = this.len;
        for (let i = p; i < p + count; i++) {
            const b = src[i];
            buf[o++] = HEX[b >> 4];
            buf[o++] = HEX[b & 0xf];
        }
        this.len = o;
    }
    writeBase64(p, count) {
        this.ensure(Math.ceil(count / 3) * 4);
        const src = this.src;
        const buf = this.buf;
        let o = this.len;
        const whole = p + count - (count % 3);
        let i = p;
        for (; i < whole; i += 3) {
            const n = (src[i] << 16) | (src[i + 1] << 8) | src[i + 2];
            buf[o++] = BASE64[n >> 18];
            buf[o++] = BASE64[(n >> 12) & 63];
            buf[o++] = BASE64[(n >> 6) & 63];
            buf[o++] = BASE64[n & 63];
        }
        const left = p + count - whole;
        if (left === 1) {
            const n = src[i] << 16;
            buf[o++] = BASE64[n >> 18];
            buf[o++] = BASE64[(n >> 12) & 63];
            buf[o++] = 0x3d;
            buf[o++] = 0x3d;
        }
        else if (left === 2) {
            const n = (src[i] << 16) | (src[i + 1] << 8);
            buf[o++] = BASE64[n >> 18];
            buf[o++] = BASE64[(n >> 12) & 63];
            buf[o++] = BASE64[(n >> 6) & 63];
            buf[o++] = 0x3d;
        }
        this.len = o;
    }
    /** writeEscaped for a string of the source document: whole words of plain bytes are copied four at a time. */
    writeString(start, end) {
        this.ensure((end - start) * 6 + 2);
        const src = this.src;
        const buf = this.buf;
        const words = this.words;
        let o = this.len;
        buf[o++] = 0x22;
        let i = start;
        let a = this.base + i;
        while (i < end && (a & 3) !== 0) {
            const b = src[i];
            if (PLAIN[b] !== 1)
                break;
            buf[o++] = b;
            i++;
            a++;
        }
        if (WORD_SCAN && (a & 3) === 0) {
            while (i + 4 <= end) {
                const x = words[a >> 2];
                const y = x ^ 0x22222222;
                const z = x ^ 0x5c5c5c5c;
                if (((x | ((x - 0x20202020) & ~x) | ((y - 0x01010101) & ~y) | ((z - 0x01010101) & ~z)) & 0x80808080) !== 0)
                    break;
                buf[o] = x & 0xff;
                buf[o + 1] = (x >>> 8) & 0xff;
                buf[o + 2] = (x >>> 16) & 0xff;
                buf[o + 3] = x >>> 24;
                o += 4;
                i += 4;
                a += 4;
            }
        }
        this.len = o;
        this.writeEscapedBody(src, i, end);
    }
    /**
     * Writes bytes [start, end) of `text` as a quoted JSON string, escaping like Go's writeStringWithEscapes with
     * escapeHTML=false: short escapes, \u00XX for other controls, \u2028/\u2029, and `\ufffd` for every byte that
     * utf8.DecodeRune rejects (it reports width 1, so each bad byte gets its own replacement).
     */
    writeEscaped(text, start, end) {
        // Worst case: every byte becomes a 6-character escape.
        this.ensure((end - start) * 6 + 2);
        this.buf[this.len++] = 0x22;
        this.writeEscapedBody(text, start, end);
    }
    /** The escaped bytes [start, end) and the closing quote; the caller has ensured room for them. */
    writeEscapedBody(text, start, end) {
        const buf = this.buf;
        let o = this.len;
        let i = start;
        while (i < end) {
            // Copy the bytes that need nothing while looking for one that does.
            let b = text[i];
            while (PLAIN[b] === 1) {
                buf[o++] = b;
                if (++i === end)
                    break;
                b = text[i];
            }
            if (i >= end)
                break;
            if (b < 0x80) {
                buf[o++] = 0x5c;
                switch (b) {
                    case 0x22:
                    case 0x5c:
                        buf[o++] = b;
                        break;
                    case 0x0a:
                        buf[o++] = 0x6e;
                        break;
                    case 0x0d:
                        buf[o++] = 0x72;
                        break;
                    case 0x09:
                        buf[o++] = 0x74;
                        break;
                    case 0x08:
                        buf[o++] = 0x62;
                        break;
                    case 0x0c:
                        buf[o++] = 0x66;
                        break;
                    default:
                        buf[o++] = 0x75;
                        buf[o++] = 0x30;
                        buf[o++] = 0x30;
                        buf[o++] = HEX[b >> 4];
                        buf[o++] = HEX[b & 0xf];
                }
                i++;
                continue;
            }
            const width = utf8SequenceWidth(text, i, end);
            if (width === 0) {
                for (let k = 0; k < 6; k++)
                    buf[o++] = T_REPLACEMENT[k];
                i++;
            }
            else if (width === 3 && b === 0xe2 && text[i + 1] === 0x80 && (text[i + 2] === 0xa8 || text[i + 2] === 0xa9)) {
                buf[o++] = 0x5c;
                buf[o++] = 0x75;
                buf[o++] = 0x32;
                buf[o++] = 0x30;
                buf[o++] = 0x32;
                buf[o++] = text[i + 2] === 0xa8 ? 0x38 : 0x39;
                i += 3;
            }
            else {
                for (let k = 0; k < width; k++)
                    buf[o++] = text[i + k];
                i += width;
            }
        }
        buf[o++] = 0x22;
        this.len = o;
    }
}
const writer_EMPTY = new Uint8Array(0);
function readInt32(src, p) {
    return src[p] | (src[p + 1] << 8) | (src[p + 2] << 16) | (src[p + 3] << 24);
}
function need(p, size, end, what) {
    if (p + size > end)
        throw bsonError(p, `${what} value (${size} bytes) runs past the end of its document`);
}
/** Validates a BSON string (int32 length incl. NUL, bytes, NUL) at `p`; returns the offset of its NUL. */
function stringEnd(src, p, end, what) {
    need(p, 4, end, what);
    const size = readInt32(src, p);
    if (size < 1 || p + 4 + size > end)
        throw bsonError(p, `${what} length ${size} is invalid here`);
    const stop = p + 4 + size - 1;
    if (src[stop] !== 0)
        throw bsonError(stop, `${what} is not terminated by 0x00`);
    return stop;
}
function put2(buf, o, n) {
    buf[o] = 0x30 + Math.floor(n / 10);
    buf[o + 1] = 0x30 + (n % 10);
    return o + 2;
}
/**
 * Width of the valid UTF-8 sequence at `i` (lead byte >= 0x80), or 0 when Go's utf8.DecodeRune would return
 * (RuneError, 1): bad lead byte, truncated or bad continuation, overlong form, surrogate, or above U+10FFFF.
 */
function utf8SequenceWidth(text, i, end) {
    const b0 = text[i];
    if (b0 < 0xc2 || b0 > 0xf4)
        return 0;
    const b1 = i + 1 < end ? text[i + 1] : -1;
    if (b0 < 0xe0)
        return b1 >= 0x80 && b1 <= 0xbf ? 2 : 0;
    const lo = b0 === 0xe0 ? 0xa0 : b0 === 0xf0 ? 0x90 : 0x80;
    const hi = b0 === 0xed ? 0x9f : b0 === 0xf4 ? 0x8f : 0xbf;
    if (b1 < lo || b1 > hi)
        return 0;
    const b2 = i + 2 < end ? text[i + 2] : -1;
    if (b2 < 0x80 || b2 > 0xbf)
        return 0;
    if (b0 < 0xf0)
        return 3;
    const b3 = i + 3 < end ? text[i + 3] : -1;
    return b3 >= 0x80 && b3 <= 0xbf ? 4 : 0;
}
/** Go sorts regex options by code point (after []rune conversion, where each invalid byte becomes U+FFFD). */
function sortedRegexOptions(src, start, end) {
    const codePoints = [];
    for (let i = start; i < end;) {
        const b = src[i];
        if (b < 0x80) {
            codePoints.push(b);
            i++;
            continue;
        }
        const width = utf8SequenceWidth(src, i, end);
        if (width === 0) {
            codePoints.push(0xfffd);
            i++;
        }
        else {
            codePoints.push(decodeCodePoint(src, i, width));
            i += width;
        }
    }
    codePoints.sort((a, b) => a - b);
    return new Uint8Array(Buffer.from(String.fromCodePoint(...codePoints), 'utf8'));
}
function decodeCodePoint(src, i, width) {
    const b0 = src[i];
    if (width === 2)
        return ((b0 & 0x1f) << 6) | (src[i + 1] & 0x3f);
    if (width === 3)
        return ((b0 & 0x0f) << 12) | ((src[i + 1] & 0x3f) << 6) | (src[i + 2] & 0x3f);
    return ((b0 & 0x07) << 18) | ((src[i + 1] & 0x3f) << 12) | ((src[i + 2] & 0x3f) << 6) | (src[i + 3] & 0x3f);
}
/** Days since 1970-01-01 → proleptic Gregorian [year, month, day] (days >= 0). */
function civilFromDays(days) {
    const z = days + 719468;
    const era = Math.floor(z / 146097);
    const dayOfEra = z - era * 146097;
    const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
    const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
    const mp = Math.floor((5 * dayOfYear + 2) / 153);
    const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
    const month = mp < 10 ? mp + 3 : mp - 9;
    const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
    return [year, month, day];
}
/**
 * Go's strconv.FormatFloat(f, 'G', -1, 64) plus ".0" when the result has neither '.' nor 'E' (formatDouble in
 * extjson_writer.go), for a finite double. JS and Go produce the same shortest round-trip digits; only the layout
 * differs: Go switches to exponent form when the decimal exponent x is < -4 or >= 6 and writes at least two exponent
 * digits (1E+06, 1.5E-07).
 */
function formatDoubleGo(v) {
    if (v === 0)
        return 1 / v < 0 ? '-0.0' : '0.0';
    const s = String(v);
    const negative = s.charCodeAt(0) === 0x2d;
    const body = negative ? s.slice(1) : s;
    let digits;
    let exponent;
    const e = body.indexOf('e');
    if (e >= 0) {
        digits = body.slice(0, e).replace('.', '');
        exponent = Number(body.slice(e + 1));
    }
    else {
        const dot = body.indexOf('.');
        if (dot < 0) {
            exponent = body.length - 1;
            digits = body.replace(/0+$/, '');
        }
        else if (body.charCodeAt(0) === 0x30) {
            let k = 2;
            while (body.charCodeAt(k) === 0x30)
                k++;
            exponent = -(k - 1);
            digits = body.slice(k);
        }
        else {
            exponent = dot - 1;
            digits = body.slice(0, dot) + body.slice(dot + 1);
        }
    }
    if (exponent < -4 || exponent >= 6) {
        const magnitude = Math.abs(exponent);
        return ((negative ? '-' : '') +
            digits[0] +
            (digits.length > 1 ? '.' + digits.slice(1) : '') +
            (exponent < 0 ? 'E-' : 'E+') +
            (magnitude < 10 ? '0' : '') +
            magnitude);
    }
    return e < 0 && body.includes('.') ? s : s + '.0';
}
const DECIMAL_EXPONENT_BIAS = 6176;
/**
 * Decimal128 → string as the Go driver's decimal128.String(h, l) writes it: NaN, ±Infinity, "0"/"-0" for zero with
 * exponent 0, otherwise the coefficient's digits with a decimal point or an E±exp suffix chosen digit by digit exactly
 * as Go's loop does (which keeps trailing zeros: "1.0E+3", "0.10"). Non-canonical coefficients are printed as stored.
 */
function decimal128ToString(high, low) {
    const positive = (high >> 63n) === 0n;
    const combination = Number((high >> 58n) & 0x1fn);
    if (combination === 0x1f)
        return 'NaN';
    if (combination === 0x1e)
        return positive ? 'Infinity' : '-Infinity';
    let exp;
    let coefficient;
    if (((high >> 61n) & 3n) === 3n) {
        // The 0b11 form has an implicit 0b100 prefix, which is always out of range: Go treats the value as 0.
        exp = Number((high >> 47n) & 0x3fffn);
        coefficient = 0n;
    }
    else {
        exp = Number((high >> 49n) & 0x3fffn);
        coefficient = ((high & ((1n << 49n) - 1n)) << 64n) | low;
    }
    exp -= DECIMAL_EXPONENT_BIAS;
    if (coefficient === 0n && exp === 0)
        return positive ? '0' : '-0';
    // Go fills a fixed buffer from the right, one digit per step, deciding where the point goes as it goes.
    const digits = coefficient === 0n ? '' : coefficient.toString();
    const SIZE = 48;
    const repr = new Array(SIZE);
    let last = SIZE;
    let i = SIZE;
    let dot = SIZE + exp;
    for (let step = 0; step < 45; step++) {
        // The value still to be written before this digit: `remaining` digits of the coefficient's prefix.
        const remaining = digits.length - step;
        const single = remaining === 1;
        if (i < SIZE && (dot === i || (single && (dot < i - 6 || exp > 0)))) {
            exp += SIZE - i;
            i--;
            repr[i] = '.';
            last = i - 1;
            dot = SIZE;
        }
        const c = remaining > 0 ? digits[remaining - 1] : '0';
        const rest = remaining > 1;
        i--;
        repr[i] = c;
        if (!rest && i === SIZE - 1 && (dot < i - 5 || exp > 0)) {
            last = i;
            break;
        }
        if (c !== '0')
            last = i;
        if (dot > i && !rest)
            break;
    }
    const text = repr.slice(last, SIZE).join('');
    const sign = positive ? '' : '-';
    if (exp > 0)
        return `${sign}${text}E+${exp}`;
    if (exp < 0)
        return `${sign}${text}E${exp}`;
    return sign + text;
}
const shared = new writer_ExtJsonTranscoder();
const SHARED_MAX_RETAINED = (/* unused pure expression or super */ null && (8 * 1024 * 1024));
/**
 * One whole BSON document (as returned by `find(..., {raw: true})`) → compact Extended JSON v2, exactly as Go's
 * `bson.MarshalExtJSON(doc, canonical, false)` writes it. Throws on malformed BSON, naming the byte offset.
 */
function bsonToExtJson(doc, format) {
    shared.len = 0;
    shared.appendDocument(doc, format);
    const text = shared.buf.toString('utf8', 0, shared.len);
    if (shared.buf.length > SHARED_MAX_RETAINED)
        shared.buf = Buffer.allocUnsafe(INITIAL_CAPACITY);
    return text;
}
//# sourceMappingURL=writer.js.map
;// CONCATENATED MODULE: ./lib/ejson/indent.js
// mongoexport --pretty: Go's encoding/json.Indent(dst, src, "", "\t") applied to each compact document
// (mongo-tools common/json/indent.go is that algorithm). Tab per level, ": " after keys, empty {} and [] kept on one
// line, whitespace outside strings dropped, string contents copied untouched.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const TAB = 0x09;
/**
 * Appends the indented form of compact JSON bytes [start, end) to `out`. The structural characters are ASCII, so
 * working on UTF-8 bytes is exact.
 */
function appendIndented(out, src, start, end) {
    // Every input byte is copied at most once; newlines, tabs and ": " spaces are reserved as they are written.
    out.ensure(end - start);
    let depth = 0;
    let needIndent = false;
    let i = start;
    while (i < end) {
        const c = src[i];
        if (c === QUOTE) {
            if (needIndent) {
                depth++;
                newline(out, depth);
                needIndent = false;
            }
            // Copy the whole string, escapes included.
            let j = i + 1;
            while (j < end) {
                const d = src[j];
                if (d === BACKSLASH)
                    j += 2;
                else if (d === QUOTE)
                    break;
                else
                    j++;
            }
            const stop = Math.min(j + 1, end);
            out.ensure(stop - i);
            out.buf.set(src.subarray(i, stop), out.len);
            out.len += stop - i;
            i = stop;
            continue;
        }
        if (c === 0x20 || c === TAB || c === NEWLINE || c === 0x0d) {
            i++;
            continue;
        }
        if (needIndent && c !== 0x7d && c !== 0x5d) {
            depth++;
            newline(out, depth);
            needIndent = false;
        }
        switch (c) {
            case 0x7b:
            case 0x5b:
                needIndent = true;
                out.appendByte(c);
                break;
            case 0x2c:
                out.appendByte(c);
                newline(out, depth);
                break;
            case 0x3a:
                out.appendByte(c);
                out.appendByte(0x20);
                break;
            case 0x7d:
            case 0x5d:
                if (needIndent) {
                    needIndent = false;
                }
                else {
                    depth--;
                    newline(out, depth);
                }
                out.appendByte(c);
                break;
            default:
                out.appendByte(c);
        }
        i++;
    }
}
function newline(out, depth) {
    out.ensure(depth + 1);
    const buf = out.buf;
    let o = out.len;
    buf[o++] = NEWLINE;
    for (let d = 0; d < depth; d++)
        buf[o++] = TAB;
    out.len = o;
}
let scratch;
/** Go's json.Indent(dst, compact, "", "\t") for the compact Extended JSON our writer (and MarshalExtJSON) produces. */
function indentJson(compact) {
    const bytes = Buffer.from(compact, 'utf8');
    scratch ??= new ExtJsonTranscoder();
    scratch.len = 0;
    appendIndented(scratch, bytes, 0, bytes.length);
    return scratch.buf.toString('utf8', 0, scratch.len);
}
//# sourceMappingURL=indent.js.map
;// CONCATENATED MODULE: ./lib/mongo/export/framing.js
// mongoexport's framing of the documents it writes (mongo-tools-format.md §1.2, mongoexport/json.go): one compact
// document per line by default; `[a,b]` plus a newline with --jsonArray; each document indented (Go json.Indent) with
// --pretty. Shared by the main thread (small exports and the first chunk) and the converter threads (thread-roles.ts),
// which take over an export half-way: `documents` says how many were framed before, so the separators continue correctly.


const COMMA = 0x2c;
const framing_NEWLINE = 0x0a;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
class JsonFramer {
    out;
    /** Documents framed so far, including those framed by whoever wrote the export's earlier part. */
    documents;
    framing;
    compact;
    constructor(framing, capacity, documents = 0) {
        this.framing = framing;
        this.out = new writer_ExtJsonTranscoder(capacity);
        this.compact = framing.pretty ? new writer_ExtJsonTranscoder() : undefined;
        this.documents = documents;
    }
    /** What comes before the first document (`[` with --jsonArray). */
    open() {
        if (this.framing.jsonArray)
            this.out.appendByte(OPEN_BRACKET);
    }
    /** Appends one document with its separators; throws the transcoder's error for a malformed one, leaving `out` as it was before its separator. */
    append(doc) {
        const { out, framing, compact } = this;
        const mark = out.len;
        if (this.documents > 0) {
            if (framing.jsonArray)
                out.appendByte(COMMA);
            if (framing.pretty)
                out.appendByte(framing_NEWLINE);
        }
        try {
            if (compact !== undefined) {
                compact.len = 0;
                compact.appendDocument(doc, framing.format);
                appendIndented(out, compact.buf, 0, compact.len);
            }
            else {
                out.appendDocument(doc, framing.format);
            }
        }
        catch (error) {
            out.len = mark;
            throw error;
        }
        if (!framing.jsonArray && !framing.pretty)
            out.appendByte(framing_NEWLINE);
        this.documents++;
    }
    /** What comes after the last document (`]` and a newline with --jsonArray, a newline with --pretty). */
    close() {
        if (this.framing.jsonArray) {
            this.out.appendByte(CLOSE_BRACKET);
            this.out.appendByte(framing_NEWLINE);
        }
        if (this.framing.pretty)
            this.out.appendByte(framing_NEWLINE);
    }
}
//# sourceMappingURL=framing.js.map
;// CONCATENATED MODULE: ./lib/mongo/export/thread-roles.js
// What a large export's worker threads do (thread-protocol.ts has the picture): a converter frames packed BSON
// documents as mongoexport would; the writer writes every part of the output at its place in order, and hashes it.
// Started through src/workers (one entry for every kind of worker thread).




// Output buffers a converter may have on their way to the writer; it waits for one to come back beyond that.
const OUTPUT_BUFFERS = 4;
function serveConverter(data, main) {
    const writer = data.writer;
    const framer = new JsonFramer(data, data.outputBufferBytes);
    const out = framer.out;
    const free = [];
    let allocated = 0;
    let waiting;
    writer.on('message', (m) => {
        // A buffer that grew for a huge document is replaced by one of the usual size rather than kept.
        const buffer = m.buffer.byteLength > 2 * data.outputBufferBytes ? Buffer.allocUnsafeSlow(data.outputBufferBytes) : Buffer.from(m.buffer);
        const resolve = waiting;
        waiting = undefined;
        if (resolve !== undefined)
            resolve(buffer);
        else
            free.push(buffer);
    });
    const take = async () => {
        const buffer = free.pop();
        if (buffer !== undefined)
            return buffer;
        if (allocated < OUTPUT_BUFFERS) {
            allocated++;
            return Buffer.allocUnsafeSlow(data.outputBufferBytes);
        }
        return new Promise(resolve => (waiting = resolve));
    };
    const send = async (seq, last) => {
        const length = out.len;
        const chunk = out.takeChunk(await take());
        // The chunk is the start of a buffer of our own (allocUnsafeSlow, or grown by the transcoder), so it can move.
        const buffer = (chunk.byteOffset === 0 ? chunk.buffer : new Uint8Array(chunk).buffer);
        writer.postMessage({ type: 'chunk', seq, last, buffer, length }, [buffer]);
    };
    const convert = async (m) => {
        const packed = new Uint8Array(m.buffer, 0, m.length);
        framer.documents = m.first;
        let produced = 0;
        let offset = 0;
        while (offset < m.length) {
            const size = packed[offset] | (packed[offset + 1] << 8) | (packed[offset + 2] << 16) | (packed[offset + 3] << 24);
            try {
                framer.append(packed.subarray(offset + 4, offset + 4 + size));
            }
            catch (error) {
                throw Object.assign(new Error(error.message), { document: framer.documents + 1 });
            }
            offset += 4 + size;
            if (out.len >= data.chunkBytes && offset < m.length) {
                produced += out.len;
                await send(m.seq, false);
            }
        }
        produced += out.len;
        await send(m.seq, true);
        main.postMessage({ type: 'free', seq: m.seq, buffer: m.buffer, produced }, [m.buffer]);
    };
    // One pack at a time, in the order they came: a send may wait for the writer to give a buffer back.
    handleInOrder(main, convert, (error, m) => {
        const e = error;
        main.postMessage({ type: 'error', seq: m.seq, message: e.message, document: e.document ?? m.first + 1 });
    });
}
function serveWriter(data, main) {
    const hash = (0,external_node_crypto_namespaceObject.createHash)('sha256');
    let position = 0;
    let expected = 0;
    let parts = Number.POSITIVE_INFINITY;
    let failed = false;
    // Parts that arrived before their turn, by seq: their chunks, and whether the last one is among them.
    const early = new Map();
    const writeChunk = (bytes, owner) => {
        if (!failed) {
            try {
                let done = 0;
                while (done < bytes.length)
                    done += (0,external_node_fs_namespaceObject.writeSync)(data.fd, bytes, done, bytes.length - done, position + done);
                hash.update(bytes);
                position += bytes.length;
            }
            catch (error) {
                failed = true;
                const e = error;
                main.postMessage({ type: 'error', message: e.message, code: e.code, errno: e.errno, syscall: e.syscall });
            }
        }
        if (owner !== undefined)
            owner.postMessage({ type: 'free', buffer: bytes.buffer }, [bytes.buffer]);
    };
    const finishIfDone = () => {
        if (expected === parts && !failed)
            main.postMessage({ type: 'done', sha256: hash.digest('hex'), bytes: position });
    };
    const receive = (seq, last, bytes, owner) => {
        if (seq !== expected) {
            let part = early.get(seq);
            if (part === undefined)
                early.set(seq, (part = { chunks: [], complete: false }));
            part.chunks.push({ bytes, owner });
            part.complete = last;
            return;
        }
        writeChunk(bytes, owner);
        if (!last)
            return;
        expected++;
        // Later parts that were waiting for this one, as far as they are complete.
        for (let part = early.get(expected); part !== undefined; part = early.get(expected)) {
            early.delete(expected);
            for (const chunk of part.chunks)
                writeChunk(chunk.bytes, chunk.owner);
            if (!part.complete)
                break; // its remaining chunks now arrive in turn
            expected++;
        }
        finishIfDone();
    };
    for (const port of data.converters) {
        port.on('message', (m) => receive(m.seq, m.last, new Uint8Array(m.buffer, 0, m.length), port));
    }
    main.on('message', (m) => {
        if (m.type === 'bytes') {
            receive(m.seq, true, new Uint8Array(m.buffer, 0, m.length), undefined);
        }
        else {
            parts = m.parts;
            finishIfDone();
        }
    });
}
//# sourceMappingURL=thread-roles.js.map
;// CONCATENATED MODULE: ./lib/common/threads/roles.js
// What a worker thread started by start.ts is for (its workerData.role).
const ROLES = {
    exportConverter: 'prancer-db-artifacts export converter',
    exportWriter: 'prancer-db-artifacts export writer',
    archiveOutput: 'prancer-db-artifacts archive output',
    ejsonParser: 'prancer-db-artifacts Extended JSON parser'
};
//# sourceMappingURL=roles.js.map
;// CONCATENATED MODULE: ./lib/workers/entry.js
// The one entry of every worker thread this project starts (src/common/threads/start.ts): the role in workerData says what
// the thread does. Bundled on its own (dist/workers/index.js) so a thread loads ~150 KB, not the whole action.






const data = external_node_worker_threads_namespaceObject.workerData;
const main = external_node_worker_threads_namespaceObject.parentPort;
if (main !== null) {
    switch (data?.role) {
        case ROLES.exportConverter:
            serveConverter(data, main);
            break;
        case ROLES.exportWriter:
            serveWriter(data, main);
            break;
        case ROLES.archiveOutput:
            serveArchiveOutput(data, main);
            break;
        case ROLES.ejsonParser:
            serveParser(data, main);
            break;
        default:
            throw new InternalError(`a worker thread was started without a known role (${String(data?.role)})`);
    }
}
//# sourceMappingURL=entry.js.map

//# sourceMappingURL=index.js.map