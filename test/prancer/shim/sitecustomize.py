# Test-harness shim that lets unmodified Prancer 3.1.1 run against FerretDB 1.24 (never used against a real mongod).
#
# Python imports sitecustomize automatically when this directory is on PYTHONPATH; the harness puts it there only
# when PRANCER_FERRETDB_SHIM=1, i.e. when the test server is FerretDB. It works around exactly two things FerretDB
# refuses and Prancer does not catch (see issue "Real Prancer and the real Database Tools as the ground truth"):
#  1. create_index([('timestamp', 'text')], unique=True) from init_db() and populate_json: FerretDB answers
#     IndexNotFound (code 27). The shim skips text indexes. A text index over an int64 field indexes nothing on a
#     real mongod either, so no document Prancer writes changes.
#  2. structures.update_many({"json.containers.name": c}, {"$set": {"json.containers.$.is_run": True}}): FerretDB
#     has no positional "$" operator (code 28). The shim resolves "$" to the index of the first matching array
#     element itself and sets that path, which is what the server would do. Only the `structures` collection is
#     touched; outputs and logs are written by Prancer as is.
import os
import sys

if os.environ.get("PRANCER_FERRETDB_SHIM") == "1":
    from pymongo.collection import Collection

    _create_index = Collection.create_index
    _update_many = Collection.update_many

    def _keys(keys):
        if isinstance(keys, str):
            return [(keys, 1)]
        return list(keys.items()) if isinstance(keys, dict) else list(keys)

    def create_index(self, keys, session=None, **kwargs):
        if any(kind == "text" for _, kind in _keys(keys)):
            sys.stderr.write("prancer-ferretdb-shim: skipped text index %r on %s\n" % (keys, self.full_name))
            return "skipped_text_index"
        return _create_index(self, keys, session=session, **kwargs)

    def _get(doc, path):
        for part in path.split("."):
            if isinstance(doc, dict) and part in doc:
                doc = doc[part]
            else:
                return None
        return doc

    def update_many(self, filter, update, *args, **kwargs):
        fields = update.get("$set", {}) if isinstance(update, dict) else {}
        positional = [k for k in fields if ".$." in k or k.endswith(".$")]
        if not positional:
            return _update_many(self, filter, update, *args, **kwargs)
        if len(update) != 1 or len(filter) != 1:
            raise NotImplementedError("prancer-ferretdb-shim: only a one-key filter with a $set of positional paths is emulated")
        (fkey, fvalue), = filter.items()
        for key in positional:
            array_path, _, rest = key.partition(".$")
            rest = rest.lstrip(".")
            if not fkey.startswith(array_path + "."):
                raise NotImplementedError("prancer-ferretdb-shim: the filter %r does not match the array of %r" % (fkey, key))
        for doc in self.find(filter):
            sets = {}
            for key in positional:
                array_path, _, rest = key.partition(".$")
                rest = rest.lstrip(".")
                element_field = fkey[len(array_path) + 1:]
                items = _get(doc, array_path) or []
                index = next(i for i, item in enumerate(items) if _get(item, element_field) == fvalue)
                sets[array_path + "." + str(index) + ("." + rest if rest else "")] = fields[key]
            for key, value in fields.items():
                if key not in positional:
                    sets[key] = value
            self.update_one({"_id": doc["_id"]}, {"$set": sets})

    Collection.create_index = create_index
    Collection.update_many = update_many
