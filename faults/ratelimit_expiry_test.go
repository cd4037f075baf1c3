package faults

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/internal/clock"
)

// admitKey sends one request with API key k through rl and reports
// whether it was refused, settling it (as the end of its response does).
func admitKey(t *testing.T, rl *RateLimit, clk *clock.Manual, k string) (refused bool) {
	t.Helper()
	x := rlExchange("openai", clk, 1)
	x.Header = http.Header{"Authorization": {"Bearer " + k}}
	_, w := recorder()
	answered, err := rl.Admit(context.Background(), x, w)
	if err != nil {
		t.Fatal(err)
	}
	x.Finish(Outcome{CompletionTokens: 1})
	return answered
}

// An app that sends a new API key on every request does not grow the
// rate limit's state without end: a key's buckets are forgotten once
// they are full again. A key whose bucket is still spent is kept, and
// keeps being refused.
func TestRateLimitKeysExpire(t *testing.T) {
	rl := &RateLimit{RequestsPerMinute: 1, Key: "api_key"}
	rl, store := bind(rl)
	clk := clock.NewManual(testStart)
	if admitKey(t, rl, clk, "sk-kept") {
		t.Fatal("the first request of a key was refused")
	}
	for round := range 5 {
		for i := range 3 * minSweep {
			if admitKey(t, rl, clk, fmt.Sprintf("sk-%d-%d", round, i)) {
				t.Fatalf("round %d: the first request of key %d was refused", round, i)
			}
		}
		if n := store.Len(); n > 2*minSweep+2*3*minSweep {
			t.Fatalf("round %d: %d states held for 3×%d keys a round", round, n, minSweep)
		}
		if round == 0 {
			// sk-kept's bucket is spent for a minute: however many sweeps
			// ran meanwhile, it is still refused.
			if !admitKey(t, rl, clk, "sk-kept") {
				t.Fatal("a spent key was forgotten and let through")
			}
		}
		clk.Advance(time.Minute + time.Second) // every bucket full again
	}
	if n := store.Len(); n > 3*minSweep+2 {
		t.Fatalf("%d states held after 5 rounds of 3×%d keys that each went idle", n, minSweep)
	}
}

// A request that found a state the store retired takes the new one: its
// request is counted, not lost with the old state.
func TestRetiredRateStateIsNotUsed(t *testing.T) {
	rl := &RateLimit{RequestsPerMinute: 1, Key: "api_key"}
	rl, store := bind(rl)
	clk := clock.NewManual(testStart)
	x := rlExchange("openai", clk, 1)
	x.Header = http.Header{"Authorization": {"Bearer sk-a"}}
	old := rl.state(x)
	store.mu.Lock()
	store.sweepLocked() // old is full and idle: retired and forgotten
	store.mu.Unlock()
	if v := old.admit(clk.Now(), [nLimits]int64{1, 1, 1, 0}); !v.stale {
		t.Fatal("a retired state admitted a request")
	}
	if admitKey(t, rl, clk, "sk-a") {
		t.Fatal("first request refused")
	}
	if !admitKey(t, rl, clk, "sk-a") {
		t.Fatal("the second request in a minute was let through: the first was counted on a forgotten state")
	}
}
