package rules

import "sync/atomic"

// RuleCounters count what a rule did: the requests it took and the
// faults that fired on them, by kind. They belong to the rule's name, not
// to one rule set: a Live carries them across reloads and toggles.
type RuleCounters struct {
	matched atomic.Uint64
	// faults[i] counts faultKinds[i]; the last slot counts any other kind.
	faults [len(faultKindList) + 1]atomic.Uint64
}

// faultKindList is every fault kind, as FaultSpec declares them (a test
// keeps the two in step); a fixed array indexed by it keeps counting free
// of maps and allocations.
var faultKindList = [...]string{"latency", "ttft", "itl", "error", "raw", "content", "body",
	"abort", "hang", "stream", "throttle", "rate_limit", "backpressure"}

// otherKind names the slot of kinds not in faultKindList.
const otherKind = "other"

// Matched is how many requests the rule has taken.
func (c *RuleCounters) Matched() uint64 { return c.matched.Load() }

// Faults is how many times each kind of fault fired on the rule's
// requests; kinds that never fired are absent.
func (c *RuleCounters) Faults() map[string]uint64 {
	out := map[string]uint64{}
	for i := range c.faults {
		if n := c.faults[i].Load(); n > 0 {
			name := otherKind
			if i < len(faultKindList) {
				name = faultKindList[i]
			}
			out[name] = n
		}
	}
	return out
}

// kindIndex is kind's slot in RuleCounters.faults.
func kindIndex(kind string) int {
	for i, k := range faultKindList {
		if k == kind {
			return i
		}
	}
	return len(faultKindList)
}

// ruleStats is where a rule finds its counters. A Live swaps the
// pointer, at Store, for the counters its name already has; a holder,
// rather than a field, lets rules be copied while being counted on.
type ruleStats struct {
	p atomic.Pointer[RuleCounters]
}

func newRuleStats() *ruleStats {
	s := new(ruleStats)
	s.p.Store(new(RuleCounters))
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
