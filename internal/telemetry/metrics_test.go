package telemetry

import (
	"fmt"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape reads m's exposition through its Handler, as Prometheus would.
func scrape(t *testing.T, m *Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("scrape: %d %s", rec.Code, rec.Body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return fams
}

// find is the metric of family name whose labels include want; nil when
// there is none.
func find(fams map[string]*dto.MetricFamily, name string, want map[string]string) *dto.Metric {
	f := fams[name]
	if f == nil {
		return nil
	}
	for _, m := range f.Metric {
		n := 0
		for _, l := range m.Label {
			if v, ok := want[l.GetName()]; ok && v == l.GetValue() {
				n++
			}
		}
		if n == len(want) {
			return m
		}
	}
	return nil
}

func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	t.Helper()
	m := find(fams, name, labels)
	switch {
	case m == nil:
		t.Fatalf("no %s%v", name, labels)
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	}
	t.Fatalf("%s%v is neither counter nor gauge", name, labels)
	return 0
}

func histogram(t *testing.T, fams map[string]*dto.MetricFamily, name, provider string) *dto.Histogram {
	t.Helper()
	m := find(fams, name, map[string]string{"provider": provider})
	if m == nil || m.Histogram == nil {
		t.Fatalf("no histogram %s{provider=%q}", name, provider)
	}
	return m.Histogram
}

func streamRecord() *Record {
	return &Record{Provider: "openai", Rule: "flaky", Action: "forward", Source: "forwarded", Status: 200,
		Stream: true, TTFB: 100 * time.Millisecond, Duration: 1100 * time.Millisecond, Events: 11,
		Faults: []string{"latency", "stream"}, Complete: true}
}

func TestMetricsObserve(t *testing.T) {
	m := NewMetrics("v1.2.3")
	m.Observe(streamRecord())
	m.Observe(streamRecord())
	m.Observe(&Record{Provider: "anthropic", Rule: "busy", Action: "simulate", Source: "fault", Status: 529,
		Duration: 2 * time.Millisecond, Faults: []string{"backpressure"}})
	m.Observe(&Record{Provider: "anthropic", Rule: "busy", Action: "simulate", Source: "simulated", Status: 200,
		Duration: 2 * time.Millisecond, Faults: []string{"backpressure"}}) // queued, then admitted
	m.Observe(&Record{Provider: "groq", Dialect: "openai", Rule: "fast", Action: "simulate", Source: "simulated", Status: 200})

	fams := scrape(t, m)
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"llmsim_requests_total", map[string]string{"provider": "openai", "rule": "flaky", "action": "forward", "source": "forwarded", "status": "200"}, 2},
		{"llmsim_requests_total", map[string]string{"provider": "anthropic", "source": "fault", "status": "529"}, 1},
		{"llmsim_requests_total", map[string]string{"provider": "groq", "dialect": "openai", "rule": "fast"}, 1},
		{"llmsim_fault_injections_total", map[string]string{"rule": "flaky", "type": "latency"}, 2},
		{"llmsim_fault_injections_total", map[string]string{"rule": "flaky", "type": "stream"}, 2},
		{"llmsim_fault_injections_total", map[string]string{"rule": "busy", "type": "backpressure"}, 2},
		{"llmsim_backpressure_rejections_total", map[string]string{"rule": "busy"}, 1},
	} {
		if got := value(t, fams, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}

	d := histogram(t, fams, "llmsim_request_duration_seconds", "openai")
	if d.GetSampleCount() != 2 || !near(d.GetSampleSum(), 2.2) {
		t.Errorf("duration: count %d sum %v", d.GetSampleCount(), d.GetSampleSum())
	}
	ttft := histogram(t, fams, "llmsim_time_to_first_token_seconds", "openai")
	if ttft.GetSampleCount() != 2 || !near(ttft.GetSampleSum(), 0.2) {
		t.Errorf("ttft: count %d sum %v", ttft.GetSampleCount(), ttft.GetSampleSum())
	}
	// (1.1s - 0.1s) over 10 gaps: 100ms a gap, once per stream.
	itl := histogram(t, fams, "llmsim_inter_token_latency_seconds", "openai")
	if itl.GetSampleCount() != 2 || !near(itl.GetSampleSum(), 0.2) {
		t.Errorf("itl: count %d sum %v", itl.GetSampleCount(), itl.GetSampleSum())
	}
	// Anthropic's answers were not streams: no TTFT, no ITL.
	if h := histogram(t, fams, "llmsim_time_to_first_token_seconds", "anthropic"); h.GetSampleCount() != 0 {
		t.Errorf("ttft counted a non-stream: %d", h.GetSampleCount())
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

func TestMetricsBuildInfoAndRuntime(t *testing.T) {
	fams := scrape(t, NewMetrics("v1.2.3"))
	if got := value(t, fams, "llmsim_build_info", map[string]string{"version": "v1.2.3", "goversion": runtime.Version()}); got != 1 {
		t.Errorf("build info %v", got)
	}
	for _, name := range []string{"go_goroutines", "process_start_time_seconds", "llmsim_active_streams"} {
		if fams[name] == nil {
			t.Errorf("no %s", name)
		}
	}
	for _, outcome := range []string{"ok", "error"} {
		if got := value(t, fams, "llmsim_reloads_total", map[string]string{"outcome": outcome}); got != 0 {
			t.Errorf("reloads %s = %v before any", outcome, got)
		}
	}
}

func TestMetricsStreamsAndReloads(t *testing.T) {
	m := NewMetrics("dev")
	m.StreamStarted()
	m.StreamStarted()
	m.StreamEnded()
	m.Reload("ok")
	m.Reload("ok")
	m.Reload("error")
	fams := scrape(t, m)
	if got := value(t, fams, "llmsim_active_streams", nil); got != 1 {
		t.Errorf("active streams %v", got)
	}
	if got := value(t, fams, "llmsim_reloads_total", map[string]string{"outcome": "ok"}); got != 2 {
		t.Errorf("ok reloads %v", got)
	}
	if got := value(t, fams, "llmsim_reloads_total", map[string]string{"outcome": "error"}); got != 1 {
		t.Errorf("failed reloads %v", got)
	}
}

func TestMetricsFuncs(t *testing.T) {
	m := NewMetrics("dev")
	fams := scrape(t, m)
	for _, name := range []string{"llmsim_cache_hits_total", "llmsim_backpressure_queue_depth", "llmsim_rate_limit_remaining"} {
		if fams[name] != nil {
			t.Errorf("%s before its func was given", name)
		}
	}
	m.CacheFunc(func() CacheStats {
		return CacheStats{Hits: 7, Misses: 3, Evictions: 2, DiskReads: 5, Bytes: 1 << 20, Entries: 4, Recordings: 9}
	})
	m.QueueFunc(func() float64 { return 12 })
	m.RateLimitFunc(func() []RateLimitLeft {
		return []RateLimitLeft{{"limited", "openai", "requests", 42}, {"limited", "openai", "tokens", 900},
			{"limited", "anthropic", "requests", 7}, {"other", "openai", "requests", 0}}
	})
	fams = scrape(t, m)
	for name, want := range map[string]float64{
		"llmsim_cache_hits_total": 7, "llmsim_cache_misses_total": 3, "llmsim_cache_evictions_total": 2,
		"llmsim_cache_disk_reads_total": 5, "llmsim_cache_bytes": 1 << 20, "llmsim_cache_entries": 4,
		"llmsim_cache_recordings": 9, "llmsim_backpressure_queue_depth": 12,
	} {
		if got := value(t, fams, name, nil); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if fams["llmsim_cache_hits_total"].GetType() != dto.MetricType_COUNTER || fams["llmsim_cache_bytes"].GetType() != dto.MetricType_GAUGE {
		t.Error("cache metric types")
	}
	for _, c := range []struct {
		rule, provider, kind string
		want                 float64
	}{
		{"limited", "openai", "requests", 42}, {"limited", "openai", "tokens", 900},
		{"limited", "anthropic", "requests", 7}, {"other", "openai", "requests", 0},
	} {
		labels := map[string]string{"rule": c.rule, "provider": c.provider, "kind": c.kind}
		if got := value(t, fams, "llmsim_rate_limit_remaining", labels); got != c.want {
			t.Errorf("rate limit %v = %v, want %v", labels, got, c.want)
		}
	}

	// A second call replaces the func: a reload made a new store.
	m.CacheFunc(func() CacheStats { return CacheStats{Hits: 1} })
	m.QueueFunc(func() float64 { return 0 })
	m.RateLimitFunc(func() []RateLimitLeft { return []RateLimitLeft{{"new", "openai", "requests", 5}} })
	fams = scrape(t, m)
	if got := value(t, fams, "llmsim_cache_hits_total", nil); got != 1 {
		t.Errorf("hits after replacing %v", got)
	}
	if find(fams, "llmsim_rate_limit_remaining", map[string]string{"rule": "limited"}) != nil {
		t.Error("a rule the new func does not report is still exposed")
	}
}

// A response that did not run to its end is counted by its outcome, and
// one never sent under status 0 — not as the 200 it did not get.
func TestMetricsOutcomes(t *testing.T) {
	m := NewMetrics("dev")
	for _, r := range []*Record{
		{Provider: "openai", Rule: "chaos", Source: "fault", Faults: []string{"abort"}, Outcome: OutcomeAborted},
		{Provider: "openai", Rule: "chaos", Source: "fault", Faults: []string{"abort"}, Outcome: OutcomeReset},
		{Provider: "openai", Rule: "chaos", Source: "fault", Faults: []string{"hang"}, Outcome: OutcomeHung},
		{Provider: "openai", Rule: "chaos", Source: "simulated", Status: 200, Stream: true, Faults: []string{"stream"}, Outcome: OutcomeCut},
		{Provider: "openai", Rule: "chaos", Source: "simulated", Status: 200, Outcome: OutcomeComplete, Complete: true},
	} {
		m.Observe(r)
	}
	fams := scrape(t, m)
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"llmsim_requests_total", map[string]string{"rule": "chaos", "source": "fault", "status": "0"}, 3},
		{"llmsim_requests_total", map[string]string{"rule": "chaos", "source": "simulated", "status": "200"}, 2},
		{"llmsim_requests_incomplete_total", map[string]string{"provider": "openai", "rule": "chaos", "outcome": "aborted"}, 1},
		{"llmsim_requests_incomplete_total", map[string]string{"rule": "chaos", "outcome": "reset"}, 1},
		{"llmsim_requests_incomplete_total", map[string]string{"rule": "chaos", "outcome": "hung"}, 1},
		{"llmsim_requests_incomplete_total", map[string]string{"rule": "chaos", "outcome": "cut"}, 1},
	} {
		if got := value(t, fams, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if find(fams, "llmsim_requests_incomplete_total", map[string]string{"outcome": "complete"}) != nil {
		t.Error("a complete response counted as incomplete")
	}
}

// Two Metrics live side by side: each has its own registry.
func TestMetricsSeparateRegistries(t *testing.T) {
	a, b := NewMetrics("a"), NewMetrics("b")
	a.Observe(streamRecord())
	if find(scrape(t, b), "llmsim_requests_total", map[string]string{"rule": "flaky"}) != nil {
		t.Error("b saw a's request")
	}
}

// Concurrent first uses of many label tuples lose no count.
func TestMetricsObserveConcurrent(t *testing.T) {
	m := NewMetrics("dev")
	const goroutines, rules, rounds = 8, 50, 20
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range rounds * rules {
				m.Observe(&Record{Provider: "openai", Rule: fmt.Sprint("r", (i+g)%rules), Source: "simulated",
					Status: 200, Faults: []string{"latency"}})
			}
		})
	}
	wg.Wait()
	fams := scrape(t, m)
	for i := range rules {
		rule := fmt.Sprint("r", i)
		if got := value(t, fams, "llmsim_requests_total", map[string]string{"rule": rule}); got != goroutines*rounds {
			t.Errorf("%s: %v requests, want %d", rule, got, goroutines*rounds)
		}
		if got := value(t, fams, "llmsim_fault_injections_total", map[string]string{"rule": rule}); got != goroutines*rounds {
			t.Errorf("%s: %v faults, want %d", rule, got, goroutines*rounds)
		}
	}
	n := 0
	m.byRequest.m.Range(func(any, any) bool { n++; return true })
	if n != rules {
		t.Errorf("%d tuples cached, want %d", n, rules)
	}
}
