package rules

import (
	"math/bits"
	"slices"
	"strings"

	"github.com/llm-simulator/llm-simulator/internal/glob"
)

// indexFrom is the rule count from which a set is matched through an
// index: below it, trying each rule in turn costs less than the index's
// lookups (BenchmarkMatch).
const indexFrom = 16

// ruleIndex narrows, before any rule is tried, the rules a request can
// match. Each dimension — the provider, the path, the scope, the model,
// each header and body member some rule asks for by exact value or
// prefix — gives the rules it lets through for the request's value, as a
// bitset; matching then tries, in order, only the rules every dimension
// lets through. A hundred rules then cost a few map lookups rather than a
// hundred tests. The index only ever turns away rules that cannot match:
// each candidate still runs its whole matcher.
type ruleIndex struct {
	words    int
	provider [4]bitset // by request provider code: none, openai, anthropic, other
	dims     []dimension
}

// bitset holds rule i in bit i%64 of word i/64.
type bitset []uint64

func (b bitset) set(i int) { b[i/64] |= 1 << (i % 64) }

func (b bitset) intersects(o bitset) bool {
	for w := range b {
		if b[w]&o[w] != 0 {
			return true
		}
	}
	return false
}

// dimension is one thing rules ask of a request.
type dimension struct {
	// what the dimension reads: a header's canonical name, a body
	// member's dotted path.
	of     dimensionOf
	header string
	body   *bodyMatch
	// constrained are the rules this dimension can turn away; open the
	// others, which it lets through whatever the value.
	constrained, open bitset
	exact             map[string]bitset // value → the rules asking for exactly it
	prefix            map[string]bitset // literal prefix → the rules asking for it
	prefixLens        []int             // prefix's key lengths, each looked up
}

// narrow clears from cand the rules this dimension turns away for r,
// using acc as scratch.
func (d *dimension) narrow(r *Request, cand, acc bitset) {
	copy(acc, d.open)
	if v, ok := d.value(r); ok {
		orInto(acc, d.exact[v])
		for _, n := range d.prefixLens {
			if len(v) >= n {
				orInto(acc, d.prefix[v[:n]])
			}
		}
	}
	for w := range cand {
		cand[w] &= acc[w]
	}
}

type dimensionOf uint8

const (
	ofPath dimensionOf = iota
	ofScope
	ofModel
	ofHeader
	ofBody
)

// value reads the request's value; false when it has none (an absent
// body member), which only the open rules accept. A body member's value
// is what its exact condition tests: a string's decoded text, any other
// value's JSON text.
func (d *dimension) value(r *Request) (string, bool) {
	switch d.of {
	case ofPath:
		return r.Path, true
	case ofScope:
		return r.Scope(), true
	case ofModel:
		return r.Model(), true
	case ofHeader:
		if vs := r.Header[d.header]; len(vs) > 0 {
			return vs[0], true
		}
		return "", true
	}
	raw, str, isStr, found := r.bodyValue(d.body)
	if isStr {
		return str, found
	}
	return raw, found
}

// lazy reports whether reading the value may cost a body scan: it is read
// only when some candidate left is constrained here.
func (d *dimension) lazy() bool { return d.of == ofModel || d.of == ofBody }

// orInto ors o into b; a nil o (no map entry) adds nothing.
func orInto(b, o bitset) {
	for w := range o {
		b[w] |= o[w]
	}
}

// candidates writes into cand the rules the index lets through for r.
func (x *ruleIndex) candidates(r *Request, cand, acc bitset) {
	copy(cand, x.provider[min(int(r.provider), 3)])
	for i := range x.dims {
		d := &x.dims[i]
		if d.lazy() && !cand.intersects(d.constrained) {
			continue
		}
		d.narrow(r, cand, acc)
	}
}

// matchIndexed is Match through the index.
func (s *Set) matchIndexed(r *Request) *Rule {
	var candBuf, accBuf [4]uint64 // on the stack for up to 256 rules
	cand, acc := candBuf[:0], accBuf[:0]
	if s.index.words <= len(candBuf) {
		cand, acc = candBuf[:s.index.words], accBuf[:s.index.words]
	} else {
		cand, acc = make(bitset, s.index.words), make(bitset, s.index.words)
	}
	s.index.candidates(r, cand, acc)
	for w, word := range cand {
		for word != 0 {
			i := w*64 + bits.TrailingZeros64(word)
			word &= word - 1
			if m := &s.matchers[i]; m.enabled && m.matches(r) {
				return s.Rules[i]
			}
		}
	}
	return nil
}

