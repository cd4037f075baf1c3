package proxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/faults"
	"github.com/llm-simulator/llm-simulator/rules"
	"github.com/llm-simulator/llm-simulator/simulate"
)

// overlayServer serves src's rules with overlays, as the command wires
// them.
func overlayServer(t *testing.T, src string) (*httptest.Server, *rules.Live, *rules.Overlays) {
	t.Helper()
	cfg, err := config.Parse("test.yaml", []byte(src), config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sc := SimulatorConfig(&cfg.Simulate)
	sc.Default = simulate.InstantModel()
	store := faults.NewStore()
	o := rules.NewOverlays(store, nil, "")
	live := new(rules.Live)
	live.SetOverlays(o)
	live.Store(mustBuild(t, cfg, store, "test"))
	srv := httptest.NewServer(&Front{Sim: simulate.New(sc), Rules: live, Seed: 42})
	t.Cleanup(srv.Close)
	return srv, live, o
}

// postScoped posts a chat request in scope and returns the status and
// the debug headers.
func postScoped(t *testing.T, url, scope string) (status int, rule, fired string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), "POST", url+"/v1/chat/completions",
		strings.NewReader(`{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`))
	req.Header.Set(rules.ScopeHeader, scope)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("X-Llmsim-Rule"), resp.Header.Get("X-Llmsim-Faults")
}

func TestTemporaryFaultsFireThroughTheFrontAndCountOnTheRule(t *testing.T) {
	srv, live, o := overlayServer(t, "version: 1\nrules:\n  - {name: chat, match: {path: /v1/chat/completions}, faults: [{latency: {dist: constant, value: 1ms}}]}\n")
	spec, err := o.ParseFault([]byte(`{"faults":[{"error":{"status":503}}],"ttl":"1h","scope":"t1"}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.AddFault(spec); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		scope, toggle    string
		status           int
		rule, fired      string
		matched, errored uint64
	}{
		{"t1", "", 503, "chat", "latency,error", 1, 1},
		{"t2", "", 200, "chat", "latency", 2, 1},
		{"t1", "off", 503, "default", "error", 2, 1}, // no rule takes it; the overlay still holds
		{"t2", "on", 200, "chat", "latency", 3, 1},
	}
	for i, s := range steps {
		if s.toggle != "" {
			if err := o.SetEnabled("chat", s.toggle == "on"); err != nil {
				t.Fatal(err)
			}
		}
		status, rule, fired := postScoped(t, srv.URL, s.scope)
		c := live.Load().Rules[0].Counters()
		if status != s.status || rule != s.rule || fired != s.fired || c.Matched() != s.matched || c.Faults()["error"] != s.errored {
			t.Fatalf("step %d: %d rule %q faults %q, counted %d matches %v; want %d %q %q %d, %d errors",
				i, status, rule, fired, c.Matched(), c.Faults(), s.status, s.rule, s.fired, s.matched, s.errored)
		}
	}
	if n := live.Load().Rules[0].Counters().Faults()["latency"]; n != 3 {
		t.Fatalf("latency counted %d times", n)
	}
}
