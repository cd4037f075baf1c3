package proxy

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/faults"
	"github.com/llm-simulator/llm-simulator/internal/telemetry"
	"github.com/llm-simulator/llm-simulator/rules"
	"github.com/llm-simulator/llm-simulator/simulate"
)

// benchWriter is a ResponseWriter that drops what it is given.
type benchWriter struct{ h http.Header }

func (w *benchWriter) Header() http.Header         { return w.h }
func (w *benchWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *benchWriter) WriteHeader(int)             {}
func (w *benchWriter) Flush()                      {}

// BenchmarkFront is one request through the whole front — routing, body,
// identity, simulator, writer — without a network: the handler's own cost.
func BenchmarkFront(b *testing.B) {
	benchFront(b, &Front{Sim: simulate.New(simulate.Config{Default: simulate.InstantModel()}), Seed: 42})
}

// The benchmarks' requests: a chat call, and the same call streamed.
const (
	benchChat   = `{"model":"gpt-4o","messages":[{"role":"system","content":"You are helpful."},{"role":"user","content":"Tell me a joke about proxies."}]}`
	benchStream = `{"model":"gpt-4o","stream":true,"messages":[{"role":"system","content":"You are helpful."},{"role":"user","content":"Tell me a joke about proxies."}]}`
)

// BenchmarkFrontStream is BenchmarkFront streamed: ten tokens, 14 events.
func BenchmarkFrontStream(b *testing.B) {
	benchFrontBody(b, &Front{Sim: simulate.New(simulate.Config{Default: simulate.InstantModel()}), Seed: 42}, benchStream)
}

// BenchmarkFrontObserved is BenchmarkFront with a journal and metrics:
// what recording every request costs.
func BenchmarkFrontObserved(b *testing.B) {
	benchFront(b, observed(&Front{Sim: simulate.New(simulate.Config{Default: simulate.InstantModel()}), Seed: 42}))
}

// BenchmarkFrontObservedStream is BenchmarkFrontStream with a journal and
// metrics: a stream also times its first byte and counts as active.
func BenchmarkFrontObservedStream(b *testing.B) {
	benchFrontBody(b, observed(&Front{Sim: simulate.New(simulate.Config{Default: simulate.InstantModel()}), Seed: 42}), benchStream)
}

func observed(f *Front) *Front {
	f.Journal, f.Metrics = telemetry.NewJournal(1000), telemetry.NewMetrics("bench")
	return f
}

func benchFront(b *testing.B, f *Front) { benchFrontBody(b, f, benchChat) }

func benchFrontBody(b *testing.B, f *Front, request string) {
	body := []byte(request)
	req, _ := http.NewRequest("POST", "http://127.0.0.1/v1/chat/completions", nil)
	req.URL.Scheme, req.URL.Host = "", "" // origin-form, as a server parses a base-URL request
	rd := bytes.NewReader(body)
	w := &benchWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		rd.Reset(body)
		req.Body = io.NopCloser(rd)
		clear(w.h)
		f.ServeHTTP(w, req)
	}
}

// BenchmarkFrontWithFault is BenchmarkFront under a rule that takes every
// request and fires a zero latency: the rule and fault machinery's cost.
func BenchmarkFrontWithFault(b *testing.B) {
	cfg, err := config.Parse("b.yaml", []byte("version: 1\nrules:\n  - name: zero\n    faults:\n      - latency: {dist: constant, value: 0s}\n"), config.Options{})
	if err != nil {
		b.Fatal(err)
	}
	live := new(rules.Live)
	live.Store(mustBuild(b, cfg, faults.NewStore(), "bench"))
	benchFront(b, &Front{Sim: simulate.New(simulate.Config{Default: simulate.InstantModel()}), Rules: live, Seed: 42})
}

// BenchmarkFront100Rules is BenchmarkFrontObserved under bench/config-100-rules.yaml:
// 99 rules the request does not match, then one that takes it and fires
// a zero latency. The performance issue asks for at least 0.9× the speed
// without rules.
func BenchmarkFront100Rules(b *testing.B) {
	cfg, err := config.Load("../bench/config-100-rules.yaml", config.Options{})
	if err != nil {
		b.Fatal(err)
	}
	live := new(rules.Live)
	live.Store(mustBuild(b, cfg, faults.NewStore(), "bench"))
	benchFront(b, observed(&Front{Sim: simulate.New(simulate.Config{Default: simulate.InstantModel()}), Rules: live, Seed: 42}))
}
