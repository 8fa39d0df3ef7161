package main

// The commands: the handshake and server information the Node driver and the Database Tools ask for, the catalog
// (listDatabases, listCollections, listIndexes), reads (find, getMore, killCursors, count, aggregate for counts and
// $match), sessions, and writes that are acknowledged and discarded. Anything else is CommandNotFound, logged.

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"
)

const maxWireVersion = 21 // MongoDB 7.0

type cmdError struct {
	code     int32
	codeName string
	msg      string
}

func (e *cmdError) Error() string { return e.msg }

func badValue(format string, args ...any) error {
	return &cmdError{code: 2, codeName: "BadValue", msg: fmt.Sprintf(format, args...)}
}

func appendError(dst []byte, code int32, codeName, msg string) []byte {
	idx, dst := bsoncore.AppendDocumentStart(dst)
	dst = bsoncore.AppendDoubleElement(dst, "ok", 0)
	dst = bsoncore.AppendStringElement(dst, "errmsg", msg)
	dst = bsoncore.AppendInt32Element(dst, "code", code)
	dst = bsoncore.AppendStringElement(dst, "codeName", codeName)
	dst, _ = bsoncore.AppendDocumentEnd(dst, idx)
	return dst
}

type handler func(s *server, c *conn, cmd *command, dst []byte) ([]byte, error)

var handlers map[string]handler

func init() {
	handlers = map[string]handler{
		"hello": cmdHello, "isMaster": cmdHello, "ismaster": cmdHello,
		"ping":             okOnly,
		"buildInfo":        cmdBuildInfo,
		"buildinfo":        cmdBuildInfo,
		"getParameter":     cmdGetParameter,
		"getCmdLineOpts":   cmdGetCmdLineOpts,
		"serverStatus":     cmdServerStatus,
		"listDatabases":    cmdListDatabases,
		"listCollections":  cmdListCollections,
		"listIndexes":      cmdListIndexes,
		"count":            cmdCount,
		"aggregate":        cmdAggregate,
		"find":             cmdFind,
		"getMore":          cmdGetMore,
		"killCursors":      cmdKillCursors,
		"endSessions":      okOnly,
		"killSessions":     okOnly,
		"insert":           cmdInsert,
		"update":           cmdUpdate,
		"delete":           cmdDelete,
		"drop":             okOnly,
		"dropDatabase":     okOnly,
		"create":           okOnly,
		"createIndexes":    cmdCreateIndexes,
		"connectionStatus": cmdConnectionStatus,
	}
}

