package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/internal/clock"
)

// rlExchange is a request for a rate limit, on a shared clock.
func rlExchange(provider string, c *clock.Manual, prompt int) *Exchange {
	x, _ := testExchange(provider)
	x.Clock, x.PromptTokens, x.Model = c, prompt, "gpt-4o-mini"
	if provider == "anthropic" {
		x.Model = "claude-sonnet-4-5"
	}
	return x
}

// bind binds f to a fresh store, as a rule set's build does: the fault
// returned is the bound copy, which keeps its state in the store.
func bind[F Fault](f F) (F, *Store) {
	s := NewStore()
	return NewInstance(f, Gate{}, "rule/0/abc", s).Fault.(F), s
}

// providerError is the fields of both providers' error bodies.
type providerError struct {
	Error struct{ Type, Message, Code string }
}

func TestRateLimitHeadersCountDownAndReset(t *testing.T) {
	type request struct {
		advance time.Duration
		header  map[string]string // "" means absent
	}
	cases := []struct {
		provider string
		rl       RateLimit
		requests []request
	}{
		{"openai", RateLimit{RequestsPerMinute: 3, TokensPerMinute: 1000}, []request{
			{0, map[string]string{"X-Ratelimit-Limit-Requests": "3", "X-Ratelimit-Remaining-Requests": "2", "X-Ratelimit-Reset-Requests": "20s",
				"X-Ratelimit-Limit-Tokens": "1000", "X-Ratelimit-Remaining-Tokens": "900", "X-Ratelimit-Reset-Tokens": "6s"}},
			{0, map[string]string{"X-Ratelimit-Remaining-Requests": "1", "X-Ratelimit-Reset-Requests": "40s",
				"X-Ratelimit-Remaining-Tokens": "800", "X-Ratelimit-Reset-Tokens": "12s"}},
			{20 * time.Second, map[string]string{"X-Ratelimit-Remaining-Requests": "1", "X-Ratelimit-Reset-Requests": "40s",
				"X-Ratelimit-Remaining-Tokens": "900", "X-Ratelimit-Reset-Tokens": "6s"}},
			{time.Minute, map[string]string{"X-Ratelimit-Remaining-Requests": "2", "X-Ratelimit-Reset-Requests": "20s"}},
		}},
		{"openai", RateLimit{RequestsPerMinute: 7}, []request{
			{0, map[string]string{"X-Ratelimit-Remaining-Requests": "6", "X-Ratelimit-Reset-Requests": "8.572s", "X-Ratelimit-Limit-Tokens": ""}},
		}},
		{"anthropic", RateLimit{RequestsPerMinute: 3, InputTokensPerMinute: 1000, OutputTokensPerMinute: 500}, []request{
			{0, map[string]string{"Anthropic-Ratelimit-Requests-Limit": "3", "Anthropic-Ratelimit-Requests-Remaining": "2",
				"Anthropic-Ratelimit-Requests-Reset":     "2026-01-02T03:04:25Z",
				"Anthropic-Ratelimit-Input-Tokens-Limit": "1000", "Anthropic-Ratelimit-Input-Tokens-Remaining": "900",
				"Anthropic-Ratelimit-Input-Tokens-Reset":  "2026-01-02T03:04:11Z",
				"Anthropic-Ratelimit-Output-Tokens-Limit": "500", "Anthropic-Ratelimit-Output-Tokens-Remaining": "500",
				"Anthropic-Ratelimit-Output-Tokens-Reset": "2026-01-02T03:04:05Z",
				"Anthropic-Ratelimit-Tokens-Limit":        "", "X-Ratelimit-Limit-Requests": ""}},
			{0, map[string]string{"Anthropic-Ratelimit-Requests-Remaining": "1", "Anthropic-Ratelimit-Requests-Reset": "2026-01-02T03:04:45Z",
				"Anthropic-Ratelimit-Input-Tokens-Remaining": "800", "Anthropic-Ratelimit-Input-Tokens-Reset": "2026-01-02T03:04:17Z"}},
			{20 * time.Second, map[string]string{"Anthropic-Ratelimit-Requests-Remaining": "1", "Anthropic-Ratelimit-Requests-Reset": "2026-01-02T03:05:05Z",
				"Anthropic-Ratelimit-Input-Tokens-Remaining": "900", "Anthropic-Ratelimit-Input-Tokens-Reset": "2026-01-02T03:04:31Z"}},
			{time.Minute, map[string]string{"Anthropic-Ratelimit-Requests-Remaining": "2", "Anthropic-Ratelimit-Requests-Reset": "2026-01-02T03:05:45Z"}},
		}},
		{"anthropic", RateLimit{RequestsPerMinute: 7, TokensPerMinute: 100000}, []request{
			// 8.571s away: rounded up to the second.
			{0, map[string]string{"Anthropic-Ratelimit-Requests-Reset": "2026-01-02T03:04:14Z", "Anthropic-Ratelimit-Tokens-Remaining": "99900"}},
		}},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s %+v", c.provider, c.rl), func(t *testing.T) {
			rl, _ := bind(&c.rl)
			clk := clock.NewManual(testStart)
			for i, r := range c.requests {
				clk.Advance(r.advance)
				x := rlExchange(c.provider, clk, 100)
				if answered, err := rl.Admit(context.Background(), x, nil); answered || err != nil {
					t.Fatalf("request %d: answered %v, err %v", i, answered, err)
				}
				for k, want := range r.header {
					if got := x.ResponseHeader.Get(k); got != want {
						t.Errorf("request %d: %s %q, want %q", i, k, got, want)
					}
				}
			}
		})
	}
}

