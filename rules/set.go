package rules

import (
	"sort"
	"time"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/faults"
	"github.com/llm-simulator/llm-simulator/internal/glob"
)

// Set is a compiled rule set: immutable once built, swapped whole.
type Set struct {
	Rules []*Rule
	// DefaultAction answers the requests no rule takes.
	DefaultAction string
	// DebugHeaders adds x-llmsim-rule and x-llmsim-faults to responses.
	DebugHeaders bool
	// Origin says where the set came from ("file /etc/x.yaml", "api") and
	// Loaded when, for the admin API.
	Origin string
	Loaded time.Time

	// matchers are the rules' matchers side by side, Rules[i]'s at i:
	// matching walks them all, and a contiguous slice keeps that walk in
	// cache. Their enabled flags are the rules' with the toggles applied.
	matchers []matcher
	// index narrows the rules a request can match; nil for a set too
	// small to gain from one. Toggles leave it as it is: Match still
	// checks each candidate's enabled flag.
	index *ruleIndex
	// members are the top-level body members matching reads: the model,
	// then those the rules' body conditions start at.
	members []string
	// overlays are the admin API's runtime changes this set was put in
	// force with; nil: none.
	overlays *Overlays
}

// Rule is a compiled rule.
type Rule struct {
	Name string
	// Enabled is what the config says; a toggle may override it in the
	// set in force (Set.Enabled).
	Enabled bool
	Action  string
	Faults  []*faults.Instance
	// Answers are the scripted answers (nil: generate); the nth matching
	// call per scope gets the nth, then the last repeats. RespondID keys
	// that count.
	Answers   []Answer
	RespondID string
	// Simulate overrides the simulation settings; nil: the config's.
	Simulate *config.ModelSpec
	// Cassette is how record and replay use the cassettes, defaults filled.
	Cassette config.CassetteSpec
	// Match is the rule's match as the config wrote it, for display.
	Match config.MatchSpec

	match matcher
	store *faults.Store // where the answer sequence counts
	stats *ruleStats    // nil for a rule not built by Build
}

// Answer is a scripted answer.
type Answer struct {
	Text         *string
	ToolCalls    []ToolCall
	FinishReason string
	StopReason   string
	PromptTokens *int
	OutputTokens *int
}

// ToolCall is a scripted tool call.
type ToolCall struct {
	Name      string
	Arguments []byte // JSON
}

// Match returns the first enabled rule whose match holds, or nil for the
// default action.
func (s *Set) Match(r *Request) *Rule {
	r.provider = providerCode(r.Provider)
	if s.index != nil {
		return s.matchIndexed(r)
	}
	return s.matchEach(r)
}

// matchEach is Match trying every rule in turn.
func (s *Set) matchEach(r *Request) *Rule {
	for i := range s.matchers {
		m := &s.matchers[i]
		// Most rules are turned away by these tests, made here in the loop
		// rather than in a call: matching tries every rule before the one
		// that takes the request.
		if !m.enabled || (m.provider != 0 && m.provider != r.provider) ||
			(m.path.Kind == glob.Prefix && !glob.HasPrefix(r.Path, m.path.S)) ||
			(m.path.Kind == glob.Exact && r.Path != m.path.S) {
			continue
		}
		if m.matches(r) {
			return s.Rules[i]
		}
	}
	return nil
}

// Members lists the top-level body members matching reads — "model"
// first, then those the set's body conditions start at — which a front
// that scans the body anyway captures for Request.KnowMembers.
func (s *Set) Members() []string {
	if s == nil {
		return modelOnly
	}
	return s.members
}

var modelOnly = []string{"model"}

// Answer returns the scripted answer for the call, stepping the rule's
// sequence for the request's scope; nil when the rule scripts none.
func (r *Rule) Answer(scope string) *Answer {
	switch len(r.Answers) {
	case 0:
		return nil
	case 1:
		return &r.Answers[0]
	}
	n := r.store.Next(r.RespondID, scope)
	return &r.Answers[min(n, len(r.Answers))-1]
}

// IDs lists the state identities the set's faults and sequences use: a
// store keeps these across a reload and drops the rest.
func (s *Set) IDs() map[string]bool {
	ids := map[string]bool{}
	for _, r := range s.Rules {
		for _, f := range r.Faults {
			ids[f.ID] = true
		}
		if r.RespondID != "" {
			ids[r.RespondID] = true
		}
	}
	return ids
}

// Enabled reports whether Rules[i] takes requests in this set: the
// config's word, unless a toggle overrides it.
func (s *Set) Enabled(i int) bool { return s.matchers[i].enabled }

// Overlays are the runtime changes the set was put in force with, nil
// when none (or s is nil): the front rolls their temporary faults beside
// the rule's.
func (s *Set) Overlays() *Overlays {
	if s == nil {
		return nil
	}
	return s.overlays
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
