package cassette

import (
	"sync"
	"sync/atomic"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// bodyCache keeps recordings' bodies, least recently replayed out first,
// within a bound on their number and one on their bytes.
//
// A hit takes no lock: the body hangs off its index entry. The LRU list
// only orders evictions, and a hit moves its entry to the front only when
// it has drifted out of the newest quarter of the list, so under 64
// clients replaying the same few recordings the lock is rarely taken.
// Evictions are therefore nearly, not exactly, least recent first.
type bodyCache struct {
	// mu guards lru and bytes, and every change to an entry's body.
	mu    sync.Mutex
	lru   *simplelru.LRU[*entry, *Recording] // nil: caching is off
	bytes int64

	// moves counts the list's adds and moves to the front; an entry
	// records the count at its last one, so moves minus that is at most
	// its distance from the front.
	moves atomic.Uint64
	len   atomic.Int64 // lru.Len(), for hits to read without mu

	maxEntries int
	maxBytes   int64
	// dropping is set while drop removes a body, which is no eviction.
	dropping bool

	evictions *atomic.Uint64 // the Store's counter
}

func newBodyCache(st *settings, evictions *atomic.Uint64) *bodyCache {
	c := &bodyCache{maxEntries: st.entries, maxBytes: st.maxBytes, evictions: evictions}
	if st.caching() {
		// NewLRU fails only for a size below one, ruled out here.
		c.lru, _ = simplelru.NewLRU(st.entries, c.evicted)
	}
	return c
}

// evicted runs inside the LRU's Add, RemoveOldest and Remove, under mu.
func (c *bodyCache) evicted(e *entry, rec *Recording) {
	e.body.Store(nil)
	c.bytes -= rec.Size
	if !c.dropping {
		c.evictions.Add(1)
	}
}

// drop forgets e's body, if cached: its recording is gone.
func (c *bodyCache) drop(e *entry) {
	if c.lru == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropping = true
	c.lru.Remove(e)
	c.dropping = false
	c.len.Store(int64(c.lru.Len()))
}

// get returns e's body if cached.
func (c *bodyCache) get(e *entry) *Recording {
	rec := e.body.Load()
	if rec != nil && c.moves.Load()-e.moved.Load() > uint64(c.len.Load()/4) {
		c.mu.Lock()
		if _, ok := c.lru.Get(e); ok {
			e.moved.Store(c.moves.Add(1))
		}
		c.mu.Unlock()
	}
	return rec
}

// add caches e's body, evicting the least recent ones until both bounds
// hold. A body larger than the byte bound is not cached at all.
func (c *bodyCache) add(e *entry, rec *Recording) {
	if c.lru == nil || rec.Size > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lru.Contains(e) { // two replays read the same file at once
		return
	}
	c.insert(e, rec)
	for c.bytes > c.maxBytes {
		c.lru.RemoveOldest()
	}
	c.len.Store(int64(c.lru.Len()))
}

// addIfRoom caches e's body only if that evicts nothing: loading fills
// the cache, it does not churn it.
func (c *bodyCache) addIfRoom(e *entry, rec *Recording) {
	if c.lru == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lru.Len() >= c.maxEntries || c.bytes+rec.Size > c.maxBytes || c.lru.Contains(e) {
		return
	}
	c.insert(e, rec)
	c.len.Store(int64(c.lru.Len()))
}

// insert adds e at the front; the caller holds mu and restores the bounds.
func (c *bodyCache) insert(e *entry, rec *Recording) {
	c.lru.Add(e, rec)
	c.bytes += rec.Size
	e.body.Store(rec)
	e.moved.Store(c.moves.Add(1))
}

// stats returns how many bodies are cached and their bytes.
func (c *bodyCache) stats() (entries int, bytes int64) {
	if c.lru == nil {
		return 0, 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len(), c.bytes
}
