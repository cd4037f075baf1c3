package clock

import (
	"context"
	"sync"
	"time"
)

// Clock is a source of time for everything that waits on a request's
// behalf. Tests inject a Manual clock to check waits without spending them.
type Clock interface {
	Now() time.Time
	// Sleep waits for d or until ctx is done, whichever comes first, and
	// returns ctx.Err() in the second case. d <= 0 returns at once.
	Sleep(ctx context.Context, d time.Duration) error
}

// Real is wall-clock time.
type Real struct{}

// Now implements Clock.
func (Real) Now() time.Time { return time.Now() }

// Sleep implements Clock.
func (Real) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Sleeper sleeps on its Clock again and again, as a stream does between
// events. On the Real clock it keeps one timer for all its sleeps, reset
// each time, where Clock.Sleep makes one per call: a stream's events then
// allocate nothing, and the collector has no timer per event to sweep
// (BenchmarkSleeper). Its zero value with Clock set is ready. When Sleep
// returns, its timer has fired or been stopped: nothing is left to stop.
// A Sleeper is not safe for concurrent use.
type Sleeper struct {
	Clock Clock
	t     *time.Timer
}

// Sleep is Clock.Sleep.
func (s *Sleeper) Sleep(ctx context.Context, d time.Duration) error {
	if _, real := s.Clock.(Real); !real || d <= 0 {
		return s.Clock.Sleep(ctx, d)
	}
	if s.t == nil {
		s.t = time.NewTimer(d)
	} else {
		s.t.Reset(d) // timers since Go 1.23: no stale tick to drain
	}
	select {
	case <-s.t.C:
		return nil
	case <-ctx.Done():
		s.t.Stop()
		return ctx.Err()
	}
}

// Manual is a Clock whose time moves only when something sleeps on it or
// a test advances it: Sleep advances it by d at once and records d. It
// lets a test check the waits asked for without spending them.
type Manual struct {
	mu     sync.Mutex // guards now and sleeps
	now    time.Time
	sleeps []time.Duration
}

// NewManual returns a Manual clock reading start.
func NewManual(start time.Time) *Manual { return &Manual{now: start} }

// Now implements Clock.
func (c *Manual) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep implements Clock.
func (c *Manual) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	if d > 0 {
		c.now = c.now.Add(d)
	}
	return nil
}

// Sleeps returns the durations slept so far, in order.
func (c *Manual) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// Advance moves the clock forward by d without recording a sleep, as time
// passing between requests does.
func (c *Manual) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
