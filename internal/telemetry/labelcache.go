package telemetry

import "sync"

// labelCache maps a tuple of label values to the metrics they resolve to,
// so a repeated tuple skips the vector's hashing of its label values and
// the slice a WithLabelValues call builds. A sync.Map: reads take no lock
// and, with a comparable struct key, allocate nothing; entries are
// written once per tuple and never removed, the case it is made for. It
// grows as the vectors do: Prometheus keeps every series anyway.
type labelCache[K comparable, V any] struct {
	m       sync.Map  // K → V
	resolve func(K) V // bound once, when the cache is made
}

func newLabelCache[K comparable, V any](resolve func(K) V) *labelCache[K, V] {
	return &labelCache[K, V]{resolve: resolve}
}

// get returns the metrics for k, resolving them on the first use. Two
// first uses at once may both resolve; the vector gives both the same
// metrics.
func (c *labelCache[K, V]) get(k K) V {
	if v, ok := c.m.Load(k); ok {
		return v.(V)
	}
	v, _ := c.m.LoadOrStore(k, c.resolve(k))
	return v.(V)
}
