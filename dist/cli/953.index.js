export const id = 953;
export const ids = [953];
export const modules = {

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

/***/ }),

/***/ 51953:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   S3Objects: () => (/* binding */ S3Objects)
/* harmony export */ });
/* unused harmony export awsCredentialSource */
/* harmony import */ var _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(53711);
/* harmony import */ var _aws_sdk_lib_storage__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(22358);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(57075);
/* harmony import */ var _common_errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(63302);
/* harmony import */ var _object_store_options_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(41057);
// S3 and S3-compatible servers (AWS, MinIO, Ceph RGW, Cloudflare R2, versitygw) as an ObjectStore, on the AWS SDK v3.
// Credentials come only from the SDK's default chain (environment, a web-identity token from GitHub OIDC, profiles,
// instance roles). A save streams through lib-storage's multipart upload, which aborts the multipart upload when it
// fails, so a failed save leaves no object and, where the abort itself gets through, no parts either (README: the
// lifecycle rule for the rest). Retries are the SDK's own (standard mode, exponential backoff with jitter).





/** Which link of the default chain the SDK will use, as far as the environment tells it (never the secret itself). */
function awsCredentialSource(env) {
    if (env['AWS_ACCESS_KEY_ID'])
        return `the environment (AWS_ACCESS_KEY_ID${env['AWS_SESSION_TOKEN'] ? ' with a session token' : ''})`;
    if (env['AWS_WEB_IDENTITY_TOKEN_FILE'] && env['AWS_ROLE_ARN'])
        return `a web-identity token for the role ${env['AWS_ROLE_ARN']}`;
    if (env['AWS_PROFILE'])
        return `the profile "${env['AWS_PROFILE']}"`;
    return 'the default chain (the default profile, SSO, or the instance or container role)';
}
/** The IAM action each operation needs, for the message when it is refused. */
const PERMISSION = { save: 's3:PutObject', open: 's3:GetObject', stat: 's3:GetObject', list: 's3:ListBucket', delete: 's3:DeleteObject', copy: 's3:GetObject and s3:PutObject' };
class S3Objects {
    label;
    #client;
    #bucket;
    #credentials;
    #endpoint;
    constructor(location, options = {}) {
        const env = options.env ?? process.env;
        const endpoint = location.endpoint || env['AWS_ENDPOINT_URL_S3'] || env['AWS_ENDPOINT_URL'] || undefined;
        const region = location.region || env['AWS_REGION'] || env['AWS_DEFAULT_REGION'] || (endpoint ? 'us-east-1' : undefined);
        const config = {
            ...(region ? { region } : {}),
            ...(endpoint ? { endpoint } : {}),
            forcePathStyle: location.pathStyle ?? endpoint !== undefined,
            // The user's AWS_MAX_ATTEMPTS, as the SDK itself reads it; 5 otherwise (the SDK's default is 3).
            maxAttempts: options.maxAttempts ?? (Number(env['AWS_MAX_ATTEMPTS']) || 5),
            retryMode: 'standard',
            requestHandler: { connectionTimeout: options.connectTimeoutMs ?? 10_000, requestTimeout: options.requestTimeoutMs ?? 120_000 },
            // Compatible servers differ in which of the newer checksum headers they take; the manifest's sha256 is the check.
            ...(endpoint ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {})
        };
        this.#client = new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_4__.S3Client(config);
        this.#bucket = location.bucket;
        this.#endpoint = endpoint;
        this.#credentials = awsCredentialSource(env);
        this.label = `s3://${location.bucket}`;
    }
    #fail(operation, key, error) {
        const e = (error ?? {});
        const name = e.name ?? e.Code ?? e.code ?? '';
        const status = e.$metadata?.httpStatusCode;
        const where = `${this.label}: ${operation} ${key === '' ? 'the bucket' : key}`;
        const network = (0,_object_store_options_js__WEBPACK_IMPORTED_MODULE_3__/* .describeNetworkError */ .gl)(error);
        let why;
        if (network !== undefined)
            why = `${network}${this.#endpoint ? ` (endpoint ${this.#endpoint})` : ''}`;
        else if (name === 'NoSuchBucket')
            why = `the bucket ${this.#bucket} does not exist${this.#endpoint ? ` on ${this.#endpoint}` : ''}; create it, or check the bucket name`;
        else if (name === 'PermanentRedirect' || name === 'AuthorizationHeaderMalformed' || (status === 301 && !this.#endpoint))
            why = `the bucket ${this.#bucket} is in another region than the client's (${e.message ?? name}); set AWS_REGION to the bucket's region`;
        else if (name === 'CredentialsProviderError')
            why = 'no credentials were found in the default chain (environment, web-identity token, profile, instance or container role); in a workflow, run aws-actions/configure-aws-credentials first';
        else if (name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch' || name === 'ExpiredToken' || /credential/i.test(name))
            why = `the credentials from ${this.#credentials} were refused (${name}); check them, or the role the workflow assumes`;
        else if (name === 'AccessDenied' || status === 403)
            why = `access denied with the credentials from ${this.#credentials}: ${PERMISSION[operation]} is missing on ${this.#bucket}/${operation === 'list' ? `${key}*` : key}`;
        else if (name === 'InsufficientStorage' || status === 507)
            why = `the server has no space left for it (${name || 'InsufficientStorage'}, HTTP ${status ?? 507}); free space on the server or its volume, then run again`;
        else
            why = `${name || 'error'}${status ? ` (HTTP ${status})` : ''}: ${(e.message ?? String(error)).replace(/\.+$/, '')}`;
        const attempts = e.$metadata?.attempts;
        return new _common_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .RefusedError */ .fk(`${where}: ${why}${attempts && attempts > 1 ? ` (after ${attempts} attempts)` : ''}.`, { cause: error, ...(status ? { status } : {}) });
    }
    async save(key, body) {
        const counted = (0,_object_store_options_js__WEBPACK_IMPORTED_MODULE_3__/* .countingBody */ .UZ)(body);
        const upload = new _aws_sdk_lib_storage__WEBPACK_IMPORTED_MODULE_0__/* .Upload */ ._({
            client: this.#client,
            params: { Bucket: this.#bucket, Key: key, Body: counted.stream },
            partSize: _object_store_options_js__WEBPACK_IMPORTED_MODULE_3__/* .PART_BYTES */ ._E,
            queueSize: _object_store_options_js__WEBPACK_IMPORTED_MODULE_3__/* .PARALLEL_PARTS */ .xh,
            leavePartsOnError: false
        });
        try {
            await upload.done();
        }
        catch (error) {
            // The source (a file, the archive) must not stay open behind a refused upload.
            counted.destroy();
            throw this.#fail('save', key, counted.error() ?? error);
        }
        return { bytes: counted.bytes() };
    }
    async open(key) {
        try {
            const answer = await this.#client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_4__.GetObjectCommand({ Bucket: this.#bucket, Key: key }));
            return answer.Body;
        }
        catch (error) {
            if (error.name === 'NoSuchKey')
                throw new _common_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .RefusedError */ .fk(`${this.label}: there is no object ${key}.`, { code: 'not-found', cause: error });
            throw this.#fail('open', key, error);
        }
    }
    async stat(key) {
        try {
            const head = await this.#client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_4__.HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
            return { key, size: head.ContentLength ?? 0, modified: (head.LastModified ?? new Date(0)).toISOString() };
        }
        catch (error) {
            const e = error;
            if (e.name === 'NotFound' || e.name === 'NoSuchKey' || (e.$metadata?.httpStatusCode === 404 && e.name !== 'NoSuchBucket'))
                return null;
            throw this.#fail('stat', key, error);
        }
    }
    async *list(prefix) {
        let token;
        do {
            let page;
            try {
                page = await this.#client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_4__.ListObjectsV2Command({ Bucket: this.#bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
            }
            catch (error) {
                throw this.#fail('list', prefix, error);
            }
            for (const o of page.Contents ?? []) {
                if (o.Key !== undefined)
                    yield { key: o.Key, size: o.Size ?? 0, modified: (o.LastModified ?? new Date(0)).toISOString() };
            }
            token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
    }
    async delete(key) {
        try {
            await this.#client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_4__.DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
        }
        catch (error) {
            if (error.name === 'NoSuchKey')
                return;
            throw this.#fail('delete', key, error);
        }
    }
    async copy(from, to) {
        try {
            const source = `${this.#bucket}/${from.split('/').map(encodeURIComponent).join('/')}`;
            await this.#client.send(new _aws_sdk_client_s3__WEBPACK_IMPORTED_MODULE_4__.CopyObjectCommand({ Bucket: this.#bucket, Key: to, CopySource: source }));
        }
        catch (error) {
            throw this.#fail('copy', `${from} to ${to}`, error);
        }
    }
    probe(access, prefix) {
        return (0,_object_store_options_js__WEBPACK_IMPORTED_MODULE_3__/* .probeObjects */ .FX)(this, access, prefix, this.#credentials);
    }
    close() {
        this.#client.destroy();
    }
}
//# sourceMappingURL=s3-objects.js.map

/***/ })

};

//# sourceMappingURL=953.index.js.map