// run executes a command and appends its reply document to dst.
func (s *server) run(c *conn, cmd *command, dst []byte) []byte {
	cmd.name = commandName(cmd.body)
	if s.logCommands {
		c.logf("%s %s", cmd.db, truncate(cmd.body.String(), 400))
	}
	h := handlers[cmd.name]
	if h == nil {
		c.logf("unsupported command %q: %s", cmd.name, truncate(cmd.body.String(), 400))
		return appendError(dst, 59, "CommandNotFound", fmt.Sprintf("no such command: '%s'", cmd.name))
	}
	start := len(dst)
	out, err := h(s, c, cmd, dst)
	if err != nil {
		c.logf("%s failed: %v", cmd.name, err)
		var ce *cmdError
		var ue *unsupportedError
		switch {
		case errors.As(err, &ce):
			return appendError(dst[:start], ce.code, ce.codeName, ce.msg)
		case errors.As(err, &ue):
			return appendError(dst[:start], 2, "BadValue", ue.Error())
		}
		return appendError(dst[:start], 1, "InternalError", err.Error())
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

func okOnly(_ *server, _ *conn, _ *command, dst []byte) ([]byte, error) {
	return append(dst, bsoncore.NewDocumentBuilder().AppendDouble("ok", 1).Build()...), nil
}

// ---------------------------------------------------------------------------------------------------------------
// Handshake and server information.

func cmdHello(_ *server, c *conn, cmd *command, dst []byte) ([]byte, error) {
	b := bsoncore.NewDocumentBuilder()
	if cmd.name == "hello" {
		b.AppendBoolean("isWritablePrimary", true)
	} else {
		b.AppendBoolean("ismaster", true)
	}
	if v, err := cmd.body.LookupErr("helloOk"); err == nil && truthy(v) {
		b.AppendBoolean("helloOk", true)
	}
	b.AppendInt32("maxBsonObjectSize", maxDocumentSize).
		AppendInt32("maxMessageSizeBytes", maxMessageSize).
		AppendInt32("maxWriteBatchSize", 100000).
		AppendDateTime("localTime", time.Now().UnixMilli()).
		AppendInt32("logicalSessionTimeoutMinutes", 30).
		AppendInt32("connectionId", c.id).
		AppendInt32("minWireVersion", 0).
		AppendInt32("maxWireVersion", maxWireVersion).
		AppendBoolean("readOnly", false).
		AppendDouble("ok", 1)
	return append(dst, b.Build()...), nil
}

func cmdBuildInfo(_ *server, _ *conn, _ *command, dst []byte) ([]byte, error) {
	versionArray := bsoncore.NewArrayBuilder().AppendInt32(7).AppendInt32(0).AppendInt32(0).AppendInt32(0).Build()
	engines := bsoncore.NewArrayBuilder().AppendString("replay").Build()
	doc := bsoncore.NewDocumentBuilder().
		AppendString("version", "7.0.0").
		AppendString("gitVersion", "replay-peer").
		AppendArray("versionArray", versionArray).
		AppendInt32("bits", 64).
		AppendBoolean("debug", false).
		AppendInt32("maxBsonObjectSize", maxDocumentSize).
		AppendArray("storageEngines", engines).
		AppendDouble("ok", 1).
		Build()
	return append(dst, doc...), nil
}

func cmdGetParameter(_ *server, _ *conn, cmd *command, dst []byte) ([]byte, error) {
	b := bsoncore.NewDocumentBuilder()
	all := false
	if v, err := cmd.body.LookupErr("getParameter"); err == nil && v.Type == bsoncore.TypeString && v.StringValue() == "*" {
		all = true
	}
	elems, _ := cmd.body.Elements()
	for _, el := range elems {
		key := el.Key()
		if key == "getParameter" || strings.HasPrefix(key, "$") || key == "lsid" {
			continue
		}
		if key != "featureCompatibilityVersion" {
			return nil, &cmdError{code: 72, codeName: "InvalidOptions", msg: fmt.Sprintf("replay-peer has no parameter %q", key)}
		}
	}
	// Every parameter asked for (or all of them) is featureCompatibilityVersion here.
	_ = all
	b.AppendDocument("featureCompatibilityVersion", bsoncore.NewDocumentBuilder().AppendString("version", "7.0").Build())
	b.AppendDouble("ok", 1)
	return append(dst, b.Build()...), nil
}

func cmdGetCmdLineOpts(_ *server, _ *conn, _ *command, dst []byte) ([]byte, error) {
	argv := bsoncore.NewArrayBuilder()
	for _, a := range os.Args {
		argv.AppendString(a)
	}
	doc := bsoncore.NewDocumentBuilder().
		AppendArray("argv", argv.Build()).
		AppendDocument("parsed", bsoncore.NewDocumentBuilder().Build()).
		AppendDouble("ok", 1).
		Build()
	return append(dst, doc...), nil
}

var started = time.Now()

func cmdServerStatus(_ *server, _ *conn, _ *command, dst []byte) ([]byte, error) {
	host, _ := os.Hostname()
	doc := bsoncore.NewDocumentBuilder().
		AppendString("host", host).
		AppendString("version", "7.0.0").
		AppendString("process", "replay-peer").
		AppendInt64("pid", int64(os.Getpid())).
		AppendDouble("uptime", time.Since(started).Seconds()).
		AppendDateTime("localTime", time.Now().UnixMilli()).
		AppendDouble("ok", 1).
		Build()
	return append(dst, doc...), nil
}

func cmdConnectionStatus(_ *server, _ *conn, _ *command, dst []byte) ([]byte, error) {
	info := bsoncore.NewDocumentBuilder().
		AppendArray("authenticatedUsers", bsoncore.NewArrayBuilder().Build()).
		AppendArray("authenticatedUserRoles", bsoncore.NewArrayBuilder().Build()).
		Build()
	return append(dst, bsoncore.NewDocumentBuilder().AppendDocument("authInfo", info).AppendDouble("ok", 1).Build()...), nil
}

// ---------------------------------------------------------------------------------------------------------------
// Catalog.

func stringArg(cmd *command, key string) (string, error) {
	v, err := cmd.body.LookupErr(key)
	if err != nil || v.Type != bsoncore.TypeString {
		return "", badValue("%s: %q must be a string", cmd.name, key)
	}
	return v.StringValue(), nil
}

func docArg(cmd *command, key string) (bsoncore.Document, error) {
	v, err := cmd.body.LookupErr(key)
	if err != nil || v.Type == bsoncore.TypeNull {
		return nil, nil
	}
	if v.Type != bsoncore.TypeEmbeddedDocument {
		return nil, badValue("%s: %q must be an object", cmd.name, key)
	}
	return v.Document(), nil
}

func intArg(cmd *command, key string) (int64, bool, error) {
	v, err := cmd.body.LookupErr(key)
	if err != nil || v.Type == bsoncore.TypeNull {
		return 0, false, nil
	}
	n, ok := v.AsInt64OK()
	if !ok {
		return 0, false, badValue("%s: %q must be a number", cmd.name, key)
	}
	return n, true, nil
}

func boolArg(cmd *command, key string) bool {
	v, err := cmd.body.LookupErr(key)
	return err == nil && truthy(v)
}

// singleBatch replies with every document in the first batch and cursor id 0.
func singleBatch(dst []byte, ns string, docs [][]byte) []byte {
	return appendCursorReply(dst, "firstBatch", docs, 0, ns)
}

func filterDocs(filter bsoncore.Document, docs [][]byte) ([][]byte, error) {
	m, err := compileFilter(filter)
	if err != nil || m == nil {
		return docs, err
	}
	var out [][]byte
	for _, d := range docs {
		ok, err := m.match(d)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, d)
		}
	}
	return out, nil
}

