package faults

// ResetScope forgets every state the requests of scope left — gate
// counters, rate-limit buckets, backpressure queues, answer sequences —
// so that scope starts over as if no request had come, while other
// scopes keep theirs. Requests holding or waiting for a backpressure slot
// finish on the queue they joined; later ones get a fresh queue.
func (s *Store) ResetScope(scope string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.state {
		if k.scope == scope {
			delete(s.state, k)
		}
	}
}

// ResetAll forgets the state of every scope, as ResetScope does for one.
func (s *Store) ResetAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.state)
}
