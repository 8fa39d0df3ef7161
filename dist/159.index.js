export const id = 159;
export const ids = [159];
export const modules = {

/***/ 52159:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   AzureObjects: () => (/* binding */ AzureObjects)
/* harmony export */ });
/* unused harmony export azureCredentialSource */
/* harmony import */ var _azure_storage_blob__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(70728);
/* harmony import */ var _common_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(63302);
/* harmony import */ var _object_store_options_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(41057);
// Azure Blob Storage (and Azurite) as an ObjectStore, on @azure/storage-blob. A save streams as staged blocks that
// are committed by one Put Block List at the end, so a failed save commits nothing (Azure drops uncommitted blocks
// after seven days). Credentials: a connection string or a SAS token from the environment (emulators, or where a
// team hands one out), else DefaultAzureCredential (workload identity from GitHub OIDC via azure/login, a service
// principal, the Azure CLI's login, a managed identity). Retries are the SDK's (exponential).



const DATA_ACTION = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs';
const PERMISSION = { save: `${DATA_ACTION}/write`, open: `${DATA_ACTION}/read`, stat: `${DATA_ACTION}/read`, list: `${DATA_ACTION}/read`, delete: `${DATA_ACTION}/delete`, copy: `${DATA_ACTION}/read and /write` };
function accountOfConnectionString(text) {
    if (/UseDevelopmentStorage=true/i.test(text))
        return 'devstoreaccount1';
    return /(?:^|;)\s*AccountName=([^;]+)/i.exec(text)?.[1]?.trim();
}
function azureCredentialSource(env) {
    if (env['AZURE_STORAGE_CONNECTION_STRING'])
        return 'the connection string in AZURE_STORAGE_CONNECTION_STRING';
    if (env['AZURE_STORAGE_SAS_TOKEN'])
        return 'the SAS token in AZURE_STORAGE_SAS_TOKEN';
    if (env['AZURE_FEDERATED_TOKEN_FILE'] && env['AZURE_CLIENT_ID'])
        return `DefaultAzureCredential (workload identity of client ${env['AZURE_CLIENT_ID']})`;
    if (env['AZURE_CLIENT_ID'] && (env['AZURE_CLIENT_SECRET'] || env['AZURE_CLIENT_CERTIFICATE_PATH']))
        return `DefaultAzureCredential (the service principal ${env['AZURE_CLIENT_ID']})`;
    return 'DefaultAzureCredential (the Azure CLI\'s login, azure/login, or a managed identity)';
}
class AzureObjects {
    label;
    #container;
    #location;
    #credentials;
    constructor(location, options = {}) {
        const env = options.env ?? process.env;
        this.#location = location;
        this.#credentials = azureCredentialSource(env);
        const label = `az://${location.account}/${location.container}`;
        this.label = label;
        const pipeline = {
            retryOptions: { maxTries: options.maxAttempts ?? 5, tryTimeoutInMs: options.requestTimeoutMs ?? 120_000, retryDelayInMs: 500, maxRetryDelayInMs: 16_000 }
        };
        this.#container = (async () => {
            const connection = env['AZURE_STORAGE_CONNECTION_STRING'];
            let service;
            if (connection) {
                const account = accountOfConnectionString(connection);
                if (account !== undefined && account !== location.account) {
                    throw new _common_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UsageError */ .eb(`${label}: AZURE_STORAGE_CONNECTION_STRING is for the account "${account}", not "${location.account}".`);
                }
                service = _azure_storage_blob__WEBPACK_IMPORTED_MODULE_0__/* .BlobServiceClient */ .wS.fromConnectionString(connection, pipeline);
            }
            else {
                const endpoint = (location.endpoint || `https://${location.account}.blob.core.windows.net`).replace(/\/+$/, '');
                const sas = env['AZURE_STORAGE_SAS_TOKEN'];
                if (sas)
                    service = new _azure_storage_blob__WEBPACK_IMPORTED_MODULE_0__/* .BlobServiceClient */ .wS(`${endpoint}?${sas.replace(/^\?/, '')}`, undefined, pipeline);
                else {
                    // Loaded only when used: @azure/identity is large and most runs authenticate otherwise.
                    const { DefaultAzureCredential } = await Promise.all(/* import() */[__webpack_require__.e(324), __webpack_require__.e(535)]).then(__webpack_require__.bind(__webpack_require__, 92535));
                    service = new _azure_storage_blob__WEBPACK_IMPORTED_MODULE_0__/* .BlobServiceClient */ .wS(endpoint, new DefaultAzureCredential(), pipeline);
                }
            }
            return service.getContainerClient(location.container);
        })();
        this.#container.catch(() => undefined);
    }
    #fail(operation, key, error) {
        const e = (error ?? {});
        const code = e.code ?? e.details?.errorCode ?? '';
        const status = e.statusCode;
        const where = `${this.label}: ${operation} ${key === '' ? 'the container' : key}`;
        const network = (0,_object_store_options_js__WEBPACK_IMPORTED_MODULE_2__/* .describeNetworkError */ .gl)(error);
        let why;
        if (network !== undefined)
            why = `${network}${this.#location.endpoint ? ` (endpoint ${this.#location.endpoint})` : ''}`;
        else if (code === 'ContainerNotFound')
            why = `the container ${this.#location.container} does not exist in the account ${this.#location.account}; create it, or check the name`;
        // A wrong key is AuthenticationFailed on Azure, AuthorizationFailure "failed to authenticate" on Azurite.
        else if (code === 'AuthenticationFailed' || code === 'InvalidAuthenticationInfo' || e.name === 'CredentialUnavailableError' || e.name === 'AuthenticationError' || /failed to authenticate/i.test(e.message ?? ''))
            why = `the credentials from ${this.#credentials} were refused or are missing (${code || e.name}: ${firstLine(e.message)})`;
        else if (code === 'AuthorizationPermissionMismatch' || code === 'AuthorizationFailure' || status === 403)
            why = `access denied with the credentials from ${this.#credentials}: ${PERMISSION[operation]} is missing on ${this.#location.container}/${operation === 'list' ? `${key}*` : key} (the role "Storage Blob Data Contributor" has it)`;
        else
            why = `${code || e.name || 'error'}${status ? ` (HTTP ${status})` : ''}: ${firstLine(e.message ?? String(error))}`;
        return new _common_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .RefusedError */ .fk(`${where}: ${why}.`, { cause: error, ...(status ? { status } : {}) });
    }
    async #client(operation, key) {
        try {
            return await this.#container;
        }
        catch (error) {
            if (error instanceof _common_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UsageError */ .eb)
                throw error;
            throw this.#fail(operation, key, error);
        }
    }
    async save(key, body) {
        const container = await this.#client('save', key);
        const counted = (0,_object_store_options_js__WEBPACK_IMPORTED_MODULE_2__/* .countingBody */ .UZ)(body);
        try {
            await container.getBlockBlobClient(key).uploadStream(counted.stream, _object_store_options_js__WEBPACK_IMPORTED_MODULE_2__/* .PART_BYTES */ ._E, _object_store_options_js__WEBPACK_IMPORTED_MODULE_2__/* .PARALLEL_PARTS */ .xh);
        }
        catch (error) {
            // The source (a file, the archive) must not stay open behind a refused upload.
            counted.destroy();
            throw this.#fail('save', key, counted.error() ?? error);
        }
        if (counted.error() !== undefined)
            throw this.#fail('save', key, counted.error());
        return { bytes: counted.bytes() };
    }
    async open(key) {
        const container = await this.#client('open', key);
        try {
            const answer = await container.getBlobClient(key).download();
            return answer.readableStreamBody;
        }
        catch (error) {
            if (error.code === 'BlobNotFound')
                throw new _common_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .RefusedError */ .fk(`${this.label}: there is no object ${key}.`, { code: 'not-found', cause: error });
            throw this.#fail('open', key, error);
        }
    }
    async stat(key) {
        const container = await this.#client('stat', key);
        try {
            const p = await container.getBlobClient(key).getProperties();
            return { key, size: p.contentLength ?? 0, modified: (p.lastModified ?? new Date(0)).toISOString() };
        }
        catch (error) {
            const e = error;
            if (e.statusCode === 404 && e.code !== 'ContainerNotFound')
                return null;
            throw this.#fail('stat', key, error);
        }
    }
    async *list(prefix) {
        const container = await this.#client('list', prefix);
        const pages = container.listBlobsFlat({ prefix }).byPage({ maxPageSize: 1000 });
        for (;;) {
            let page;
            try {
                page = await pages.next();
            }
            catch (error) {
                throw this.#fail('list', prefix, error);
            }
            if (page.done)
                return;
            for (const b of page.value.segment.blobItems)
                yield { key: b.name, size: b.properties.contentLength ?? 0, modified: b.properties.lastModified.toISOString() };
        }
    }
    async delete(key) {
        const container = await this.#client('delete', key);
        try {
            await container.getBlobClient(key).deleteIfExists();
        }
        catch (error) {
            throw this.#fail('delete', key, error);
        }
    }
    async copy(from, to) {
        const container = await this.#client('copy', `${from} to ${to}`);
        try {
            const poller = await container.getBlobClient(to).beginCopyFromURL(container.getBlobClient(from).url);
            await poller.pollUntilDone();
        }
        catch (error) {
            throw this.#fail('copy', `${from} to ${to}`, error);
        }
    }
    probe(access, prefix) {
        return (0,_object_store_options_js__WEBPACK_IMPORTED_MODULE_2__/* .probeObjects */ .FX)(this, access, prefix, this.#credentials);
    }
    close() { }
}
function firstLine(text) {
    return (text ?? '').split('\n')[0].trim();
}
//# sourceMappingURL=azure-objects.js.map

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

//# sourceMappingURL=159.index.js.map