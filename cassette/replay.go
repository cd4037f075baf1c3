package cassette

// Replay returns the recording for r's nth call in its cassette and scope
// — n counted per key — or, when the cassette holds none for r's key, the
// miss and its explanation (kept among the recent misses). An error means
// the recording exists but could not be read back.
//
// A hit on a cached body takes two read locks, rarely the cache's lock,
// and allocates nothing.
func (s *Store) Replay(r *Request, scope string, after AfterLast) (*Recording, *Miss, error) {
	s.mu.RLock()
	st, cache := s.st, s.cache
	key, stream := st.keyer.key(r)
	recs := s.idx.lookup(r.Cassette, key)
	s.mu.RUnlock()

	if len(recs) == 0 {
		m := s.explain(r, scope, st, stream)
		s.count.misses.Add(1)
		s.misses.add(m)
		if ev := st.log.Debug(); ev.Enabled() {
			ev.Msg(m.String())
		}
		return nil, m, nil
	}
	e := pick(recs, s.order.next(orderKey{r.Cassette, scope, key}), after)
	rec := cache.get(e)
	if rec == nil {
		stored, err := readBack(e, st)
		if err != nil {
			return nil, nil, err
		}
		rec = stored.rec
		s.count.diskReads.Add(1)
		cache.add(e, rec)
	}
	s.count.hits.Add(1)
	return rec, nil, nil
}

// Explain says why r would miss, or reports a hit with a nil Miss,
// without counting a call.
func (s *Store) Explain(r *Request) *Miss {
	s.mu.RLock()
	st := s.st
	key, stream := st.keyer.key(r)
	hit := len(s.idx.lookup(r.Cassette, key)) > 0
	s.mu.RUnlock()
	if hit {
		return nil
	}
	return s.explain(r, "", st, stream)
}
