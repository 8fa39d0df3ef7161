package main

import (
	"math"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := bson.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func matches(t *testing.T, filter bson.D, doc bson.D) bool {
	t.Helper()
	m, err := compileFilter(mustMarshal(t, filter))
	if err != nil {
		t.Fatalf("compile %v: %v", filter, err)
	}
	if m == nil {
		return true
	}
	ok, err := m.match(mustMarshal(t, doc))
	if err != nil {
		t.Fatalf("match %v on %v: %v", filter, doc, err)
	}
	return ok
}

// The window filter of src/prancer/incremental.ts (timestampRange), with lower bound 1000 and strict = false.
func windowFilter(lower float64, op string) bson.D {
	const limit = 8.64e15
	return bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "timestamp", Value: bson.D{
			{Key: "$type", Value: bson.A{"int", "long", "double"}},
			{Key: op, Value: lower},
			{Key: "$lte", Value: float64(limit)},
			{Key: "$not", Value: bson.D{{Key: "$type", Value: "array"}}},
		}}},
		bson.D{{Key: "timestamp", Value: bson.D{
			{Key: "$type", Value: "date"},
			{Key: "$gte", Value: bson.DateTime(int64(math.Ceil(lower)))},
			{Key: "$lte", Value: bson.DateTime(int64(limit))},
			{Key: "$not", Value: bson.D{{Key: "$type", Value: "array"}}},
		}}},
	}}}
}

func TestWindowFilter(t *testing.T) {
	f := windowFilter(1000, "$gte")
	cases := []struct {
		name string
		ts   any
		want bool
	}{
		{"int32 equal", int32(1000), true},
		{"int32 below", int32(999), false},
		{"int64 above", int64(1_793_491_200_000), true},
		{"double fraction above", 1000.5, true},
		{"double below", 999.999, false},
		{"date equal", bson.DateTime(1000), true},
		{"date below", bson.DateTime(999), false},
		{"date as time", time.UnixMilli(5000).UTC(), true},
		{"string", "1000", false},
		{"NaN", math.NaN(), false},
		{"+Inf", math.Inf(1), false},
		{"beyond the limit", int64(9e15), false},
		{"array of numbers", bson.A{int32(5000)}, false},
		{"null", nil, false},
		{"timestamp type", bson.Timestamp{T: 5000, I: 1}, false},
	}
	for _, c := range cases {
		if got := matches(t, f, bson.D{{Key: "timestamp", Value: c.ts}}); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	if matches(t, f, bson.D{{Key: "other", Value: 1}}) {
		t.Error("a missing timestamp matched")
	}
	strict := windowFilter(1000, "$gt")
	if matches(t, strict, bson.D{{Key: "timestamp", Value: int64(1000)}}) || !matches(t, strict, bson.D{{Key: "timestamp", Value: int64(1001)}}) {
		t.Error("$gt is not strict")
	}
	// withoutUsableTimestampFilter: {$nor: [window(null)]}
	nor := bson.D{{Key: "$nor", Value: bson.A{windowFilter(-8.64e15, "$gte")}}}
	if !matches(t, nor, bson.D{{Key: "timestamp", Value: "x"}}) || matches(t, nor, bson.D{{Key: "timestamp", Value: int32(1)}}) {
		t.Error("$nor of the window is wrong")
	}
}

func TestExactIntegerDoubleComparison(t *testing.T) {
	big := int64(1) << 53
	f := bson.D{{Key: "n", Value: bson.D{{Key: "$gt", Value: float64(big)}}}}
	if !matches(t, f, bson.D{{Key: "n", Value: big + 1}}) {
		t.Error("2^53+1 > 2^53 (as a double) must hold without rounding the integer")
	}
	if matches(t, f, bson.D{{Key: "n", Value: big}}) {
		t.Error("2^53 > 2^53 must not hold")
	}
	lt := bson.D{{Key: "n", Value: bson.D{{Key: "$lt", Value: 2.5}}}}
	if !matches(t, lt, bson.D{{Key: "n", Value: int32(2)}}) || matches(t, lt, bson.D{{Key: "n", Value: int64(3)}}) {
		t.Error("int vs fractional double")
	}
}

func TestIdsAndLogic(t *testing.T) {
	a, b, c := bson.NewObjectID(), bson.NewObjectID(), bson.NewObjectID()
	nin := bson.D{{Key: "_id", Value: bson.D{{Key: "$nin", Value: bson.A{a, b}}}}}
	if matches(t, nin, bson.D{{Key: "_id", Value: a}}) || !matches(t, nin, bson.D{{Key: "_id", Value: c}}) {
		t.Error("$nin on _id")
	}
	and := bson.D{{Key: "$and", Value: bson.A{nin, bson.D{{Key: "json.status", Value: "Completed"}}}}}
	doc := bson.D{{Key: "_id", Value: c}, {Key: "json", Value: bson.D{{Key: "status", Value: "Completed"}}}}
	if !matches(t, and, doc) {
		t.Error("$and with a dotted equality")
	}
	doc[1].Value = bson.D{{Key: "status", Value: "Running"}}
	if matches(t, and, doc) {
		t.Error("dotted equality matched a different value")
	}
	arr := bson.D{{Key: "json.results.result", Value: "failed"}}
	withResults := bson.D{{Key: "json", Value: bson.D{{Key: "results", Value: bson.A{
		bson.D{{Key: "result", Value: "passed"}}, bson.D{{Key: "result", Value: "failed"}},
	}}}}}
	if !matches(t, arr, withResults) {
		t.Error("a path through an array of documents")
	}
	if !matches(t, bson.D{{Key: "missing", Value: nil}}, withResults) {
		t.Error("{f: null} matches a missing field")
	}
	if !matches(t, bson.D{{Key: "json", Value: bson.D{{Key: "$exists", Value: true}}}}, withResults) {
		t.Error("$exists")
	}
}

func TestUnsupportedFiltersAreRefused(t *testing.T) {
	for _, f := range []bson.D{
		{{Key: "name", Value: bson.Regex{Pattern: "^x"}}},
		{{Key: "name", Value: bson.D{{Key: "$regex", Value: "^x"}}}},
		{{Key: "$expr", Value: bson.D{{Key: "$gt", Value: bson.A{"$a", 1}}}}},
		{{Key: "a", Value: bson.D{{Key: "$elemMatch", Value: bson.D{{Key: "b", Value: 1}}}}}},
	} {
		_, err := compileFilter(mustMarshal(t, f))
		if err == nil || !strings.Contains(err.Error(), "cannot evaluate") {
			t.Errorf("%v: want a clear refusal, got %v", f, err)
		}
	}
	// A Decimal128 value is only refused when a comparison reaches it.
	m, err := compileFilter(mustMarshal(t, bson.D{{Key: "n", Value: bson.D{{Key: "$gt", Value: 1}}}}))
	if err != nil {
		t.Fatal(err)
	}
	d, _ := bson.ParseDecimal128("1.5")
	if _, err := m.match(mustMarshal(t, bson.D{{Key: "n", Value: d}})); err == nil {
		t.Error("comparing a Decimal128 must be refused")
	}
}