func cmdListDatabases(s *server, _ *conn, cmd *command, dst []byte) ([]byte, error) {
	filter, err := docArg(cmd, "filter")
	if err != nil {
		return nil, err
	}
	nameOnly := boolArg(cmd, "nameOnly")
	names, sizes := s.store.databases()
	var entries [][]byte
	var total int64
	for _, n := range names {
		b := bsoncore.NewDocumentBuilder().AppendString("name", n)
		if !nameOnly {
			b.AppendInt64("sizeOnDisk", sizes[n]).AppendBoolean("empty", false)
		}
		entries = append(entries, b.Build())
		total += sizes[n]
	}
	if entries, err = filterDocs(filter, entries); err != nil {
		return nil, err
	}
	arr := bsoncore.NewArrayBuilder()
	for _, e := range entries {
		arr.AppendDocument(e)
	}
	b := bsoncore.NewDocumentBuilder().AppendArray("databases", arr.Build())
	if !nameOnly {
		b.AppendInt64("totalSize", total).AppendInt64("totalSizeMb", total>>20)
	}
	return append(dst, b.AppendDouble("ok", 1).Build()...), nil
}

func idIndex() bsoncore.Document {
	return bsoncore.NewDocumentBuilder().
		AppendInt32("v", 2).
		AppendDocument("key", bsoncore.NewDocumentBuilder().AppendInt32("_id", 1).Build()).
		AppendString("name", "_id_").
		Build()
}

