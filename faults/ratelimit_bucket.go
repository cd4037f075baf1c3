package faults

import (
	"math/bits"
	"sync"
	"time"

	"github.com/llm-simulator/llm-simulator/internal/clock"
)

// window is the period a rate limit's number is given for: providers
// state limits per minute and refill them continuously over it.
const window = time.Minute

// maxDebt caps how far a bucket can be overdrawn, so that sums of debts
// and times cannot overflow whatever a response reports.
const maxDebt = 1000 * time.Hour

// bucket is one limit as a token bucket of capacity limit that refills
// continuously, limit units per window. It is kept as the time it will be
// full again (the generic cell rate algorithm), in integer nanoseconds:
// one timestamp, no float drift, and the refill needs no ticking.
type bucket struct {
	limit int64     // 0: not configured
	full  time.Time // when the bucket is full again; past means full now
}

// debt is the time until the bucket is full again.
func (b *bucket) debt(now time.Time) time.Duration {
	return max(0, b.full.Sub(now))
}

// cost is the refill time of n units, truncated to the nanosecond: a
// bucket that has refilled a whole number of units then reports exactly
// that number, and the error, under a nanosecond a request, never adds up
// to a unit.
func (b *bucket) cost(n int64) time.Duration {
	if n <= 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(n), uint64(window))
	if hi >= uint64(b.limit) {
		return maxDebt // the quotient would not fit in 64 bits
	}
	q, _ := bits.Div64(hi, lo, uint64(b.limit))
	return min(time.Duration(q), maxDebt)
}

// wait is how long until the bucket holds n units, and at least one: an
// empty (or overdrawn) bucket refuses even a request that takes nothing
// from it. Zero means it holds them now.
func (b *bucket) wait(now time.Time, n int64) time.Duration {
	return max(0, b.debt(now)+b.cost(max(n, 1))-window)
}

// take removes n units, which may overdraw the bucket.
func (b *bucket) take(now time.Time, n int64) {
	b.full = now.Add(min(b.debt(now)+b.cost(n), maxDebt))
}

// remaining is the whole units the bucket holds, never below zero.
func (b *bucket) remaining(now time.Time) int64 {
	d := b.debt(now)
	if d >= window {
		return 0
	}
	hi, lo := bits.Mul64(uint64(b.limit), uint64(window-d))
	q, _ := bits.Div64(hi, lo, uint64(window))
	return int64(q)
}

// The limits a RateLimit may set, in the order a refusal names them when
// several refuse alike.
const (
	limRequests = iota
	limTokens
	limInput
	limOutput
	nLimits
)

// limitKinds name the limits in the metrics.
var limitKinds = [nLimits]string{"requests", "tokens", "input_tokens", "output_tokens"}

// rateState is the buckets of one rule, scope, provider and key.
type rateState struct {
	mu sync.Mutex // guards b, inflight and retired: a request is admitted by all buckets at once or by none
	b  [nLimits]bucket
	// inflight counts the requests admitted whose completion tokens are
	// not settled yet: the state cannot be forgotten under them.
	inflight int
	// retired is set when the store forgets the state; a request that
	// found it just before takes the store's new one instead.
	retired bool
	// expires lets the store forget the state once it is idle: set for
	// the states of one API key or header value, of which an app may
	// send without end.
	expires bool
	// clock is the time of the requests that made the state, so that the
	// admin API reads the buckets at the time they are filled by.
	clock clock.Clock
	// provider is the provider whose buckets these are, for the metrics.
	provider string
}

func newRateState(limits [nLimits]int64) *rateState {
	s := new(rateState)
	for i, l := range limits {
		s.b[i].limit = l
	}
	return s
}

// limitView is one limit as a response reports it.
type limitView struct {
	limit, remaining int64
	reset            time.Duration // until the bucket is full again
}

// verdict is an admission's outcome and the state it leaves, read under
// the lock so the headers agree with the decision.
type verdict struct {
	now     time.Time
	view    [nLimits]limitView
	refused int           // the limit that refused the request, or -1
	stale   bool          // the state was retired: nothing was taken, ask the store again
	wait    time.Duration // until the refusing limit holds the request
	need    int64         // what the request asked of the refusing limit
	// tooLarge: the request asks more than the limit holds when full, so
	// waiting will not help.
	tooLarge bool
}

// admit takes need[i] from every configured bucket if all hold it, and
// reports the state. The refusal named is a limit the request can never
// fit, else the one with the longest wait.
func (s *rateState) admit(now time.Time, need [nLimits]int64) verdict {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.retired {
		return verdict{stale: true}
	}
	v := verdict{now: now, refused: -1}
	for i := range s.b {
		b := &s.b[i]
		if b.limit == 0 || v.tooLarge {
			continue
		}
		n := max(need[i], 1)
		w, big := b.wait(now, n), n > b.limit
		if big || (w > 0 && (v.refused < 0 || w > v.wait)) {
			v.refused, v.wait, v.need, v.tooLarge = i, w, n, big
		}
	}
	for i := range s.b {
		b := &s.b[i]
		if b.limit == 0 {
			continue
		}
		if v.refused < 0 {
			b.take(now, need[i])
		}
		v.view[i] = limitView{limit: b.limit, remaining: b.remaining(now), reset: b.debt(now)}
	}
	if v.refused < 0 {
		s.inflight++
	}
	return v
}

// settle takes a finished response's completion tokens from the buckets
// that count them.
func (s *rateState) settle(now time.Time, completion int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inflight--
	for _, i := range [...]int{limTokens, limOutput} {
		if s.b[i].limit > 0 {
			s.b[i].take(now, completion)
		}
	}
}

// retire marks the state retired and reports true when it may be
// forgotten: it expires, no admitted request is still to settle, and
// every bucket is full again — a state then indistinguishable from the
// fresh one the next request of its key would create.
func (s *rateState) retire() bool {
	if !s.expires || s.clock == nil {
		return false
	}
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inflight > 0 {
		return false
	}
	for i := range s.b {
		if s.b[i].limit > 0 && s.b[i].debt(now) > 0 {
			return false
		}
	}
	s.retired = true
	return true
}
