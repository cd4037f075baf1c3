package rules

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/llm-simulator/llm-simulator/internal/canon"
)

// ScopeHeader names the request header that scopes a request: its faults'
// counters, limits and scripted answers are kept apart from other scopes'.
const ScopeHeader = "X-Llmsim-Scope"

// Request is what matching sees of a request. The body's members are read
// only if a rule asks for them, and then once.
type Request struct {
	Provider string
	Host     string // without port
	Path     string
	Method   string
	Header   http.Header
	Body     []byte

	model         string
	modelResolved bool
}

// Scope is the request's scope, "" when it has none.
func (r *Request) Scope() string { return r.Header.Get(ScopeHeader) }

// Model is the body's "model", "" when absent.
func (r *Request) Model() string {
	if !r.modelResolved {
		r.model, _ = canon.String(r.Body, "model")
		r.modelResolved = true
	}
	return r.model
}

// Stream reports whether the body asks for a stream.
func (r *Request) Stream() bool {
	raw, ok := canon.Lookup(r.Body, "stream")
	return ok && string(raw) == "true"
}

// matcher is a compiled MatchSpec. Cheap predicates are tested first and
// the body is read last, so most rules decide without touching it.
type matcher struct {
	provider string
	method   string
	scope    string
	hasScope bool
	path     glob
	host     glob
	model    glob
	stream   int8 // -1: either; 0: false; 1: true
	headers  []headerMatch
	body     []bodyMatch
}

type headerMatch struct {
	name string // canonical
	glob glob
}

type bodyMatch struct {
	path []string // dotted path, split
	glob glob
	raw  string // the pattern as written, for non-string JSON values
}

func (m *matcher) matches(r *Request) bool {
	if (m.provider != "" && m.provider != r.Provider) || (m.method != "" && m.method != r.Method) ||
		(m.hasScope && m.scope != r.Scope()) || !m.path.match(r.Path) || !m.host.match(r.Host) {
		return false
	}
	for _, h := range m.headers {
		if !h.glob.match(r.Header.Get(h.name)) {
			return false
		}
	}
	if m.model.kind != globAny && !m.model.match(r.Model()) {
		return false
	}
	if m.stream >= 0 && r.Stream() != (m.stream == 1) {
		return false
	}
	for _, b := range m.body {
		if !b.matches(r.Body) {
			return false
		}
	}
	return true
}

// matches follows the dotted path into the body; a string value matches
// the glob, any other value its JSON text.
func (b *bodyMatch) matches(body []byte) bool {
	raw := body
	for _, k := range b.path {
		var ok bool
		if raw, ok = canon.Lookup(raw, k); !ok {
			return false
		}
	}
	if s, ok := canon.Unquote(raw); ok {
		return b.glob.match(s)
	}
	return strings.TrimSpace(string(raw)) == b.raw
}

func compileGlobField(field, pattern string) (glob, error) {
	g, err := compileGlob(pattern)
	if err != nil {
		return g, fmt.Errorf("match.%s: %q is not a valid glob: %w", field, pattern, err)
	}
	return g, nil
}

func compileMatch(m *MatchSpec) (matcher, error) {
	c := matcher{provider: m.Provider, method: strings.ToUpper(m.Method), scope: m.Scope, hasScope: m.Scope != "", stream: -1}
	if m.Stream != nil {
		c.stream = 0
		if *m.Stream {
			c.stream = 1
		}
	}
	var err error
	if c.path, err = compileGlobField("path", m.Path); err != nil {
		return c, err
	}
	if c.host, err = compileGlobField("host", m.Host); err != nil {
		return c, err
	}
	if c.model, err = compileGlobField("model", m.Model); err != nil {
		return c, err
	}
	for _, name := range sortedKeys(m.Headers) {
		g, err := compileGlobField("headers."+name, m.Headers[name])
		if err != nil {
			return c, err
		}
		c.headers = append(c.headers, headerMatch{name: http.CanonicalHeaderKey(name), glob: g})
	}
	for _, p := range sortedKeys(m.Body) {
		g, err := compileGlobField("body."+p, m.Body[p])
		if err != nil {
			return c, err
		}
		c.body = append(c.body, bodyMatch{path: strings.Split(p, "."), glob: g, raw: m.Body[p]})
	}
	return c, nil
}
