package telemetry

import (
	"net/http"
	"runtime"
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Histogram buckets, in seconds. LLM calls run from microseconds (a
// simulated answer with no latency) to minutes (a long generation), wider
// than Prometheus' default buckets reach.
var (
	durationBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300}
	ttftBuckets     = []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2, 5, 10, 30, 60}
	itlBuckets      = []float64{.0005, .001, .0025, .005, .01, .02, .05, .1, .25, .5, 1}
)

// Metrics is the proxy's Prometheus metrics, in a registry of their own
// (not the global one, so two proxies in one test process do not
// collide), beside the Go runtime's and the process's. It is safe for
// concurrent use.
type Metrics struct {
	reg     *prometheus.Registry
	handler http.Handler

	requests     *prometheus.CounterVec
	incomplete   *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	ttft         *prometheus.HistogramVec
	itl          *prometheus.HistogramVec
	faults       *prometheus.CounterVec
	backpressure *prometheus.CounterVec
	streams      prometheus.Gauge
	reloads      *prometheus.CounterVec
	egress       *prometheus.CounterVec

	// The resolved metrics per label tuple, so Observe allocates nothing
	// for a tuple it has seen.
	byRequest  *labelCache[requestKey, prometheus.Counter]
	byOutcome  *labelCache[outcomeKey, prometheus.Counter]
	byProvider *labelCache[string, providerMetrics]
	byFault    *labelCache[faultKey, prometheus.Counter]
	byRule     *labelCache[string, prometheus.Counter]

	funcs     sync.Mutex // guards the registration of the func metrics below
	cacheF    *funcSlot[func() CacheStats]
	queueF    *funcSlot[func() float64]
	rateLimit *funcSlot[func() []RateLimitLeft]
}

// NewMetrics returns the metrics, with llmsim_build_info{version,
// goversion} set to 1.
func NewMetrics(version string) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name:        "llmsim_build_info",
		Help:        "The running build: always 1, the labels tell.",
		ConstLabels: prometheus.Labels{"version": version, "goversion": runtime.Version()},
	}, func() float64 { return 1 }))
	m.requests = m.counterVec("llmsim_requests_total",
		"Requests, by what took them, what answered and the status sent (0: none was, see llmsim_requests_incomplete_total).",
		"provider", "dialect", "rule", "action", "source", "status")
	m.incomplete = m.counterVec("llmsim_requests_incomplete_total",
		"Requests whose response did not run to its end, by outcome: cut, aborted, reset, hung or client_gone.",
		"provider", "rule", "outcome")
	m.duration = m.histogramVec("llmsim_request_duration_seconds", "Time from a request's arrival to the end of its response.", durationBuckets)
	m.ttft = m.histogramVec("llmsim_time_to_first_token_seconds", "Time from a streamed request's arrival to its first event.", ttftBuckets)
	m.itl = m.histogramVec("llmsim_inter_token_latency_seconds",
		"Per stream, the mean gap between its events after the first: one observation per stream, "+
			"not per gap, which would cost an observation per token.", itlBuckets)
	m.faults = m.counterVec("llmsim_fault_injections_total", "Faults fired, by rule and fault type.", "rule", "type")
	m.backpressure = m.counterVec("llmsim_backpressure_rejections_total", "Requests a backpressure fault turned away.", "rule")
	m.reloads = m.counterVec("llmsim_reloads_total", "Rule set reloads, by outcome (ok or error).", "outcome")
	m.reloads.WithLabelValues("ok")
	m.reloads.WithLabelValues("error")
	m.egress = m.counterVec("llmsim_egress_refusals_total",
		"Targets the egress policy refused, by how they were asked for (connect, request, forward) and the check that refused.",
		"via", "reason")
	m.streams = prometheus.NewGauge(prometheus.GaugeOpts{Name: "llmsim_active_streams", Help: "Event streams being written."})
	m.reg.MustRegister(m.streams)
	m.bindCaches()
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError, Registry: m.reg})
	return m
}

func (m *Metrics) counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	v := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	m.reg.MustRegister(v)
	return v
}

func (m *Metrics) histogramVec(name, help string, buckets []float64) *prometheus.HistogramVec {
	v := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, []string{"provider"})
	m.reg.MustRegister(v)
	return v
}

// Handler serves the metrics in the Prometheus exposition formats.
func (m *Metrics) Handler() http.Handler { return m.handler }

// Registry is the registry the metrics live in, for a caller that adds
// its own.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// StreamStarted counts an event stream whose head went out as active.
func (m *Metrics) StreamStarted() { m.streams.Inc() }

// StreamEnded counts an event stream StreamStarted counted as over.
func (m *Metrics) StreamEnded() { m.streams.Dec() }

// Reload counts a reload of the rule set; outcome is "ok" or "error".
func (m *Metrics) Reload(outcome string) { m.reloads.WithLabelValues(outcome).Inc() }

// EgressRefused counts a target the egress policy refused: via is
// connect, request or forward; reason the check that refused.
func (m *Metrics) EgressRefused(via, reason string) { m.egress.WithLabelValues(via, reason).Inc() }

// requestKey is the label tuple of llmsim_requests_total. The dialect
// adds few series: a provider speaks one, but for Gemini's host, which
// also serves OpenAI's dialect under /v1beta/openai/.
type requestKey struct {
	provider, dialect, rule, action, source string
	status                                  int
}

// providerMetrics are the histograms labelled by provider alone.
type providerMetrics struct {
	duration, ttft, itl prometheus.Observer
}

// outcomeKey is the label tuple of llmsim_requests_incomplete_total: no
// source or status, which llmsim_requests_total has, so the few series
// stay few.
type outcomeKey struct{ provider, rule, outcome string }

// faultKey is the label tuple of llmsim_fault_injections_total.
type faultKey struct{ rule, kind string }

// bindCaches makes the label caches, each resolving through its vector.
func (m *Metrics) bindCaches() {
	m.byRequest = newLabelCache(func(k requestKey) prometheus.Counter {
		return m.requests.WithLabelValues(k.provider, k.dialect, k.rule, k.action, k.source, strconv.Itoa(k.status))
	})
	m.byOutcome = newLabelCache(func(k outcomeKey) prometheus.Counter {
		return m.incomplete.WithLabelValues(k.provider, k.rule, k.outcome)
	})
	m.byProvider = newLabelCache(func(p string) providerMetrics {
		return providerMetrics{m.duration.WithLabelValues(p), m.ttft.WithLabelValues(p), m.itl.WithLabelValues(p)}
	})
	m.byFault = newLabelCache(func(k faultKey) prometheus.Counter { return m.faults.WithLabelValues(k.rule, k.kind) })
	m.byRule = newLabelCache(func(rule string) prometheus.Counter { return m.backpressure.WithLabelValues(rule) })
}