func cmdListCollections(s *server, _ *conn, cmd *command, dst []byte) ([]byte, error) {
	filter, err := docArg(cmd, "filter")
	if err != nil {
		return nil, err
	}
	nameOnly := boolArg(cmd, "nameOnly")
	var entries [][]byte
	for _, coll := range s.store.collections(cmd.db) {
		b := bsoncore.NewDocumentBuilder().AppendString("name", coll.name).AppendString("type", "collection")
		if !nameOnly {
			uuid := sha256.Sum256([]byte(coll.ns()))
			uuid[6] = uuid[6]&0x0f | 0x40
			uuid[8] = uuid[8]&0x3f | 0x80
			info := bsoncore.NewDocumentBuilder().AppendBoolean("readOnly", false).AppendBinary("uuid", 4, uuid[:16]).Build()
			b.AppendDocument("options", bsoncore.NewDocumentBuilder().Build()).
				AppendDocument("info", info).
				AppendDocument("idIndex", idIndex())
		}
		entries = append(entries, b.Build())
	}
	if entries, err = filterDocs(filter, entries); err != nil {
		return nil, err
	}
	return singleBatch(dst, cmd.db+".$cmd.listCollections", entries), nil
}

func nsNotFound(ns string) error {
	return &cmdError{code: 26, codeName: "NamespaceNotFound", msg: "ns does not exist: " + ns}
}

func cmdListIndexes(s *server, _ *conn, cmd *command, dst []byte) ([]byte, error) {
	name, err := stringArg(cmd, "listIndexes")
	if err != nil {
		return nil, err
	}
	if s.store.get(cmd.db, name) == nil {
		return nil, nsNotFound(cmd.db + "." + name)
	}
	return singleBatch(dst, cmd.db+"."+name, [][]byte{idIndex()}), nil
}

// ---------------------------------------------------------------------------------------------------------------
// Reads.

type readSpec struct {
	coll   *collection
	ns     string
	filter matcher
	order  []int32
	skip   int64
	limit  int64 // < 0: none
}

// prepare compiles the filter and the sort and checks the options that would change the result.
func prepareRead(s *server, cmd *command, collName string, filter, sortSpec bsoncore.Document, skip, limit int64) (*readSpec, error) {
	spec := &readSpec{coll: s.store.get(cmd.db, collName), ns: cmd.db + "." + collName, skip: skip, limit: limit}
	var err error
	if spec.filter, err = compileFilter(filter); err != nil {
		return nil, err
	}
	if spec.coll != nil && len(sortSpec) > 5 {
		if spec.order, err = sortOrder(spec.coll, spec.filter, sortSpec); err != nil {
			return nil, err
		}
	}
	return spec, nil
}

func (r *readSpec) cursor() (*cursor, error) {
	var c *cursor
	if r.order != nil {
		c = newCursor(r.coll, r.ns, nil, r.order, r.limit) // the order holds only matching documents
	} else {
		c = newCursor(r.coll, r.ns, r.filter, nil, r.limit)
	}
	return c, c.skip(r.skip)
}

// sortOrder returns the indexes of the matching documents in sort order (stable: ties keep natural order).
func sortOrder(coll *collection, m matcher, spec bsoncore.Document) ([]int32, error) {
	type key struct {
		path []string
		desc bool
	}
	var keys []key
	natural := 0
	elems, err := spec.Elements()
	if err != nil {
		return nil, err
	}
	for _, el := range elems {
		dir, ok := el.Value().AsInt64OK()
		if !ok || (dir != 1 && dir != -1) {
			return nil, unsupported("sort specification %s (only 1 and -1 directions)", spec)
		}
		if el.Key() == "$natural" {
			natural = int(dir)
			continue
		}
		keys = append(keys, key{path: strings.Split(el.Key(), "."), desc: dir < 0})
	}
	var order []int32
	var sortKeys [][]bsoncore.Value
	for i := 0; i < coll.count(); i++ {
		d := coll.doc(i)
		if m != nil {
			ok, err := m.match(d)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
		}
		order = append(order, int32(i))
		var ks []bsoncore.Value
		for _, k := range keys {
			vals, err := collect(d, k.path, nil)
			if err != nil {
				return nil, err
			}
			switch {
			case len(vals) == 0:
				ks = append(ks, bsoncore.Value{Type: bsoncore.TypeNull})
			case vals[0].Type == bsoncore.TypeArray || len(vals) > 1:
				return nil, unsupported("sorting on %s, which is an array (or reached through one) in document %d", strings.Join(k.path, "."), i)
			default:
				ks = append(ks, vals[0])
			}
		}
		sortKeys = append(sortKeys, ks)
	}
	if natural < 0 && len(keys) == 0 {
		for i, j := 0, len(order)-1; i < j; i, j = i+1, j-1 {
			order[i], order[j] = order[j], order[i]
		}
	}
	if len(keys) == 0 {
		return order, nil
	}
	perm := make([]int, len(order))
	for i := range perm {
		perm[i] = i
	}
	var cmpErr error
	sort.SliceStable(perm, func(a, b int) bool {
		for k, spec := range keys {
			c, err := compareValues(sortKeys[perm[a]][k], sortKeys[perm[b]][k])
			if err != nil {
				cmpErr = err
				return false
			}
			if c != 0 {
				return (c < 0) != spec.desc
			}
		}
		return false
	})
	if cmpErr != nil {
		return nil, cmpErr
	}
	sorted := make([]int32, len(order))
	for i, p := range perm {
		sorted[i] = order[p]
	}
	return sorted, nil
}

