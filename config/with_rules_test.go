package config

import "testing"

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
	base, err := Parse("base.yaml", []byte("version: 1\ndefault_action: forward\nrules:\n  - name: rest\n"), Options{})
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
