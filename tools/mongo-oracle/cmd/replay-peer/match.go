package main

// Query filters evaluated on raw BSON, with the semantics of the MongoDB query
// language for what the exports send (src/prancer/incremental.ts, query.ts):
// equality, $eq/$ne, $gt/$gte/$lt/$lte (type-bracketed), $in/$nin, $exists,
// $type (codes, aliases, "number", lists), $not over operators, $and/$or/$nor,
// dotted paths that reach into embedded documents and through arrays, and
// array fields matching through their elements. Anything else ($regex, $expr,
// $elemMatch, regex values, Decimal128 comparisons, collations, ...) is refused
// with an error when the filter is compiled or first evaluated, never answered
// approximately.

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"
)

type unsupportedError struct{ msg string }

func (e *unsupportedError) Error() string { return "replay-peer cannot evaluate this: " + e.msg }

func unsupported(format string, args ...any) error {
	return &unsupportedError{msg: fmt.Sprintf(format, args...)}
}

// matcher decides whether a raw document matches.
type matcher interface {
	match(doc []byte) (bool, error)
}

// ---------------------------------------------------------------------------------------------------------------
// Element access without allocation.

// forEach calls fn for each element of a document or array until fn returns false.
func forEach(doc []byte, fn func(key []byte, v bsoncore.Value) bool) error {
	if len(doc) < 5 {
		return fmt.Errorf("malformed BSON: document of %d bytes", len(doc))
	}
	rem := doc[4 : len(doc)-1]
	for len(rem) > 0 {
		el, rest, ok := bsoncore.ReadElement(rem)
		if !ok {
			return fmt.Errorf("malformed BSON element")
		}
		key, err := el.KeyBytesErr()
		if err != nil {
			return err
		}
		v, err := el.ValueErr()
		if err != nil {
			return err
		}
		if !fn(key, v) {
			return nil
		}
		rem = rest
	}
	return nil
}

// field returns the first element named key.
func field(doc []byte, key string) (bsoncore.Value, bool, error) {
	var out bsoncore.Value
	found := false
	err := forEach(doc, func(k []byte, v bsoncore.Value) bool {
		if string(k) == key {
			out, found = v, true
			return false
		}
		return true
	})
	return out, found, err
}

// collect appends the values a dotted path reaches: through embedded documents, through every document element of an
// array (and a numeric part also selects that element), and a reached array contributes itself and its elements.
func collect(doc []byte, path []string, out []bsoncore.Value) ([]bsoncore.Value, error) {
	v, ok, err := field(doc, path[0])
	if err != nil || !ok {
		return out, err
	}
	return collectValue(v, path[1:], out)
}

func collectValue(v bsoncore.Value, rest []string, out []bsoncore.Value) ([]bsoncore.Value, error) {
	if len(rest) == 0 {
		out = append(out, v)
		if v.Type == bsoncore.TypeArray {
			err := forEach(v.Data, func(_ []byte, e bsoncore.Value) bool {
				out = append(out, e)
				return true
			})
			return out, err
		}
		return out, nil
	}
	switch v.Type {
	case bsoncore.TypeEmbeddedDocument:
		return collect(v.Data, rest, out)
	case bsoncore.TypeArray:
		var err error
		if isIndex(rest[0]) {
			var e bsoncore.Value
			var ok bool
			if e, ok, err = field(v.Data, rest[0]); err != nil {
				return out, err
			} else if ok {
				if out, err = collectValue(e, rest[1:], out); err != nil {
					return out, err
				}
			}
		}
		ferr := forEach(v.Data, func(_ []byte, e bsoncore.Value) bool {
			if e.Type == bsoncore.TypeEmbeddedDocument {
				out, err = collect(e.Data, rest, out)
			}
			return err == nil
		})
		if err == nil {
			err = ferr
		}
		return out, err
	}
	return out, nil
}

func isIndex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ---------------------------------------------------------------------------------------------------------------
// Comparison in MongoDB's order: canonical type brackets first, then values within a bracket.

