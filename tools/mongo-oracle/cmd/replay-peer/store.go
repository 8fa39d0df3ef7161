package main

import (
	"encoding/binary"
	"fmt"
	"os"
	"sort"
	"sync"
)

// collection is one namespace's documents, in load order (the "natural" order
// of every scan): doc i is data[offs[i]:offs[i+1]], exactly the bytes of its file.
type collection struct {
	db, name string
	data     []byte
	offs     []int64
}

func (c *collection) count() int       { return len(c.offs) - 1 }
func (c *collection) doc(i int) []byte { return c.data[c.offs[i]:c.offs[i+1]] }
func (c *collection) ns() string       { return c.db + "." + c.name }

type store struct {
	mu    sync.RWMutex
	colls map[string]*collection // by "db.coll"
}

func newStore() *store { return &store{colls: map[string]*collection{}} }

const maxDocumentSize = 16 * 1024 * 1024

// load appends the documents of a file of concatenated BSON documents. Each
// one's length prefix and terminator are checked; contents are served as is.
func (s *store) load(db, name, path string) (int, int64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	offs := []int64{0}
	for p := int64(0); p < int64(len(data)); {
		if int64(len(data))-p < 5 {
			return 0, 0, fmt.Errorf("trailing %d bytes at offset %d are no document", int64(len(data))-p, p)
		}
		size := int64(int32(binary.LittleEndian.Uint32(data[p:])))
		if size < 5 || size > maxDocumentSize || p+size > int64(len(data)) {
			return 0, 0, fmt.Errorf("document %d at offset %d: invalid length %d", len(offs)-1, p, size)
		}
		if data[p+size-1] != 0 {
			return 0, 0, fmt.Errorf("document %d at offset %d: missing terminator", len(offs)-1, p)
		}
		p += size
		offs = append(offs, p)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := db + "." + name
	c := s.colls[key]
	if c == nil {
		c = &collection{db: db, name: name, data: data, offs: offs}
		s.colls[key] = c
	} else {
		base := int64(len(c.data))
		c.data = append(c.data, data...)
		for _, o := range offs[1:] {
			c.offs = append(c.offs, base+o)
		}
	}
	return len(offs) - 1, int64(len(data)), nil
}

func (s *store) get(db, name string) *collection {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.colls[db+"."+name]
}

// databases returns the database names, sorted, with their data sizes.
func (s *store) databases() ([]string, map[string]int64) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	sizes := map[string]int64{}
	for _, c := range s.colls {
		sizes[c.db] += int64(len(c.data))
	}
	names := make([]string, 0, len(sizes))
	for n := range sizes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, sizes
}

// collections returns the collections of a database, sorted by name.
func (s *store) collections(db string) []*collection {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*collection
	for _, c := range s.colls {
		if c.db == db {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}
