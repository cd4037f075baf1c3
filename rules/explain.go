package rules

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/faults"
	"github.com/llm-simulator/llm-simulator/internal/glob"
)

// Explanation is why a request would be answered as it would: which rules
// were tried and why each turned it away, which took it, and the faults
// that may fire.
type Explanation struct {
	// Rules are the rules tried, in order, up to and including the taker.
	Rules []Verdict `json:"rules"`
	// Rule is the taker; "" when none takes the request and the default
	// action answers.
	Rule   string `json:"rule"`
	Action string `json:"action"`
	// Faults are the taker's faults and the temporary faults that hold
	// for the request, in the order they are rolled.
	Faults []FaultVerdict `json:"faults"`
}

// Verdict is one rule's answer to a request.
type Verdict struct {
	Rule    string `json:"rule"`
	Enabled bool   `json:"enabled"`
	Matched bool   `json:"matched"`
	// Reason names, for a rule that did not match, the first predicate
	// that failed and the values compared, or why it is disabled.
	Reason string `json:"reason,omitempty"`
}

// FaultVerdict is a fault that may fire on the request.
type FaultVerdict struct {
	Kind string `json:"kind"`
	// From is the rule's name, or "overlay f-…" for a temporary fault.
	From string `json:"from"`
	// Gate says when it fires, with the request's scope's counts: "always",
	// "probability 0.1", "times 3, 2 left for this scope"…
	Gate string `json:"gate"`
}

// Explain says how s would answer r, as Match and the front would decide,
// without counting the request anywhere: no gate, sequence or counter
// moves.
func (s *Set) Explain(r *Request) Explanation {
	r.provider = providerCode(r.Provider)
	ex := Explanation{Rules: []Verdict{}, Action: s.DefaultAction, Faults: []FaultVerdict{}}
	var taker *Rule
	for i, rule := range s.Rules {
		v := Verdict{Rule: rule.Name, Enabled: s.matchers[i].enabled}
		switch {
		case !v.Enabled && rule.Enabled:
			v.Reason = "disabled (toggled off at runtime)"
		case !v.Enabled:
			v.Reason = "disabled in the config"
		default:
			v.Reason = s.matchers[i].why(&rule.Match, r)
			v.Matched = v.Reason == ""
		}
		ex.Rules = append(ex.Rules, v)
		if v.Matched {
			taker = rule
			break
		}
	}
	scope := r.Scope()
	if taker != nil {
		ex.Rule, ex.Action = taker.Name, taker.Action
		for _, in := range taker.Faults {
			ex.Faults = append(ex.Faults, faultVerdict(in, taker.Name, scope))
		}
	}
	if o := s.overlays; o != nil {
		for _, tf := range o.matching(r, o.inForce()) {
			for _, in := range tf.instances {
				ex.Faults = append(ex.Faults, faultVerdict(in, "overlay "+tf.ID, scope))
			}
		}
	}
	return ex
}

func faultVerdict(in *faults.Instance, from, scope string) FaultVerdict {
	seen, fired := in.Counts(scope)
	return FaultVerdict{Kind: in.Fault.Kind(), From: from, Gate: gateText(in.Gate, seen, fired)}
}

// gateText describes a gate and where the scope's counts stand.
func gateText(g faults.Gate, seen, fired int) string {
	var parts []string
	if g.Probability != nil {
		parts = append(parts, "probability "+strconv.FormatFloat(*g.Probability, 'g', -1, 64))
	}
	if g.After > 0 {
		if left := g.After - seen; left > 0 {
			parts = append(parts, fmt.Sprintf("after %d, %d more let through for this scope", g.After, left))
		} else {
			parts = append(parts, fmt.Sprintf("after %d, passed for this scope", g.After))
		}
	}
	if g.Every > 1 {
		parts = append(parts, fmt.Sprintf("every %d", g.Every))
	}
	if g.Times > 0 {
		parts = append(parts, fmt.Sprintf("times %d, %d left for this scope", g.Times, max(0, g.Times-fired)))
	}
	if len(parts) == 0 {
		return "always"
	}
	return strings.Join(parts, "; ")
}

// why names the first of m's predicates r fails, in the order matching
// tests them, with the values compared; "" when all hold. spec is what
// the config wrote, for the names a matcher keeps only as codes.
func (m *matcher) why(spec *config.MatchSpec, r *Request) string {
	scope := r.Scope()
	switch {
	case m.provider != 0 && m.provider != providerCode(r.Provider):
		return fmt.Sprintf("provider %q is not %q", r.Provider, spec.Provider)
	case !m.path.Match(r.Path):
		return globWhy("path", r.Path, m.path)
	case m.method != "" && m.method != r.Method:
		return fmt.Sprintf("method %q is not %q", r.Method, m.method)
	case m.hasScope && scope == "":
		return fmt.Sprintf("scope is absent (the rule's is %q)", m.scope)
	case m.hasScope && m.scope != scope:
		return fmt.Sprintf("scope %q is not %q", scope, m.scope)
	case !m.host.Match(r.Host):
		return globWhy("host", r.Host, m.host)
	}
	for _, h := range m.headers {
		vs := r.Header[h.name]
		switch name := strings.ToLower(h.name); {
		case len(vs) == 0 && !h.glob.Match(""):
			return fmt.Sprintf("header %s is absent", name)
		case len(vs) > 0 && !h.glob.Match(vs[0]):
			return globWhy("header "+name, vs[0], h.glob)
		}
	}
	switch {
	case !m.model.Match(r.Model()):
		return globWhy("model", r.Model(), m.model)
	case m.stream >= 0 && r.Stream() != (m.stream == 1):
		return fmt.Sprintf("stream is %v, not %v", r.Stream(), m.stream == 1)
	}
	for i := range m.body {
		if why := m.body[i].why(r); why != "" {
			return why
		}
	}
	return ""
}

func (b *bodyMatch) why(r *Request) string {
	raw, str, isStr, found := r.bodyValue(b)
	switch {
	case !found:
		return fmt.Sprintf("body %s is absent", b.key)
	case isStr && !b.glob.Match(str):
		return globWhy("body "+b.key, str, b.glob)
	case !isStr && raw != b.raw:
		return fmt.Sprintf("body %s %s is not %s", b.key, raw, b.raw)
	}
	return ""
}

// globWhy says that got fails g: "is not" an exact text, "does not
// match" a pattern.
func globWhy(what, got string, g glob.Glob) string {
	if g.Kind == glob.Exact {
		return fmt.Sprintf("%s %q is not %q", what, got, g.String())
	}
	return fmt.Sprintf("%s %q does not match %q", what, got, g.String())
}
