package rules

import (
	"strings"

	"github.com/llm-simulator/llm-simulator/internal/glob"
)

// HostSet matches host names against globs, as the intercept list and a
// provider's hosts are written: "api.openai.com", "*.openai.azure.com".
// Names compare without case; a port, if any, is ignored.
type HostSet struct{ globs []glob.Glob }

// NewHostSet compiles globs; the config's validation has already checked
// them, so an error here means a caller skipped it.
func NewHostSet(globs []string) (HostSet, error) {
	var s HostSet
	for _, p := range globs {
		g, err := glob.Compile(strings.ToLower(p))
		if err != nil {
			return HostSet{}, err
		}
		s.globs = append(s.globs, g)
	}
	return s, nil
}

// Match reports whether host, with or without a port, is in the set.
func (s HostSet) Match(host string) bool {
	host = strings.ToLower(HostOnly(host))
	for _, g := range s.globs {
		if g.Match(host) {
			return true
		}
	}
	return false
}

// Empty reports whether the set matches nothing.
func (s HostSet) Empty() bool { return len(s.globs) == 0 }

// HostOnly drops a :port from a host, and an IPv6 literal's brackets,
// without allocating (net.SplitHostPort allocates an error for a host
// with no port, which is most of them).
func HostOnly(host string) string {
	if strings.HasPrefix(host, "[") {
		if end := strings.IndexByte(host, ']'); end > 0 {
			return host[1:end]
		}
		return host
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 && strings.IndexByte(host, ':') == i {
		return host[:i]
	}
	return host
}
