package rules

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/faults"
	"github.com/llm-simulator/llm-simulator/internal/canon"
)

// The index may only turn away rules that cannot match: on random rule
// sets and requests drawn from one vocabulary, where exact values,
// prefixes, suffixes and patterns overlap, matching through the index
// (and with the body's members known beforehand) takes the same rule as
// trying every rule in turn on the bare body.
func TestIndexAgreesWithTryingEachRule(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	for round := range 200 {
		var y strings.Builder
		y.WriteString("version: 1\nrules:\n")
		n := indexFrom + rng.IntN(140)
		for i := range n {
			fmt.Fprintf(&y, "  - name: r%d\n    enabled: %t\n    match: {", i, rng.IntN(8) != 0)
			for _, kv := range []string{
				pick("", "", "provider: openai", "provider: anthropic"),
				pick("", "", "path: /v1/chat/completions", "path: \"/v1/*\"", "path: \"/v1/chat*\"", "path: \"*/completions\"", "path: /v1/messages"),
				pick("", "", "model: gpt-4o", "model: \"gpt-*\"", "model: \"gpt-4o*\"", "model: \"*-mini\"", "model: \"claude-[3-4]*\""),
				pick("", "", "", "scope: a", "scope: b"),
				pick("", "", "headers: {x-t: x}", "headers: {x-t: \"x*\"}", "headers: {x-u: \"*y\", x-t: xy}"),
				pick("", "", "body: {metadata.k: v}", "body: {metadata.k: \"v*\"}", "body: {metadata.k: \"1\"}", "body: {temperature: \"0.5\"}", "body: {metadata.k: v, user: u}"),
				pick("", "", "", "stream: true", "method: GET"),
			} {
				if kv != "" {
					y.WriteString(kv + ", ")
				}
			}
			y.WriteString("}\n")
		}
		cfg, err := config.Parse("index.yaml", []byte(y.String()), config.Options{})
		if err != nil {
			t.Fatalf("round %d: %v\n%s", round, err, y.String())
		}
		set := mustBuild(t, cfg, faults.NewStore(), "test")
		if set.index == nil {
			t.Fatalf("round %d: a set of %d rules has no index", round, n)
		}
		for range 50 {
			body := fmt.Sprintf(`{"model":%s,"stream":%s,"metadata":{"k":%s},"temperature":%s,"user":%s}`,
				pick(`"gpt-4o"`, `"gpt-4o-mini"`, `"gpt-3.5"`, `"claude-3-5"`, `"x/gpt-4o"`, `7`, `""`),
				pick("true", "false"), pick(`"v"`, `"vv"`, `1`, `"1"`, `"v/w"`, `null`), pick("0.5", `"0.5"`, "1"), pick(`"u"`, `"w"`))
			if rng.IntN(6) == 0 {
				body = pick(`{}`, `not json`, `{"metadata":7}`)
			}
			h := http.Header{}
			if v := pick("", "x", "xy", "x/y"); v != "" {
				h.Set("X-T", v)
			}
			if v := pick("", "y", "zy"); v != "" {
				h.Set("X-U", v)
			}
			if v := pick("", "a", "b"); v != "" {
				h.Set(ScopeHeader, v)
			}
			req := func() *Request {
				return &Request{Provider: pick("openai", "anthropic", ""), Method: pick("POST", "GET"),
					Path: pick("/v1/chat/completions", "/v1/messages", "/v1/completions", "/v2/chat/completions", "/v1/chat/x/y"),
					Host: "api.openai.com", Header: h, Body: []byte(body)}
			}
			r := req()
			a, b := *r, *r
			a.provider, b.provider = providerCode(r.Provider), providerCode(r.Provider)
			// The indexed request also knows the body's members, as the
			// front gives them from its identity pass.
			names := set.Members()
			raws := make([][]byte, len(names))
			canon.HashCapture(a.Body, "", names, raws)
			a.KnowMembers(names, raws)
			got, want := set.matchIndexed(&a), set.matchEach(&b)
			if got != want {
				t.Fatalf("round %d: %s %s %s headers %v body %s: the index took %v, trying each rule %v\n%s",
					round, r.Provider, r.Method, r.Path, r.Header, body, name(got), name(want), y.String())
			}
		}
	}
}

func name(r *Rule) string {
	if r == nil {
		return "no rule"
	}
	return r.Name
}

// Toggles change which rule takes a request through the index as they do
// without one: the index is shared by the sets a Live derives.
func TestIndexHonoursToggles(t *testing.T) {
	var y strings.Builder
	y.WriteString("version: 1\nrules:\n")
	for i := range indexFrom {
		fmt.Fprintf(&y, "  - {name: r%d, match: {model: \"m%d\"}}\n", i, i)
	}
	y.WriteString("  - {name: off, enabled: false, match: {model: gpt-4o}}\n  - {name: last, match: {model: \"gpt-*\"}}\n")
	cfg, err := config.Parse("toggles.yaml", []byte(y.String()), config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	store := faults.NewStore()
	overlays := NewOverlays(store, nil, "")
	live := new(Live)
	live.SetOverlays(overlays)
	live.Store(mustBuild(t, cfg, store, "test"))
	match := func() string {
		return name(live.Load().Match(&Request{Provider: "openai", Path: "/v1/chat/completions", Body: []byte(`{"model":"gpt-4o"}`)}))
	}
	if got := match(); got != "last" {
		t.Fatalf("disabled rule: got %s, want last", got)
	}
	if err := overlays.SetEnabled("off", true); err != nil {
		t.Fatal(err)
	}
	if got := match(); got != "off" {
		t.Fatalf("rule toggled on: got %s, want off", got)
	}
}
