package cassette

import (
	"fmt"
	"os"
)

// explain builds the miss for r: the nearest recording in its cassette,
// found from the index's fingerprints, and what differs, named by reading
// that one recording's request back from its file.
func (s *Store) explain(r *Request, scope string, st *settings, stream bool) *Miss {
	m := &Miss{At: st.now(), Cassette: r.Cassette, Scope: scope, Method: r.Method,
		Provider: r.Provider, Path: r.Path, Stream: stream}
	prints := printRequest(r, st.ignore, st.keyer.headers)
	s.mu.RLock()
	near, reason := nearest(s.idx.cassettes[r.Cassette], r, stream, prints)
	s.mu.RUnlock()
	if near == nil {
		m.Differences = []string{reason}
		return m
	}
	m.Nearest = near.file
	req, err := readRequest(near.file)
	if err != nil {
		rec := &Request{Method: near.method, Path: near.path}
		m.Differences = differences(&Request{Method: r.Method, Path: r.Path}, rec, stream, near.stream, st)
		m.Differences = append(m.Differences, fmt.Sprintf("its file cannot be read: %v", err))
		return m
	}
	m.Differences = differences(r, req, stream, near.stream, st)
	if len(m.Differences) == 0 {
		// Only a change of options between the recording's load and now
		// could get here; say so rather than nothing.
		m.Differences = []string{"no difference in method, path, body, query or key headers"}
	}
	return m
}

// likeness is how near a recording is to a request, compared field by
// field in order.
type likeness struct {
	route      bool // same method and path
	shared     int  // leaves in common
	unshared   int  // leaves in one only
	sameStream bool
}

func (a likeness) nearer(b likeness) bool {
	switch {
	case a.route != b.route:
		return a.route
	case a.shared != b.shared:
		return a.shared > b.shared
	case a.unshared != b.unshared:
		return a.unshared < b.unshared
	}
	return a.sameStream && !b.sameStream
}

// nearest returns the recording of c nearest to r among its provider's,
// or the reason there is none. The caller holds the Store's lock.
func nearest(c *cassetteIndex, r *Request, stream bool, prints fingerprint) (*entry, string) {
	if c == nil || len(c.all) == 0 {
		return nil, "the cassette holds no recordings"
	}
	var best *entry
	var bestLike likeness
	for _, e := range c.all {
		if e.provider != r.Provider {
			continue
		}
		shared := prints.shared(e.prints)
		like := likeness{
			route:      e.method == r.Method && e.path == r.Path,
			shared:     shared,
			unshared:   len(prints) + len(e.prints) - 2*shared,
			sameStream: e.stream == stream,
		}
		if best == nil || like.nearer(bestLike) {
			best, bestLike = e, like
		}
	}
	if best == nil {
		return nil, fmt.Sprintf("the cassette holds no recordings for %s", orUnknown(r.Provider))
	}
	return best, ""
}

// readRequest reads the request a recording file answers.
func readRequest(path string) (*Request, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := decodeFile(path, data)
	if err != nil {
		return nil, err
	}
	return &s.req, nil
}
