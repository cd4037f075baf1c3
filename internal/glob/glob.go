// Package glob compiles the patterns a config writes for names, paths and
// hosts ("gpt-4o*", "/v1/chat/*", "*.openai.azure.com"). A pattern means
// what path.Match says it means; most are an exact name, a prefix or a
// suffix, which are matched without path.Match, since matching runs on
// every request. The config checks patterns with Compile when it loads;
// the rule engine and the host sets match with what Compile returns.
package glob

import (
	"path"
	"strings"
)

// Glob is a compiled pattern. The zero Glob matches anything.
type Glob struct {
	Kind Kind
	S    string // the exact text, prefix, suffix or pattern
}

// Kind is the form of a pattern, which decides how it is matched.
type Kind uint8

// The kinds, from the cheapest to match.
const (
	Any     Kind = iota // "": anything
	Exact               // no wildcard: S itself
	Prefix              // "S*"
	Suffix              // "*S"
	Pattern             // anything else, for path.Match
)

// Compile compiles a path.Match pattern; "" matches anything.
func Compile(p string) (Glob, error) {
	switch meta := strings.IndexAny(p, `*?[\`); {
	case p == "":
		return Glob{Kind: Any}, nil
	case meta < 0:
		return Glob{Kind: Exact, S: p}, nil
	case meta == len(p)-1 && p[meta] == '*':
		return Glob{Kind: Prefix, S: p[:meta]}, nil
	case meta == 0 && p[0] == '*' && !strings.ContainsAny(p[1:], `*?[\`):
		return Glob{Kind: Suffix, S: p[1:]}, nil
	}
	if _, err := path.Match(p, ""); err != nil {
		return Glob{}, err
	}
	return Glob{Kind: Pattern, S: p}, nil
}

// Match reports whether s matches. A pattern's '*' does not cross '/', as
// in path.Match; the prefix and suffix forms follow the same rule.
func (g Glob) Match(s string) bool {
	switch g.Kind {
	case Any:
		return true
	case Exact:
		return s == g.S
	case Prefix:
		return HasPrefix(s, g.S) && !strings.Contains(s[len(g.S):], "/")
	case Suffix:
		return strings.HasSuffix(s, g.S) && !strings.Contains(s[:len(s)-len(g.S)], "/")
	}
	ok, _ := path.Match(g.S, s)
	return ok
}

// HasPrefix is strings.HasPrefix that first compares the prefix's last
// byte: rules' prefixes mostly differ there or earlier, and one byte turns
// a mismatch away without a call to compare memory.
func HasPrefix(s, p string) bool {
	n := len(p)
	if n == 0 {
		return true
	}
	return len(s) >= n && s[n-1] == p[n-1] && s[:n] == p
}

// String is the pattern as it was written.
func (g Glob) String() string {
	switch g.Kind {
	case Prefix:
		return g.S + "*"
	case Suffix:
		return "*" + g.S
	}
	return g.S
}