func TestRateLimitRefusesInTheProvidersWords(t *testing.T) {
	const openAIVisit = " Visit https://platform.openai.com/account/rate-limits to learn more."
	cases := []struct {
		name, provider string
		rl             RateLimit
		before, prompt int // admitted requests first, each with prompt tokens
		errType, msg   string
		header         map[string]string // "" means absent
	}{
		{"openai requests", "openai", RateLimit{RequestsPerMinute: 3}, 3, 10, "requests",
			"Rate limit reached for gpt-4o-mini in organization org-llmsim on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s." + openAIVisit,
			map[string]string{"Retry-After": "20", "Retry-After-Ms": "20000", "X-Ratelimit-Remaining-Requests": "0",
				"X-Ratelimit-Reset-Requests": "1m0s", "X-Request-Id": "req_test"}},
		{"openai tokens", "openai", RateLimit{TokensPerMinute: 1000}, 1, 600, "tokens",
			"Rate limit reached for gpt-4o-mini in organization org-llmsim on tokens per min (TPM): Limit 1000, Used 600, Requested 600. Please try again in 12s." + openAIVisit,
			map[string]string{"Retry-After": "12", "Retry-After-Ms": "12000", "X-Ratelimit-Remaining-Tokens": "400", "X-Ratelimit-Reset-Tokens": "36s"}},
		{"openai request larger than the limit", "openai", RateLimit{TokensPerMinute: 1000}, 0, 2000, "tokens",
			"Request too large for gpt-4o-mini in organization org-llmsim on tokens per min (TPM): Limit 1000, Requested 2000. The input or output tokens must be reduced in order to run successfully." + openAIVisit,
			map[string]string{"Retry-After": "", "X-Ratelimit-Remaining-Tokens": "1000"}},
		{"openai longest wait named", "openai", RateLimit{RequestsPerMinute: 2, TokensPerMinute: 1000}, 2, 450, "requests",
			"Rate limit reached for gpt-4o-mini in organization org-llmsim on requests per min (RPM): Limit 2, Used 2, Requested 1. Please try again in 30s." + openAIVisit,
			map[string]string{"Retry-After": "30", "X-Ratelimit-Remaining-Tokens": "100"}},
		{"openai retry-after rounds up", "openai", RateLimit{RequestsPerMinute: 7}, 7, 10, "requests",
			"Rate limit reached for gpt-4o-mini in organization org-llmsim on requests per min (RPM): Limit 7, Used 7, Requested 1. Please try again in 8.572s." + openAIVisit,
			map[string]string{"Retry-After": "9", "Retry-After-Ms": "8572", "X-Ratelimit-Reset-Requests": "1m0s"}},
		{"anthropic input tokens", "anthropic", RateLimit{InputTokensPerMinute: 50000}, 1, 30000, "rate_limit_error",
			"This request would exceed the rate limit for your organization (" + anthropicOrg + ") of 50,000 input tokens per minute. " +
				"For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage. " +
				"Please reduce the prompt length or the maximum tokens requested, or try again later. You may also contact sales at " +
				"https://www.anthropic.com/contact-sales to discuss your options for a rate limit increase.",
			map[string]string{"Retry-After": "12", "Retry-After-Ms": "", "Anthropic-Ratelimit-Input-Tokens-Remaining": "20000", "Request-Id": "req_test"}},
		{"anthropic requests", "anthropic", RateLimit{RequestsPerMinute: 50}, 50, 10, "rate_limit_error",
			"of 50 requests per minute.", map[string]string{"Retry-After": "2", "Anthropic-Ratelimit-Requests-Remaining": "0",
				"Anthropic-Ratelimit-Requests-Reset": "2026-01-02T03:05:05Z"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rl, _ := bind(&c.rl)
			clk := clock.NewManual(testStart)
			for i := range c.before {
				if answered, _ := rl.Admit(context.Background(), rlExchange(c.provider, clk, c.prompt), nil); answered {
					t.Fatalf("request %d refused", i)
				}
			}
			x := rlExchange(c.provider, clk, c.prompt)
			rec, w := recorder()
			if answered, err := rl.Admit(context.Background(), x, w); !answered || err != nil {
				t.Fatalf("answered %v err %v", answered, err)
			}
			var body providerError
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != http.StatusTooManyRequests {
				t.Fatalf("%d %s (%v)", rec.Code, rec.Body, err)
			}
			if body.Error.Type != c.errType || !strings.Contains(body.Error.Message, c.msg) {
				t.Fatalf("type %q message %q", body.Error.Type, body.Error.Message)
			}
			if c.provider == "openai" && (body.Error.Code != "rate_limit_exceeded" || body.Error.Message != c.msg) {
				t.Fatalf("code %q message %q", body.Error.Code, body.Error.Message)
			}
			for k, want := range c.header {
				if got := rec.Header().Get(k); got != want {
					t.Errorf("%s: %q, want %q", k, got, want)
				}
				if strings.Contains(strings.ToLower(k), "ratelimit") && x.ResponseHeader.Get(k) != want {
					t.Errorf("exchange's %s: %q, want %q", k, x.ResponseHeader.Get(k), want)
				}
			}
		})
	}
}

