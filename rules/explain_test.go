package rules

import (
	"net/http"
	"testing"

	"github.com/llm-simulator/llm-simulator/faults"
)

const explainRules = `version: 1
rules:
  - {name: off, enabled: false}
  - {name: toggled, match: {path: /v1/chat/completions}}
  - {name: fwd, match: {model: "fwd-*"}}
  - {name: embed, match: {path: /v1/embeddings}}
  - {name: hdr, match: {headers: {x-test-id: "chaos-*"}}}
  - {name: hdr-value, match: {headers: {x-kind: "chaos-*"}}}
  - {name: scoped, match: {scope: b}}
  - {name: user, match: {body: {metadata.user_id: "y*"}}}
  - {name: number, match: {body: {n: "6"}}}
  - {name: absent, match: {body: {metadata.team: "t"}}}
  - {name: prov, match: {provider: anthropic}}
  - {name: meth, match: {method: GET}}
  - {name: streamy, match: {stream: true}}
  - {name: host, match: {host: "*.example.com"}}
  - name: taker
    match: {model: "gpt-*"}
    action: forward
    faults:
      - error: {status: 500, times: 3}
      - latency: {dist: constant, value: 1ms, probability: 0.1}
      - abort: {after: 2, every: 3}
  - {name: after-taker}
`

func explainRequest() *Request {
	h := http.Header{}
	h.Set(ScopeHeader, "a")
	h.Set("X-Kind", "calm")
	return &Request{Provider: "openai", Method: "POST", Path: "/v1/chat/completions", Host: "api.openai.com", Header: h,
		Body: []byte(`{"model":"gpt-4o","metadata":{"user_id":"x"},"n":5}`)}
}

func TestExplainNamesTheFirstFailingPredicate(t *testing.T) {
	store := faults.NewStore()
	o := NewOverlays(store, nil, "")
	live := new(Live)
	live.SetOverlays(o)
	live.Store(mustSet(t, store, explainRules))
	if err := o.SetEnabled("toggled", false); err != nil {
		t.Fatal(err)
	}
	tf := addFault(t, o, `{"faults":[{"hang":{}}],"ttl":"1m","scope":"a"}`)
	ex := live.Load().Explain(explainRequest())
	want := []Verdict{
		{"off", false, false, "disabled in the config"},
		{"toggled", false, false, "disabled (toggled off at runtime)"},
		{"fwd", true, false, `model "gpt-4o" does not match "fwd-*"`},
		{"embed", true, false, `path "/v1/chat/completions" is not "/v1/embeddings"`},
		{"hdr", true, false, `header x-test-id is absent`},
		{"hdr-value", true, false, `header x-kind "calm" does not match "chaos-*"`},
		{"scoped", true, false, `scope "a" is not "b"`},
		{"user", true, false, `body metadata.user_id "x" does not match "y*"`},
		{"number", true, false, `body n 5 is not 6`},
		{"absent", true, false, `body metadata.team is absent`},
		{"prov", true, false, `provider "openai" is not "anthropic"`},
		{"meth", true, false, `method "POST" is not "GET"`},
		{"streamy", true, false, `stream is false, not true`},
		{"host", true, false, `host "api.openai.com" does not match "*.example.com"`},
		{"taker", true, true, ""},
	}
	if len(ex.Rules) != len(want) {
		t.Fatalf("%d verdicts, want %d: %+v", len(ex.Rules), len(want), ex.Rules)
	}
	for i, w := range want {
		if ex.Rules[i] != w {
			t.Errorf("verdict %d:\n got %+v\nwant %+v", i, ex.Rules[i], w)
		}
	}
	if ex.Rule != "taker" || ex.Action != "forward" {
		t.Fatalf("taken by %q with %q", ex.Rule, ex.Action)
	}
	wantFaults := []FaultVerdict{
		{"error", "taker", "times 3, 3 left for this scope"},
		{"latency", "taker", "probability 0.1"},
		{"abort", "taker", "after 2, 2 more let through for this scope; every 3"},
		{"hang", "overlay " + tf.ID, "always"},
	}
	if len(ex.Faults) != len(wantFaults) {
		t.Fatalf("faults %+v", ex.Faults)
	}
	for i, w := range wantFaults {
		if ex.Faults[i] != w {
			t.Errorf("fault %d:\n got %+v\nwant %+v", i, ex.Faults[i], w)
		}
	}
}

// explainSet is explainRules in force with the rule "toggled" off.
func explainSet(t *testing.T, store *faults.Store) *Set {
	o := NewOverlays(store, nil, "")
	if err := o.SetEnabled("toggled", false); err != nil {
		t.Fatal(err)
	}
	live := new(Live)
	live.SetOverlays(o)
	live.Store(mustSet(t, store, explainRules))
	return live.Load()
}

func TestExplainCountsNothingAndReadsTheCounts(t *testing.T) {
	store := faults.NewStore()
	set := explainSet(t, store)
	taker := set.Rules[14]
	for range 3 {
		set.Explain(explainRequest())
	}
	if store.Len() != 0 || taker.Counters().Matched() != 0 {
		t.Fatalf("Explain left %d states and %d matches", store.Len(), taker.Counters().Matched())
	}
	fire(taker.Faults[0], "a")
	for range 3 {
		fire(taker.Faults[2], "a")
	}
	ex := set.Explain(explainRequest())
	if g := ex.Faults[0].Gate; g != "times 3, 2 left for this scope" {
		t.Fatalf("error gate %q", g)
	}
	if g := ex.Faults[2].Gate; g != "after 2, passed for this scope; every 3" {
		t.Fatalf("abort gate %q", g)
	}
	other := explainRequest()
	other.Header.Set(ScopeHeader, "c")
	if g := set.Explain(other).Faults[0].Gate; g != "times 3, 3 left for this scope" {
		t.Fatalf("another scope's gate %q", g)
	}
}

func TestExplainTheDefault(t *testing.T) {
	set := mustSet(t, faults.NewStore(), "version: 1\ndefault_action: forward\nrules:\n  - {name: s, match: {scope: x}}\n")
	ex := set.Explain(scoped("", "m"))
	if ex.Rule != "" || ex.Action != "forward" || len(ex.Faults) != 0 || len(ex.Rules) != 1 ||
		ex.Rules[0].Reason != `scope is absent (the rule's is "x")` {
		t.Fatalf("%+v", ex)
	}
}

// Explain and Match agree on the taker, whatever the request.
func TestExplainAgreesWithMatch(t *testing.T) {
	set := explainSet(t, faults.NewStore())
	reqs := []*Request{explainRequest(), scoped("b", "fwd-1"), req("anthropic", "GET", "/v1/embeddings", `{"n":6}`, nil)}
	for _, r := range reqs {
		ex := set.Explain(r)
		if got := matchName(set, r); got != ex.Rule {
			t.Fatalf("Match took %q, Explain says %q", got, ex.Rule)
		}
	}
}
