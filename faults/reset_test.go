package faults

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/internal/clock"
)

// admitted runs one request of scope through rl and reports whether it
// got through.
func admitted(t *testing.T, rl *RateLimit, c *clock.Manual, scope string) bool {
	t.Helper()
	_, in := admitOne(t, rl, c, scope)
	return in
}

// admitOne runs one request of scope through rl and returns it, still in
// flight, and whether it got through.
func admitOne(t *testing.T, rl *RateLimit, c *clock.Manual, scope string) (*Exchange, bool) {
	t.Helper()
	x := rlExchange("openai", c, 0)
	x.Scope = scope
	_, w := recorder()
	answered, err := rl.Admit(context.Background(), x, w)
	if err != nil {
		t.Fatal(err)
	}
	return x, !answered
}

func TestResetScopeClearsThatScopesRateLimitOnly(t *testing.T) {
	c := clock.NewManual(testStart)
	rl := &RateLimit{RequestsPerMinute: 1}
	rl, s := bind(rl)
	for _, scope := range []string{"a", "b"} {
		if !admitted(t, rl, c, scope) || admitted(t, rl, c, scope) {
			t.Fatalf("scope %s: want the first request in and the second refused", scope)
		}
	}
	s.ResetScope("a")
	if !admitted(t, rl, c, "a") {
		t.Fatal("scope a was refused after its reset")
	}
	if admitted(t, rl, c, "b") {
		t.Fatal("scope b's window was reset with a's")
	}
	s.ResetAll()
	if s.Len() != 0 || !admitted(t, rl, c, "b") {
		t.Fatalf("after ResetAll: %d states, scope b still limited", s.Len())
	}
}

func TestResetScopeClearsGateCounters(t *testing.T) {
	s := NewStore()
	in := NewInstance(&Error{Status: 500}, Gate{Times: 1}, "r/0/abc", s)
	fire := func(scope string) bool {
		x, _ := testExchange("openai")
		x.Scope = scope
		return in.Fires(x)
	}
	if !fire("a") || fire("a") || !fire("b") {
		t.Fatal("times: 1 did not fire once per scope")
	}
	if seen, fired := in.Counts("a"); seen != 2 || fired != 1 {
		t.Fatalf("counts of a: seen %d fired %d", seen, fired)
	}
	s.ResetScope("a")
	if seen, _ := in.Counts("a"); seen != 0 || !fire("a") || fire("b") {
		t.Fatal("reset of a did not start a over, or touched b")
	}
}

func TestCountsCreatesNothing(t *testing.T) {
	s := NewStore()
	in := NewInstance(&Error{Status: 500}, Gate{}, "r/0/abc", s)
	if seen, fired := in.Counts("a"); seen != 0 || fired != 0 || s.Len() != 0 {
		t.Fatalf("seen %d fired %d, %d states", seen, fired, s.Len())
	}
}

func TestQueueDepthSeesAQueuedRequest(t *testing.T) {
	bp := &Backpressure{MaxConcurrency: 1, Queue: 1}
	bp, s := bind(bp)
	if s.QueueDepth() != 0 {
		t.Fatal("an empty store has a queue")
	}
	first, _ := testExchange("openai")
	if answered, _ := bp.Admit(context.Background(), first, nil); answered {
		t.Fatal("first request refused")
	}
	x, _ := testExchange("openai")
	done := make(chan error, 1)
	go func() {
		_, err := bp.Admit(context.Background(), x, nil)
		done <- err
	}()
	waitFor(t, func() bool { return s.QueueDepth() == 1 })
	first.Finish(Outcome{})
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if s.QueueDepth() != 0 {
		t.Fatalf("queue depth %d once served", s.QueueDepth())
	}
	x.Finish(Outcome{})
}