func TestRateLimitCountsCompletionTokensWhenDone(t *testing.T) {
	cases := []struct {
		name, provider string
		rl             RateLimit
		before         time.Duration // between admission and the end
		completion     int
		after          time.Duration // between the end and the next request
		refused        bool
		header         map[string]string
	}{
		{"tokens count prompt and completion", "openai", RateLimit{TokensPerMinute: 1000}, 0, 700, 0, false,
			map[string]string{"X-Ratelimit-Remaining-Tokens": "100", "X-Ratelimit-Reset-Tokens": "54s"}},
		{"completion is taken when the response ends", "openai", RateLimit{TokensPerMinute: 1000}, 30 * time.Second, 700, 0, false,
			map[string]string{"X-Ratelimit-Remaining-Tokens": "200", "X-Ratelimit-Reset-Tokens": "48s"}},
		{"requests ignore completions", "openai", RateLimit{RequestsPerMinute: 3}, 0, 700, 0, false,
			map[string]string{"X-Ratelimit-Remaining-Requests": "1"}},
		{"an overdrawn output limit delays the next request", "anthropic",
			RateLimit{InputTokensPerMinute: 1000, OutputTokensPerMinute: 500}, 0, 700, 0, true,
			map[string]string{"Retry-After": "25", "Anthropic-Ratelimit-Output-Tokens-Remaining": "0",
				"Anthropic-Ratelimit-Input-Tokens-Remaining": "900", "Anthropic-Ratelimit-Output-Tokens-Reset": "2026-01-02T03:05:29Z"}},
		{"until it has refilled", "anthropic",
			RateLimit{InputTokensPerMinute: 1000, OutputTokensPerMinute: 500}, 0, 700, 25 * time.Second, false,
			map[string]string{"Anthropic-Ratelimit-Output-Tokens-Remaining": "8"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rl, _ := bind(&c.rl)
			clk := clock.NewManual(testStart)
			x := rlExchange(c.provider, clk, 100)
			if answered, _ := rl.Admit(context.Background(), x, nil); answered {
				t.Fatal("first request refused")
			}
			clk.Advance(c.before)
			x.Finish(Outcome{Status: 200, Complete: true, PromptTokens: 100, CompletionTokens: c.completion})
			clk.Advance(c.after)
			next := rlExchange(c.provider, clk, 100)
			rec, w := recorder()
			if answered, _ := rl.Admit(context.Background(), next, w); answered != c.refused {
				t.Fatalf("next request answered %v (%d %s)", answered, rec.Code, rec.Body)
			}
			h := next.ResponseHeader
			if c.refused {
				h = rec.Header()
			}
			for k, want := range c.header {
				if got := h.Get(k); got != want {
					t.Errorf("%s: %q, want %q", k, got, want)
				}
			}
		})
	}
}