// buildIndex indexes the matchers; nil below indexFrom rules.
func buildIndex(ms []matcher) *ruleIndex {
	if len(ms) < indexFrom {
		return nil
	}
	x := &ruleIndex{words: (len(ms) + 63) / 64}
	for code := range x.provider {
		x.provider[code] = make(bitset, x.words)
		for i := range ms {
			if p := ms[i].provider; p == 0 || (code != 0 && min(int(p), 3) == code) {
				x.provider[code].set(i)
			}
		}
	}
	b := indexBuilder{x: x, ms: ms}
	b.add(dimension{of: ofPath}, func(m *matcher) glob.Glob { return m.path })
	b.add(dimension{of: ofScope}, func(m *matcher) glob.Glob {
		if m.hasScope {
			return glob.Glob{Kind: glob.Exact, S: m.scope}
		}
		return glob.Glob{}
	})
	b.add(dimension{of: ofModel}, func(m *matcher) glob.Glob { return m.model })
	for _, name := range b.headerNames() {
		b.add(dimension{of: ofHeader, header: name}, func(m *matcher) glob.Glob {
			for _, h := range m.headers {
				if h.name == name {
					return h.glob
				}
			}
			return glob.Glob{}
		})
	}
	for _, key := range b.bodyKeys() {
		b.add(dimension{of: ofBody, body: &bodyMatch{key: key, path: strings.Split(key, ".")}}, func(m *matcher) glob.Glob {
			for _, bm := range m.body {
				if bm.key == key && bm.glob.Kind == glob.Exact {
					return bm.glob
				}
			}
			return glob.Glob{} // a pattern's non-string values compare by JSON text: not indexed
		})
	}
	return x
}

// indexBuilder adds dimensions to an index.
type indexBuilder struct {
	x  *ruleIndex
	ms []matcher
}

// add indexes the condition cond reads from each matcher; it is kept only
// when some rule's condition is an exact value or a prefix.
func (b *indexBuilder) add(d dimension, cond func(*matcher) glob.Glob) {
	d.constrained, d.open = make(bitset, b.x.words), make(bitset, b.x.words)
	d.exact, d.prefix = map[string]bitset{}, map[string]bitset{}
	for i := range b.ms {
		g := cond(&b.ms[i])
		switch g.Kind {
		case glob.Exact:
			d.constrained.set(i)
			entry(d.exact, g.S, b.x.words).set(i)
		case glob.Prefix:
			d.constrained.set(i)
			entry(d.prefix, g.S, b.x.words).set(i)
			if !slices.Contains(d.prefixLens, len(g.S)) {
				d.prefixLens = append(d.prefixLens, len(g.S))
			}
		default:
			d.open.set(i)
		}
	}
	if len(d.exact)+len(d.prefix) > 0 {
		b.x.dims = append(b.x.dims, d)
	}
}

func entry(m map[string]bitset, k string, words int) bitset {
	if m[k] == nil {
		m[k] = make(bitset, words)
	}
	return m[k]
}

func (b *indexBuilder) headerNames() []string {
	return distinctNames(b.ms, func(m *matcher) []headerMatch { return m.headers }, func(h headerMatch) string { return h.name })
}

func (b *indexBuilder) bodyKeys() []string {
	return distinctNames(b.ms, func(m *matcher) []bodyMatch { return m.body }, func(bm bodyMatch) string { return bm.key })
}

// members are "model" and the first members of the matchers' body paths,
// for Set.Members.
func members(ms []matcher) []string {
	roots := distinctNames(ms, func(m *matcher) []bodyMatch { return m.body }, func(bm bodyMatch) string { return bm.path[0] })
	return append([]string{"model"}, slices.DeleteFunc(roots, func(r string) bool { return r == "model" })...)
}

// distinctNames lists, in order of first appearance, the names of the
// conditions of one kind across the matchers.
func distinctNames[T any](ms []matcher, conds func(*matcher) []T, name func(T) string) []string {
	var names []string
	for i := range ms {
		for _, c := range conds(&ms[i]) {
			if n := name(c); !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	return names
}
