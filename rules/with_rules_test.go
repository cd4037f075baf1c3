package rules

import (
	"reflect"
	"testing"

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
	base, err := Parse("base.yaml", []byte(fileWithRules), Options{})
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
			cfg, err := base.WithRules([]byte(body), Options{})
			if err != nil {
				t.Fatal(err)
			}
			set := cfg.RuleSet(faults.NewStore(), "api", t0)
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
	base, err := Parse("base.yaml", []byte(fileWithRules), Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := base.WithRules([]byte(`[
  {"name": "flaky", "match": {"model": "gpt-*", "headers": {"x-t": "chaos-*"}},
   "faults": [{"error": {"status": 429, "probability": 0.5, "retry_after": "2s"}}]},
  {"name": "rest"}
]`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg.Rules, base.Rules) {
		t.Fatalf("rules differ:\n%+v\n%+v", cfg.Rules, base.Rules)
	}
	store := faults.NewStore()
	a, b := base.RuleSet(store, "file", t0), cfg.RuleSet(store, "api", t0)
	if !reflect.DeepEqual(a.IDs(), b.IDs()) {
		t.Fatalf("state identities differ: %v, %v", a.IDs(), b.IDs())
	}
}

func TestWithRulesErrorsArePositionedInTheBody(t *testing.T) {
	cases := []struct {
		name, body string
		want       []string
	}{
		{"bad status", "[\n  {\"name\": \"a\", \"faults\": [{\"error\": {\"status\": 200}}]}\n]",
			[]string{`request body:2:28: rule "a": error: status 200 is not an error status (400..599)`}},
		{"unknown field", `[{"name": "a", "matc": {}}]`,
			[]string{`request body:1:16: unknown field "matc" in rules[0] (known: action, cassette, enabled, faults, match, name, respond, simulate)`}},
		{"a name twice", `[{"name": "a"}, {"name": "a"}]`,
			[]string{`request body:1:26: rule name "a" is used twice (first at line 1)`}},
		{"no name", `[{"action": "simulate"}]`, []string{`request body:1:2: a rule needs a name`}},
		{"bad action", `{"rules": [{"name": "a", "action": "fly"}]}`,
			[]string{`request body:1:36: action "fly" is not one of [simulate forward record replay replay_or_record]`}},
		{"unknown key beside rules", `{"rules": [], "default_action": "forward"}`,
			[]string{`request body:1:15: unknown field "default_action" in the top level (known: rules)`}},
		{"no rules key", `{}`, []string{`request body:1:1: "rules" is missing`}},
		{"a scalar", `"rules"`, []string{`request body:1:1: the body is a list of rules, or {"rules": [...]}; got "rules"`}},
		{"empty", ``, []string{`request body: the body is empty`}},
	}
	base, err := Parse("base.yaml", []byte(fileWithRules), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := base.WithRules([]byte(c.body), Options{})
			wantErrors(t, err, c.want...)
		})
	}
}

func TestWithRulesWarningsAreTheBodys(t *testing.T) {
	base, err := Parse("base.yaml", []byte("version: 1\nrules:\n  - name: all\n  - {name: never, match: {model: x}}\n"), Options{})
	if err != nil || len(base.Warnings) != 1 {
		t.Fatalf("%v %v", err, base.Warnings)
	}
	cfg, err := base.WithRules([]byte(`[{"name": "one"}]`), Options{})
	if err != nil || len(cfg.Warnings) != 0 {
		t.Fatalf("%v, warnings %v", err, cfg.Warnings)
	}
	cfg, err = base.WithRules([]byte("- name: all\n- name: never\n"), Options{})
	if err != nil || len(cfg.Warnings) != 1 || cfg.Warnings[0].Error() != `request body:2:3: rule "never" can never match: rule "all" before it takes every request` {
		t.Fatalf("%v, warnings %v", err, cfg.Warnings)
	}
}
