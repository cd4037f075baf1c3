package cassette

import (
	"sync"
	"sync/atomic"
)

// orderKey names one sequence of replays: a key's calls in one cassette
// and one scope.
type orderKey struct {
	cassette, scope string
	key             uint64
}

// replayOrder counts the calls of each sequence, so the nth call gets the
// nth recording. It outlives reloads: a test's position survives a
// configuration change.
type replayOrder struct {
	// mu guards the map; the counters in it are atomics, so a call on a
	// known sequence only reads the map and many replay at once.
	mu    sync.RWMutex
	calls map[orderKey]*atomic.Uint64
}

// next counts a call and returns its number, from 1.
func (o *replayOrder) next(k orderKey) uint64 {
	o.mu.RLock()
	n := o.calls[k]
	o.mu.RUnlock()
	if n == nil {
		n = o.add(k)
	}
	return n.Add(1)
}

// add returns k's counter, adding it if no other call just did.
func (o *replayOrder) add(k orderKey) *atomic.Uint64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.calls == nil {
		o.calls = map[orderKey]*atomic.Uint64{}
	}
	n := o.calls[k]
	if n == nil {
		n = new(atomic.Uint64)
		o.calls[k] = n
	}
	return n
}

// resetScopes forgets the sequences of the scopes gone accepts.
func (o *replayOrder) resetScopes(gone func(scope string) bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for k := range o.calls {
		if gone(k.scope) {
			delete(o.calls, k)
		}
	}
}

func (o *replayOrder) resetAll() {
	o.mu.Lock()
	defer o.mu.Unlock()
	clear(o.calls)
}

// pick returns the recording for call n (from 1) of recs, which is not
// empty.
func pick(recs []*entry, n uint64, after AfterLast) *entry {
	i := n - 1
	if last := uint64(len(recs) - 1); i > last {
		if after == Wrap {
			i %= uint64(len(recs))
		} else {
			i = last
		}
	}
	return recs[i]
}