func bracket(t bsoncore.Type) int {
	switch t {
	case bsoncore.TypeMinKey:
		return 1
	case bsoncore.TypeNull, bsoncore.TypeUndefined:
		return 2
	case bsoncore.TypeDouble, bsoncore.TypeInt32, bsoncore.TypeInt64, bsoncore.TypeDecimal128:
		return 3
	case bsoncore.TypeString, bsoncore.TypeSymbol:
		return 4
	case bsoncore.TypeEmbeddedDocument:
		return 5
	case bsoncore.TypeArray:
		return 6
	case bsoncore.TypeBinary:
		return 7
	case bsoncore.TypeObjectID:
		return 8
	case bsoncore.TypeBoolean:
		return 9
	case bsoncore.TypeDateTime:
		return 10
	case bsoncore.TypeTimestamp:
		return 11
	case bsoncore.TypeRegex:
		return 12
	case bsoncore.TypeDBPointer:
		return 13
	case bsoncore.TypeJavaScript:
		return 14
	case bsoncore.TypeCodeWithScope:
		return 15
	case bsoncore.TypeMaxKey:
		return 100
	}
	return 0
}

func sign[T int | int64 | uint64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compareValues orders two values; values of different brackets order by bracket.
func compareValues(a, b bsoncore.Value) (int, error) {
	ba, bb := bracket(a.Type), bracket(b.Type)
	if ba == 0 || bb == 0 {
		return 0, fmt.Errorf("malformed BSON: unknown type")
	}
	if ba != bb {
		return sign(ba, bb), nil
	}
	switch ba {
	case 1, 2, 100:
		return 0, nil
	case 3:
		return compareNumbers(a, b)
	case 4:
		return bytes.Compare(stringBytes(a), stringBytes(b)), nil
	case 5, 6:
		return compareDocuments(a.Data, b.Data)
	case 7:
		sa, da := binaryParts(a)
		sb, db := binaryParts(b)
		if len(da) != len(db) {
			return sign(len(da), len(db)), nil
		}
		if sa != sb {
			return sign(int(sa), int(sb)), nil
		}
		return bytes.Compare(da, db), nil
	case 8:
		return bytes.Compare(a.Data[:12], b.Data[:12]), nil
	case 9:
		return sign(int(a.Data[0]), int(b.Data[0])), nil
	case 10:
		return sign(int64(binary.LittleEndian.Uint64(a.Data)), int64(binary.LittleEndian.Uint64(b.Data))), nil
	case 11:
		ta, ia := a.Timestamp()
		tb, ib := b.Timestamp()
		return sign(uint64(ta)<<32|uint64(ia), uint64(tb)<<32|uint64(ib)), nil
	}
	return 0, unsupported("comparing values of BSON type %s", a.Type)
}

func stringBytes(v bsoncore.Value) []byte {
	n := int(int32(binary.LittleEndian.Uint32(v.Data)))
	return v.Data[4 : 4+n-1]
}

func binaryParts(v bsoncore.Value) (byte, []byte) {
	n := int(int32(binary.LittleEndian.Uint32(v.Data)))
	return v.Data[4], v.Data[5 : 5+n]
}

func compareDocuments(a, b []byte) (int, error) {
	ra, rb := a[4:len(a)-1], b[4:len(b)-1]
	for {
		if len(ra) == 0 || len(rb) == 0 {
			return sign(len(ra), len(rb)), nil
		}
		ea, resta, oka := bsoncore.ReadElement(ra)
		eb, restb, okb := bsoncore.ReadElement(rb)
		if !oka || !okb {
			return 0, fmt.Errorf("malformed BSON element")
		}
		va, vb := ea.Value(), eb.Value()
		if ba, bb := bracket(va.Type), bracket(vb.Type); ba != bb {
			return sign(ba, bb), nil
		}
		if c := bytes.Compare(ea.KeyBytes(), eb.KeyBytes()); c != 0 {
			return c, nil
		}
		c, err := compareValues(va, vb)
		if err != nil || c != 0 {
			return c, err
		}
		ra, rb = resta, restb
	}
}

func compareNumbers(a, b bsoncore.Value) (int, error) {
	if a.Type == bsoncore.TypeDecimal128 || b.Type == bsoncore.TypeDecimal128 {
		return 0, unsupported("comparing a Decimal128 value")
	}
	if a.Type != bsoncore.TypeDouble && b.Type != bsoncore.TypeDouble {
		return sign(a.AsInt64(), b.AsInt64()), nil
	}
	if a.Type == bsoncore.TypeDouble && b.Type == bsoncore.TypeDouble {
		return compareDoubles(a.Double(), b.Double()), nil
	}
	if a.Type == bsoncore.TypeDouble {
		return -compareIntDouble(b.AsInt64(), a.Double()), nil
	}
	return compareIntDouble(a.AsInt64(), b.Double()), nil
}

// compareDoubles: NaN equals NaN and sorts below every other number; -0 equals 0.
func compareDoubles(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return -1
	case bn:
		return 1
	}
	return sign(a, b)
}

