package faults

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/config/units"
)

func TestBackpressureAnswersTheProvidersOverload(t *testing.T) {
	cases := []struct {
		provider       string
		status         int // configured
		wantStatus     int
		errType, msg   string
		code           string
		retryAfterMs   string
		requestIDField string
	}{
		{"openai", 0, 503, "server_error", "The server is overloaded or not ready yet.", "", "1000", "X-Request-Id"},
		{"openai", 503, 503, "server_error", "The server is overloaded or not ready yet.", "", "1000", "X-Request-Id"},
		{"openai", 429, 429, "requests", "Rate limit reached for requests per min (RPM).", "rate_limit_exceeded", "1000", "X-Request-Id"},
		{"anthropic", 0, 529, "overloaded_error", "Overloaded", "", "", "Request-Id"},
		{"anthropic", 429, 529, "overloaded_error", "Overloaded", "", "", "Request-Id"},
		{"azure", 0, 429, "", "The system is currently experiencing high demand", "429", "1000", "Apim-Request-Id"},
		{"azure", 503, 503, "server_error", "The server is overloaded or not ready yet.", "", "1000", "Apim-Request-Id"},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s %d", c.provider, c.status), func(t *testing.T) {
			bp := &Backpressure{MaxConcurrency: 1, Status: c.status}
			bp, _ = bind(bp)
			first, _ := testExchange(c.provider)
			if answered, err := bp.Admit(context.Background(), first, nil); answered || err != nil {
				t.Fatalf("first request: answered %v err %v", answered, err)
			}
			x, _ := testExchange(c.provider)
			rec, w := recorder()
			if answered, err := bp.Admit(context.Background(), x, w); !answered || err != nil {
				t.Fatalf("second request: answered %v err %v", answered, err)
			}
			var body providerError
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != c.wantStatus {
				t.Fatalf("%d %s (%v)", rec.Code, rec.Body, err)
			}
			if body.Error.Type != c.errType || body.Error.Code != c.code || len(body.Error.Message) < len(c.msg) || body.Error.Message[:len(c.msg)] != c.msg {
				t.Fatalf("error %+v", body.Error)
			}
			h := rec.Header()
			if h.Get("X-Should-Retry") != "true" || h.Get("Retry-After") != "1" || h.Get("Retry-After-Ms") != c.retryAfterMs || h.Get(c.requestIDField) != "req_test" {
				t.Fatalf("headers %v", h)
			}
		})
	}
}

func TestBackpressureQueues(t *testing.T) {
	cases := []struct {
		name     string
		bp       Backpressure
		scope    string // the second request's
		cancel   bool   // the second client gives up while queued
		finish   bool   // the first response ends while the second waits
		answered bool
		err      error
	}{
		{"a queued request goes when the first ends", Backpressure{MaxConcurrency: 1, Queue: 1}, "", false, true, false, nil},
		{"a queued request times out", Backpressure{MaxConcurrency: 1, Queue: 1, QueueTimeout: units.Duration(20 * time.Millisecond)}, "", false, false, true, nil},
		{"a queued client gives up", Backpressure{MaxConcurrency: 1, Queue: 1}, "", true, false, false, context.Canceled},
		{"scopes have their own limits", Backpressure{MaxConcurrency: 1}, "other-test", false, false, false, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bp, _ := bind(&c.bp)
			first, _ := testExchange("openai")
			if answered, _ := bp.Admit(context.Background(), first, nil); answered {
				t.Fatal("first request refused")
			}
			x, _ := testExchange("openai")
			x.Scope = c.scope
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			type result struct {
				answered bool
				err      error
			}
			done := make(chan result, 1)
			_, w := recorder()
			go func() {
				answered, err := bp.Admit(ctx, x, w)
				done <- result{answered, err}
			}()
			if c.cancel || c.finish {
				waitFor(t, queued(bp.limiter(first), 1))
			}
			if c.cancel {
				cancel()
			}
			if c.finish {
				first.Finish(Outcome{Status: 200, Complete: true})
			}
			if r := <-done; r.answered != c.answered || !errors.Is(r.err, c.err) {
				t.Fatalf("answered %v err %v, want %v %v", r.answered, r.err, c.answered, c.err)
			}
			x.Finish(Outcome{})
			first.Finish(Outcome{})
			if a, q := bp.limiter(first).Load(); a != 0 || q != 0 {
				t.Fatalf("after both ended: %d active, %d waiting", a, q)
			}
		})
	}
}

func TestBackpressureKeepsItsStateBesideItsGate(t *testing.T) {
	bp := &Backpressure{MaxConcurrency: 1}
	in := NewInstance(bp, Gate{}, "rule/0/abc", NewStore())
	bp = in.Fault.(*Backpressure)
	x, _ := testExchange("anthropic")
	if !in.Fires(x) { // the gate's counter sits under the empty sub-key
		t.Fatal("an open gate did not fire")
	}
	if answered, err := bp.Admit(context.Background(), x, nil); answered || err != nil {
		t.Fatalf("answered %v err %v", answered, err)
	}
}

func TestBackpressureValidate(t *testing.T) {
	cases := []struct {
		bp Backpressure
		ok bool
	}{
		{Backpressure{MaxConcurrency: 1}, true},
		{Backpressure{MaxConcurrency: 4, Queue: 10, QueueTimeout: units.Duration(time.Second), Status: 429}, true},
		{Backpressure{}, false},
		{Backpressure{MaxConcurrency: 1, Queue: -1}, false},
		{Backpressure{MaxConcurrency: 1, Status: 500}, false},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%+v", c.bp), func(t *testing.T) {
			if err := c.bp.Validate(); (err == nil) != c.ok {
				t.Fatalf("Validate: %v", err)
			}
		})
	}
}