func TestRateLimitRemaining(t *testing.T) {
	c := clock.NewManual(testStart)
	s := NewStore()
	rl := &RateLimit{RequestsPerMinute: 10, TokensPerMinute: 1000}
	rl = NewInstance(rl, Gate{}, "team/a/0/abc", s).Fault.(*RateLimit)
	tokens := &RateLimit{TokensPerMinute: 1000}
	tokens = NewInstance(tokens, Gate{}, "overlay f-1a2b3c/0/def", s).Fault.(*RateLimit)
	if got := s.RateLimitRemaining(); len(got) != 0 {
		t.Fatalf("before any request: %v", got)
	}
	for range 3 {
		admitted(t, rl, c, "a")
	}
	admitted(t, rl, c, "b")
	x := rlExchange("openai", c, 250)
	if answered, err := tokens.Admit(context.Background(), x, nil); answered || err != nil {
		t.Fatal(answered, err)
	}
	got := levels(s)
	want := map[string]int64{"team/a openai requests": 7, "team/a openai tokens": 1000, "overlay f-1a2b3c openai tokens": 750}
	if !maps.Equal(got, want) {
		t.Fatalf("remaining %v, want %v: the tightest scope's requests, each kind apart", got, want)
	}
	c.Advance(6 * time.Second) // a tenth of the window refills one request
	if got := levels(s)["team/a openai requests"]; got != 8 {
		t.Fatalf("after 6s: %v left", got)
	}
}

// levels is RateLimitRemaining as "owner provider kind" → remaining.
func levels(s *Store) map[string]int64 {
	out := map[string]int64{}
	for _, l := range s.RateLimitRemaining() {
		out[l.Owner+" "+l.Provider+" "+l.Kind] = l.Remaining
	}
	return out
}

func TestOwnedStateSurvivesRetainUntilDropped(t *testing.T) {
	s := NewStore()
	s.Own("overlay ")
	for _, id := range []string{"rule/0/abc", "overlay f-1/0/abc", "overlay f-2/0/abc"} {
		x, _ := testExchange("openai")
		NewInstance(&Error{Status: 500}, Gate{}, id, s).Fires(x)
	}
	s.Retain(func(string) bool { return false })
	if s.Len() != 2 {
		t.Fatalf("%d states after retaining none: want the two owned", s.Len())
	}
	s.Drop(func(id string) bool { return id == "overlay f-1/0/abc" })
	if s.Len() != 1 {
		t.Fatalf("%d states after dropping one", s.Len())
	}
}

// Idle scopes are forgotten whole — gate counters, rate-limit windows,
// queues — except what a request still holds; the unscoped state and
// other scopes stay.
func TestForgetScopesKeepsWhatIsInUse(t *testing.T) {
	c := clock.NewManual(testStart)
	rl := &RateLimit{RequestsPerMinute: 1}
	rl, s := bind(rl)
	gate := NewInstance(&Error{Status: 500}, Gate{Times: 1}, "r/1/abc", s)
	bp := &Backpressure{MaxConcurrency: 1}
	bp = NewInstance(bp, Gate{}, "r/2/abc", s).Fault.(*Backpressure)
	for _, scope := range []string{"", "idle", "busy", "live"} {
		settled(t, rl, c, scope)
		x, _ := testExchange("openai")
		x.Scope = scope
		gate.Fires(x)
	}
	holder, _ := testExchange("openai")
	holder.Scope = "busy"
	if answered, _ := bp.Admit(context.Background(), holder, nil); answered {
		t.Fatal("the first request of busy was refused a slot")
	}
	before := s.Len()
	s.ForgetScopes(func(sc string) bool { return sc == "idle" || sc == "busy" || sc == "" })
	if got := before - s.Len(); got != 4 {
		t.Fatalf("%d states forgotten: want idle's two and busy's two idle ones, not its held slot", got)
	}
	if !settled(t, rl, c, "idle") || settled(t, rl, c, "live") || settled(t, rl, c, "") {
		t.Fatal("idle did not start over, or live or the unscoped state did")
	}
	other, _ := testExchange("openai")
	other.Scope = "busy"
	_, w := recorder()
	if answered, _ := bp.Admit(context.Background(), other, w); !answered {
		t.Fatal("the held slot of busy was forgotten: a second request got in beside it")
	}
	holder.Finish(Outcome{})
}

// settled is admitted, with the request's response ended, so that its
// rate-limit state is no longer in use.
func settled(t *testing.T, rl *RateLimit, c *clock.Manual, scope string) bool {
	t.Helper()
	x, in := admitOne(t, rl, c, scope)
	x.Finish(Outcome{})
	return in
}
