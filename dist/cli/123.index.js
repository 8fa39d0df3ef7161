export const id = 123;
export const ids = [123];
export const modules = {

/***/ 65123:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   FsObjects: () => (/* binding */ FsObjects)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(77598);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(73024);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(51455);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(76760);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(57075);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(46466);
/* harmony import */ var _common_errors_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(63302);
// A local directory as an ObjectStore: each key is a file below the root ('/' in a key is a directory). A save goes
// to a temporary file in the same directory and is renamed into place once complete, so a reader never sees half an
// object, and a failed or killed save leaves only a temporary file no listing shows.







const TEMP_MARK = '.partial-';
class FsObjects {
    label;
    #root;
    constructor(root) {
        this.#root = (0,node_path__WEBPACK_IMPORTED_MODULE_3__.resolve)(root);
        this.label = `file://${this.#root}`;
    }
    #path(key) {
        const path = (0,node_path__WEBPACK_IMPORTED_MODULE_3__.resolve)(this.#root, key);
        if (key === '' || key.startsWith('/') || key.split('/').some(part => part === '..' || part === '') || !path.startsWith(this.#root + node_path__WEBPACK_IMPORTED_MODULE_3__.sep)) {
            throw new _common_errors_js__WEBPACK_IMPORTED_MODULE_6__/* .UsageError */ .eb(`${this.label}: "${key}" is not a key of this store (no empty, "." or ".." parts, no leading "/").`);
        }
        if (key.split('/').some(part => part.startsWith(TEMP_MARK)))
            throw new _common_errors_js__WEBPACK_IMPORTED_MODULE_6__/* .UsageError */ .eb(`${this.label}: "${key}" uses the reserved prefix ${TEMP_MARK}.`);
        return path;
    }
    async save(key, body) {
        const path = this.#path(key);
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.mkdir)((0,node_path__WEBPACK_IMPORTED_MODULE_3__.dirname)(path), { recursive: true });
        const temp = (0,node_path__WEBPACK_IMPORTED_MODULE_3__.join)((0,node_path__WEBPACK_IMPORTED_MODULE_3__.dirname)(path), `${TEMP_MARK}${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(6).toString('hex')}`);
        try {
            const out = (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.createWriteStream)(temp, { flags: 'wx' });
            await (0,node_stream_promises__WEBPACK_IMPORTED_MODULE_5__.pipeline)(body instanceof Uint8Array ? node_stream__WEBPACK_IMPORTED_MODULE_4__.Readable.from([body]) : body, out);
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.rename)(temp, path);
            return { bytes: (await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.stat)(path)).size };
        }
        catch (error) {
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.rm)(temp, { force: true });
            throw new _common_errors_js__WEBPACK_IMPORTED_MODULE_6__/* .RefusedError */ .fk(`${this.label}: could not write ${key} (${error.code ?? error.message}); nothing was stored under it.`, { cause: error });
        }
    }
    async open(key) {
        const path = this.#path(key);
        const info = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.stat)(path).catch(() => null);
        if (!info?.isFile())
            throw new _common_errors_js__WEBPACK_IMPORTED_MODULE_6__/* .RefusedError */ .fk(`${this.label}: there is no object ${key}.`, { code: 'not-found' });
        return (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.createReadStream)(path);
    }
    async stat(key) {
        const info = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.stat)(this.#path(key)).catch(() => null);
        return info?.isFile() ? { key, size: info.size, modified: info.mtime.toISOString() } : null;
    }
    async *list(prefix) {
        // The deepest directory the prefix names whole; the rest of the prefix filters names below it.
        const cut = prefix.lastIndexOf('/');
        const start = cut < 0 ? this.#root : (0,node_path__WEBPACK_IMPORTED_MODULE_3__.resolve)(this.#root, prefix.slice(0, cut));
        if (start !== this.#root && !start.startsWith(this.#root + node_path__WEBPACK_IMPORTED_MODULE_3__.sep))
            return;
        const keys = [];
        const walk = async (dir) => {
            const entries = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.readdir)(dir, { withFileTypes: true }).catch((error) => {
                if (error.code === 'ENOENT' || error.code === 'ENOTDIR')
                    return [];
                throw error;
            });
            for (const entry of entries) {
                if (entry.name.startsWith(TEMP_MARK))
                    continue;
                const path = (0,node_path__WEBPACK_IMPORTED_MODULE_3__.join)(dir, entry.name);
                const key = (0,node_path__WEBPACK_IMPORTED_MODULE_3__.relative)(this.#root, path).split(node_path__WEBPACK_IMPORTED_MODULE_3__.sep).join('/');
                if (entry.isDirectory()) {
                    if (prefix.startsWith(`${key}/`) || key.startsWith(prefix) || `${key}/`.startsWith(prefix))
                        await walk(path);
                }
                else if (entry.isFile() && key.startsWith(prefix))
                    keys.push(key);
            }
        };
        await walk(start);
        // Key order as object stores list them: by UTF-16 code units of the whole key.
        keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        for (const key of keys) {
            const info = await this.stat(key);
            if (info !== null)
                yield info;
        }
    }
    async delete(key) {
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.rm)(this.#path(key), { force: true });
    }
    async probe(access, prefix) {
        if (access === 'write') {
            const dir = prefix === '' ? this.#root : this.#path(prefix);
            const probe = (0,node_path__WEBPACK_IMPORTED_MODULE_3__.join)(dir, `${TEMP_MARK}probe-${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(6).toString('hex')}`);
            try {
                await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.mkdir)(dir, { recursive: true });
                await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.writeFile)(probe, '');
            }
            catch (error) {
                throw new _common_errors_js__WEBPACK_IMPORTED_MODULE_6__/* .RefusedError */ .fk(`${this.label}: cannot write below ${dir} (${error.code ?? error.message}).`, { cause: error });
            }
            finally {
                await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.rm)(probe, { force: true });
            }
        }
        return 'the file permissions of this user';
    }
    close() { }
    async copy(from, to) {
        const target = this.#path(to);
        await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.mkdir)((0,node_path__WEBPACK_IMPORTED_MODULE_3__.dirname)(target), { recursive: true });
        const temp = (0,node_path__WEBPACK_IMPORTED_MODULE_3__.join)((0,node_path__WEBPACK_IMPORTED_MODULE_3__.dirname)(target), `${TEMP_MARK}${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(6).toString('hex')}`);
        try {
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.copyFile)(this.#path(from), temp);
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.rename)(temp, target);
        }
        catch (error) {
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.rm)(temp, { force: true });
            throw new _common_errors_js__WEBPACK_IMPORTED_MODULE_6__/* .RefusedError */ .fk(`${this.label}: could not copy ${from} to ${to} (${error.code ?? error.message}).`, { cause: error });
        }
    }
}
//# sourceMappingURL=fs-objects.js.map

/***/ })

};

//# sourceMappingURL=123.index.js.map