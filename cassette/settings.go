package cassette

import (
	"net/textproto"
	"slices"
	"time"

	"github.com/rs/zerolog"
)

// The cache's bounds when Options leave them zero: room for a few thousand
// chat streams (a typical one is ~20 KB) without growing past what a CI
// runner can spare.
const (
	DefaultEntries        = 4096
	DefaultMaxBytes int64 = 128 << 20
)

// settings are Options with the defaults applied and the lists turned into
// what the hot path wants. Built once per Open or Reload, then read-only.
type settings struct {
	dir      string
	entries  int   // <= 0: no cache
	maxBytes int64 // <= 0: no cache
	keyer    keyer
	// ignore is the top-level body members left out of keys and
	// explanations, "stream" included: the flag is keyed on its own.
	ignore []string
	// redact is the canonical names of the response headers never stored,
	// beside the hop-by-hop ones and IsSecretHeader's.
	redact map[string]bool
	log    zerolog.Logger
	now    func() time.Time
}

func newSettings(o Options) *settings {
	st := &settings{
		dir:      o.Dir,
		entries:  o.Entries,
		maxBytes: o.MaxBytes,
		redact:   map[string]bool{"Content-Length": true, "Date": true},
		log:      o.Log.With().Str("component", "cassette").Logger(),
		now:      o.Now,
	}
	if st.entries == 0 {
		st.entries = DefaultEntries
	}
	if st.maxBytes == 0 {
		st.maxBytes = DefaultMaxBytes
	}
	if st.now == nil {
		st.now = time.Now
	}
	ignore := o.Ignore
	if ignore == nil {
		ignore = DefaultIgnore
	}
	st.ignore = append(append([]string(nil), ignore...), "stream")
	for _, h := range DefaultRedact {
		st.redact[textproto.CanonicalMIMEHeaderKey(h)] = true
	}
	for _, h := range o.Redact {
		st.redact[textproto.CanonicalMIMEHeaderKey(h)] = true
	}
	st.keyer = keyer{skip: st.ignore, headers: st.keyHeaders(o.KeyHeaders)}
	return st
}

// keyHeaders canonicalises the key headers, leaving out secret ones: their
// values would otherwise be written to every file.
func (st *settings) keyHeaders(names []string) []string {
	var out []string
	for _, h := range names {
		h = textproto.CanonicalMIMEHeaderKey(h)
		switch {
		case IsSecretHeader(h):
			st.log.Warn().Str("header", h).Msg("a secret header cannot be a key header; left out")
		case !slices.Contains(out, h):
			out = append(out, h)
		}
	}
	return out
}

func (st *settings) caching() bool { return st.entries > 0 && st.maxBytes > 0 }
