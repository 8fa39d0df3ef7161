// Package toolcli holds what the mongoexport and mongoimport stand-ins share
// with the real Database Tools: the log line format, URI redaction, the default
// database, and how the client connects.
package toolcli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/connstring"
)

// Logger writes "<time>\t<message>" lines to stderr like the tools' logger
// (common/log/tool_logger.go); --quiet discards them.
type Logger struct {
	out io.Writer
}

func NewLogger(quiet bool) *Logger {
	if quiet {
		return &Logger{out: io.Discard}
	}
	return &Logger{out: os.Stderr}
}

func (l *Logger) Logf(format string, args ...any) {
	fmt.Fprintf(l.out, "%s\t%s\n", time.Now().Format("2006-01-02T15:04:05.000-0700"), fmt.Sprintf(format, args...))
}

var credentialsInURI = regexp.MustCompile(`^([^:]+)://[^/?]*@`)

// SanitizeURI hides credentials the way the tools' util.SanitizeURI does.
func SanitizeURI(uri string) string {
	return credentialsInURI.ReplaceAllString(uri, "$1://[**REDACTED**]@")
}

// DatabaseName returns --db if given, else the URI's database, else "test",
// the tools' order of precedence.
func DatabaseName(flagValue, uri string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	parsed, err := connstring.Parse(uri)
	if err != nil {
		return "", err
	}
	if parsed.Database != "" {
		return parsed.Database, nil
	}
	return "test", nil
}

// Connect opens a client and checks that the server answers, as the tools do
// before they start work.
func Connect(uri string) (*mongo.Client, error) {
	client, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := client.Ping(ctx, nil); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, err
	}
	return client, nil
}

// Fail prints an error line and exits with the tools' failure code 1.
func (l *Logger) Fail(format string, args ...any) {
	l.Logf(format, args...)
	os.Exit(1)
}

// ConnectionFlags registers the flags both tools take to name the server and
// the namespace, with the short forms the real tools accept.
func ConnectionFlags(flags *flag.FlagSet, uri, db, collection *string) {
	flags.StringVar(uri, "uri", "mongodb://localhost/", "connection string")
	flags.StringVar(db, "db", "", "database")
	flags.StringVar(db, "d", "", "database")
	flags.StringVar(collection, "collection", "", "collection")
	flags.StringVar(collection, "c", "", "collection")
}