func cmdFind(s *server, c *conn, cmd *command, dst []byte) ([]byte, error) {
	collName, err := stringArg(cmd, "find")
	if err != nil {
		return nil, err
	}
	for _, refused := range []string{"min", "max", "returnKey", "showRecordId", "tailable", "awaitData", "let"} {
		if v, err := cmd.body.LookupErr(refused); err == nil && truthy(v) {
			return nil, unsupported("find option %q", refused)
		}
	}
	projSpec, err := docArg(cmd, "projection")
	if err != nil {
		return nil, err
	}
	proj, err := compileProjection(projSpec)
	if err != nil {
		return nil, err
	}
	if col, _ := docArg(cmd, "collation"); len(col) > 5 {
		return nil, unsupported("collations (%s)", col)
	}
	filter, err := docArg(cmd, "filter")
	if err != nil {
		return nil, err
	}
	sortSpec, err := docArg(cmd, "sort")
	if err != nil {
		return nil, err
	}
	skip, _, err := intArg(cmd, "skip")
	if err != nil {
		return nil, err
	}
	limit, hasLimit, err := intArg(cmd, "limit")
	if err != nil {
		return nil, err
	}
	batchSize, hasBatch, err := intArg(cmd, "batchSize")
	if err != nil {
		return nil, err
	}
	single := boolArg(cmd, "singleBatch")
	if limit < 0 {
		limit, single = -limit, true
	}
	if !hasLimit || limit == 0 {
		limit = -1
	}
	if skip < 0 || batchSize < 0 {
		return nil, badValue("skip and batchSize must not be negative")
	}
	spec, err := prepareRead(s, cmd, collName, filter, sortSpec, skip, limit)
	if err != nil {
		return nil, err
	}
	cur, err := spec.cursor()
	if err != nil {
		return nil, err
	}
	cur.proj = proj
	first := defaultFirstBatch
	if hasBatch {
		first = int(batchSize)
	}
	if single && !hasBatch {
		first = -1
	}
	docs, done, err := cur.batch(first, nil)
	if err != nil {
		return nil, err
	}
	var id int64
	if !done && !single {
		id = s.cursors.add(cur)
		// Drivers send getMore with the find's batchSize, or none (then as many as fit in 16 MiB).
		next := -1
		if hasBatch && batchSize > 0 {
			next = int(batchSize)
		}
		c.afterReply = func() { cur.prepareNext(next) }
	}
	return appendCursorReply(dst, "firstBatch", docs, id, spec.ns), nil
}

func cmdGetMore(s *server, c *conn, cmd *command, dst []byte) ([]byte, error) {
	v, err := cmd.body.LookupErr("getMore")
	if err != nil || v.Type != bsoncore.TypeInt64 {
		return nil, badValue("getMore: the cursor id must be a long")
	}
	id := v.Int64()
	collName, err := stringArg(cmd, "collection")
	if err != nil {
		return nil, err
	}
	batchSize, hasBatch, err := intArg(cmd, "batchSize")
	if err != nil {
		return nil, err
	}
	cur := s.cursors.take(id)
	if cur == nil {
		return nil, &cmdError{code: 43, codeName: "CursorNotFound", msg: fmt.Sprintf("cursor id %d not found", id)}
	}
	if cur.ns != cmd.db+"."+collName {
		s.cursors.put(cur)
		return nil, &cmdError{code: 13, codeName: "Unauthorized", msg: fmt.Sprintf("cursor %d belongs to %s, not %s.%s", id, cur.ns, cmd.db, collName)}
	}
	max := -1
	if hasBatch && batchSize > 0 {
		max = int(batchSize)
	}
	out, done, err := cur.nextBatchReply(dst, max)
	if err != nil {
		return nil, err
	}
	if !done {
		s.cursors.put(cur)
		c.afterReply = func() { cur.prepareNext(max) }
	}
	return out, nil
}

