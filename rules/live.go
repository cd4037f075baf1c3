package rules

import (
	"slices"
	"sort"
	"sync"
	"sync/atomic"
)

// Live holds the set in force. Requests load it once and keep that set to
// their end, so a swap never changes a request's rules mid-way.
//
// What is in force is the base set — the one a reload or the admin API
// stored last — with the overlays' toggles applied: a copy of its
// matchers with the enabled flags changed, rebuilt whenever the base or a
// toggle changes, so matching pays nothing for toggles. The zero Live is
// ready to use and has no overlays.
type Live struct {
	p    atomic.Pointer[Set] // in force: the base with the toggles applied
	base atomic.Pointer[Set]

	mu       sync.Mutex // serializes Store, SetOverlays and rebuilds; guards overlays and counters
	overlays *Overlays
	counters map[string]*RuleCounters // the base set's rules', by name
}

// Load returns the set in force.
func (l *Live) Load() *Set { return l.p.Load() }

// Base returns the set last stored, without the toggles; nil before the
// first Store.
func (l *Live) Base() *Set { return l.base.Load() }

// Store puts s in force, with the overlays' toggles applied. Its rules
// take over the counters of the rules of the same name in the set it
// replaces; counters of rules it no longer has are forgotten.
func (l *Live) Store(s *Set) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.carryCounters(s)
	l.base.Store(s)
	l.p.Store(l.effective(s))
}

// SetOverlays gives the Live the runtime changes to apply to every set it
// stores; their toggles take effect at once, and again whenever they
// change. Nil removes them.
func (l *Live) SetOverlays(o *Overlays) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if o != nil {
		o.watch(l.refresh) // takes o's lock under l's: always in this order
	}
	l.overlays = o
	if b := l.base.Load(); b != nil {
		l.p.Store(l.effective(b))
	}
}

// StaleToggles lists, sorted, the toggled rules the base set does not
// have. They are kept, since a later reload may bring the rule back, and
// reported so that a misspelt name does not go unnoticed.
func (l *Live) StaleToggles() []string {
	l.mu.Lock()
	o, b := l.overlays, l.base.Load()
	l.mu.Unlock()
	if o == nil {
		return nil
	}
	have := map[string]bool{}
	if b != nil {
		for _, r := range b.Rules {
			have[r.Name] = true
		}
	}
	var stale []string
	for name := range o.Toggles() {
		if !have[name] {
			stale = append(stale, name)
		}
	}
	sort.Strings(stale)
	return stale
}

// refresh rebuilds the set in force after a toggle changed.
func (l *Live) refresh() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b := l.base.Load(); b != nil {
		l.p.Store(l.effective(b))
	}
}

// effective is base with the overlays applied. l.mu held.
func (l *Live) effective(base *Set) *Set {
	if l.overlays == nil {
		return base
	}
	toggles := l.overlays.Toggles()
	s := *base
	s.matchers = slices.Clone(base.matchers)
	for i, r := range s.Rules {
		if on, ok := toggles[r.Name]; ok {
			s.matchers[i].enabled = on
		}
	}
	s.overlays = l.overlays
	return &s
}

// carryCounters points s's rules at the counters their names have. l.mu
// held.
func (l *Live) carryCounters(s *Set) {
	next := make(map[string]*RuleCounters, len(s.Rules))
	for _, r := range s.Rules {
		if r.stats == nil {
			continue
		}
		if c, ok := l.counters[r.Name]; ok {
			r.stats.p.Store(c)
		}
		next[r.Name] = r.stats.p.Load()
	}
	l.counters = next
}
