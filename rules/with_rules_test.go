package rules

import (
	"reflect"
	"testing"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/faults"
)

const fileWithRules = `version: 1
default_action: forward
rules:
  - name: flaky
    match: {model: "gpt-*", headers: {x-t: "chaos-*"}}
    faults:
      - error: {status: 429, probability: 0.5, retry_after: 2s}
  - name: rest
`

func TestWithRulesReplacesTheRulesOnly(t *testing.T) {
	base, err := config.Parse("base.yaml", []byte(fileWithRules), config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	bodies := map[string]string{
		"a JSON list": `[{"name": "api", "match": {"model": "claude-*"}, "action": "replay",
		  "faults": [{"latency": {"dist": "constant", "value": "5ms"}}]}]`,
		"a JSON object": `{"rules": [{"name": "api", "match": {"model": "claude-*"}, "action": "replay",
		  "faults": [{"latency": {"dist": "constant", "value": "5ms"}}]}]}`,
		"YAML": "rules:\n  - name: api\n    match: {model: claude-*}\n    action: replay\n    faults:\n      - latency: {dist: constant, value: 5ms}\n",
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			cfg, err := base.WithRules([]byte(body), config.Options{})
			if err != nil {
				t.Fatal(err)
			}
			set := mustBuild(t, cfg, faults.NewStore(), "api")
			if len(set.Rules) != 1 || set.Rules[0].Name != "api" || set.Origin != "api" || set.DefaultAction != "forward" {
				t.Fatalf("set %+v", set)
			}
			if r := set.Rules[0]; r.Action != "replay" || r.Cassette.OnMiss != "error" || len(r.Faults) != 1 {
				t.Fatalf("rule %+v: defaults not applied", r)
			}
			if matchName(set, scoped("", "claude-3")) != "api" || matchName(set, scoped("", "gpt-4o")) != "" {
				t.Fatal("the new rules do not match as written")
			}
			if len(base.Rules) != 2 || base.Rules[0].Name != "flaky" {
				t.Fatal("WithRules changed the config it copied")
			}
		})
	}
}

// The file's rules given back through the API build the same set, state
// identities included: the faults keep their counters.
func TestWithRulesRoundTrip(t *testing.T) {
	base, err := config.Parse("base.yaml", []byte(fileWithRules), config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := base.WithRules([]byte(`[
  {"name": "flaky", "match": {"model": "gpt-*", "headers": {"x-t": "chaos-*"}},
   "faults": [{"error": {"status": 429, "probability": 0.5, "retry_after": "2s"}}]},
  {"name": "rest"}
]`), config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg.Rules, base.Rules) {
		t.Fatalf("rules differ:\n%+v\n%+v", cfg.Rules, base.Rules)
	}
	store := faults.NewStore()
	a, b := mustBuild(t, base, store, "file"), mustBuild(t, cfg, store, "api")
	if !reflect.DeepEqual(a.IDs(), b.IDs()) {
		t.Fatalf("state identities differ: %v, %v", a.IDs(), b.IDs())
	}
}