func cmdKillCursors(s *server, _ *conn, cmd *command, dst []byte) ([]byte, error) {
	v, err := cmd.body.LookupErr("cursors")
	if err != nil || v.Type != bsoncore.TypeArray {
		return nil, badValue("killCursors: cursors must be an array")
	}
	killed, notFound := bsoncore.NewArrayBuilder(), bsoncore.NewArrayBuilder()
	vals, _ := v.Array().Values()
	for _, idv := range vals {
		id, ok := idv.AsInt64OK()
		if !ok {
			continue
		}
		if s.cursors.take(id) != nil {
			killed.AppendInt64(id)
		} else {
			notFound.AppendInt64(id)
		}
	}
	doc := bsoncore.NewDocumentBuilder().
		AppendArray("cursorsKilled", killed.Build()).
		AppendArray("cursorsNotFound", notFound.Build()).
		AppendArray("cursorsAlive", bsoncore.NewArrayBuilder().Build()).
		AppendArray("cursorsUnknown", bsoncore.NewArrayBuilder().Build()).
		AppendDouble("ok", 1).
		Build()
	return append(dst, doc...), nil
}

// countMatching counts the documents a read would return.
func countMatching(spec *readSpec) (int64, error) {
	if spec.coll == nil {
		return 0, nil
	}
	var n int64
	if spec.filter == nil {
		n = int64(spec.coll.count())
	} else {
		for i := 0; i < spec.coll.count(); i++ {
			ok, err := spec.filter.match(spec.coll.doc(i))
			if err != nil {
				return 0, err
			}
			if ok {
				n++
			}
		}
	}
	n = max(n-spec.skip, 0)
	if spec.limit >= 0 {
		n = min(n, spec.limit)
	}
	return n, nil
}

func appendCount(b *bsoncore.DocumentBuilder, key string, n int64) *bsoncore.DocumentBuilder {
	if n <= 1<<31-1 {
		return b.AppendInt32(key, int32(n))
	}
	return b.AppendInt64(key, n)
}

func cmdCount(s *server, _ *conn, cmd *command, dst []byte) ([]byte, error) {
	collName, err := stringArg(cmd, "count")
	if err != nil {
		return nil, err
	}
	query, err := docArg(cmd, "query")
	if err != nil {
		return nil, err
	}
	skip, _, err := intArg(cmd, "skip")
	if err != nil {
		return nil, err
	}
	limit, hasLimit, err := intArg(cmd, "limit")
	if err != nil {
		return nil, err
	}
	if limit < 0 {
		limit = -limit
	}
	if !hasLimit || limit == 0 {
		limit = -1
	}
	spec, err := prepareRead(s, cmd, collName, query, nil, skip, limit)
	if err != nil {
		return nil, err
	}
	n, err := countMatching(spec)
	if err != nil {
		return nil, err
	}
	return append(dst, appendCount(bsoncore.NewDocumentBuilder(), "n", n).AppendDouble("ok", 1).Build()...), nil
}

