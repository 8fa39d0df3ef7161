// Command ferretdb runs FerretDB v1.24.2 (SQLite backend) as the test server.
//
// Why not build FerretDB's own cmd/ferretdb: the Go toolchain records the
// module of the main package as the binary's main module, so cmd/ferretdb
// always sees itself as github.com/FerretDB/FerretDB and panics because the
// generated build/version/version.txt is not in the module zip (FerretDB#2982);
// the module cache cannot be patched (go build -overlay refuses it). FerretDB's
// embeddable package runs the same handler and wire listener and skips that
// check when it is linked into another main module, as here.
//
// The flags keep the names of FerretDB's CLI, plus --stop-on-stdin-eof. The
// CLI's state directory, debug listener and telemetry do not exist in embedded
// mode (its state is in memory and telemetry is off).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	handler := flag.String("handler", "sqlite", "backend handler: sqlite or postgresql")
	sqliteURL := flag.String("sqlite-url", "file:data/", "SQLite URI of an existing directory, ending in /")
	listenAddr := flag.String("listen-addr", "127.0.0.1:27017", "TCP address; port 0 picks a free port")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	stopOnStdinEOF := flag.Bool("stop-on-stdin-eof", false, "stop when standard input closes, e.g. because the parent process died")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fail(err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	server, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listenAddr},
		Logger:    logger,
		Handler:   *handler,
		SQLiteURL: *sqliteURL,
	})
	if err != nil {
		fail(err)
	}

	// The listener is bound by now; with port 0 this line is how the caller learns the port.
	fmt.Println("listening on " + server.MongoDBURI())

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if *stopOnStdinEOF {
		// The test harness holds the write end of stdin; the kernel closes it
		// even when the harness is killed, so no server outlives its tests.
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}
	if err := server.Run(ctx); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "ferretdb:", err)
	os.Exit(1)
}