func TestRateLimitPartitionsByKey(t *testing.T) {
	bearer := func(k string) http.Header { return http.Header{"Authorization": {"Bearer " + k}} }
	one := func(k, v string) http.Header { return http.Header{http.CanonicalHeaderKey(k): {v}} }
	cases := []struct {
		name   string
		key    string
		a, b   http.Header
		shared bool
	}{
		{"per rule: keys do not matter", "", bearer("sk-secret-aaa"), bearer("sk-secret-bbb"), true},
		{"per api key: bearer tokens", "api_key", bearer("sk-secret-aaa"), bearer("sk-secret-bbb"), false},
		{"per api key: one key however sent", "api_key", bearer("sk-secret-aaa"), one("x-api-key", "sk-secret-aaa"), true},
		{"per api key: azure api-key", "api_key", one("api-key", "az-secret-1"), one("api-key", "az-secret-2"), false},
		{"per api key: x-api-key", "api_key", one("x-api-key", "sk-ant-secret-1"), one("x-api-key", "sk-ant-secret-1"), true},
		{"per header value", "header:x-tenant", one("x-tenant", "tenant-secret-1"), one("x-tenant", "tenant-secret-2"), false},
		{"per header value: same value", "header:X-Tenant", one("x-tenant", "tenant-secret-1"), one("x-tenant", "tenant-secret-1"), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rl := &RateLimit{RequestsPerMinute: 1, Key: c.key}
			rl, store := bind(rl)
			clk := clock.NewManual(testStart)
			xa, xb := rlExchange("openai", clk, 1), rlExchange("openai", clk, 1)
			xa.Header, xb.Header = c.a, c.b
			_, w := recorder()
			if answered, _ := rl.Admit(context.Background(), xa, w); answered {
				t.Fatal("first request refused")
			}
			_, w = recorder()
			if answered, _ := rl.Admit(context.Background(), xb, w); answered != c.shared {
				t.Fatalf("second request refused %v, want %v", answered, c.shared)
			}
			store.mu.RLock()
			defer store.mu.RUnlock()
			for k := range store.state {
				for _, h := range []http.Header{c.a, c.b} {
					for _, v := range h {
						if secret := strings.TrimPrefix(v[0], "Bearer "); strings.Contains(fmt.Sprintf("%+v", k), secret) {
							t.Fatalf("state key %+v holds %q", k, secret)
						}
					}
				}
			}
		})
	}
}

func TestRateLimitConcurrentAdmissionsNeverOvershoot(t *testing.T) {
	rl := &RateLimit{RequestsPerMinute: 50, TokensPerMinute: 1_000_000}
	rl, _ = bind(rl)
	clk := clock.NewManual(testStart)
	var admitted atomic.Int64
	var wg sync.WaitGroup
	for range 200 {
		wg.Go(func() {
			_, w := recorder()
			if answered, _ := rl.Admit(context.Background(), rlExchange("openai", clk, 10), w); !answered {
				admitted.Add(1)
			}
		})
	}
	wg.Wait()
	if n := admitted.Load(); n != 50 {
		t.Fatalf("%d admitted, want 50", n)
	}
}

