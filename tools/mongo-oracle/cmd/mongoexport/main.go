// Command mongoexport is a stand-in for the MongoDB Database Tools 100.18
// mongoexport, JSON output only.
//
// The real tools cannot be built here (the Go module proxy refuses
// github.com/mongodb/mongo-tools), so this program repeats the calls that
// mongoexport makes on the same Go driver: listCollections filtered by name
// (a missing collection exports nothing and exits 0 unless --assertExists),
// find with the query parsed by bson.UnmarshalExtJSON(query, false), each
// document decoded into bson.D and written with
// bson.MarshalExtJSON(doc, canonical, false), and the framing of
// mongoexport/json.go. Set MONGO_TOOLS_BIN to use the real tools instead.
//
// Known differences: --sort must be strict JSON (the real tool also accepts
// unquoted keys through its legacy parser), --query is not pre-validated by
// the legacy parser, and there is no CSV output, --fields or progress bar.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"prancer-db-artifacts/tools/mongo-oracle/internal/toolcli"
)

type settings struct {
	uri, db, collection, query, sort, jsonFormat, out string
	skip, limit                                       int64
	jsonArray, pretty, assertExists, quiet            bool
}

func parseFlags() settings {
	var s settings
	flags := flag.NewFlagSet("mongoexport", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	toolcli.ConnectionFlags(flags, &s.uri, &s.db, &s.collection)
	flags.StringVar(&s.query, "query", "", "query filter, as Extended JSON")
	flags.StringVar(&s.query, "q", "", "query filter, as Extended JSON")
	flags.StringVar(&s.sort, "sort", "", "sort order, as JSON")
	flags.StringVar(&s.jsonFormat, "jsonFormat", "relaxed", "relaxed or canonical")
	flags.StringVar(&s.out, "out", "", "output file; stdout if absent")
	flags.StringVar(&s.out, "o", "", "output file; stdout if absent")
	flags.Int64Var(&s.skip, "skip", 0, "documents to skip")
	flags.Int64Var(&s.limit, "limit", 0, "maximum number of documents")
	flags.BoolVar(&s.jsonArray, "jsonArray", false, "write one JSON array")
	flags.BoolVar(&s.pretty, "pretty", false, "indent each document")
	flags.BoolVar(&s.assertExists, "assertExists", false, "fail if the collection does not exist")
	flags.BoolVar(&s.quiet, "quiet", false, "no log output")
	if err := flags.Parse(os.Args[1:]); err != nil {
		toolcli.NewLogger(false).Fail("error parsing command line options: %v", err)
	}
	if flags.NArg() > 0 {
		toolcli.NewLogger(false).Fail("error parsing command line options: unexpected argument %q", flags.Arg(0))
	}
	return s
}

func main() {
	s := parseFlags()
	log := toolcli.NewLogger(s.quiet)

	dbName, err := toolcli.DatabaseName(s.db, s.uri)
	if err != nil {
		log.Fail("%v", err)
	}
	if s.collection == "" {
		log.Fail("must specify a collection")
	}
	if s.jsonFormat != "relaxed" && s.jsonFormat != "canonical" {
		log.Fail("invalid JSON format '%v', choose 'relaxed' or 'canonical'", s.jsonFormat)
	}
	var sort bson.D
	if s.sort != "" {
		if err := bson.UnmarshalExtJSON([]byte(s.sort), false, &sort); err != nil {
			log.Fail("query '%v' is not valid JSON: %v", s.sort, err)
		}
	}

	client, err := toolcli.Connect(s.uri)
	if err != nil {
		log.Fail("%v", err)
	}
	log.Logf("connected to: %v", toolcli.SanitizeURI(s.uri))

	// The output file exists (empty) even when the collection is missing.
	var out io.Writer = os.Stdout
	if s.out != "" {
		if err := os.MkdirAll(filepath.Dir(s.out), 0o750); err != nil {
			log.Fail("error opening output stream: %v", err)
		}
		file, err := os.Create(s.out)
		if err != nil {
			log.Fail("error opening output stream: %v", err)
		}
		defer file.Close()
		out = file
	}
	buffered := bufio.NewWriterSize(out, 1<<20)

	count, err := export(client.Database(dbName).Collection(s.collection), s, sort, buffered)
	if flushErr := buffered.Flush(); err == nil {
		err = flushErr
	}
	if err != nil {
		log.Fail("Failed: %v", err)
	}
	if count == 1 {
		log.Logf("exported %v record", count)
	} else {
		log.Logf("exported %v records", count)
	}
}

func export(coll *mongo.Collection, s settings, sort bson.D, out io.Writer) (int64, error) {
	ctx := context.Background()
	collections, err := coll.Database().ListCollections(ctx, bson.D{{Key: "name", Value: coll.Name()}})
	if err != nil {
		return 0, err
	}
	defer collections.Close(ctx)
	exists := false
	for collections.Next(ctx) {
		name, _ := collections.Current.Lookup("name").StringValueOK()
		exists = exists || name == coll.Name()
	}
	if err := collections.Err(); err != nil {
		return 0, err
	}
	if !exists {
		if s.assertExists {
			return 0, fmt.Errorf("collection %#q does not exist", coll.Name())
		}
		return 0, nil
	}

	query := bson.D{}
	if s.query != "" {
		if err := bson.UnmarshalExtJSON([]byte(s.query), false, &query); err != nil {
			return 0, fmt.Errorf("error parsing query as Extended JSON: %v", err)
		}
	}
	findOptions := options.Find().SetSkip(s.skip).SetLimit(s.limit)
	if sort != nil {
		findOptions.SetSort(sort)
	}
	if len(query) == 0 && sort == nil {
		findOptions.SetHint(bson.D{{Key: "$natural", Value: 1}})
	}
	cursor, err := coll.Find(ctx, query, findOptions)
	if err != nil {
		return 0, err
	}
	defer cursor.Close(ctx)

	if s.jsonArray {
		if _, err := out.Write([]byte("[")); err != nil {
			return 0, err
		}
	}
	var count int64
	for cursor.Next(ctx) {
		var doc bson.D
		if err := cursor.Decode(&doc); err != nil {
			return count, err
		}
		if err := writeDocument(out, doc, s, count); err != nil {
			return count, err
		}
		count++
	}
	if err := cursor.Err(); err != nil {
		return count, err
	}
	if s.jsonArray {
		if _, err := out.Write([]byte("]\n")); err != nil {
			return count, err
		}
	}
	if s.pretty {
		if _, err := out.Write([]byte("\n")); err != nil {
			return count, err
		}
	}
	return count, nil
}

// writeDocument follows mongoexport/json.go ExportDocument: in array or pretty
// mode documents are separated by "," and/or "\n" and not terminated; otherwise
// each one is followed by "\n".
func writeDocument(out io.Writer, doc bson.D, s settings, index int64) error {
	extJSON, err := bson.MarshalExtJSON(doc, s.jsonFormat == "canonical", false)
	if err != nil {
		return err
	}
	if !s.jsonArray && !s.pretty {
		_, err = out.Write(append(extJSON, '\n'))
		return err
	}
	var separator []byte
	if index > 0 && s.jsonArray {
		separator = append(separator, ',')
	}
	if index > 0 && s.pretty {
		separator = append(separator, '\n')
	}
	if s.pretty {
		var indented bytes.Buffer
		if err := json.Indent(&indented, extJSON, "", "\t"); err != nil {
			return err
		}
		extJSON = indented.Bytes()
	}
	_, err = out.Write(append(separator, extJSON...))
	return err
}
