package cassette

import (
	"github.com/llm-simulator/llm-simulator/internal/canon"
)

// keyer turns a request into its 64-bit key. It runs on every replay, so
// it does not allocate: canon hashes the body in one pass, the query's
// parameters are combined by addition (so their order cannot matter) and
// the header values are read straight from the map.
type keyer struct {
	// skip is the top-level body members left out, "stream" among them.
	skip []string
	// headers is the canonical names of the headers keyed.
	headers []string
}

// key returns r's key and its stream flag. Request.Cassette is not part
// of it: the cassette chooses which index to look in.
func (k *keyer) key(r *Request) (key uint64, stream bool) {
	body, stream := canon.HashFlag(r.Body, "stream", k.skip...)
	h := mixString(seed, r.Method)
	h = mixString(h, r.Provider)
	h = mixString(h, r.Path)
	h = mix(h, queryHash(r.Query))
	h = mix(h, body)
	if stream {
		h = mix(h, 1)
	}
	for _, name := range k.headers {
		values := r.Header[name]
		h = mix(mixString(h, name), uint64(len(values)))
		for _, v := range values {
			h = mixString(h, v)
		}
	}
	return h, stream
}

// queryHash hashes a raw query less its secret parameters, the same
// whatever their order.
func queryHash(q string) uint64 {
	var sum uint64
	forEachParam(q, func(param, name string) {
		if !isSecretParam(name) {
			sum += canon.HashString(param)
		}
	})
	return sum
}

const (
	seed  = 0x6c6c6d2d73696d21 // any constant; "llm-sim!"
	prime = 1099511628211      // FNV's: odd, so the multiply loses nothing
)

// mixString folds s into h eight bytes at a time, then its length, so
// that ("ab", "c") and ("a", "bc") differ.
func mixString(h uint64, s string) uint64 {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		h = mix(h, uint64(s[i])|uint64(s[i+1])<<8|uint64(s[i+2])<<16|uint64(s[i+3])<<24|
			uint64(s[i+4])<<32|uint64(s[i+5])<<40|uint64(s[i+6])<<48|uint64(s[i+7])<<56)
	}
	var tail uint64
	for j := len(s) - 1; j >= i; j-- {
		tail = tail<<8 | uint64(s[j])
	}
	return mix(mix(h, tail), uint64(len(s)))
}

// mix folds v into h through splitmix64's finaliser.
func mix(h, v uint64) uint64 {
	h = (h ^ v) * prime
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}
