// Command replay-peer is a MongoDB wire-protocol server for benchmarks and
// differential tests. It serves collections held in memory, loaded from files
// of concatenated BSON documents, read-only: documents are kept as the bytes
// of their file and copied unchanged into replies, so a reply costs little
// more than a memory copy and the peer delivers far faster than a client
// decodes. What it speaks is what the Node driver and the Database Tools
// 100.18 use to export and import (see commands.go); filters are evaluated on
// the raw documents (match.go), and a filter, sort or stage it cannot evaluate
// exactly is refused with an error instead of answered approximately.
//
// Writes (insert, update, delete) are acknowledged as if they succeeded on an
// empty collection and then discarded, so an import is measured at the
// client's speed too; they do not change what is served.
//
// Usage:
//
//	replay-peer [--listen-addr 127.0.0.1:0] [--load db.coll=file.bson ...]
//	            [--log-commands] [--stop-on-stdin-eof]
//
// Like FerretDB it prints "listening on mongodb://host:port/" on stdout once
// it accepts connections.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
)

type loadFlags []string

func (l *loadFlags) String() string     { return strings.Join(*l, ",") }
func (l *loadFlags) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	var loads loadFlags
	listen := flag.String("listen-addr", "127.0.0.1:0", "address to listen on (port 0: any free port)")
	flag.Var(&loads, "load", "db.collection=path of a file of concatenated BSON documents (repeatable; appends)")
	logCommands := flag.Bool("log-commands", false, "log every command to stderr")
	stopOnEOF := flag.Bool("stop-on-stdin-eof", false, "exit when standard input reaches EOF")
	flag.Parse()
	if flag.NArg() > 0 {
		fail("unexpected argument %q", flag.Arg(0))
	}

	srv := newServer(*logCommands)
	for _, spec := range loads {
		eq := strings.IndexByte(spec, '=')
		if eq <= 0 {
			fail("--load %q: want db.collection=path", spec)
		}
		ns, file := spec[:eq], spec[eq+1:]
		dot := strings.IndexByte(ns, '.')
		if dot <= 0 || dot == len(ns)-1 {
			fail("--load %q: the namespace must be db.collection", spec)
		}
		n, size, err := srv.store.load(ns[:dot], ns[dot+1:], file)
		if err != nil {
			fail("--load %s: %v", spec, err)
		}
		fmt.Fprintf(os.Stderr, "replay-peer: loaded %d documents (%d bytes) into %s from %s\n", n, size, ns, file)
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fail("listen: %v", err)
	}
	if *stopOnEOF {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			os.Exit(0)
		}()
	}
	fmt.Printf("listening on mongodb://%s/\n", ln.Addr().String())
	for {
		conn, err := ln.Accept()
		if err != nil {
			fail("accept: %v", err)
		}
		go srv.serve(conn)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "replay-peer: "+format+"\n", args...)
	os.Exit(2)
}
