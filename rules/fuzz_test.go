package rules

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/faults"
)

// FuzzParse feeds arbitrary bytes to the loader: it must answer with a
// config or an ErrorList, never panic, and a config it accepts must build.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("../config/testdata/*.yaml")
	more, _ := filepath.Glob("../config/testdata/errors/*.yaml")
	for _, p := range append(seeds, more...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("version: 1\nrules: [{name: a, match: {body: {a.b: 1}}, faults: [{stream: {stall: {after_events: 1, duration: 1s}}}]}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := config.Parse("fuzz.yaml", data, config.Options{LookupEnv: func(string) (string, bool) { return "", false }})
		if err != nil {
			if _, ok := err.(config.ErrorList); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if _, err := Build(cfg, faults.NewStore(), "fuzz", time.Time{}); err != nil {
			t.Fatalf("an accepted config does not build: %v", err)
		}
	})
}

// FuzzMatch runs random requests through a set exercising every
// predicate; Explain names the rule Match takes, and a reason for every
// rule before it.
func FuzzMatch(f *testing.F) {
	cfg, err := config.Parse("m.yaml", []byte(`version: 1
rules:
  - {name: a, match: {provider: anthropic, stream: true, model: "claude-*"}}
  - {name: b, match: {headers: {x-test: "c*"}, body: {metadata.user_id: "u-?", n: "2"}}}
  - {name: c, match: {path: "/v1/*/x", method: post, host: "*.example.com", scope: s}}
`), config.Options{})
	if err != nil {
		f.Fatal(err)
	}
	set := mustBuild(f, cfg, faults.NewStore(), "fuzz")
	f.Add("openai", "POST", "/v1/chat/completions", "x.example.com", `{"model":"claude-3","stream":true}`, "chaos")
	f.Fuzz(func(t *testing.T, provider, method, path, host, body, header string) {
		h := http.Header{}
		h.Set("X-Test", header)
		h.Set(ScopeHeader, header)
		r := func() *Request {
			return &Request{Provider: provider, Method: method, Path: path, Host: host, Header: h, Body: []byte(body)}
		}
		if name, ex := matchName(set, r()), set.Explain(r()); name != ex.Rule {
			t.Fatalf("Match took %q, Explain says %q", name, ex.Rule)
		}
		for _, v := range set.Explain(r()).Rules {
			if !v.Matched && v.Reason == "" {
				t.Fatalf("rule %s turned the request away without a reason", v.Rule)
			}
		}
	})
}