// compareIntDouble compares exactly, without rounding the integer to a double.
func compareIntDouble(i int64, d float64) int {
	switch {
	case math.IsNaN(d):
		return 1
	case d >= 9223372036854775808.0:
		return -1
	case d < -9223372036854775808.0:
		return 1
	}
	t := int64(d) // truncates toward zero; exact for |d| < 2^63
	if i != t {
		return sign(i, t)
	}
	frac := d - float64(t)
	switch {
	case frac > 0:
		return -1
	case frac < 0:
		return 1
	}
	return 0
}

// ---------------------------------------------------------------------------------------------------------------
// Compiled filters.

type allOf []matcher
type anyOf []matcher
type noneOf []matcher

func (m allOf) match(doc []byte) (bool, error) {
	for _, c := range m {
		if ok, err := c.match(doc); err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

func (m anyOf) match(doc []byte) (bool, error) {
	for _, c := range m {
		if ok, err := c.match(doc); err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

func (m noneOf) match(doc []byte) (bool, error) {
	ok, err := anyOf(m).match(doc)
	return !ok && err == nil, err
}

// predicate tests the values a path reached (none when the field is missing).
type predicate interface {
	test(values []bsoncore.Value) (bool, error)
}

type fieldMatch struct {
	path  []string
	preds []predicate
}

func (m *fieldMatch) match(doc []byte) (bool, error) {
	var buf [8]bsoncore.Value
	values, err := collect(doc, m.path, buf[:0])
	if err != nil {
		return false, err
	}
	for _, p := range m.preds {
		if ok, err := p.test(values); err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

type eqPred struct{ v bsoncore.Value }

func (p eqPred) test(values []bsoncore.Value) (bool, error) {
	if bracket(p.v.Type) == 2 {
		// {f: null} also matches a missing field.
		if len(values) == 0 {
			return true, nil
		}
	}
	for _, v := range values {
		if bracket(v.Type) != bracket(p.v.Type) {
			continue
		}
		c, err := compareValues(v, p.v)
		if err != nil || c == 0 {
			return err == nil, err
		}
	}
	return false, nil
}

type cmpPred struct {
	op    string
	bound bsoncore.Value
}

func (p cmpPred) test(values []bsoncore.Value) (bool, error) {
	if bracket(p.bound.Type) == 2 {
		if p.op == "$gte" || p.op == "$lte" {
			return eqPred{p.bound}.test(values)
		}
		return false, nil
	}
	for _, v := range values {
		if bracket(v.Type) != bracket(p.bound.Type) {
			continue
		}
		c, err := compareValues(v, p.bound)
		if err != nil {
			return false, err
		}
		if (p.op == "$gt" && c > 0) || (p.op == "$gte" && c >= 0) || (p.op == "$lt" && c < 0) || (p.op == "$lte" && c <= 0) {
			return true, nil
		}
	}
	return false, nil
}

type inPred []bsoncore.Value

func (p inPred) test(values []bsoncore.Value) (bool, error) {
	for _, want := range p {
		if ok, err := (eqPred{want}).test(values); err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

type notPred []predicate

func (p notPred) test(values []bsoncore.Value) (bool, error) {
	for _, q := range p {
		ok, err := q.test(values)
		if err != nil {
			return false, err
		}
		if !ok {
			return true, nil
		}
	}
	return false, nil
}

type existsPred bool

func (p existsPred) test(values []bsoncore.Value) (bool, error) {
	return (len(values) > 0) == bool(p), nil
}

type typePred struct {
	types  map[bsoncore.Type]bool
	number bool
}

func (p typePred) test(values []bsoncore.Value) (bool, error) {
	for _, v := range values {
		if p.types[v.Type] || (p.number && bracket(v.Type) == 3) {
			return true, nil
		}
	}
	return false, nil
}

var typeAliases = map[string]bsoncore.Type{
	"double": bsoncore.TypeDouble, "string": bsoncore.TypeString, "object": bsoncore.TypeEmbeddedDocument,
	"array": bsoncore.TypeArray, "binData": bsoncore.TypeBinary, "undefined": bsoncore.TypeUndefined,
	"objectId": bsoncore.TypeObjectID, "bool": bsoncore.TypeBoolean, "date": bsoncore.TypeDateTime,
	"null": bsoncore.TypeNull, "regex": bsoncore.TypeRegex, "dbPointer": bsoncore.TypeDBPointer,
	"javascript": bsoncore.TypeJavaScript, "symbol": bsoncore.TypeSymbol, "javascriptWithScope": bsoncore.TypeCodeWithScope,
	"int": bsoncore.TypeInt32, "timestamp": bsoncore.TypeTimestamp, "long": bsoncore.TypeInt64,
	"decimal": bsoncore.TypeDecimal128, "minKey": bsoncore.TypeMinKey, "maxKey": bsoncore.TypeMaxKey,
}

// compileFilter compiles a find/count/$match filter; an empty filter gives nil (every document).
func compileFilter(filter []byte) (matcher, error) {
	if len(filter) <= 5 {
		return nil, nil
	}
	var parts allOf
	var err error
	ferr := forEach(filter, func(k []byte, v bsoncore.Value) bool {
		key := string(k)
		var m matcher
		m, err = compileClause(key, v)
		if m != nil {
			parts = append(parts, m)
		}
		return err == nil
	})
	if err == nil {
		err = ferr
	}
	if err != nil {
		return nil, err
	}
	if len(parts) == 0 {
		return nil, nil
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	return parts, nil
}

func compileClause(key string, v bsoncore.Value) (matcher, error) {
	if strings.HasPrefix(key, "$") {
		switch key {
		case "$and", "$or", "$nor":
			if v.Type != bsoncore.TypeArray {
				return nil, fmt.Errorf("%s must be an array", key)
			}
			var subs []matcher
			var err error
			ferr := forEach(v.Data, func(_ []byte, e bsoncore.Value) bool {
				if e.Type != bsoncore.TypeEmbeddedDocument {
					err = fmt.Errorf("%s entries must be objects", key)
					return false
				}
				var m matcher
				if m, err = compileFilter(e.Data); err == nil {
					if m == nil {
						m = allOf(nil)
					}
					subs = append(subs, m)
				}
				return err == nil
			})
			if err == nil {
				err = ferr
			}
			if err != nil {
				return nil, err
			}
			if len(subs) == 0 {
				return nil, fmt.Errorf("%s must be a nonempty array", key)
			}
			switch key {
			case "$and":
				return allOf(subs), nil
			case "$or":
				return anyOf(subs), nil
			}
			return noneOf(subs), nil
		case "$comment":
			return nil, nil
		}
		return nil, unsupported("the top-level operator %s", key)
	}
	path := strings.Split(key, ".")
	for _, part := range path {
		if part == "" {
			return nil, fmt.Errorf("empty field name in path %q", key)
		}
	}
	if v.Type == bsoncore.TypeEmbeddedDocument && firstKeyIsOperator(v.Data) {
		preds, err := compileOperators(v.Data)
		if err != nil {
			return nil, err
		}
		return &fieldMatch{path: path, preds: preds}, nil
	}
	p, err := equality(v)
	if err != nil {
		return nil, err
	}
	return &fieldMatch{path: path, preds: []predicate{p}}, nil
}

func firstKeyIsOperator(doc []byte) bool {
	op := false
	_ = forEach(doc, func(k []byte, _ bsoncore.Value) bool {
		op = len(k) > 0 && k[0] == '$'
		return false
	})
	return op
}

func equality(v bsoncore.Value) (predicate, error) {
	if v.Type == bsoncore.TypeRegex {
		return nil, unsupported("regular expression matching")
	}
	if v.Type == bsoncore.TypeMinKey || v.Type == bsoncore.TypeMaxKey || v.Type == bsoncore.TypeDecimal128 {
		return nil, unsupported("comparisons with %s", v.Type)
	}
	return eqPred{v}, nil
}

func compileOperators(doc []byte) ([]predicate, error) {
	var preds []predicate
	var err error
	ferr := forEach(doc, func(k []byte, v bsoncore.Value) bool {
		op := string(k)
		var p predicate
		switch op {
		case "$eq":
			p, err = equality(v)
		case "$ne":
			if p, err = equality(v); err == nil {
				p = notPred{p}
			}
		case "$gt", "$gte", "$lt", "$lte":
			if _, err = equality(v); err == nil {
				p = cmpPred{op: op, bound: v}
			}
		case "$in", "$nin":
			if v.Type != bsoncore.TypeArray {
				err = fmt.Errorf("%s needs an array", op)
				break
			}
			var list inPred
			ferr := forEach(v.Data, func(_ []byte, e bsoncore.Value) bool {
				if _, err = equality(e); err == nil {
					list = append(list, e)
				}
				return err == nil
			})
			if err == nil {
				err = ferr
			}
			p = list
			if op == "$nin" {
				p = notPred{list}
			}
		case "$exists":
			p = existsPred(truthy(v))
		case "$type":
			p, err = compileType(v)
		case "$not":
			if v.Type != bsoncore.TypeEmbeddedDocument {
				err = unsupported("$not with a %s (only an operator document)", v.Type)
				break
			}
			var inner []predicate
			if inner, err = compileOperators(v.Data); err == nil {
				p = notPred{allPreds(inner)}
			}
		default:
			err = unsupported("the operator %s", op)
		}
		if p != nil {
			preds = append(preds, p)
		}
		return err == nil
	})
	if err == nil {
		err = ferr
	}
	return preds, err
}

type allPreds []predicate

func (p allPreds) test(values []bsoncore.Value) (bool, error) {
	for _, q := range p {
		if ok, err := q.test(values); err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

func truthy(v bsoncore.Value) bool {
	switch v.Type {
	case bsoncore.TypeBoolean:
		return v.Boolean()
	case bsoncore.TypeInt32, bsoncore.TypeInt64, bsoncore.TypeDouble:
		return v.AsFloat64() != 0
	case bsoncore.TypeNull, bsoncore.TypeUndefined:
		return false
	}
	return true
}

func compileType(v bsoncore.Value) (predicate, error) {
	p := typePred{types: map[bsoncore.Type]bool{}}
	add := func(e bsoncore.Value) error {
		switch e.Type {
		case bsoncore.TypeString:
			name := e.StringValue()
			if name == "number" {
				p.number = true
				return nil
			}
			t, ok := typeAliases[name]
			if !ok {
				return fmt.Errorf("unknown type name alias: %s", name)
			}
			p.types[t] = true
			return nil
		case bsoncore.TypeInt32, bsoncore.TypeInt64, bsoncore.TypeDouble:
			code := e.AsFloat64()
			if code == -1 {
				p.types[bsoncore.TypeMinKey] = true
				return nil
			}
			if code != math.Trunc(code) || code < 1 || (code > 19 && code != 127) {
				return fmt.Errorf("invalid numerical type code: %s", strconv.FormatFloat(code, 'g', -1, 64))
			}
			p.types[bsoncore.Type(byte(code))] = true
			return nil
		}
		return fmt.Errorf("type must be represented as a number or a string")
	}
	if v.Type == bsoncore.TypeArray {
		var err error
		ferr := forEach(v.Data, func(_ []byte, e bsoncore.Value) bool {
			err = add(e)
			return err == nil
		})
		if err == nil {
			err = ferr
		}
		return p, err
	}
	return p, add(v)
}

// ---------------------------------------------------------------------------------------------------------------
// Projections: top-level fields only, all included or all excluded (_id may be excluded from an inclusion).

type projection struct {
	fields    map[string]bool
	inclusion bool
	keepID    bool
}

func compileProjection(spec []byte) (*projection, error) {
	if len(spec) <= 5 {
		return nil, nil
	}
	p := &projection{fields: map[string]bool{}, keepID: true}
	mode := 0 // 1 inclusion, -1 exclusion
	var err error
	ferr := forEach(spec, func(k []byte, v bsoncore.Value) bool {
		key := string(k)
		if strings.ContainsAny(key, ".$") || !(v.Type == bsoncore.TypeBoolean || v.IsNumber()) {
			err = unsupported("the projection %s (only top-level fields with 1 or 0)", bsoncore.Document(spec))
			return false
		}
		include := truthy(v)
		if key == "_id" {
			p.keepID = include
			if include && mode == 0 {
				mode = 1
			}
			return true
		}
		m := -1
		if include {
			m = 1
		}
		if mode != 0 && mode != m && !(mode == 1 && len(p.fields) == 0) {
			err = badValue("projection cannot mix inclusion and exclusion: %s", bsoncore.Document(spec))
			return false
		}
		mode = m
		p.fields[key] = true
		return true
	})
	if err == nil {
		err = ferr
	}
	p.inclusion = mode == 1
	return p, err
}

// apply returns a new document with the projected fields, in the document's order.
func (p *projection) apply(doc []byte) ([]byte, error) {
	idx, out := bsoncore.AppendDocumentStart(nil)
	rem := doc[4 : len(doc)-1]
	for len(rem) > 0 {
		el, rest, ok := bsoncore.ReadElement(rem)
		if !ok {
			return nil, fmt.Errorf("malformed BSON element")
		}
		key := string(el.KeyBytes())
		keep := p.fields[key] == p.inclusion
		if key == "_id" {
			keep = p.keepID
		}
		if keep {
			out = append(out, el...)
		}
		rem = rest
	}
	return bsoncore.AppendDocumentEnd(out, idx)
}
