package proxy

import (
	"cmp"
	"hash/maphash"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/rules"
	"github.com/llm-simulator/llm-simulator/wire"
)

// scopeTooLong is the 400 for a request whose scope is longer than
// config.MaxScopeBytes, nil for any other. It is asked before the body is read,
// so a refused request leaves no state behind.
func scopeTooLong(h http.Header) *wire.APIError {
	v := h[rules.ScopeHeader]
	if len(v) == 0 || len(v[0]) <= config.MaxScopeBytes {
		return nil
	}
	return &wire.APIError{Status: http.StatusBadRequest, Message: "The x-llmsim-scope header is " +
		strconv.Itoa(len(v[0])) + " bytes long; a scope may be at most " + strconv.Itoa(config.MaxScopeBytes) + " bytes."}
}

// scopes remembers when each scope last carried a request, so that the
// state scopes leave in the stores — fault counters, rate-limit windows,
// backpressure queues, answer sequences, replay order — is forgotten once
// they have gone idle (Front.SetScopeIdle), through Front.ForgetScopes.
//
// A scope is looked at on each of its requests: one that comes back after
// idling has its old state forgotten before the request can count on it,
// so it starts over exactly as the idle time says. Scopes that never come
// back are swept: when the scopes remembered have doubled since the last
// sweep (so a sweep's cost is paid by the scopes added since), and at
// least once per idle time while scoped requests come. A sweep holds
// every shard, so that no request of a scope being forgotten can create
// state the forgetting then takes away.
type scopes struct {
	idle      atomic.Int64 // nanoseconds; 0 or less: never forget
	count     atomic.Int64 // scopes remembered
	sweepAt   atomic.Int64 // count at which the next sweep runs
	nextSweep atomic.Int64 // unix nanoseconds after which the next sweep runs
	sweeping  sync.Mutex   // one sweep at a time; TryLock only
	seed      maphash.Seed
	once      sync.Once // sets seed and sweepAt
	// limit caps the scopes remembered (0: maxScopes): a client naming a
	// new scope on every request would otherwise hold its state for a
	// whole idle time. Past it, a sweep also forgets the scopes that went
	// longest without a request, down to three quarters of it.
	limit  int64
	shards [scopeShards]scopeShard
}

const (
	scopeShards = 64
	minScopes   = 1024    // the fewest scopes at which growth sweeps
	maxScopes   = 100_000 // the most remembered: a few tens of MB at most
)

type scopeShard struct {
	mu   sync.Mutex       // guards last
	last map[string]int64 // scope → unix nanoseconds of its last request
}

// touch notes a request of scope at now; forget forgets the state of the
// scopes it is given. It does nothing when no idle time is set.
func (s *scopes) touch(scope string, now time.Time, forget func(idle func(string) bool)) {
	idle := s.idle.Load()
	if idle <= 0 || forget == nil || scope == "" {
		return
	}
	s.once.Do(func() { s.seed = maphash.MakeSeed(); s.sweepAt.Store(minScopes) })
	t := now.UnixNano()
	sh := &s.shards[maphash.String(s.seed, scope)%scopeShards]
	sh.mu.Lock()
	last, seen := sh.last[scope]
	if seen && t-last > idle {
		forget(func(sc string) bool { return sc == scope }) // back after idling: start over
	}
	if sh.last == nil {
		sh.last = map[string]int64{}
	}
	sh.last[scope] = t
	sh.mu.Unlock()
	n := s.count.Load()
	if !seen {
		n = s.count.Add(1)
	}
	if n >= s.sweepAt.Load() || t >= s.nextSweep.Load() {
		s.sweep(t, idle, forget)
	}
}

// sweep forgets every scope idle for longer than idle at t.
func (s *scopes) sweep(t, idle int64, forget func(func(string) bool)) {
	if !s.sweeping.TryLock() {
		return // another request is sweeping
	}
	defer s.sweeping.Unlock()
	for i := range s.shards {
		s.shards[i].mu.Lock()
	}
	gone := map[string]bool{}
	for i := range s.shards {
		for sc, last := range s.shards[i].last {
			if t-last > idle {
				gone[sc] = true
				delete(s.shards[i].last, sc)
			}
		}
	}
	s.evictOldest(gone)
	if len(gone) > 0 {
		forget(func(sc string) bool { return gone[sc] })
	}
	n := s.count.Add(-int64(len(gone)))
	for i := range s.shards {
		s.shards[i].mu.Unlock()
	}
	s.sweepAt.Store(min(max(minScopes, 2*n), s.cap()))
	s.nextSweep.Store(t + idle)
}

func (s *scopes) cap() int64 {
	if s.limit > 0 {
		return s.limit
	}
	return maxScopes
}

// evictOldest adds to gone, and removes, the scopes that went longest
// without a request while more than the cap are left; the caller holds
// every shard.
func (s *scopes) evictOldest(gone map[string]bool) {
	left := s.count.Load() - int64(len(gone))
	if left <= s.cap() {
		return
	}
	type seen struct {
		scope string
		last  int64
		shard int
	}
	all := make([]seen, 0, left)
	for i := range s.shards {
		for sc, last := range s.shards[i].last {
			all = append(all, seen{sc, last, i})
		}
	}
	slices.SortFunc(all, func(a, b seen) int { return cmp.Compare(a.last, b.last) })
	for _, e := range all[:left-s.cap()*3/4] {
		gone[e.scope] = true
		delete(s.shards[e.shard].last, e.scope)
	}
}

// len is how many scopes are remembered.
func (s *scopes) len() int { return int(s.count.Load()) }

// SetScopeIdle sets how long a scope may go without a request before the
// state it left is forgotten (ForgetScopes); zero or less: never. A reload
// sets it from scope_idle.
func (f *Front) SetScopeIdle(d time.Duration) { f.scopes.idle.Store(int64(d)) }

// touchScope notes the request's scope, if it has one, forgetting its old
// state first if it had gone idle.
func (f *Front) touchScope(scope string) {
	if scope != "" && f.ForgetScopes != nil {
		f.scopes.touch(scope, f.clock().Now(), f.ForgetScopes)
	}
}