func TestRateLimitKeepsItsStateBesideItsGate(t *testing.T) {
	for _, key := range []string{"", "api_key", "header:x-tenant"} {
		t.Run(key, func(t *testing.T) {
			rl := &RateLimit{RequestsPerMinute: 1, Key: key}
			in := NewInstance(rl, Gate{}, "rule/0/abc", NewStore())
			rl = in.Fault.(*RateLimit)
			x, _ := testExchange("openai")
			if !in.Fires(x) { // the gate's counter sits under the empty sub-key
				t.Fatal("an open gate did not fire")
			}
			if answered, err := rl.Admit(context.Background(), x, nil); answered || err != nil {
				t.Fatalf("answered %v err %v", answered, err)
			}
		})
	}
}

func TestRateLimitValidate(t *testing.T) {
	cases := []struct {
		rl RateLimit
		ok bool
	}{
		{RateLimit{RequestsPerMinute: 1}, true},
		{RateLimit{OutputTokensPerMinute: 1, Key: "api_key"}, true},
		{RateLimit{TokensPerMinute: 1, Key: "header:x-tenant"}, true},
		{RateLimit{}, false},
		{RateLimit{RequestsPerMinute: -1, TokensPerMinute: 5}, false},
		{RateLimit{RequestsPerMinute: 1, Key: "header:"}, false},
		{RateLimit{RequestsPerMinute: 1, Key: "apikey"}, false},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%+v", c.rl), func(t *testing.T) {
			if err := c.rl.Validate(); (err == nil) != c.ok {
				t.Fatalf("Validate: %v", err)
			}
		})
	}
}

func BenchmarkRateLimitAdmit(b *testing.B) {
	for _, key := range []string{"", "api_key"} {
		b.Run("key="+key, func(b *testing.B) {
			rl := &RateLimit{RequestsPerMinute: 1 << 40, TokensPerMinute: 1 << 40, Key: key}
			rl, _ = bind(rl)
			x := rlExchange("openai", clock.NewManual(testStart), 100)
			x.Header.Set("Authorization", "Bearer sk-bench")
			b.ReportAllocs()
			for b.Loop() {
				if answered, _ := rl.Admit(context.Background(), x, nil); answered {
					b.Fatal("refused")
				}
				x.Finish(Outcome{CompletionTokens: 50})
			}
		})
	}
}

// Each provider a rule takes has buckets of its own, as each provider has
// its own quota: OpenAI's spent requests leave Anthropic's whole. Within
// one provider the requests and tokens limits are buckets apart, and the
// levels report each by its kind.
func TestRateLimitBucketsPerProvider(t *testing.T) {
	c := clock.NewManual(testStart)
	rl := &RateLimit{RequestsPerMinute: 2, TokensPerMinute: 1000}
	rl, s := bind(rl)
	admit := func(provider string) bool {
		t.Helper()
		x := rlExchange(provider, c, 100)
		_, w := recorder()
		answered, err := rl.Admit(context.Background(), x, w)
		if err != nil {
			t.Fatal(err)
		}
		x.Finish(Outcome{CompletionTokens: 50})
		return !answered
	}
	for i, want := range []bool{true, true, false} {
		if got := admit("openai"); got != want {
			t.Fatalf("openai request %d admitted %v, want %v", i+1, got, want)
		}
	}
	if !admit("anthropic") || !admit("anthropic") {
		t.Fatal("anthropic's requests were refused for openai's")
	}
	if admit("anthropic") {
		t.Fatal("anthropic's third request within the minute was admitted")
	}
	want := map[string]int64{
		"rule openai requests": 0, "rule openai tokens": 700,
		"rule anthropic requests": 0, "rule anthropic tokens": 700,
	}
	if got := levels(s); !maps.Equal(got, want) {
		t.Errorf("levels %v, want %v", got, want)
	}
}
