package simulate

import (
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/internal/dist"
	"github.com/llm-simulator/llm-simulator/wire"
)

func timedConfig(clock Clock) Config {
	return Config{Clock: clock, Default: Model{
		TTFT:            dist.Constant{V: float64(300 * time.Millisecond)},
		ITL:             dist.Uniform{Min: float64(10 * time.Millisecond), Max: float64(30 * time.Millisecond)},
		PrefillPerToken: time.Millisecond,
		OutputTokens:    dist.Constant{V: 8},
	}}
}

const timedBody = `{"model":"m","messages":[{"role":"user","content":"one two three"}]}`

// The timing model, checked on an injected clock: a stream waits the time
// to first token plus prefill, then one gap per further token; the same
// call unstreamed waits the same total once.
func TestTimingModelOnManualClock(t *testing.T) {
	streamClock := NewManualClock(testStart)
	stream := timedBody[:len(timedBody)-1] + `,"stream":true}`
	call(t, timedConfig(streamClock), "openai", "POST", "/v1/chat/completions", stream)
	sleeps := streamClock.Sleeps()
	// 9 prompt tokens (3 for the message, 3 for "one two three", 3 priming)
	// at 1ms each.
	if want := 300*time.Millisecond + 9*time.Millisecond; len(sleeps) == 0 || sleeps[0] != want {
		t.Fatalf("first wait %v, want ttft+prefill %v (all: %v)", sleeps, want, sleeps)
	}
	if len(sleeps) != 8 {
		t.Fatalf("%d waits for 8 tokens, want 8: %v", len(sleeps), sleeps)
	}
	var total time.Duration
	for i, d := range sleeps {
		if i > 0 && (d < 10*time.Millisecond || d > 30*time.Millisecond) {
			t.Errorf("gap %d = %v, outside the uniform 10..30ms", i, d)
		}
		total += d
	}

	wholeClock := NewManualClock(testStart)
	call(t, timedConfig(wholeClock), "openai", "POST", "/v1/chat/completions", timedBody)
	if got := wholeClock.Sleeps(); len(got) != 1 || got[0] != total {
		t.Fatalf("unstreamed waits %v, want one wait of the stream's total %v", got, total)
	}
}

// One real-time run: the tolerance is wide on purpose (a shared CI machine
// can stall), but the stream must not arrive early and must arrive.
func TestTimingRealTime(t *testing.T) {
	cfg := Config{Default: Model{
		TTFT:         dist.Constant{V: float64(80 * time.Millisecond)},
		ITL:          dist.Constant{V: float64(15 * time.Millisecond)},
		OutputTokens: dist.Constant{V: 5},
	}}
	var first time.Duration
	start := time.Now()
	sink := wire.SinkFunc(func(ev wire.Event) error {
		if ev.Kind == wire.SSE && first == 0 {
			first = time.Since(start)
		}
		return nil
	})
	req := &Request{Provider: "anthropic", Method: "POST", Path: "/v1/messages",
		Body: []byte(`{"model":"c","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"x"}]}`)}
	if err := New(cfg).Serve(context.Background(), req, sink); err != nil {
		t.Fatal(err)
	}
	total := time.Since(start)
	// message_start goes out at once; the 5 tokens follow the 80ms TTFT
	// and 4 gaps of 15ms: 140ms at the least.
	if first > 60*time.Millisecond {
		t.Errorf("message_start after %v, want it before the first token (tolerance 60ms)", first)
	}
	if total < 140*time.Millisecond || total > 2*time.Second {
		t.Errorf("stream took %v, want at least 140ms (and, on a slow machine, at most 2s)", total)
	}
}

// A client that goes away stops its generation at once.
func TestClientGoneStopsGeneration(t *testing.T) {
	cfg := Config{Default: Model{
		TTFT:         dist.Constant{},
		ITL:          dist.Constant{V: float64(time.Hour)},
		OutputTokens: dist.Constant{V: 100},
	}}
	ctx, cancel := context.WithCancel(context.Background())
	events := 0
	sink := wire.SinkFunc(func(ev wire.Event) error {
		if ev.Kind == wire.SSE {
			events++
			if events == 2 {
				cancel()
			}
		}
		return nil
	})
	done := make(chan error, 1)
	go func() {
		req := &Request{Provider: "openai", Method: "POST", Path: "/v1/chat/completions",
			Body: []byte(`{"model":"m","messages":[{"role":"user","content":"x"}],"stream":true}`)}
		done <- New(cfg).Serve(ctx, req, sink)
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Serve returned %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("generation kept waiting after the client left")
	}
}

// The same requests give the same answers whatever their interleaving.
func TestAnswersDoNotDependOnConcurrency(t *testing.T) {
	bodies := make([]string, 40)
	for i := range bodies {
		bodies[i] = `{"model":"m","messages":[{"role":"user","content":"q` + string(rune('a'+i%26)) + `"}],"n":` + string(rune('1'+i%3)) + `}`
	}
	sequential := make([]string, len(bodies))
	s := New(testConfig())
	for i, b := range bodies {
		sequential[i] = callWith(t, s, "openai", "POST", "/v1/chat/completions", b).Body.String()
	}
	concurrent := make([]string, len(bodies))
	s = New(testConfig())
	var wg sync.WaitGroup
	for i := len(bodies) - 1; i >= 0; i-- {
		wg.Go(func() {
			concurrent[i] = serveQuiet(s, bodies[i])
		})
	}
	wg.Wait()
	if !slices.Equal(sequential, concurrent) {
		t.Fatal("concurrent answers differ from sequential ones")
	}
}

func serveQuiet(s *Simulator, body string) string {
	rec := httptest.NewRecorder()
	req := &Request{Provider: "openai", Method: "POST", Path: "/v1/chat/completions", Body: []byte(body),
		Seed: Seed(42, hashBody(body), 1)}
	_ = s.Serve(context.Background(), req, wire.NewWriter(rec))
	return rec.Body.String()
}
