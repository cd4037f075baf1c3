package proxy

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/faults"
	"github.com/llm-simulator/llm-simulator/internal/clock"
	"github.com/llm-simulator/llm-simulator/rules"
	"github.com/llm-simulator/llm-simulator/simulate"
)

const scopesYAML = `version: 1
rules:
  - name: flaky
    match: {model: flaky}
    faults: [{error: {status: 503, times: 1}}]
  - name: script
    match: {model: script}
    respond:
      sequence:
        - text: one
        - text: two
  - name: limited
    match: {model: limited}
    faults: [{rate_limit: {requests_per_minute: 1}}]
`

// scopedFront is a front under scopesYAML on a manual clock, forgetting
// idle scopes' state in its store.
func scopedFront(t *testing.T, idle time.Duration) (*Front, *faults.Store, *clock.Manual) {
	t.Helper()
	cfg, err := config.Parse("scopes.yaml", []byte(scopesYAML), config.Options{TemplateData: simulate.TemplateData{}})
	if err != nil {
		t.Fatal(err)
	}
	store := faults.NewStore()
	live := new(rules.Live)
	live.Store(mustBuild(t, cfg, store, "test"))
	clk := clock.NewManual(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	f := &Front{Sim: simulate.New(simulate.Config{Default: simulate.InstantModel()}), Rules: live, Seed: 42, Clock: clk,
		ForgetScopes: store.ForgetScopes}
	f.SetScopeIdle(idle)
	return f, store, clk
}

// scopedPost sends a chat request for model in scope and returns its
// status and body.
func scopedPost(t *testing.T, h http.Handler, provider, scope, model string) (int, string) {
	t.Helper()
	path, body := "/v1/chat/completions", `{"model":"`+model+`","messages":[{"role":"user","content":"hi"}]}`
	switch provider {
	case "anthropic":
		path, body = "/v1/messages", `{"model":"`+model+`","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}`
	case "gemini":
		path, body = "/v1beta/models/"+model+":generateContent", `{"contents":[{"parts":[{"text":"hi"}]}]}`
	}
	r := httptest.NewRequest("POST", path, strings.NewReader(body))
	if provider == "anthropic" {
		r.Header.Set("Anthropic-Version", "2023-06-01")
	}
	if scope != "" {
		r.Header.Set(rules.ScopeHeader, scope)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code, w.Body.String()
}

// A scope of 256 bytes is served; one of 257 gets the provider's 400,
// body for body, before the request can leave any state behind.
func TestLongScopesAreRefused(t *testing.T) {
	for _, c := range []struct{ provider, model, want string }{
		{"openai", "flaky", "{\n  \"error\": {\n    \"message\": \"The x-llmsim-scope header is 257 bytes long; a scope may be at most 256 bytes.\",\n    \"type\": \"invalid_request_error\",\n    \"param\": null,\n    \"code\": null\n  }\n}\n"},
		{"anthropic", "flaky", `{"type":"error","error":{"type":"invalid_request_error","message":"The x-llmsim-scope header is 257 bytes long; a scope may be at most 256 bytes."}}`},
		{"gemini", "flaky", "{\n  \"error\": {\n    \"code\": 400,\n    \"message\": \"The x-llmsim-scope header is 257 bytes long; a scope may be at most 256 bytes.\",\n    \"status\": \"INVALID_ARGUMENT\"\n  }\n}\n"},
	} {
		t.Run(c.provider, func(t *testing.T) {
			f, store, _ := scopedFront(t, time.Minute)
			status, body := scopedPost(t, f, c.provider, strings.Repeat("s", 257), c.model)
			if status != 400 || body != c.want {
				t.Fatalf("status %d, body\n%s\nwant\n%s", status, body, c.want)
			}
			if store.Len() != 0 || f.scopes.len() != 0 {
				t.Fatalf("a refused scope left %d states and %d scopes", store.Len(), f.scopes.len())
			}
			if status, body := scopedPost(t, f, c.provider, strings.Repeat("s", 256), c.model); status != 503 {
				t.Fatalf("a 256-byte scope: status %d, want the rule's 503: %s", status, body)
			}
		})
	}
}

// A scope's state — a fault's count, a scripted sequence, a rate-limit
// window — is kept while the scope is in use and forgotten once it has
// carried no request for scope_idle: it then starts over. Other scopes,
// and requests without one, keep theirs.
func TestScopeStateExpiresWhenIdle(t *testing.T) {
	f, _, clk := scopedFront(t, 10*time.Minute)
	post := func(scope, model string) (int, string) { return scopedPost(t, f, "openai", scope, model) }
	for _, scope := range []string{"a", "b", ""} {
		if s, _ := post(scope, "flaky"); s != 503 {
			t.Fatalf("scope %q: the first request got %d, want the fault's 503", scope, s)
		}
		if _, body := post(scope, "script"); !strings.Contains(body, `"content":"one"`) {
			t.Fatalf("scope %q: the sequence did not start at one: %s", scope, body)
		}
		if s, _ := post(scope, "limited"); s != 200 {
			t.Fatalf("scope %q: the first request was rate-limited: %d", scope, s)
		}
	}
	clk.Advance(9 * time.Minute)
	post("b", "flaky") // b is in use; a and the unscoped state are not
	clk.Advance(2 * time.Minute)
	if s, _ := post("a", "flaky"); s != 503 {
		t.Fatalf("scope a after 11 idle minutes: %d, want the fault again (it starts over)", s)
	}
	if _, body := post("a", "script"); !strings.Contains(body, `"content":"one"`) {
		t.Fatalf("scope a's sequence did not start over: %s", body)
	}
	if s, _ := post("b", "flaky"); s != 200 {
		t.Fatalf("scope b, idle 2 minutes: %d, want its count kept (the fault fired once)", s)
	}
	if _, body := post("b", "script"); !strings.Contains(body, `"content":"two"`) {
		t.Fatalf("scope b's sequence started over: %s", body)
	}
	if s, _ := post("", "flaky"); s != 200 {
		t.Fatalf("the unscoped count was forgotten: %d", s)
	}
}

// A suite that uses a fresh scope per test does not grow the process:
// scopes idle for scope_idle are swept as new ones come, with their state.
func TestIdleScopesAreSwept(t *testing.T) {
	f, store, clk := scopedFront(t, time.Minute)
	for round := range 4 {
		for i := range 2 * minScopes {
			if s, _ := scopedPost(t, f, "openai", "test-"+strconv.Itoa(round)+"-"+strconv.Itoa(i), "flaky"); s != 503 {
				t.Fatalf("round %d, scope %d: %d", round, i, s)
			}
		}
		clk.Advance(2 * time.Minute)
	}
	if n := f.scopes.len(); n > 2*minScopes+1 {
		t.Fatalf("%d scopes remembered after 4 rounds of %d that each went idle", n, 2*minScopes)
	}
	if n := store.Len(); n > 2*minScopes+1 {
		t.Fatalf("%d states kept after 4 rounds of %d scopes that each went idle", n, 2*minScopes)
	}
}

// A client that names a new scope on every request, faster than any of
// them goes idle, is held to the cap: the scopes that went longest
// without a request are forgotten first, with their state, and a recent
// one keeps its count.
func TestScopesAreCapped(t *testing.T) {
	f, store, clk := scopedFront(t, time.Hour)
	f.scopes.limit = minScopes
	if s, _ := scopedPost(t, f, "openai", "kept", "flaky"); s != 503 {
		t.Fatalf("first request of scope kept: %d", s)
	}
	for i := range 3 * minScopes {
		clk.Advance(time.Millisecond)
		if i%100 == 0 { // the scope in use stays among the most recent
			scopedPost(t, f, "openai", "kept", "script")
		}
		if s, _ := scopedPost(t, f, "openai", "new-"+strconv.Itoa(i), "flaky"); s != 503 {
			t.Fatalf("scope %d: %d", i, s)
		}
	}
	if n := f.scopes.len(); n > minScopes {
		t.Fatalf("%d scopes remembered, cap %d", n, minScopes)
	}
	if n := store.Len(); n > 2*minScopes {
		t.Fatalf("%d states kept, cap %d scopes", n, minScopes)
	}
	if s, _ := scopedPost(t, f, "openai", "kept", "flaky"); s != 200 {
		t.Fatalf("the scope in use lost its count: %d, want 200 (its fault fired once)", s)
	}
}

// Without an idle time (or a store to forget in) nothing is tracked.
func TestScopesUntrackedWithoutIdle(t *testing.T) {
	f, store, clk := scopedFront(t, 0)
	scopedPost(t, f, "openai", "a", "flaky")
	clk.Advance(24 * time.Hour)
	if s, _ := scopedPost(t, f, "openai", "a", "flaky"); s != 200 || f.scopes.len() != 0 || store.Len() == 0 {
		t.Fatalf("status %d, %d scopes, %d states: want the count kept and nothing tracked", s, f.scopes.len(), store.Len())
	}
}

// The journal records a request refused for its scope's length without
// the scope: a thousand 200 KB scopes would otherwise be kept in it.
func TestLongScopesAreNotJournaled(t *testing.T) {
	f := observedFront(t)
	status, _ := scopedPost(t, f, "openai", strings.Repeat("s", 200<<10), "gpt-4o")
	rec := lastRecord(t, f.Journal)
	if status != 400 || rec.Status != 400 || rec.Scope != "" {
		t.Fatalf("status %d, journal: status %d, scope of %d bytes", status, rec.Status, len(rec.Scope))
	}
}
