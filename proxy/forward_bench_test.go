package proxy

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/faults"
	"github.com/llm-simulator/llm-simulator/rules"
	"github.com/llm-simulator/llm-simulator/simulate"
)

// BenchmarkForward is one forwarded chat call through the front to a
// local keep-alive upstream: the forward source's own cost plus one
// loopback round trip, which BenchmarkUpstreamDirect measures alone.
func BenchmarkForward(b *testing.B) {
	up := benchUpstream(b)
	cfg, err := config.Parse("b.yaml", []byte("version: 1\ndefault_action: forward\nproviders:\n  openai: {upstream: \""+up.URL+"\"}\n"), config.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ups, err := NewUpstreams(cfg, nil)
	if err != nil {
		b.Fatal(err)
	}
	live := new(rules.Live)
	live.Store(mustBuild(b, cfg, faults.NewStore(), "bench"))
	benchFront(b, &Front{Sim: simulate.New(simulate.Config{Default: simulate.InstantModel()}), Rules: live, Upstreams: ups, Seed: 42})
}

// BenchmarkUpstreamDirect is the round trip BenchmarkForward adds to the
// front's work.
func BenchmarkUpstreamDirect(b *testing.B) {
	up := benchUpstream(b)
	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	body := []byte(`{"model":"gpt-4o","messages":[]}`)
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest("POST", up.URL+"/v1/chat/completions", bytes.NewReader(body))
		resp, err := tr.RoundTrip(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

func benchUpstream(b *testing.B) *httptest.Server {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, chatJSON)
	}))
	b.Cleanup(up.Close)
	return up
}
