// Command mongoimport is a stand-in for the MongoDB Database Tools 100.18
// mongoimport, JSON input only.
//
// The real tools cannot be built here (the Go module proxy refuses
// github.com/mongodb/mongo-tools), so this program repeats the calls that
// mongoimport makes on the same Go driver: a leading UTF-8 BOM is dropped,
// the input is split into consecutive JSON values, each value becomes a
// document with bson.UnmarshalExtJSON(value, false, &bson.D), and the
// documents go to the server in bulk writes of at most 1000 operations:
// InsertOne, ReplaceOne(selector, doc, upsert) or
// UpdateOne(selector, {$set: doc}, upsert), ordered in upsert and merge mode.
// Set MONGO_TOOLS_BIN to use the real tools instead.
//
// Known differences: no CSV/TSV, --legacy, delete mode or parallel workers;
// JSON syntax errors are worded by encoding/json; the real 100.12+ tool adds
// bypassEmptyTsReplacement to bulk writes on servers >= 7.0.13, this one does not.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"prancer-db-artifacts/tools/mongo-oracle/internal/toolcli"
)

const (
	batchDocuments = 1000
	// The tools' limit per bulk write: maxMessageSizeBytes less 1 MiB of overhead.
	batchBytes = 48_000_000 - 1024*1024
	// Write errors that mongoimport logs and continues through, unless --stopOnError.
	duplicateKeyCode       = 11000
	documentValidationCode = 121
)

type settings struct {
	uri, db, collection, file, mode, upsertFields string
	drop, stopOnError, jsonArray, quiet           bool
}

