package rules

import (
	"sync/atomic"

	"github.com/llm-simulator/llm-simulator/faults"
)

// RuleCounters count what a rule did: the requests it took and the
// faults that fired on them, by kind. They belong to the rule's name, not
// to one rule set: a Live carries them across reloads and toggles.
type RuleCounters struct {
	matched atomic.Uint64
	// faults[i] counts faultKinds[i]; the last slot counts any other kind.
	faults []atomic.Uint64
}

// faultKinds are the fault kinds the registry held when the program
// started, each with a slot in every RuleCounters: counting is a lookup
// and an add, with no allocation.
var (
	faultKinds = faults.Kinds()
	kindSlots  = func() map[string]int {
		slots := make(map[string]int, len(faultKinds))
		for i, k := range faultKinds {
			slots[k] = i
		}
		return slots
	}()
)

// otherKind names the slot of kinds registered later, or none.
const otherKind = "other"

func newRuleCounters() *RuleCounters {
	return &RuleCounters{faults: make([]atomic.Uint64, len(faultKinds)+1)}
}

// Matched is how many requests the rule has taken.
func (c *RuleCounters) Matched() uint64 { return c.matched.Load() }

// Faults is how many times each kind of fault fired on the rule's
// requests; kinds that never fired are absent.
func (c *RuleCounters) Faults() map[string]uint64 {
	out := map[string]uint64{}
	for i := range c.faults {
		if n := c.faults[i].Load(); n > 0 {
			name := otherKind
			if i < len(faultKinds) {
				name = faultKinds[i]
			}
			out[name] = n
		}
	}
	return out
}

// kindIndex is kind's slot in RuleCounters.faults.
func kindIndex(kind string) int {
	if i, ok := kindSlots[kind]; ok {
		return i
	}
	return len(faultKinds)
}

// ruleStats is where a rule finds its counters. A Live swaps the
// pointer, at Store, for the counters its name already has; a holder,
// rather than a field, lets rules be copied while being counted on.
type ruleStats struct {
	p atomic.Pointer[RuleCounters]
}

func newRuleStats() *ruleStats {
	s := new(ruleStats)
	s.p.Store(newRuleCounters())
	return s
}

// CountMatch counts a request the rule took.
func (r *Rule) CountMatch() {
	if r.stats != nil {
		r.stats.p.Load().matched.Add(1)
	}
}

// CountFault counts a fault of kind (Fault.Kind) that fired on one of the
// rule's requests.
func (r *Rule) CountFault(kind string) {
	if r.stats != nil {
		r.stats.p.Load().faults[kindIndex(kind)].Add(1)
	}
}

// Counters are the rule's counters; a rule not built by Build
// has none, and gets an empty set that counts nothing.
func (r *Rule) Counters() *RuleCounters {
	if r.stats == nil {
		return new(RuleCounters)
	}
	return r.stats.p.Load()
}