// cmdAggregate runs the pipelines drivers and tools use for counting and reading:
// [$collStats {count}] then $group {_id: <const>, n: {$sum: "$count"}} (estimated counts); and
// [$match] [$skip] [$limit] ending in $count or $group {_id: <const>, n: {$sum: 1}}, or in nothing (the documents).
func cmdAggregate(s *server, _ *conn, cmd *command, dst []byte) ([]byte, error) {
	collName, err := stringArg(cmd, "aggregate")
	if err != nil {
		return nil, badValue("aggregate: only collection aggregations are supported")
	}
	v, err := cmd.body.LookupErr("pipeline")
	if err != nil || v.Type != bsoncore.TypeArray {
		return nil, badValue("aggregate: pipeline must be an array")
	}
	stages, _ := v.Array().Values()
	var filter bsoncore.Document
	var skip int64
	limit := int64(-1)
	var matched int
	for matched < len(stages) {
		st := stages[matched]
		if st.Type != bsoncore.TypeEmbeddedDocument {
			return nil, badValue("aggregate: each stage must be an object")
		}
		name := commandName(st.Document())
		arg := st.Document().Index(0).Value()
		if name == "$match" && filter == nil && skip == 0 && limit < 0 && arg.Type == bsoncore.TypeEmbeddedDocument {
			filter = arg.Document()
		} else if name == "$skip" && limit < 0 {
			skip += arg.AsInt64()
		} else if name == "$limit" {
			n := arg.AsInt64()
			if limit < 0 || n < limit {
				limit = n
			}
		} else {
			break
		}
		matched++
	}
	ns := cmd.db + "." + collName
	rest := stages[matched:]
	spec, err := prepareRead(s, cmd, collName, filter, nil, skip, limit)
	if err != nil {
		return nil, err
	}
	if len(rest) == 0 {
		cur, err := spec.cursor()
		if err != nil {
			return nil, err
		}
		first := defaultFirstBatch
		if cv, err := cmd.body.LookupErr("cursor", "batchSize"); err == nil {
			first = int(cv.AsInt64())
		}
		docs, done, err := cur.batch(first, nil)
		if err != nil {
			return nil, err
		}
		var id int64
		if !done {
			id = s.cursors.add(cur)
		}
		return appendCursorReply(dst, "firstBatch", docs, id, ns), nil
	}

	var result bsoncore.Document
	switch name := commandName(rest[0].Document()); {
	case name == "$collStats" && matched == 0:
		n, err := countMatching(spec)
		if err != nil {
			return nil, err
		}
		result = appendCount(bsoncore.NewDocumentBuilder().AppendString("ns", ns), "count", n).Build()
		rest = rest[1:]
		if len(rest) > 0 {
			if result, err = groupSum(rest[0].Document(), result, "count"); err != nil {
				return nil, err
			}
			rest = rest[1:]
		}
	case name == "$count":
		n, err := countMatching(spec)
		if err != nil {
			return nil, err
		}
		field := rest[0].Document().Index(0).Value()
		if field.Type != bsoncore.TypeString {
			return nil, badValue("$count needs a field name")
		}
		if n > 0 {
			result = appendCount(bsoncore.NewDocumentBuilder(), field.StringValue(), n).Build()
		}
		rest = rest[1:]
	case name == "$group":
		n, err := countMatching(spec)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			if result, err = groupSum(rest[0].Document(), nil, "", n); err != nil {
				return nil, err
			}
		}
		rest = rest[1:]
	}
	if len(rest) > 0 {
		return nil, unsupported("the aggregation pipeline %s", v.Array())
	}
	var docs [][]byte
	if result != nil {
		docs = append(docs, result)
	}
	return singleBatch(dst, ns, docs), nil
}

