package rules

import (
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	"github.com/llm-simulator/llm-simulator/faults"
	"gopkg.in/yaml.v3"
)

// The actions a rule may take, and the choices of scripted answers.
var (
	actions       = []string{"simulate", "forward", "record", "replay", "replay_or_record"}
	finishReasons = []string{"stop", "length", "tool_calls", "content_filter"}
	stopReasons   = []string{"end_turn", "max_tokens", "stop_sequence", "tool_use", "refusal"}
)

// preparedRule is a rule checked and built, its faults not yet bound to a
// store.
type preparedRule struct {
	rule   Rule
	faults []builtFault
	ids    []string
}

// prepare checks the rules and builds them, reporting every problem at
// its node. It runs at load, so a set built later cannot fail.
func (c *Config) prepare(root *yaml.Node, opts Options, e *errs) {
	if n := lookupKey(root, "default_action"); n != nil {
		c.checkAction(n, c.DefaultAction, "default_action", e)
	}
	c.prepareRules(lookupKey(root, "rules"), opts, e)
}

// prepareRules checks and builds c.Rules, decoded from seqNode.
func (c *Config) prepareRules(seqNode *yaml.Node, opts Options, e *errs) {
	names := map[string]*yaml.Node{}
	var catchAll string
	for i := range c.Rules {
		if seqNode == nil || i >= len(seqNode.Content) {
			break // decoding failed part-way; its errors are reported
		}
		spec, n := &c.Rules[i], seqNode.Content[i]
		pr := preparedRule{rule: Rule{Name: spec.Name, Enabled: spec.Enabled == nil || *spec.Enabled, Action: spec.Action,
			Simulate: spec.Simulate, Cassette: spec.Cassette, Match: spec.Match}}
		c.checkName(spec, n, names, e)
		if a := lookupKey(n, "action"); a != nil {
			c.checkAction(a, spec.Action, "action", e)
		}
		if m, err := compileMatch(&spec.Match); err != nil {
			e.at(orNode(lookupKey(n, "match"), n), "rule %q: %v", spec.Name, err)
		} else {
			pr.rule.match = m
		}
		if catchAll != "" {
			c.warn(e, n, "rule %q can never match: rule %q before it takes every request", spec.Name, catchAll)
		} else if pr.rule.Enabled && spec.Match.empty() {
			catchAll = spec.Name
		}
		c.checkCassette(spec, n, opts, e)
		c.prepareRespond(spec, n, &pr, e)
		if spec.Simulate != nil {
			spec.Simulate.validate(e, opts.TemplateData, "rules."+spec.Name+".simulate.", lookupKey(n, "simulate"))
		}
		c.prepareFaults(spec, n, &pr, e)
		c.prepared = append(c.prepared, pr)
	}
}

func (c *Config) checkName(spec *RuleSpec, n *yaml.Node, names map[string]*yaml.Node, e *errs) {
	at := orNode(lookupKey(n, "name"), n)
	switch first, dup := names[spec.Name]; {
	case spec.Name == "":
		e.at(n, "a rule needs a name")
	case dup:
		e.at(at, "rule name %q is used twice (first at line %d)", spec.Name, first.Line)
	default:
		names[spec.Name] = at
	}
}

func (c *Config) checkAction(n *yaml.Node, action, what string, e *errs) {
	if !slices.Contains(actions, action) {
		e.at(n, "%s %q is not one of %v", what, action, actions)
	}
}

func (c *Config) prepareRespond(spec *RuleSpec, n *yaml.Node, pr *preparedRule, e *errs) {
	if spec.Respond == nil {
		return
	}
	at := lookupKey(n, "respond")
	if spec.Action != "simulate" {
		e.at(at, "rule %q: respond scripts simulated answers; the action is %s", spec.Name, spec.Action)
	}
	for _, a := range spec.Respond.answers() {
		ans := Answer{Text: a.Text, FinishReason: a.FinishReason, StopReason: a.StopReason}
		if a.FinishReason != "" && !slices.Contains(finishReasons, a.FinishReason) {
			e.at(at, "finish_reason %q is not one of %v", a.FinishReason, finishReasons)
		}
		if a.StopReason != "" && !slices.Contains(stopReasons, a.StopReason) {
			e.at(at, "stop_reason %q is not one of %v", a.StopReason, stopReasons)
		}
		for _, tc := range a.ToolCalls {
			if tc.Name == "" {
				e.at(at, "a scripted tool call needs a name")
			}
			args := []byte(tc.Arguments.Raw)
			if len(args) == 0 {
				args = []byte("{}")
			}
			ans.ToolCalls = append(ans.ToolCalls, ToolCall{Name: tc.Name, Arguments: args})
		}
		if a.Usage != nil {
			ans.PromptTokens, ans.OutputTokens = a.Usage.PromptTokens, a.Usage.CompletionTokens
		}
		pr.rule.Answers = append(pr.rule.Answers, ans)
	}
	pr.rule.RespondID = fmt.Sprintf("%s/respond/%x", spec.Name, digest(at))
}

func (c *Config) prepareFaults(spec *RuleSpec, n *yaml.Node, pr *preparedRule, e *errs) {
	seq := lookupKey(n, "faults")
	for j := range spec.Faults {
		if seq == nil || j >= len(seq.Content) {
			break
		}
		fn := seq.Content[j]
		bf, err := buildFault(&spec.Faults[j])
		if err != nil {
			e.at(fn, "rule %q: %v", spec.Name, err)
			continue
		}
		pr.faults = append(pr.faults, bf)
		pr.ids = append(pr.ids, fmt.Sprintf("%s/%d/%x", spec.Name, j, digest(fn)))
	}
}

// warn notes a problem that does not stop the load, in the file e reads.
func (c *Config) warn(e *errs, n *yaml.Node, format string, args ...any) {
	c.Warnings = append(c.Warnings, &Error{File: e.file, Line: n.Line, Col: n.Column, Msg: fmt.Sprintf(format, args...)})
}

func orNode(n, fallback *yaml.Node) *yaml.Node {
	if n == nil {
		return fallback
	}
	return n
}

// digest identifies a node's content (after ${ENV} expansion), so state
// survives a reload exactly when the config it belongs to is unchanged.
func digest(n *yaml.Node) uint64 {
	h := fnv.New64a()
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil {
			return
		}
		fmt.Fprintf(h, "%d:%s:%s;", n.Kind, n.ShortTag(), n.Value)
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	return h.Sum64()
}

// RuleSet builds the set the config describes, its faults keeping their
// state in store. origin says where the config came from.
func (c *Config) RuleSet(store *faults.Store, origin string, now time.Time) *Set {
	s := &Set{DefaultAction: c.DefaultAction, DebugHeaders: c.DebugHeaders == nil || *c.DebugHeaders, Origin: origin, Loaded: now}
	for _, pr := range c.prepared {
		r := pr.rule
		r.store, r.stats = store, newRuleStats()
		for i, bf := range pr.faults {
			r.Faults = append(r.Faults, faults.NewInstance(bf.fault, bf.gate, pr.ids[i], store))
		}
		s.Rules = append(s.Rules, &r)
		m := r.match
		m.enabled = r.Enabled
		s.matchers = append(s.matchers, m)
	}
	s.index = buildIndex(s.matchers)
	s.members = members(s.matchers)
	return s
}
