package cassette

import (
	"sync"
	"sync/atomic"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// bodyCache keeps recordings' bodies, least recently replayed out first,
// within a bound on their number and one on their bytes.
type bodyCache struct {
	// mu guards lru and bytes. A hit holds it for one map lookup and one
	// list move.
	mu    sync.Mutex
	lru   *simplelru.LRU[*entry, *Recording] // nil: caching is off
	bytes int64

	maxEntries int
	maxBytes   int64

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

// evicted runs inside the LRU's Add and RemoveOldest, under mu.
func (c *bodyCache) evicted(_ *entry, rec *Recording) {
	c.bytes -= rec.Size
	c.evictions.Add(1)
}

// get returns e's body if cached, making it the most recent.
func (c *bodyCache) get(e *entry) *Recording {
	if c.lru == nil {
		return nil
	}
	c.mu.Lock()
	rec, _ := c.lru.Get(e)
	c.mu.Unlock()
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
	c.lru.Add(e, rec)
	c.bytes += rec.Size
	for c.bytes > c.maxBytes {
		c.lru.RemoveOldest()
	}
}

// addIfRoom caches e's body only if that evicts nothing: loading fills
// the cache, it does not churn it.
func (c *bodyCache) addIfRoom(e *entry, rec *Recording) bool {
	if c.lru == nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lru.Len() >= c.maxEntries || c.bytes+rec.Size > c.maxBytes || c.lru.Contains(e) {
		return false
	}
	c.lru.Add(e, rec)
	c.bytes += rec.Size
	return true
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