// groupSum evaluates {$group: {_id: <constant>, <out>: {$sum: 1 | "$<field>"}}} over one input document (the
// $collStats output) or over `count` documents.
func groupSum(stage bsoncore.Document, input bsoncore.Document, inputField string, count ...int64) (bsoncore.Document, error) {
	if commandName(stage) != "$group" {
		return nil, unsupported("the stage %s", stage)
	}
	spec := stage.Index(0).Value()
	if spec.Type != bsoncore.TypeEmbeddedDocument {
		return nil, badValue("$group needs an object")
	}
	elems, _ := spec.Document().Elements()
	b := bsoncore.NewDocumentBuilder()
	for _, el := range elems {
		v := el.Value()
		if el.Key() == "_id" {
			if v.Type == bsoncore.TypeString && strings.HasPrefix(v.StringValue(), "$") || v.Type == bsoncore.TypeEmbeddedDocument {
				return nil, unsupported("$group by a field")
			}
			b.AppendValue("_id", v)
			continue
		}
		acc, err := v.Document().LookupErr("$sum")
		if v.Type != bsoncore.TypeEmbeddedDocument || err != nil {
			return nil, unsupported("$group accumulator %s", v)
		}
		switch {
		case input != nil && acc.Type == bsoncore.TypeString && acc.StringValue() == "$"+inputField:
			n, _ := input.Lookup(inputField).AsInt64OK()
			appendCount(b, el.Key(), n)
		case input == nil && len(count) == 1 && acc.IsNumber() && acc.AsInt64() == 1:
			appendCount(b, el.Key(), count[0])
		default:
			return nil, unsupported("$group accumulator {$sum: %s}", acc)
		}
	}
	return b.Build(), nil
}

// ---------------------------------------------------------------------------------------------------------------
// Writes: acknowledged as if applied to an empty collection, then discarded.

func listArg(cmd *command, key string) ([]bsoncore.Document, error) {
	if docs, ok := cmd.seqs[key]; ok {
		return docs, nil
	}
	v, err := cmd.body.LookupErr(key)
	if err != nil || v.Type != bsoncore.TypeArray {
		return nil, badValue("%s: %q must be an array", cmd.name, key)
	}
	vals, err := v.Array().Values()
	if err != nil {
		return nil, err
	}
	docs := make([]bsoncore.Document, 0, len(vals))
	for _, d := range vals {
		if d.Type != bsoncore.TypeEmbeddedDocument {
			return nil, badValue("%s: %q entries must be objects", cmd.name, key)
		}
		docs = append(docs, d.Document())
	}
	return docs, nil
}

func cmdInsert(_ *server, _ *conn, cmd *command, dst []byte) ([]byte, error) {
	docs, err := listArg(cmd, "documents")
	if err != nil {
		return nil, err
	}
	return append(dst, appendCount(bsoncore.NewDocumentBuilder(), "n", int64(len(docs))).AppendDouble("ok", 1).Build()...), nil
}

func cmdUpdate(_ *server, _ *conn, cmd *command, dst []byte) ([]byte, error) {
	updates, err := listArg(cmd, "updates")
	if err != nil {
		return nil, err
	}
	upserted := bsoncore.NewArrayBuilder()
	var n int64
	for i, u := range updates {
		if v, err := u.LookupErr("upsert"); err != nil || !truthy(v) {
			continue
		}
		id, err := u.LookupErr("q", "_id")
		if err != nil {
			id, err = u.LookupErr("u", "_id")
		}
		if err != nil {
			// As the server does for an upsert without _id: a new ObjectId.
			var oid [12]byte
			_, _ = rand.Read(oid[:])
			id = bsoncore.Value{Type: bsoncore.TypeObjectID, Data: oid[:]}
		}
		upserted.AppendDocument(bsoncore.NewDocumentBuilder().AppendInt32("index", int32(i)).AppendValue("_id", id).Build())
		n++
	}
	b := appendCount(bsoncore.NewDocumentBuilder(), "n", n).AppendInt32("nModified", 0)
	if n > 0 {
		b.AppendArray("upserted", upserted.Build())
	}
	return append(dst, b.AppendDouble("ok", 1).Build()...), nil
}

func cmdDelete(_ *server, _ *conn, cmd *command, dst []byte) ([]byte, error) {
	if _, err := listArg(cmd, "deletes"); err != nil {
		return nil, err
	}
	return append(dst, bsoncore.NewDocumentBuilder().AppendInt32("n", 0).AppendDouble("ok", 1).Build()...), nil
}

func cmdCreateIndexes(_ *server, _ *conn, _ *command, dst []byte) ([]byte, error) {
	doc := bsoncore.NewDocumentBuilder().
		AppendInt32("numIndexesBefore", 1).
		AppendInt32("numIndexesAfter", 1).
		AppendBoolean("createdCollectionAutomatically", false).
		AppendDouble("ok", 1).
		Build()
	return append(dst, doc...), nil
}
