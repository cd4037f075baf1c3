package faults

import (
	"slices"
	"strings"
	"sync"
)

// Store holds the state of every fault — gate counters, limiter windows,
// queues — keyed by the fault's identity and the request's scope. It
// outlives rule sets: a reload that keeps a rule's name and a fault's
// config keeps its state.
type Store struct {
	mu    sync.RWMutex // guards state, owned and sweepAt
	state map[stateKey]any
	// sweepAt is the size at which the next new state first sweeps out
	// the expired ones.
	sweepAt int
	// owned are the fault-identity prefixes whose owner (the admin
	// overlays' temporary faults) adds and drops them itself: Retain, which
	// knows only the rule set, leaves them alone.
	owned []string
}

// stateKey is a fault identity (rule, position, config) and a scope. A
// struct key keeps lookups allocation-free.
type stateKey struct {
	fault    string
	scope    string
	provider string // for state kept per provider (a rate limit's); "" otherwise
	part     string // a sub-key, such as a rate limit's API key
}

// NewStore returns an empty Store.
func NewStore() *Store { return &Store{state: map[stateKey]any{}, sweepAt: minSweep} }

// get returns the state under k, creating it with create on first use.
func (s *Store) get(k stateKey, create func() any) any {
	s.mu.RLock()
	v, ok := s.state[k]
	s.mu.RUnlock()
	if ok {
		return v
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.state[k]; ok {
		return v
	}
	if len(s.state) >= s.sweepAt {
		s.sweepLocked()
	}
	v = create()
	s.state[k] = v
	return v
}

// expiring is state that can be forgotten once idle, such as a rate
// limit's buckets for one API key: retire reports whether it is, and if
// so marks it so a request that holds it already looks it up again.
type expiring interface {
	retire() bool
}

// minSweep is the fewest states at which a sweep runs.
const minSweep = 1024

// sweepLocked forgets the expired states, then sets the next sweep at
// twice the states left: a sweep's cost is paid for by the states
// created since the last, and the store holds at most about twice the
// states still live. s.mu held for writing.
func (s *Store) sweepLocked() {
	for k, v := range s.state {
		if e, ok := v.(expiring); ok && e.retire() {
			delete(s.state, k)
		}
	}
	s.sweepAt = max(minSweep, 2*len(s.state))
}

// Retain drops the state of every fault identity keep refuses: after a
// reload, the faults that no longer exist. Identities under a prefix
// given to Own are kept whatever keep says.
func (s *Store) Retain(keep func(fault string) bool) {
	s.deleteWhere(func(k stateKey, _ any) bool { return !keep(k.fault) && !s.ownedLocked(k.fault) })
}

// Own hands the fault identities starting with prefix to a caller that
// drops their state itself (with Drop), when the faults go: the rule set
// a reload retains knows nothing of them.
func (s *Store) Own(prefix string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.Contains(s.owned, prefix) {
		s.owned = append(s.owned, prefix)
	}
}

func (s *Store) ownedLocked(fault string) bool {
	for _, p := range s.owned {
		if strings.HasPrefix(fault, p) {
			return true
		}
	}
	return false
}

// Drop forgets every state of the fault identities drop accepts, in
// every scope.
func (s *Store) Drop(drop func(fault string) bool) {
	s.deleteWhere(func(k stateKey, _ any) bool { return drop(k.fault) })
}

// Len is the number of states held.
func (s *Store) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.state)
}

// sequence counts calls for one identity and scope.
type sequence struct {
	mu sync.Mutex // guards n
	n  int
}

// Next counts one more call under id and scope and returns its ordinal,
// from 1: a rule's scripted answers step through their sequence with it.
func (s *Store) Next(id, scope string) int {
	q := s.get(stateKey{fault: id, scope: scope}, func() any { return new(sequence) }).(*sequence)
	q.mu.Lock()
	defer q.mu.Unlock()
	q.n++
	return q.n
}
