package telemetry

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// CacheStats is the cassette cache's state, as a scrape reads it.
type CacheStats struct {
	// Hits, Misses, Evictions and DiskReads count since the store was
	// made.
	Hits, Misses, Evictions, DiskReads uint64
	// Bytes is the size of the bodies cached in memory.
	Bytes int64
	// Entries is the number of bodies cached in memory.
	Entries int
	// Recordings is the number of recordings indexed, cached or not.
	Recordings int
}

// funcSlot holds the function a scrape calls, swappable after the
// metric is registered.
type funcSlot[F any] struct{ f atomic.Pointer[F] }

func (s *funcSlot[F]) load() (F, bool) {
	if p := s.f.Load(); p != nil {
		return *p, true
	}
	var zero F
	return zero, false
}

// CacheFunc makes every scrape call f once for the cassette cache's
// llmsim_cache_{hits,misses,evictions,disk_reads}_total counters and
// llmsim_cache_{bytes,entries,recordings} gauges. A later call replaces
// f (a reload made a new store); the counters then start from the new
// store's, which Prometheus reads as a reset.
func (m *Metrics) CacheFunc(f func() CacheStats) {
	m.funcs.Lock()
	defer m.funcs.Unlock()
	if m.cacheF == nil {
		m.cacheF = new(funcSlot[func() CacheStats])
		m.reg.MustRegister(&cacheCollector{slot: m.cacheF})
	}
	m.cacheF.f.Store(&f)
}

// QueueFunc makes every scrape call f for llmsim_backpressure_queue_depth,
// the requests waiting in backpressure queues. A later call replaces f.
func (m *Metrics) QueueFunc(f func() (depth float64)) {
	m.funcs.Lock()
	defer m.funcs.Unlock()
	if m.queueF == nil {
		slot := new(funcSlot[func() float64])
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "llmsim_backpressure_queue_depth",
			Help: "Requests waiting in backpressure queues.",
		}, func() float64 {
			if f, ok := slot.load(); ok {
				return f()
			}
			return 0
		}))
		m.queueF = slot
	}
	m.queueF.f.Store(&f)
}

// RateLimitLeft is one series of llmsim_rate_limit_remaining: what one
// rate limit has left of one kind, for one provider.
type RateLimitLeft struct {
	// Rule owns the limit: a rule's name, or "overlay f-…" for a
	// temporary fault.
	Rule string
	// Provider is the provider whose bucket it is: each provider a rule
	// takes has buckets of its own.
	Provider string
	// Kind is the limit: requests, tokens, input_tokens or output_tokens.
	Kind string
	// Remaining is what the bucket holds now: requests, or tokens.
	Remaining float64
}

// RateLimitFunc makes every scrape call f for llmsim_rate_limit_remaining
// {rule, provider, kind}: what each rate limit has left. A later call
// replaces f. Scopes and API keys are not labels — there may be any
// number of them: f reports the lowest over them, the one closest to
// refusing.
func (m *Metrics) RateLimitFunc(f func() []RateLimitLeft) {
	m.funcs.Lock()
	defer m.funcs.Unlock()
	if m.rateLimit == nil {
		m.rateLimit = new(funcSlot[func() []RateLimitLeft])
		m.reg.MustRegister(&rateLimitCollector{slot: m.rateLimit})
	}
	m.rateLimit.f.Store(&f)
}

var (
	cacheHitsDesc       = desc("llmsim_cache_hits_total", "Replays answered from a recording.")
	cacheMissesDesc     = desc("llmsim_cache_misses_total", "Replays that found no recording.")
	cacheEvictionsDesc  = desc("llmsim_cache_evictions_total", "Recording bodies dropped from memory to stay within the cache's bounds.")
	cacheDiskReadsDesc  = desc("llmsim_cache_disk_reads_total", "Recording bodies read from disk, not found in memory.")
	cacheBytesDesc      = desc("llmsim_cache_bytes", "Bytes of recording bodies held in memory.")
	cacheEntriesDesc    = desc("llmsim_cache_entries", "Recording bodies held in memory.")
	cacheRecordingsDesc = desc("llmsim_cache_recordings", "Recordings indexed, in memory or not.")
	rateLimitDesc       = prometheus.NewDesc("llmsim_rate_limit_remaining",
		"What each rate limit has left, by rule, provider and kind (requests, tokens, input_tokens, output_tokens): "+
			"the lowest over scopes and keys.", []string{"rule", "provider", "kind"}, nil)
)

func desc(name, help string) *prometheus.Desc { return prometheus.NewDesc(name, help, nil, nil) }

// cacheCollector reads the cache's stats once per scrape for all seven
// metrics, rather than once per metric.
type cacheCollector struct{ slot *funcSlot[func() CacheStats] }

func (c *cacheCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{cacheHitsDesc, cacheMissesDesc, cacheEvictionsDesc, cacheDiskReadsDesc,
		cacheBytesDesc, cacheEntriesDesc, cacheRecordingsDesc} {
		ch <- d
	}
}

func (c *cacheCollector) Collect(ch chan<- prometheus.Metric) {
	f, ok := c.slot.load()
	if !ok {
		return
	}
	s := f()
	counter := func(d *prometheus.Desc, v uint64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v))
	}
	gauge := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	counter(cacheHitsDesc, s.Hits)
	counter(cacheMissesDesc, s.Misses)
	counter(cacheEvictionsDesc, s.Evictions)
	counter(cacheDiskReadsDesc, s.DiskReads)
	gauge(cacheBytesDesc, float64(s.Bytes))
	gauge(cacheEntriesDesc, float64(s.Entries))
	gauge(cacheRecordingsDesc, float64(s.Recordings))
}

// rateLimitCollector reads the rate limits' state at each scrape; the
// rules, and so the label values, change with reloads.
type rateLimitCollector struct {
	slot *funcSlot[func() []RateLimitLeft]
}

func (c *rateLimitCollector) Describe(ch chan<- *prometheus.Desc) { ch <- rateLimitDesc }

func (c *rateLimitCollector) Collect(ch chan<- prometheus.Metric) {
	f, ok := c.slot.load()
	if !ok {
		return
	}
	for _, l := range f() {
		ch <- prometheus.MustNewConstMetric(rateLimitDesc, prometheus.GaugeValue, l.Remaining, l.Rule, l.Provider, l.Kind)
	}
}

var (
	_ prometheus.Collector = (*cacheCollector)(nil)
	_ prometheus.Collector = (*rateLimitCollector)(nil)
)
