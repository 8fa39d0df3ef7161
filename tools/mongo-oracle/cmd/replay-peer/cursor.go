package main

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"

	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"
)

const (
	// Like mongod: a find without batchSize returns 101 documents first; every batch stops before the document that
	// would take it past 16 MiB (but holds at least one).
	defaultFirstBatch = 101
	maxBatchBytes     = 16 * 1024 * 1024
)

// cursor walks a collection (in natural order, or in `order` after a sort), returning the documents the matcher
// accepts, up to `limit` (negative: no limit).
type cursor struct {
	mu      sync.Mutex
	id      int64
	coll    *collection
	ns      string
	m       matcher
	proj    *projection
	order   []int32
	pos     int
	limit   int64
	pending int // a matching document found by looking ahead, or -1

	// The reply to the next getMore, built while the client works on the previous batch (prepareNext), for a
	// getMore asking for preparedMax documents; `before` is the position to go back to if it asks for another number.
	prepared     []byte
	preparedMax  int
	preparedDone bool
	hasPrepared  bool
	before       cursorState
}

type cursorState struct {
	pos, pending int
	limit        int64
}

func (c *cursor) state() cursorState {
	return cursorState{pos: c.pos, pending: c.pending, limit: c.limit}
}

func (c *cursor) restore(s cursorState) { c.pos, c.pending, c.limit = s.pos, s.pending, s.limit }

// prepareNext builds the reply to a getMore for maxDocs documents ahead of time.
func (c *cursor) prepareNext(maxDocs int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hasPrepared {
		return
	}
	st := c.state()
	docs, done, err := c.batch(maxDocs, nil)
	if err != nil {
		c.restore(st) // the getMore itself will report the error
		return
	}
	id := c.id
	if done {
		id = 0
	}
	c.prepared = appendCursorReply(c.prepared[:0], "nextBatch", docs, id, c.ns)
	c.preparedMax, c.preparedDone, c.hasPrepared, c.before = maxDocs, done, true, st
}

// nextBatchReply appends the reply to a getMore for maxDocs documents: the prepared one if it fits the request.
func (c *cursor) nextBatchReply(dst []byte, maxDocs int) ([]byte, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hasPrepared {
		c.hasPrepared = false
		if c.preparedMax == maxDocs {
			return append(dst, c.prepared...), c.preparedDone, nil
		}
		c.restore(c.before)
	}
	docs, done, err := c.batch(maxDocs, nil)
	if err != nil {
		return dst, true, err
	}
	id := c.id
	if done {
		id = 0
	}
	return appendCursorReply(dst, "nextBatch", docs, id, c.ns), done, nil
}

func newCursor(coll *collection, ns string, m matcher, order []int32, limit int64) *cursor {
	return &cursor{coll: coll, ns: ns, m: m, order: order, limit: limit, pending: -1}
}

// next returns the index of the next matching document, or -1 at the end.
func (c *cursor) next() (int, error) {
	if c.pending >= 0 {
		i := c.pending
		c.pending = -1
		return i, nil
	}
	if c.coll == nil {
		return -1, nil
	}
	n := c.coll.count()
	if c.order != nil {
		n = len(c.order)
	}
	for c.pos < n {
		i := c.pos
		if c.order != nil {
			i = int(c.order[c.pos])
		}
		c.pos++
		if c.m == nil {
			return i, nil
		}
		ok, err := c.m.match(c.coll.doc(i))
		if err != nil {
			return -1, err
		}
		if ok {
			return i, nil
		}
	}
	return -1, nil
}

func (c *cursor) skip(n int64) error {
	for ; n > 0; n-- {
		i, err := c.next()
		if err != nil || i < 0 {
			return err
		}
	}
	return nil
}

// batch appends up to maxDocs documents (negative: as many as fit in 16 MiB) and reports whether the cursor is
// exhausted afterwards (known by looking one document ahead, so the last batch already carries cursor id 0).
func (c *cursor) batch(maxDocs int, docs [][]byte) ([][]byte, bool, error) {
	size := 0
	for (maxDocs < 0 || len(docs) < maxDocs) && c.limit != 0 {
		i, err := c.next()
		if err != nil {
			return docs, true, err
		}
		if i < 0 {
			return docs, true, nil
		}
		d := c.coll.doc(i)
		if c.proj != nil {
			if d, err = c.proj.apply(d); err != nil {
				return docs, true, err
			}
		}
		if len(docs) > 0 && size+len(d) > maxBatchBytes {
			c.pending = i
			return docs, false, nil
		}
		docs = append(docs, d)
		size += len(d)
		if c.limit > 0 {
			c.limit--
		}
	}
	if c.limit == 0 {
		return docs, true, nil
	}
	i, err := c.next()
	if err != nil {
		return docs, true, err
	}
	c.pending = i
	return docs, i < 0, nil
}

// appendCursorReply appends {cursor: {<batchKey>: [docs], id, ns}, ok: 1}, copying each document's bytes unchanged.
func appendCursorReply(dst []byte, batchKey string, docs [][]byte, id int64, ns string) []byte {
	total := 64 + len(batchKey) + len(ns)
	for _, d := range docs {
		total += len(d) + 9
	}
	dst = slices.Grow(dst, total)
	idx, dst := bsoncore.AppendDocumentStart(dst)
	cidx, dst := bsoncore.AppendDocumentElementStart(dst, "cursor")
	aidx, dst := bsoncore.AppendArrayElementStart(dst, batchKey)
	for i, d := range docs {
		dst = append(dst, byte(bsoncore.TypeEmbeddedDocument))
		dst = strconv.AppendInt(dst, int64(i), 10)
		dst = append(dst, 0)
		dst = append(dst, d...)
	}
	dst, _ = bsoncore.AppendArrayEnd(dst, aidx)
	dst = bsoncore.AppendInt64Element(dst, "id", id)
	dst = bsoncore.AppendStringElement(dst, "ns", ns)
	dst, _ = bsoncore.AppendDocumentEnd(dst, cidx)
	dst = bsoncore.AppendDoubleElement(dst, "ok", 1)
	dst, _ = bsoncore.AppendDocumentEnd(dst, idx)
	return dst
}

type cursorTable struct {
	mu   sync.Mutex
	next int64
	open map[int64]*cursor
}

func newCursorTable() *cursorTable {
	return &cursorTable{next: rand.Int64N(1<<40) + 1, open: map[int64]*cursor{}}
}

func (t *cursorTable) add(c *cursor) int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.next++
	c.id = t.next
	t.open[c.id] = c
	return c.id
}

// take removes the cursor while a getMore works on it (a cursor serves one request at a time).
func (t *cursorTable) take(id int64) *cursor {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.open[id]
	delete(t.open, id)
	return c
}

func (t *cursorTable) put(c *cursor) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.open[c.id] = c
}
