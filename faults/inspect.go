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

// RateLimitLevel is what one rate limit holds now of one kind, for one
// provider.
type RateLimitLevel struct {
	// Owner is the limit's rule, or "overlay f-…" for a temporary fault.
	Owner string
	// Provider is the provider whose buckets these are.
	Provider string
	// Kind is the limit: requests, tokens, input_tokens or output_tokens.
	Kind string
	// Remaining is what the bucket holds now.
	Remaining int64
}

// RateLimitRemaining reports, per owner of a rate_limit fault, provider
// and kind of limit, what its bucket holds now: the lowest over the
// scopes and keys that have one, since each scope has the whole limit to
// itself and the one closest to refusing is the one worth watching.
// Several rate_limit faults of one owner that set the same kind are
// reported as one, by the same rule. Rate limits no request has reached
// yet have no buckets and are absent, as are those partitioned by key
// whose every key's buckets have filled again and been forgotten. The
// levels are in no particular order.
func (s *Store) RateLimitRemaining() []RateLimitLevel {
	s.mu.RLock()
	states := make(map[*rateState]string)
	for k, v := range s.state {
		if st, ok := v.(*rateState); ok {
			states[st] = ownerOf(k.fault)
		}
	}
	s.mu.RUnlock()
	type series struct{ owner, provider, kind string }
	low := map[series]int64{}
	for st, owner := range states {
		for i, left := range st.levels() {
			if left < 0 {
				continue
			}
			k := series{owner, st.provider, limitKinds[i]}
			if prev, seen := low[k]; !seen || left < prev {
				low[k] = left
			}
		}
	}
	out := make([]RateLimitLevel, 0, len(low))
	for k, left := range low {
		out = append(out, RateLimitLevel{Owner: k.owner, Provider: k.provider, Kind: k.kind, Remaining: left})
	}
	return out
}

// levels is what each configured bucket holds now; -1 for a limit not
// configured (or every one, for a state no request has timed).
func (st *rateState) levels() [nLimits]int64 {
	out := [nLimits]int64{-1, -1, -1, -1}
	if st.clock == nil {
		return out
	}
	now := st.clock.Now()
	st.mu.Lock()
	defer st.mu.Unlock()
	for i := range st.b {
		if b := &st.b[i]; b.limit > 0 {
			out[i] = b.remaining(now)
		}
	}
	return out
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
