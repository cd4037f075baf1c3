package faults

import (
	"fmt"
	"sync"
)

// Gate decides whether a fault fires for a request. Its keys sit beside
// the fault's own in a rule ({status: 429, probability: 0.1}), and it
// counts per rule, fault and scope. Probability is rolled from the
// request's own random stream; it is a pointer so that an explicit 0
// (never) differs from unset (always). Every of 0 or 1 fires on every
// request.
type Gate struct {
	// Probability that the fault fires for a request it may fire for,
	// 0..1. Default 1.
	Probability *float64 `yaml:"probability"`
	// After lets the first N matching requests through. Default 0.
	After int `yaml:"after"`
	// Times caps the firings. Default 0: no cap.
	Times int `yaml:"times"`
	// Every fires on every Nth request past After only. Default 0: all.
	Every int `yaml:"every"`
}

// Validate checks the gate's ranges.
func (g Gate) Validate() error {
	switch {
	case g.Probability != nil && (*g.Probability < 0 || *g.Probability > 1):
		return fmt.Errorf("probability %v is outside 0..1", *g.Probability)
	case g.After < 0:
		return fmt.Errorf("after must not be negative")
	case g.Times < 0:
		return fmt.Errorf("times must not be negative")
	case g.Every < 0:
		return fmt.Errorf("every must not be negative")
	}
	return nil
}

// counter is a gate's memory for one fault and scope.
type counter struct {
	mu    sync.Mutex // guards seen and fired
	seen  int        // matching requests, this one included
	fired int
}

// fires counts one matching request and says whether the gate opens.
// roll draws the probability only when the counts allow firing, so
// requests the counts refuse leave the random stream alone.
func (g Gate) fires(c *counter, roll func() float64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seen++
	past := c.seen - g.After
	if past <= 0 || (g.Times > 0 && c.fired >= g.Times) || (g.Every > 1 && past%g.Every != 0) {
		return false
	}
	if g.Probability != nil && roll() >= *g.Probability {
		return false
	}
	c.fired++
	return true
}
