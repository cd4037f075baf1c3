package faults

import "strings"

// What the admin API reads of the state: it looks, and never creates a
// state or counts a request.

// Counts reports how many requests of scope the instance's gate has seen
// and how many it fired for, without counting one: zero when none came.
func (in *Instance) Counts(scope string) (seen, fired int) {
	in.store.mu.RLock()
	v, ok := in.store.state[stateKey{fault: in.ID, scope: scope, part: gatePart}]
	in.store.mu.RUnlock()
	if !ok {
		return 0, 0
	}
	c := v.(*counter)
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.seen, c.fired
}

// QueueDepth is how many requests wait right now in the backpressure
// queues of every fault and scope. The simulator's own capacity queues
// are not the store's and are not counted.
func (s *Store) QueueDepth() int {
	n := 0
	for _, v := range s.values() {
		if l, ok := v.(*Limiter); ok {
			_, waiting := l.Load()
			n += waiting
		}
	}
	return n
}

// RateLimitRemaining reports, per owner of a rate_limit fault (a rule's
// name, or "overlay f-…" for a temporary fault), how much its tightest
// bucket holds now: the lowest over the scopes and keys that have one,
// since each scope has the whole limit to itself and the one closest to
// refusing is the one worth watching. A fault's requests limit is
// reported when it has one, else its tokens, input tokens or output
// tokens limit, in that order. Rate limits no request has reached yet
// have no buckets and are absent, as are those partitioned by key whose
// every key's buckets have filled again and been forgotten.
func (s *Store) RateLimitRemaining() map[string]float64 {
	out := map[string]float64{}
	s.mu.RLock()
	states := make(map[*rateState]string)
	for k, v := range s.state {
		if st, ok := v.(*rateState); ok {
			states[st] = ownerOf(k.fault)
		}
	}
	s.mu.RUnlock()
	for st, owner := range states {
		left, ok := st.headline()
		if !ok {
			continue
		}
		if prev, seen := out[owner]; !seen || left < prev {
			out[owner] = left
		}
	}
	return out
}

// headline is what the first configured limit's bucket holds now.
func (st *rateState) headline() (float64, bool) {
	if st.clock == nil {
		return 0, false
	}
	now := st.clock.Now()
	st.mu.Lock()
	defer st.mu.Unlock()
	for i := range st.b {
		if b := &st.b[i]; b.limit > 0 {
			return float64(b.remaining(now)), true
		}
	}
	return 0, false
}

// values is a snapshot of every state, read outside the store's lock.
func (s *Store) values() []any {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]any, 0, len(s.state))
	for _, v := range s.state {
		out = append(out, v)
	}
	return out
}

// ownerOf is the rule (or temporary fault) a fault identity belongs to:
// identities are written owner/position/digest.
func ownerOf(id string) string {
	for range 2 {
		if i := strings.LastIndexByte(id, '/'); i >= 0 {
			id = id[:i]
		}
	}
	return id
}
