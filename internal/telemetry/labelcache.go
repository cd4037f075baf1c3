package telemetry

import (
	"maps"
	"sync"
	"sync/atomic"
)

// maxCached bounds a labelCache: past it, new label tuples are resolved
// on every use rather than kept, so a runaway label (a rule per test run,
// say) cannot grow the cache without end. Prometheus keeps the series
// either way.
const maxCached = 4096

// labelCache maps a tuple of label values to the metrics they resolve to.
// Reads take no lock and allocate nothing: the map is immutable once
// published, and a miss publishes a copy with the new entry. Label tuples
// are few and repeat, so misses are rare and the copies cheap.
type labelCache[K comparable, V any] struct {
	m       atomic.Pointer[map[K]V]
	mu      sync.Mutex // serializes misses, so no copy loses another's entry
	resolve func(K) V  // bound once, when the cache is made
}

func newLabelCache[K comparable, V any](resolve func(K) V) *labelCache[K, V] {
	return &labelCache[K, V]{resolve: resolve}
}

// get returns the metrics for k, resolving them on the first use.
func (c *labelCache[K, V]) get(k K) V {
	if m := c.m.Load(); m != nil {
		if v, ok := (*m)[k]; ok {
			return v
		}
	}
	return c.miss(k)
}

func (c *labelCache[K, V]) miss(k K) V {
	c.mu.Lock()
	defer c.mu.Unlock()
	var old map[K]V
	if p := c.m.Load(); p != nil {
		old = *p
	}
	if v, ok := old[k]; ok {
		return v // another miss resolved it meanwhile
	}
	v := c.resolve(k)
	if len(old) >= maxCached {
		return v
	}
	m := make(map[K]V, len(old)+1)
	maps.Copy(m, old)
	m[k] = v
	c.m.Store(&m)
	return v
}
