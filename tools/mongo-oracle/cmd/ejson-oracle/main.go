// Command ejson-oracle converts between BSON and Extended JSON with the Go
// driver's bson package, the writer and parser that mongoexport and mongoimport
// use, so tests can compare our TypeScript transcoder with them byte for byte,
// including BSON types that no test server can store.
//
//	ejson-oracle marshal --format relaxed|canonical
//	    stdin:  concatenated BSON documents (each starts with its own int32 length)
//	    stdout: one line per document, as mongoexport writes it:
//	            bson.MarshalExtJSON(bson.D, canonical, false) + "\n"
//	            or, if that document fails, "!" + error message + "\n"
//	            (Extended JSON of a document always starts with "{").
//
//	ejson-oracle unmarshal
//	    stdin:  one Extended JSON document per line ("\n"-terminated)
//	    stdout: one frame per line: a status byte, a uint32 little-endian length,
//	            then that many bytes:
//	              'B' + BSON of bson.UnmarshalExtJSON(line, false, &bson.D), as mongoimport builds it
//	              'E' + the error message
package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	out := bufio.NewWriterSize(os.Stdout, 1<<20)

	var err error
	switch os.Args[1] {
	case "marshal":
		flags := flag.NewFlagSet("marshal", flag.ExitOnError)
		format := flags.String("format", "", "relaxed or canonical")
		_ = flags.Parse(os.Args[2:])
		if *format != "relaxed" && *format != "canonical" {
			usage()
		}
		err = marshal(in, out, *format == "canonical")
	case "unmarshal":
		err = unmarshal(in, out)
	default:
		usage()
	}
	if err == nil {
		err = out.Flush()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ejson-oracle:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: ejson-oracle marshal --format relaxed|canonical | ejson-oracle unmarshal")
	os.Exit(2)
}

// marshal decodes into bson.D first, exactly as mongoexport does (cursor.Decode
// into bson.D, then MarshalExtJSON): stored key order and duplicate keys survive.
func marshal(in *bufio.Reader, out *bufio.Writer, canonical bool) error {
	var lengthBytes [4]byte
	for index := 0; ; index++ {
		if _, err := io.ReadFull(in, lengthBytes[:]); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("document #%d: truncated length prefix", index)
		}
		length := binary.LittleEndian.Uint32(lengthBytes[:])
		if length < 5 || length > 64<<20 {
			return fmt.Errorf("document #%d: implausible length %d", index, length)
		}
		doc := make([]byte, length)
		copy(doc, lengthBytes[:])
		if _, err := io.ReadFull(in, doc[4:]); err != nil {
			return fmt.Errorf("document #%d: truncated (%d bytes announced)", index, length)
		}

		var decoded bson.D
		err := bson.Unmarshal(doc, &decoded)
		var line []byte
		if err == nil {
			line, err = bson.MarshalExtJSON(decoded, canonical, false)
		}
		if err != nil {
			line = []byte("!" + strings.ReplaceAll(err.Error(), "\n", " "))
		}
		if _, err := out.Write(append(line, '\n')); err != nil {
			return err
		}
	}
}

func unmarshal(in *bufio.Reader, out *bufio.Writer) error {
	for {
		line, readErr := in.ReadBytes('\n')
		if len(line) == 0 && errors.Is(readErr, io.EOF) {
			return nil
		}
		if readErr != nil && !errors.Is(readErr, io.EOF) {
			return readErr
		}
		line = bytes.TrimSuffix(line, []byte("\n"))

		status, payload := byte('B'), []byte(nil)
		var doc bson.D
		err := bson.UnmarshalExtJSON(line, false, &doc)
		if err == nil {
			payload, err = bson.Marshal(doc)
		}
		if err != nil {
			status, payload = 'E', []byte(err.Error())
		}
		var header [5]byte
		header[0] = status
		binary.LittleEndian.PutUint32(header[1:], uint32(len(payload)))
		if _, err := out.Write(header[:]); err != nil {
			return err
		}
		if _, err := out.Write(payload); err != nil {
			return err
		}
	}
}
