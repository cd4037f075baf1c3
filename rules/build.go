package rules

import (
	"fmt"
	"time"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/faults"
)

// Build builds the rule set cfg describes: each rule's match compiled,
// its faults bound to store (faults.NewInstance), which keeps their
// state — a fault whose rule name, place and config are unchanged finds
// its state again. origin says where the config came from ("file
// /etc/x.yaml", "api") and now when, for the admin API.
//
// cfg is one config.Parse or Config.WithRules accepted, whose checks are
// the ones that can fail here: the error is for a config put together
// some other way.
func Build(cfg *config.Config, store *faults.Store, origin string, now time.Time) (*Set, error) {
	s := &Set{DefaultAction: cfg.DefaultAction, DebugHeaders: cfg.DebugHeaders == nil || *cfg.DebugHeaders, Origin: origin, Loaded: now}
	for i := range cfg.Rules {
		r, err := buildRule(&cfg.Rules[i], store)
		if err != nil {
			return nil, fmt.Errorf("rule %q: %w", cfg.Rules[i].Name, err)
		}
		s.Rules = append(s.Rules, r)
		m := r.match
		m.enabled = r.Enabled
		s.matchers = append(s.matchers, m)
	}
	s.index = buildIndex(s.matchers)
	s.members = members(s.matchers)
	return s, nil
}

// buildRule builds one rule, its state identities those of its name.
func buildRule(spec *config.RuleSpec, store *faults.Store) (*Rule, error) {
	m, err := compileMatch(&spec.Match)
	if err != nil {
		return nil, err
	}
	r := &Rule{Name: spec.Name, Enabled: spec.Enabled == nil || *spec.Enabled, Action: spec.Action,
		Simulate: spec.Simulate, Cassette: spec.Cassette, Match: spec.Match,
		match: m, store: store, stats: newRuleStats()}
	if spec.Respond != nil {
		r.Answers = answers(spec.Respond)
		r.RespondID = fmt.Sprintf("%s/respond/%x", spec.Name, spec.Respond.Digest)
	}
	for j := range spec.Faults {
		f, gate, err := spec.Faults[j].Check()
		if err != nil {
			return nil, err
		}
		id := fmt.Sprintf("%s/%d/%x", spec.Name, j, spec.Faults[j].Digest)
		r.Faults = append(r.Faults, faults.NewInstance(f, gate, id, store))
	}
	return r, nil
}

// answers are a respond section's scripted answers, a tool call's
// arguments {} when it gives none.
func answers(spec *config.RespondSpec) []Answer {
	var out []Answer
	for _, a := range spec.Answers() {
		ans := Answer{Text: a.Text, FinishReason: a.FinishReason, StopReason: a.StopReason}
		for _, tc := range a.ToolCalls {
			args := []byte(tc.Arguments.Raw)
			if len(args) == 0 {
				args = []byte("{}")
			}
			ans.ToolCalls = append(ans.ToolCalls, ToolCall{Name: tc.Name, Arguments: args})
		}
		if a.Usage != nil {
			ans.PromptTokens, ans.OutputTokens = a.Usage.PromptTokens, a.Usage.CompletionTokens
		}
		out = append(out, ans)
	}
	return out
}
