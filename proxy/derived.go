package proxy

import (
	"math/rand/v2"

	"github.com/llm-simulator/llm-simulator/rules"
	"github.com/llm-simulator/llm-simulator/simulate"
)

// derived is what the front computes once per rule set and simulator: each
// rule's own simulation model. It is rebuilt when either changes.
type derived struct {
	set    *rules.Set
	sim    *simulate.Simulator
	models map[*rules.Rule]*simulate.Model
}

// ruleModel is the model a rule's requests run, nil for the config's.
func (f *Front) ruleModel(set *rules.Set, sim *simulate.Simulator, rule *rules.Rule) *simulate.Model {
	if rule.Simulate == nil {
		return nil
	}
	d := f.derived.Load()
	if d == nil || d.set != set || d.sim != sim {
		d = &derived{set: set, sim: sim, models: map[*rules.Rule]*simulate.Model{}}
		for _, r := range set.Rules {
			if r.Simulate != nil {
				m := modelFrom(sim.Default(), r.Simulate)
				d.models[r] = &m
			}
		}
		f.derived.Store(d)
	}
	return d.models[rule]
}

// randNew is rand.New, kept inlinable so the Rand it returns can be copied
// into pooled state without allocating.
func randNew(src rand.Source) *rand.Rand { return rand.New(src) }
