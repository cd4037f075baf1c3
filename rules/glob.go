package rules

import (
	"path"
	"strings"
)

// glob is a compiled pattern. Most patterns in rules are an exact name, a
// prefix or a suffix, which are matched without path.Match: matching runs
// on every request.
type glob struct {
	kind globKind
	s    string // the exact text, prefix, suffix or pattern
}

type globKind uint8

const (
	globAny globKind = iota
	globExact
	globPrefix
	globSuffix
	globPattern
)

// compileGlob compiles a path.Match pattern; "" matches anything.
func compileGlob(p string) (glob, error) {
	switch meta := strings.IndexAny(p, `*?[\`); {
	case p == "":
		return glob{kind: globAny}, nil
	case meta < 0:
		return glob{kind: globExact, s: p}, nil
	case meta == len(p)-1 && p[meta] == '*':
		return glob{kind: globPrefix, s: p[:meta]}, nil
	case meta == 0 && p[0] == '*' && !strings.ContainsAny(p[1:], `*?[\`):
		return glob{kind: globSuffix, s: p[1:]}, nil
	}
	if _, err := path.Match(p, ""); err != nil {
		return glob{}, err
	}
	return glob{kind: globPattern, s: p}, nil
}

// match reports whether s matches. A pattern's '*' does not cross '/', as
// in path.Match; the prefix and suffix forms follow the same rule.
func (g glob) match(s string) bool {
	switch g.kind {
	case globAny:
		return true
	case globExact:
		return s == g.s
	case globPrefix:
		return hasPrefix(s, g.s) && !strings.Contains(s[len(g.s):], "/")
	case globSuffix:
		return strings.HasSuffix(s, g.s) && !strings.Contains(s[:len(s)-len(g.s)], "/")
	}
	ok, _ := path.Match(g.s, s)
	return ok
}

// hasPrefix is strings.HasPrefix that first compares the prefix's last
// byte: rules' prefixes mostly differ there or earlier, and one byte turns
// a mismatch away without a call to compare memory.
func hasPrefix(s, p string) bool {
	n := len(p)
	if n == 0 {
		return true
	}
	return len(s) >= n && s[n-1] == p[n-1] && s[:n] == p
}

// pattern is the glob as it was written.
func (g glob) pattern() string {
	switch g.kind {
	case globPrefix:
		return g.s + "*"
	case globSuffix:
		return "*" + g.s
	}
	return g.s
}
