package faults

import (
	"fmt"
	"sync"
)

// Gate decides whether a fault fires for a request.
type Gate struct {
	// Probability is the chance the fault fires for a request it may fire
	// for, rolled from the request's own random stream. Nil means 1; a
	// pointer so that an explicit 0 (never) differs from unset.
	Probability *float64
	// After lets the first After matching requests through untouched.
	After int
	// Times caps how many times the fault fires; 0 means no cap.
	Times int
	// Every makes the fault fire only on every Every-th request past
	// After; 0 or 1 means every one.
	Every int
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
