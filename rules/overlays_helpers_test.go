package rules

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/faults"
)

var t0 = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// testClock is a clock the test moves by hand.
type testClock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

func newTestClock() *testClock { return &testClock{t: t0} }

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// mustBuild builds cfg's set on store, failing the test if it does not
// build.
func mustBuild(tb testing.TB, cfg *config.Config, store *faults.Store, origin string) *Set {
	tb.Helper()
	set, err := Build(cfg, store, origin, t0)
	if err != nil {
		tb.Fatal(err)
	}
	return set
}

// mustSet parses src and builds its set on store.
func mustSet(t testing.TB, store *faults.Store, src string) *Set {
	t.Helper()
	cfg, err := config.Parse("t.yaml", []byte(src), config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return mustBuild(t, cfg, store, "test")
}

// scoped is an OpenAI chat request for model in scope ("" for none).
func scoped(scope, model string) *Request {
	h := http.Header{}
	if scope != "" {
		h.Set(ScopeHeader, scope)
	}
	return &Request{Provider: "openai", Method: "POST", Path: "/v1/chat/completions", Host: "api.openai.com",
		Header: h, Body: []byte(`{"model":"` + model + `","messages":[]}`)}
}

// fire counts a request of scope against in's gate.
func fire(in *faults.Instance, scope string) bool {
	return in.Fires(&faults.Exchange{Rand: newTestRand(), Scope: scope})
}

// matchName is the name of the rule set takes r with, "" for none.
func matchName(s *Set, r *Request) string {
	if rule := s.Match(r); rule != nil {
		return rule.Name
	}
	return ""
}

// addFault parses body and adds it to o.
func addFault(t *testing.T, o *Overlays, body string) TempFault {
	t.Helper()
	spec, err := o.ParseFault([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	tf, err := o.AddFault(spec)
	if err != nil {
		t.Fatal(err)
	}
	return tf
}
