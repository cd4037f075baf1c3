package config

import (
	"fmt"
	"hash/fnv"
	"slices"

	"gopkg.in/yaml.v3"
)

// The actions a rule may take, and the choices of scripted answers.
var (
	actions       = []string{"simulate", "forward", "record", "replay", "replay_or_record"}
	finishReasons = []string{"stop", "length", "tool_calls", "content_filter"}
	stopReasons   = []string{"end_turn", "max_tokens", "stop_sequence", "tool_use", "refusal"}
)

// checkRules checks default_action and the rules, reporting every problem
// at its node, so that a rule set built from an accepted config cannot
// fail (rules.Build).
func (c *Config) checkRules(root *yaml.Node, opts Options, e *errs) {
	if n := lookupKey(root, "default_action"); n != nil {
		c.checkAction(n, c.DefaultAction, "default_action", e)
	}
	c.checkRuleList(lookupKey(root, "rules"), opts, e)
}

// checkRuleList checks c.Rules, decoded from seqNode, and notes the
// digests that give their state its identity.
func (c *Config) checkRuleList(seqNode *yaml.Node, opts Options, e *errs) {
	names := map[string]*yaml.Node{}
	var catchAll string
	for i := range c.Rules {
		if seqNode == nil || i >= len(seqNode.Content) {
			break // decoding failed part-way; its errors are reported
		}
		spec, n := &c.Rules[i], seqNode.Content[i]
		c.checkName(spec, n, names, e)
		if a := lookupKey(n, "action"); a != nil {
			c.checkAction(a, spec.Action, "action", e)
		}
		if err := spec.Match.Check(); err != nil {
			e.at(orNode(lookupKey(n, "match"), n), "rule %q: %v", spec.Name, err)
		}
		if catchAll != "" {
			c.warn(e, n, "rule %q can never match: rule %q before it takes every request", spec.Name, catchAll)
		} else if (spec.Enabled == nil || *spec.Enabled) && spec.Match.empty() {
			catchAll = spec.Name
		}
		c.checkCassette(spec, n, opts, e)
		c.checkRespond(spec, n, e)
		if spec.Simulate != nil {
			spec.Simulate.validate(e, opts.TemplateData, "rules."+spec.Name+".simulate.", lookupKey(n, "simulate"))
		}
		c.checkFaults(spec, n, e)
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

func (c *Config) checkRespond(spec *RuleSpec, n *yaml.Node, e *errs) {
	if spec.Respond == nil {
		return
	}
	at := lookupKey(n, "respond")
	if spec.Action != "simulate" {
		e.at(at, "rule %q: respond scripts simulated answers; the action is %s", spec.Name, spec.Action)
	}
	for _, a := range spec.Respond.Answers() {
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
		}
	}
	spec.Respond.Digest = digest(at)
}

func (c *Config) checkFaults(spec *RuleSpec, n *yaml.Node, e *errs) {
	seq := lookupKey(n, "faults")
	for j := range spec.Faults {
		if seq == nil || j >= len(seq.Content) {
			break
		}
		fn := seq.Content[j]
		e.addAll(spec.Faults[j].problems)
		if _, _, err := spec.Faults[j].Check(); err != nil {
			e.at(fn, "rule %q: %v", spec.Name, err)
			continue
		}
		spec.Faults[j].Digest = digest(fn)
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

// digest identifies a node's content (after ${ENV} expansion), so that
// the state a rule set keeps for it survives a reload exactly when the
// config it belongs to is unchanged.
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
