package faults

// ResetScope forgets every state the requests of scope left — gate
// counters, rate-limit buckets, backpressure queues, answer sequences —
// so that scope starts over as if no request had come, while other
// scopes keep theirs. Requests holding or waiting for a backpressure slot
// finish on the queue they joined; later ones get a fresh queue.
func (s *Store) ResetScope(scope string) {
	s.deleteWhere(func(k stateKey, _ any) bool { return k.scope == scope })
}

// ForgetScopes forgets the state of the scopes idle accepts, as
// ResetScope does, except what a request is still using — a backpressure
// slot held or waited for, a rate limit whose response is still to
// settle: the scopes have gone idle (config.Config.ScopeIdle), and their
// next request starts over. The unscoped state ("") is never idle: it is
// the rule set's own, bounded by it, and kept for the set's life.
func (s *Store) ForgetScopes(idle func(scope string) bool) {
	s.deleteWhere(func(k stateKey, v any) bool {
		if k.scope == "" || !idle(k.scope) {
			return false
		}
		b, ok := v.(inUse)
		return !ok || !b.inUse()
	})
}

// deleteWhere forgets the states gone accepts.
func (s *Store) deleteWhere(gone func(k stateKey, v any) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range s.state {
		if gone(k, v) {
			delete(s.state, k)
		}
	}
}

// inUse is state a request still holds, which forgetting would let the
// next request start beside rather than after.
type inUse interface {
	inUse() bool
}

func (l *Limiter) inUse() bool {
	held, waiting := l.Load()
	return held+waiting > 0
}

func (s *rateState) inUse() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inflight > 0
}

// ResetAll forgets the state of every scope, as ResetScope does for one.
func (s *Store) ResetAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.state)
}
