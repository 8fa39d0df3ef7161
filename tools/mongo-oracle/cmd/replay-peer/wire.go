package main

// The wire protocol: message framing, OP_QUERY (only for the legacy isMaster/hello a client may open its first
// handshake with) answered with OP_REPLY, and OP_MSG for everything else. Compression is never advertised, so
// OP_COMPRESSED never arrives; checksums are accepted and ignored.

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync/atomic"

	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"
)

const (
	opReply = 1
	opQuery = 2004
	opMsg   = 2013

	msgChecksumPresent = 1 << 0
	msgMoreToCome      = 1 << 1

	maxMessageSize = 48000000
)

type server struct {
	store       *store
	cursors     *cursorTable
	logCommands bool
	nextConnID  atomic.Int32
	nextReqID   atomic.Int32
}

func newServer(logCommands bool) *server {
	return &server{store: newStore(), cursors: newCursorTable(), logCommands: logCommands}
}

// conn is one client connection; out is its reply buffer, reused from message to message.
type conn struct {
	srv *server
	id  int32
	out []byte
	// Work to do once the reply is on its way: building the next batch of an open cursor.
	afterReply func()
}

// command is one decoded command: the body, its database and any OP_MSG document sequences.
type command struct {
	name string
	body bsoncore.Document
	db   string
	seqs map[string][]bsoncore.Document
}

func (s *server) serve(nc net.Conn) {
	defer nc.Close()
	c := &conn{srv: s, id: s.nextConnID.Add(1)}
	r := bufio.NewReaderSize(nc, 256*1024)
	var header [16]byte
	for {
		if _, err := io.ReadFull(r, header[:]); err != nil {
			return
		}
		length := int32(binary.LittleEndian.Uint32(header[0:]))
		requestID := int32(binary.LittleEndian.Uint32(header[4:]))
		opCode := int32(binary.LittleEndian.Uint32(header[12:]))
		if length < 16 || length > maxMessageSize {
			c.logf("message length %d is invalid; closing the connection", length)
			return
		}
		// A fresh body per message: cursors keep their filter, which points into it.
		body := make([]byte, length-16)
		if _, err := io.ReadFull(r, body); err != nil {
			return
		}
		var reply []byte
		var err error
		switch opCode {
		case opMsg:
			reply, err = c.handleMsg(requestID, body)
		case opQuery:
			reply, err = c.handleQuery(requestID, body)
		default:
			err = fmt.Errorf("unsupported opCode %d", opCode)
		}
		if err != nil {
			c.logf("%v; closing the connection", err)
			return
		}
		if reply == nil {
			continue
		}
		if _, err := nc.Write(reply); err != nil {
			return
		}
		if f := c.afterReply; f != nil {
			c.afterReply = nil
			f()
		}
	}
}

func (c *conn) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "replay-peer: conn %d: "+format+"\n", append([]any{c.id}, args...)...)
}

func (c *conn) handleMsg(requestID int32, body []byte) ([]byte, error) {
	if len(body) < 5 {
		return nil, errors.New("OP_MSG too short")
	}
	flags := binary.LittleEndian.Uint32(body)
	rest := body[4:]
	if flags&msgChecksumPresent != 0 {
		if len(rest) < 4 {
			return nil, errors.New("OP_MSG checksum missing")
		}
		rest = rest[:len(rest)-4]
	}
	cmd := &command{}
	for len(rest) > 0 {
		kind := rest[0]
		rest = rest[1:]
		switch kind {
		case 0:
			doc, r, ok := bsoncore.ReadDocument(rest)
			if !ok {
				return nil, errors.New("OP_MSG body section is malformed")
			}
			cmd.body, rest = doc, r
		case 1:
			if len(rest) < 4 {
				return nil, errors.New("OP_MSG document sequence is malformed")
			}
			size := int(int32(binary.LittleEndian.Uint32(rest)))
			if size < 5 || size > len(rest) {
				return nil, errors.New("OP_MSG document sequence length is invalid")
			}
			seq := rest[4:size]
			rest = rest[size:]
			id, docs, ok := bsoncore.ReadKey(seq)
			if !ok {
				return nil, errors.New("OP_MSG document sequence identifier is malformed")
			}
			if cmd.seqs == nil {
				cmd.seqs = map[string][]bsoncore.Document{}
			}
			for len(docs) > 0 {
				doc, r, ok := bsoncore.ReadDocument(docs)
				if !ok {
					return nil, errors.New("OP_MSG document sequence holds a malformed document")
				}
				cmd.seqs[id] = append(cmd.seqs[id], doc)
				docs = r
			}
		default:
			return nil, fmt.Errorf("OP_MSG section kind %d is unknown", kind)
		}
	}
	if cmd.body == nil {
		return nil, errors.New("OP_MSG without a body section")
	}
	if db, err := cmd.body.LookupErr("$db"); err == nil && db.Type == bsoncore.TypeString {
		cmd.db = db.StringValue()
	}
	// Header, flagBits 0, section kind 0, then the body the handler appends.
	c.out = append(c.out[:0], make([]byte, 21)...)
	c.out = c.srv.run(c, cmd, c.out)
	if flags&msgMoreToCome != 0 {
		return nil, nil // the client does not read a reply
	}
	c.finishHeader(requestID, opMsg)
	return c.out, nil
}

// handleQuery answers the legacy OP_QUERY handshake (isMaster/hello on admin.$cmd) with OP_REPLY.
func (c *conn) handleQuery(requestID int32, body []byte) ([]byte, error) {
	if len(body) < 4 {
		return nil, errors.New("OP_QUERY too short")
	}
	ns, rest, ok := bsoncore.ReadKey(body[4:])
	if !ok || len(rest) < 8 {
		return nil, errors.New("OP_QUERY is malformed")
	}
	query, _, ok := bsoncore.ReadDocument(rest[8:])
	if !ok {
		return nil, errors.New("OP_QUERY query document is malformed")
	}
	if inner, err := query.LookupErr("$query"); err == nil && inner.Type == bsoncore.TypeEmbeddedDocument {
		query = inner.Document()
	}
	cmd := &command{body: query}
	if len(ns) > 5 && ns[len(ns)-5:] == ".$cmd" {
		cmd.db = ns[:len(ns)-5]
	}
	// Header, responseFlags, cursorID, startingFrom, numberReturned, then the one reply document.
	c.out = append(c.out[:0], make([]byte, 36)...)
	name := commandName(query)
	if cmd.db == "" || (name != "isMaster" && name != "ismaster" && name != "hello") {
		c.logf("OP_QUERY on %q for %q refused (only the legacy handshake is served over OP_QUERY)", ns, name)
		c.out = appendError(c.out, 352, "UnsupportedOpQueryCommand", fmt.Sprintf("Unsupported OP_QUERY command: %s", name))
	} else {
		c.out = c.srv.run(c, cmd, c.out)
	}
	binary.LittleEndian.PutUint32(c.out[32:], 1)
	c.finishHeader(requestID, opReply)
	return c.out, nil
}

func (c *conn) finishHeader(responseTo int32, opCode int32) {
	binary.LittleEndian.PutUint32(c.out[0:], uint32(len(c.out)))
	binary.LittleEndian.PutUint32(c.out[4:], uint32(c.srv.nextReqID.Add(1)))
	binary.LittleEndian.PutUint32(c.out[8:], uint32(responseTo))
	binary.LittleEndian.PutUint32(c.out[12:], uint32(opCode))
}

func commandName(body bsoncore.Document) string {
	el, err := body.IndexErr(0)
	if err != nil {
		return ""
	}
	return el.Key()
}
