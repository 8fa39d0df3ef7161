export const id = 815;
export const ids = [815];
export const modules = {

/***/ 45815:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   GcsObjects: () => (/* binding */ GcsObjects)
/* harmony export */ });
/* unused harmony export gcsCredentialSource */
/* harmony import */ var _google_cloud_storage__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(23923);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(46466);
/* harmony import */ var _common_errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(63302);
/* harmony import */ var _object_store_options_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(41057);
// Google Cloud Storage (and fake-gcs-server) as an ObjectStore, on @google-cloud/storage. A save is a resumable
// upload in chunks; the object exists only when its last chunk is accepted, so a failed save leaves none (an
// abandoned session expires after a week). Credentials: Application Default Credentials only (the file that
// google-github-actions/auth writes for OIDC, gcloud's login, the metadata server); none against an emulator endpoint.
// Retries are the library's (exponential backoff, also for the resumable chunks).




const PERMISSION = { save: 'storage.objects.create', open: 'storage.objects.get', stat: 'storage.objects.get', list: 'storage.objects.list', delete: 'storage.objects.delete', copy: 'storage.objects.get and storage.objects.create' };
function gcsCredentialSource(env, endpoint) {
    if (endpoint !== undefined)
        return `no credentials (the emulator endpoint ${endpoint})`;
    if (env['GOOGLE_APPLICATION_CREDENTIALS'])
        return 'the credentials file in GOOGLE_APPLICATION_CREDENTIALS';
    return 'Application Default Credentials (gcloud\'s login or the metadata server)';
}
class GcsObjects {
    label;
    #bucket;
    #name;
    #endpoint;
    #credentials;
    constructor(location, options = {}) {
        const env = options.env ?? process.env;
        const emulator = env['STORAGE_EMULATOR_HOST'];
        const endpoint = (location.endpoint || (emulator ? (/^https?:\/\//.test(emulator) ? emulator : `http://${emulator}`) : '')).replace(/\/+$|\/storage\/v1\/?$/g, '') || undefined;
        const config = {
            ...(endpoint ? { apiEndpoint: endpoint, projectId: env['GOOGLE_CLOUD_PROJECT'] || 'emulator' } : {}),
            retryOptions: { autoRetry: true, maxRetries: (options.maxAttempts ?? 5) - 1, retryDelayMultiplier: 2, maxRetryDelay: 16, totalTimeout: 600 },
            timeout: options.requestTimeoutMs ?? 120_000
        };
        // The library takes STORAGE_EMULATOR_HOST verbatim as its JSON API base but not for uploads; with the endpoint
        // given explicitly both are right, so it must not see the variable while it is made.
        const saved = process.env['STORAGE_EMULATOR_HOST'];
        delete process.env['STORAGE_EMULATOR_HOST'];
        try {
            this.#bucket = new _google_cloud_storage__WEBPACK_IMPORTED_MODULE_0__/* .Storage */ .wc(config).bucket(location.bucket);
        }
        finally {
            if (saved !== undefined)
                process.env['STORAGE_EMULATOR_HOST'] = saved;
        }
        this.#name = location.bucket;
        this.#endpoint = endpoint;
        this.#credentials = gcsCredentialSource(env, endpoint);
        this.label = `gs://${location.bucket}`;
    }
    #fail(operation, key, error) {
        const e = (error ?? {});
        const status = typeof e.code === 'number' ? e.code : undefined;
        const where = `${this.label}: ${operation} ${key === '' ? 'the bucket' : key}`;
        const network = (0,_object_store_options_js__WEBPACK_IMPORTED_MODULE_3__/* .describeNetworkError */ .gl)(error);
        const message = (e.message ?? String(error)).split('\n')[0].trim();
        let why;
        if (network !== undefined)
            why = `${network}${this.#endpoint ? ` (endpoint ${this.#endpoint})` : ''}`;
        // A listing or a write answered 404 has no bucket to go to (a missing object is not an error of theirs).
        else if (status === 404 && (bucketMissing(message) || operation === 'list' || operation === 'save' || operation === 'copy'))
            why = `the bucket ${this.#name} does not exist; create it, or check the bucket name`;
        else if (status === 401 || /Could not load the default credentials|invalid_grant|unauthorized/i.test(message))
            why = `the credentials from ${this.#credentials} were refused or are missing (${message})`;
        else if (status === 403)
            why = `access denied with the credentials from ${this.#credentials}: ${PERMISSION[operation]} is missing on ${this.#name}/${operation === 'list' ? `${key}*` : key}`;
        else
            why = `${status ? `HTTP ${status}: ` : ''}${message}`;
        return new _common_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .RefusedError */ .fk(`${where}: ${why}.`, { cause: error, ...(status ? { status } : {}) });
    }
    async save(key, body) {
        const counted = (0,_object_store_options_js__WEBPACK_IMPORTED_MODULE_3__/* .countingBody */ .UZ)(body);
        try {
            await (0,node_stream_promises__WEBPACK_IMPORTED_MODULE_1__.pipeline)(counted.stream, this.#bucket.file(key).createWriteStream({ resumable: true, chunkSize: _object_store_options_js__WEBPACK_IMPORTED_MODULE_3__/* .PART_BYTES */ ._E, contentType: 'application/octet-stream' }));
        }
        catch (error) {
            // The source (a file, the archive) must not stay open behind a refused upload.
            counted.destroy();
            throw this.#fail('save', key, counted.error() ?? error);
        }
        return { bytes: counted.bytes() };
    }
    async open(key) {
        // A read stream reports a missing object only once read: ask first, so open() says so itself.
        if ((await this.stat(key)) === null)
            throw new _common_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .RefusedError */ .fk(`${this.label}: there is no object ${key}.`, { code: 'not-found' });
        return this.#bucket.file(key).createReadStream({ validation: false });
    }
    async stat(key) {
        try {
            const [meta] = await this.#bucket.file(key).getMetadata();
            return { key, size: Number(meta.size ?? 0), modified: new Date(String(meta.updated ?? meta.timeCreated ?? 0)).toISOString() };
        }
        catch (error) {
            const e = error;
            if (e.code === 404 && !bucketMissing(e.message ?? ''))
                return null;
            throw this.#fail('stat', key, error);
        }
    }
    async *list(prefix) {
        let pageToken;
        do {
            let files, next;
            try {
                ;
                [files, next] = await this.#bucket.getFiles({ prefix, autoPaginate: false, maxResults: 1000, ...(pageToken ? { pageToken } : {}) });
            }
            catch (error) {
                throw this.#fail('list', prefix, error);
            }
            for (const f of files)
                yield { key: f.name, size: Number(f.metadata.size ?? 0), modified: new Date(String(f.metadata.updated ?? 0)).toISOString() };
            pageToken = next?.pageToken;
        } while (pageToken);
    }
    async delete(key) {
        try {
            await this.#bucket.file(key).delete({ ignoreNotFound: true });
        }
        catch (error) {
            throw this.#fail('delete', key, error);
        }
    }
    async copy(from, to) {
        try {
            await this.#bucket.file(from).copy(this.#bucket.file(to));
        }
        catch (error) {
            throw this.#fail('copy', `${from} to ${to}`, error);
        }
    }
    probe(access, prefix) {
        return (0,_object_store_options_js__WEBPACK_IMPORTED_MODULE_3__/* .probeObjects */ .FX)(this, access, prefix, this.#credentials);
    }
    close() { }
}
/** GCS says "The specified bucket does not exist."; a missing object is "No such object: BUCKET/KEY". */
function bucketMissing(message) {
    return /bucket does not exist|no such bucket/i.test(message) && !/no such object/i.test(message);
}
//# sourceMappingURL=gcs-objects.js.map

/***/ }),

/***/ 41057:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   FX: () => (/* binding */ probeObjects),
/* harmony export */   UZ: () => (/* binding */ countingBody),
/* harmony export */   _E: () => (/* binding */ PART_BYTES),
/* harmony export */   gl: () => (/* binding */ describeNetworkError),
/* harmony export */   xh: () => (/* binding */ PARALLEL_PARTS)
/* harmony export */ });
/* unused harmony export PROBE_FOLDER */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(77598);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(57075);
// What every cloud ObjectStore shares: client options, the part size of streamed uploads, a byte-counting body that
// keeps the reader's own error, the probe's folder, and plain words for network failures.


/** Streamed uploads go in parts of this size, this many at once: about 32 MiB in memory per upload. */
const PART_BYTES = 8 * 1024 * 1024;
const PARALLEL_PARTS = 4;
/** The probe writes and deletes one empty object below this folder of the prefix; listings skip it (no manifest). */
const PROBE_FOLDER = '.prancer-db-artifacts-probe';
/** The body as a stream that counts its bytes; an error of the source is kept, so the message names it, not the SDK's echo. */
function countingBody(body) {
    let bytes = 0;
    let failure;
    const counter = new node_stream__WEBPACK_IMPORTED_MODULE_1__.Transform({
        transform(chunk, _encoding, done) {
            bytes += chunk.length;
            done(null, chunk);
        }
    });
    const source = body instanceof Uint8Array ? node_stream__WEBPACK_IMPORTED_MODULE_1__.Readable.from([body]) : body;
    (0,node_stream__WEBPACK_IMPORTED_MODULE_1__.pipeline)(source, counter, error => {
        if (error)
            failure ??= error;
    });
    source.once('error', error => (failure ??= error));
    return { stream: counter, bytes: () => bytes, error: () => failure, destroy: () => void counter.destroy() };
}
const NETWORK = {
    ECONNREFUSED: 'the endpoint refused the connection (is the server running, and the port right?)',
    ENOTFOUND: 'the endpoint\'s host name does not resolve',
    EAI_AGAIN: 'the endpoint\'s host name could not be resolved now (DNS)',
    ECONNRESET: 'the connection was reset',
    ETIMEDOUT: 'the connection timed out',
    EPIPE: 'the connection was closed while sending'
};
/** A plain sentence for a network failure, or undefined when the error is not one. */
function describeNetworkError(error) {
    for (let e = error, depth = 0; e && depth < 5; e = e.cause, depth++) {
        if (typeof e.code === 'string' && NETWORK[e.code])
            return `${NETWORK[e.code]} [${e.code}]`;
        if (e.name === 'TimeoutError' || e.name === 'RequestTimeout')
            return 'the request timed out';
        const inner = e.errors?.[0];
        if (inner?.code && NETWORK[inner.code])
            return `${NETWORK[inner.code]} [${inner.code}]`;
    }
    return undefined;
}
/**
 * The probe every object store runs before MongoDB is read: the first page below the prefix (list permission), then
 * for 'write' one empty object saved and deleted below PROBE_FOLDER. Each step fails with the store's own message
 * (store, bucket, key, the permission missing); returns the credential source for the log.
 */
async function probeObjects(store, access, prefix, credentials) {
    const below = prefix === '' ? '' : `${prefix}/`;
    for await (const _ of store.list(below))
        break;
    if (access === 'write') {
        const key = `${below}${PROBE_FOLDER}/${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(8).toString('hex')}`;
        await store.save(key, new Uint8Array(0));
        await store.delete(key);
    }
    return credentials;
}
//# sourceMappingURL=object-store-options.js.map

/***/ })

};

//# sourceMappingURL=815.index.js.map