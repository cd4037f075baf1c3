package cassette

import (
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// entry is one recording file as the index knows it: enough to find it,
// order it and explain a miss without reading it. Only its cached body
// changes once it is indexed.
type entry struct {
	cassette   string
	file       string
	key        uint64
	recordedAt time.Time
	size       int64 // the file's

	// What a miss's explanation compares without a disk read.
	method, provider, path string
	stream                 bool
	prints                 fingerprint

	// body is the recording while the cache holds it; the cache sets it
	// and clears it under its lock. moved is the cache's move count when
	// the entry last went to the front of its list.
	body  atomic.Pointer[Recording]
	moved atomic.Uint64
}

// before orders the recordings of one key: by recorded_at, then by file
// name for recordings made in the same instant.
func (e *entry) before(o *entry) bool {
	if !e.recordedAt.Equal(o.recordedAt) {
		return e.recordedAt.Before(o.recordedAt)
	}
	return e.file < o.file
}

// cassetteIndex is one cassette's recordings.
type cassetteIndex struct {
	// byKey holds each key's recordings in replay order. A slice is
	// replaced when a recording joins it, never changed in place, so a
	// reader may keep one after unlocking.
	byKey map[uint64][]*entry
	// all is every recording, for the nearest search.
	all []*entry
}

// index is every cassette's recordings. The Store's mutex guards it.
type index struct {
	cassettes  map[string]*cassetteIndex
	recordings int
	// strs interns methods, providers and paths: thousands of entries
	// share a handful of each.
	strs map[string]string
}

func newIndex() *index {
	return &index{cassettes: map[string]*cassetteIndex{}, strs: map[string]string{}}
}

// add indexes e in its key's replay order.
func (x *index) add(e *entry) {
	e.method, e.provider, e.path = x.intern(e.method), x.intern(e.provider), x.intern(e.path)
	c := x.cassettes[e.cassette]
	if c == nil {
		c = &cassetteIndex{byKey: map[uint64][]*entry{}}
		x.cassettes[e.cassette] = c
	}
	old := c.byKey[e.key]
	i := len(old)
	for i > 0 && e.before(old[i-1]) {
		i--
	}
	recs := make([]*entry, 0, len(old)+1)
	recs = append(append(append(recs, old[:i]...), e), old[i:]...)
	c.byKey[e.key] = recs
	c.all = append(c.all, e)
	x.recordings++
}

// remove takes the recording in file out of key's replay order and out of
// the cassette's recordings, and returns it; nil when it is not there (a
// concurrent commit replaced it first, or a reload changed the key).
func (x *index) remove(cassette string, key uint64, file string) *entry {
	c := x.cassettes[cassette]
	if c == nil {
		return nil
	}
	old := c.byKey[key]
	i := slices.IndexFunc(old, func(e *entry) bool { return e.file == file })
	if i < 0 {
		return nil
	}
	e := old[i]
	// A new slice: a reader may hold the old one.
	if recs := slices.Concat(old[:i], old[i+1:]); len(recs) > 0 {
		c.byKey[key] = recs
	} else {
		delete(c.byKey, key)
	}
	// all is read only under the lock, so it may change in place.
	c.all = slices.DeleteFunc(c.all, func(o *entry) bool { return o == e })
	x.recordings--
	return e
}

func (x *index) intern(s string) string {
	if v, ok := x.strs[s]; ok {
		return v
	}
	s = strings.Clone(s) // do not pin the file's bytes it may point into
	x.strs[s] = s
	return s
}

// lookup returns key's recordings in cassette, in replay order.
func (x *index) lookup(cassette string, key uint64) []*entry {
	if c := x.cassettes[cassette]; c != nil {
		return c.byKey[key]
	}
	return nil
}

// countCassettes is how many cassettes hold a recording.
func (x *index) countCassettes() int {
	n := 0
	for _, c := range x.cassettes {
		if len(c.all) > 0 {
			n++
		}
	}
	return n
}
