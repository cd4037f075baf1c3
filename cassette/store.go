package cassette

import (
	"errors"
	"sync"
	"sync/atomic"
)

// ErrIncomplete is Commit's answer for a response that never reached its
// end: it is dropped, not stored.
var ErrIncomplete = errors.New("cassette: the response did not complete")

// ErrNotKept is Commit's answer for an error answer (not 2xx) recorded
// without RecordOptions.Errors: it is dropped, not stored.
var ErrNotKept = errors.New("cassette: an error answer is not recorded")

// Store is the cassettes on disk, their index and the body cache. It is
// safe for concurrent use. Make one with Open.
type Store struct {
	// commits orders commits against Reload: commits share it, Reload
	// holds it alone, so no recording is written while the directory is
	// rescanned and then lost with the old index.
	commits sync.RWMutex

	// mu guards st, idx and cache: Reload replaces all three, a commit
	// adds to idx. Replay holds it for reading while it looks up a key.
	mu    sync.RWMutex
	opts  Options // as given, for Rescan
	st    *settings
	idx   *index
	cache *bodyCache

	order  replayOrder
	misses missRing
	count  counters
}

// counters are the Stats counters, atomics since every replay bumps one.
type counters struct {
	hits, misses, evictions, diskReads, committed, dropped, skipped atomic.Uint64
}

// Open loads every cassette under o.Dir (a missing directory is an empty
// store). A file that cannot be read or parsed is skipped with one log
// line naming it; only a directory that exists and cannot be read is an
// error.
func Open(o Options) (*Store, error) {
	s := &Store{}
	if err := s.Reload(o); err != nil {
		return nil, err
	}
	return s, nil
}

// Reload rescans the cassettes with o, keeping the counters and the
// replay order. On error the store is unchanged.
func (s *Store) Reload(o Options) error {
	s.commits.Lock()
	defer s.commits.Unlock()
	st := newSettings(o)
	l, err := scan(st, &s.count.evictions)
	if err != nil {
		return err
	}
	s.count.skipped.Add(uint64(l.skipped))
	s.mu.Lock()
	s.opts, s.st, s.idx, s.cache = o, st, l.idx, l.cache
	s.mu.Unlock()
	return nil
}

// Dir is the root cassette's directory.
func (s *Store) Dir() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.st.dir
}

// Misses returns the recent misses, oldest first.
func (s *Store) Misses() []Miss { return s.misses.list() }

// ResetScope forgets the replay order of one scope in every cassette.
func (s *Store) ResetScope(scope string) {
	s.order.resetScopes(func(sc string) bool { return sc == scope })
}

// ForgetScopes forgets the replay order of the scopes idle accepts, which
// have gone idle: their next replay starts from the first recording. The
// unscoped order ("") is kept.
func (s *Store) ForgetScopes(idle func(scope string) bool) {
	s.order.resetScopes(func(sc string) bool { return sc != "" && idle(sc) })
}

// ResetAll forgets every replay order.
func (s *Store) ResetAll() { s.order.resetAll() }

// Stats returns the counters.
func (s *Store) Stats() Stats {
	s.mu.RLock()
	cassettes, recordings, cache := s.idx.countCassettes(), s.idx.recordings, s.cache
	s.mu.RUnlock()
	entries, bytes := cache.stats()
	return Stats{
		Cassettes:     cassettes,
		Recordings:    recordings,
		CachedEntries: entries,
		CachedBytes:   bytes,
		Hits:          s.count.hits.Load(),
		Misses:        s.count.misses.Load(),
		Evictions:     s.count.evictions.Load(),
		DiskReads:     s.count.diskReads.Load(),
		Committed:     s.count.committed.Load(),
		Dropped:       s.count.dropped.Load(),
		Skipped:       s.count.skipped.Load(),
	}
}