func parseFlags() settings {
	var s settings
	flags := flag.NewFlagSet("mongoimport", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	toolcli.ConnectionFlags(flags, &s.uri, &s.db, &s.collection)
	flags.StringVar(&s.file, "file", "", "input file; stdin if absent")
	flags.StringVar(&s.mode, "mode", "", "insert, upsert or merge")
	flags.StringVar(&s.upsertFields, "upsertFields", "", "comma-separated fields that identify a document")
	flags.BoolVar(&s.drop, "drop", false, "drop the collection first")
	flags.BoolVar(&s.stopOnError, "stopOnError", false, "stop at the first write error")
	flags.BoolVar(&s.jsonArray, "jsonArray", false, "the input is one JSON array")
	flags.BoolVar(&s.quiet, "quiet", false, "no log output")
	if err := flags.Parse(os.Args[1:]); err != nil {
		toolcli.NewLogger(false).Fail("error parsing command line options: %v", err)
	}
	if flags.NArg() > 0 {
		toolcli.NewLogger(false).Fail("error parsing command line options: unexpected argument %q", flags.Arg(0))
	}
	return s
}

// importer holds one run's state, mirroring mongoimport's counters.
type importer struct {
	log          *toolcli.Logger
	coll         *mongo.Collection
	mode         string
	upsertFields []string
	stopOnError  bool
	ordered      bool
	batch        []mongo.WriteModel
	batchSize    int
	imported     int64
	failed       int64
}

func main() {
	s := parseFlags()
	log := toolcli.NewLogger(s.quiet)

	imp := &importer{log: log, mode: s.mode, stopOnError: s.stopOnError}
	// Option rules of mongoimport.go: --upsertFields implies upsert, and every
	// mode but insert matches on _id by default, keeps input order and stops
	// at the first error.
	if s.upsertFields != "" {
		switch imp.mode {
		case "":
			imp.mode = "upsert"
		case "insert":
			log.Fail("cannot use --upsertFields with --mode=insert")
		}
		imp.upsertFields = strings.Split(s.upsertFields, ",")
	} else if imp.mode != "insert" {
		imp.upsertFields = []string{"_id"}
	}
	if imp.mode == "" {
		imp.mode = "insert"
	}
	if imp.mode != "insert" && imp.mode != "upsert" && imp.mode != "merge" {
		log.Fail("invalid --mode argument: %v", imp.mode)
	}
	if imp.mode != "insert" {
		imp.ordered, imp.stopOnError = true, true
	}

	dbName, err := toolcli.DatabaseName(s.db, s.uri)
	if err != nil {
		log.Fail("%v", err)
	}
	if s.collection == "" {
		log.Fail("no collection specified")
	}
	var input io.Reader = os.Stdin
	if s.file != "" {
		file, err := os.Open(s.file)
		if err != nil {
			log.Fail("%v", err)
		}
		defer file.Close()
		input = file
	}

	client, err := toolcli.Connect(s.uri)
	if err != nil {
		log.Fail("%v", err)
	}
	log.Logf("connected to: %v", toolcli.SanitizeURI(s.uri))
	imp.coll = client.Database(dbName).Collection(s.collection)

	err = imp.run(input, s)
	if err != nil {
		log.Logf("Failed: %v", err)
	}
	log.Logf("%v document(s) imported successfully. %v document(s) failed to import.", imp.imported, imp.failed)
	_ = client.Disconnect(context.Background())
	if err != nil {
		os.Exit(1)
	}
}

// run reads and writes every document. Like mongoimport, a bad input value
// stops the import but the documents read before it are still written.
func (imp *importer) run(input io.Reader, s settings) error {
	ctx := context.Background()
	readErr := imp.readAll(ctx, input, s)
	if err := imp.flush(ctx); err != nil {
		return err
	}
	return readErr
}

func (imp *importer) readAll(ctx context.Context, input io.Reader, s settings) error {
	if s.drop {
		imp.log.Logf("dropping: %#q", imp.coll.Database().Name()+"."+imp.coll.Name())
		if err := imp.coll.Drop(ctx); err != nil {
			return err
		}
	}

	reader := bufio.NewReaderSize(input, 1<<20)
	if bom, _ := reader.Peek(3); bytes.Equal(bom, []byte("\xEF\xBB\xBF")) {
		_, _ = reader.Discard(3)
	}
	decoder := json.NewDecoder(reader)
	if s.jsonArray {
		if token, err := decoder.Token(); err != nil || token != json.Delim('[') {
			return errors.New("bad JSON array format - found no opening bracket '[' in input source")
		}
	}

	for index := 0; ; index++ {
		if s.jsonArray && !decoder.More() {
			break
		}
		var value json.RawMessage
		if err := decoder.Decode(&value); err != nil {
			if errors.Is(err, io.EOF) && !s.jsonArray {
				break
			}
			return fmt.Errorf("error processing document #%v: %v", index+1, err)
		}
		var doc bson.D
		if err := bson.UnmarshalExtJSON(value, false, &doc); err != nil {
			return err
		}
		if err := imp.add(ctx, doc); err != nil {
			return err
		}
	}
	if s.jsonArray {
		if token, err := decoder.Token(); err != nil || token != json.Delim(']') {
			return errors.New("bad JSON array format - found no closing bracket ']' in input source")
		}
	}
	return nil
}

// add queues the write model for one document, as importDocument does.
func (imp *importer) add(ctx context.Context, doc bson.D) error {
	raw, err := bson.Marshal(doc)
	if err != nil {
		return fmt.Errorf("bson encoding error: %v", err)
	}
	selector := upsertSelector(imp.upsertFields, doc)

	var model mongo.WriteModel
	switch {
	case imp.mode == "insert" || selector == nil:
		model = mongo.NewInsertOneModel().SetDocument(bson.Raw(raw))
	case imp.mode == "upsert":
		model = mongo.NewReplaceOneModel().SetFilter(selector).SetReplacement(bson.Raw(raw)).SetUpsert(true)
	default:
		update, err := bson.Marshal(bson.D{{Key: "$set", Value: doc}})
		if err != nil {
			return err
		}
		raw = update
		model = mongo.NewUpdateOneModel().SetFilter(selector).SetUpdate(bson.Raw(update)).SetUpsert(true)
	}

	if len(imp.batch) > 0 && imp.batchSize+len(raw) >= batchBytes {
		if err := imp.flush(ctx); err != nil {
			return err
		}
	}
	imp.batch = append(imp.batch, model)
	imp.batchSize += len(raw)
	if len(imp.batch) >= batchDocuments {
		return imp.flush(ctx)
	}
	return nil
}

func (imp *importer) flush(ctx context.Context) error {
	if len(imp.batch) == 0 {
		return nil
	}
	result, err := imp.coll.BulkWrite(ctx, imp.batch, options.BulkWrite().SetOrdered(imp.ordered))
	imp.batch, imp.batchSize = imp.batch[:0], 0

	if result != nil {
		imp.imported += result.InsertedCount + result.ModifiedCount + result.UpsertedCount + result.DeletedCount
	}
	var bulkErr mongo.BulkWriteException
	if errors.As(err, &bulkErr) {
		imp.failed += int64(len(bulkErr.WriteErrors))
	}
	if err == nil {
		return nil
	}
	var serverErr mongo.ServerError
	ignorable := errors.As(err, &serverErr) &&
		(serverErr.HasErrorCode(duplicateKeyCode) || serverErr.HasErrorCode(documentValidationCode))
	if imp.stopOnError || !ignorable {
		return err
	}
	if errors.As(err, &bulkErr) {
		for _, writeErr := range bulkErr.WriteErrors {
			imp.log.Logf("continuing through error: %v", writeErr.Message)
		}
	} else {
		imp.log.Logf("continuing through error: %v", err)
	}
	return nil
}

// upsertSelector builds {field: value} for each upsert field, reading dotted
// paths through sub-documents; it is nil when every field is missing or null.
func upsertSelector(fields []string, doc bson.D) bson.D {
	selector := bson.D{}
	found := false
	for _, field := range fields {
		value := lookup(doc, field)
		found = found || value != nil
		selector = append(selector, bson.E{Key: field, Value: value})
	}
	if !found {
		return nil
	}
	return selector
}

func lookup(doc bson.D, path string) any {
	head, rest, nested := strings.Cut(path, ".")
	for _, element := range doc {
		if element.Key != head {
			continue
		}
		if !nested {
			return element.Value
		}
		if sub, ok := element.Value.(bson.D); ok {
			return lookup(sub, rest)
		}
		return nil
	}
	return nil
}
