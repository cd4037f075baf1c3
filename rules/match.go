package rules

import (
	"net/http"
	"strings"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/internal/canon"
	"github.com/llm-simulator/llm-simulator/internal/glob"
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
	// PathModel is the model the path names, for an API that puts it
	// there (Gemini's models/{model}:method, an Azure deployment path's
	// deployment); when set, it is the model.
	PathModel string
	// PathStream is set when the path asks for a stream (Gemini's
	// :streamGenerateContent); the body's "stream" asks otherwise.
	PathStream bool

	model         string
	modelResolved bool
	scope         string
	scopeResolved bool
	provider      uint8 // providerCode(Provider), set by Set.Match

	// The raw values of the set's Members, when KnowMembers gave them.
	members    []string
	memberRaws [][]byte

	// The last body path looked up, which the next rule most likely asks
	// for again.
	lastPath         string
	lastRaw, lastStr string
	lastFound, isStr bool
}

// bodyValue returns the body's value at a dotted path: raw JSON, and the
// decoded string when it is one.
func (r *Request) bodyValue(b *bodyMatch) (raw, str string, isStr, found bool) {
	if r.lastPath == b.key && r.lastPath != "" {
		return r.lastRaw, r.lastStr, r.isStr, r.lastFound
	}
	v, path := r.Body, b.path
	if raw, known := r.member(path[0]); known {
		v, path = raw, path[1:]
	}
	found = v != nil
	for _, k := range path {
		if v, found = canon.Lookup(v, k); !found {
			break
		}
	}
	if found {
		raw = strings.TrimSpace(string(v))
		str, isStr = canon.Unquote(v)
	}
	r.lastPath, r.lastRaw, r.lastStr, r.isStr, r.lastFound = b.key, raw, str, isStr, found
	return raw, str, isStr, found
}

// providerCode turns a provider name into a small number, so that each
// rule compares a byte, not a string: matching tries every rule.
func providerCode(p string) uint8 {
	switch p {
	case "openai":
		return 1
	case "anthropic":
		return 2
	case "":
		return 0
	}
	return otherProvider
}

// otherProvider is the code of every provider but openai and anthropic
// (azure and gemini included); the matcher then compares names.
const otherProvider = 255

// Scope is the request's scope, "" when it has none. It is read once: a
// rule set may hold a rule per scope, each asking.
func (r *Request) Scope() string {
	if !r.scopeResolved {
		// Indexed, not Get: ScopeHeader is canonical already.
		if v := r.Header[ScopeHeader]; len(v) > 0 {
			r.scope = v[0]
		}
		r.scopeResolved = true
	}
	return r.scope
}

// Model is PathModel when set, else the body's "model", "" when absent.
func (r *Request) Model() string {
	if !r.modelResolved && r.PathModel != "" {
		r.model, r.modelResolved = r.PathModel, true
	}
	if !r.modelResolved {
		if raw, known := r.member("model"); known {
			r.model, _ = canon.Unquote(raw)
		} else {
			r.model, _ = canon.String(r.Body, "model")
		}
		r.modelResolved = true
	}
	return r.model
}

// KnowMembers gives the raw values of the top-level body members names
// lists (nil: absent), found by a pass the caller made anyway: the model
// and the body conditions that start at them then read no more of the
// body than the member. names is (a prefix of) what the set's Members
// says; both slices are kept.
func (r *Request) KnowMembers(names []string, raws [][]byte) { r.members, r.memberRaws = names, raws }

// member is a known top-level member's raw value.
func (r *Request) member(key string) (raw []byte, known bool) {
	for i, k := range r.members {
		if k == key {
			return r.memberRaws[i], true
		}
	}
	return nil, false
}

// Stream reports whether the path or the body asks for a stream.
func (r *Request) Stream() bool {
	if r.PathStream {
		return true
	}
	raw, ok := canon.Lookup(r.Body, "stream")
	return ok && string(raw) == "true"
}

// matcher is a compiled config.MatchSpec. Cheap predicates are tested first and
// the body is read last, so most rules decide without touching it.
type matcher struct {
	// The fields every rule tests come first, to share a cache line.
	enabled  bool
	provider uint8 // 0: any
	hasScope bool
	stream   int8 // -1: either; 0: false; 1: true
	path     glob.Glob
	method   string
	scope    string
	host     glob.Glob
	model    glob.Glob
	headers  []headerMatch
	body     []bodyMatch
	// providerName is the provider when its code is otherProvider: every
	// configured provider beyond the two known ones shares that code.
	providerName string
}

type headerMatch struct {
	name string // canonical
	glob glob.Glob
}

type bodyMatch struct {
	key  string   // the dotted path
	path []string // the dotted path, split
	glob glob.Glob
	raw  string // the pattern as written, for non-string JSON values
}

func (m *matcher) matches(r *Request) bool {
	// Set.Match has tested the provider code and a plain path already.
	if (m.provider == otherProvider && m.providerName != r.Provider) || (m.method != "" && m.method != r.Method) {
		return false
	}
	if (m.hasScope && m.scope != r.Scope()) || !m.path.Match(r.Path) || (m.host.Kind != glob.Any && !m.host.Match(r.Host)) {
		return false
	}
	for _, h := range m.headers {
		var v string
		if vs := r.Header[h.name]; len(vs) > 0 { // h.name is canonical already
			v = vs[0]
		}
		if !h.glob.Match(v) {
			return false
		}
	}
	if m.model.Kind != glob.Any && !m.model.Match(r.Model()) {
		return false
	}
	if m.stream >= 0 && r.Stream() != (m.stream == 1) {
		return false
	}
	for i := range m.body {
		if !m.body[i].matches(r) {
			return false
		}
	}
	return true
}

// matches follows the dotted path into the body; a string value matches
// the glob, any other value its JSON text.
func (b *bodyMatch) matches(r *Request) bool {
	raw, str, isStr, found := r.bodyValue(b)
	switch {
	case !found:
		return false
	case isStr:
		return b.glob.Match(str)
	}
	return raw == b.raw
}

// compileMatch compiles a match. The config's check (MatchSpec.Check)
// has compiled each glob already: the error is for a match that skipped
// it.
func compileMatch(m *config.MatchSpec) (matcher, error) {
	if err := m.Check(); err != nil {
		return matcher{}, err
	}
	c := matcher{provider: providerCode(m.Provider), providerName: m.Provider, method: strings.ToUpper(m.Method), scope: m.Scope, hasScope: m.Scope != "", stream: -1}
	if m.Stream != nil {
		c.stream = 0
		if *m.Stream {
			c.stream = 1
		}
	}
	c.path, _ = glob.Compile(m.Path)
	c.host, _ = glob.Compile(m.Host)
	c.model, _ = glob.Compile(m.Model)
	for _, name := range sortedKeys(m.Headers) {
		g, _ := glob.Compile(m.Headers[name])
		c.headers = append(c.headers, headerMatch{name: http.CanonicalHeaderKey(name), glob: g})
	}
	for _, p := range sortedKeys(m.Body) {
		g, _ := glob.Compile(m.Body[p])
		c.body = append(c.body, bodyMatch{key: p, path: strings.Split(p, "."), glob: g, raw: m.Body[p]})
	}
	return c, nil
}

// holds is the whole match, provider and path included, which Set.Match
// tests in its loop before it calls matches.
func (m *matcher) holds(r *Request) bool {
	return (m.provider == 0 || m.provider == providerCode(r.Provider)) && m.matches(r)
}
