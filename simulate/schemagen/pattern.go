package schemagen

import (
	"regexp"
	"regexp/syntax"
	"unicode/utf8"
)

// pattern is a compiled `pattern` keyword: the matcher used for checking
// and the parse tree walked to produce matching strings.
type pattern struct {
	re   *regexp.Regexp
	tree *syntax.Regexp
}

func compilePattern(src string) (*pattern, error) {
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, err
	}
	// Same flags regexp.Compile uses, so the tree describes the same
	// language as the matcher.
	tree, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return nil, err
	}
	return &pattern{re: re, tree: tree}, nil
}

// patWalker builds one candidate string from a regexp tree.
type patWalker struct {
	g      *gen
	extra  int // how far repeats may randomly exceed their minimum
	budget int // runes that repeats should add on top of their minimum
	out    []rune
	ok     bool
}

// genPattern returns a string that matches p and tries to meet the length
// bounds. Without length bounds repeats get a few random extra rounds.
// With them, odd attempts aim at a target length: a minimal walk measures
// the shortest form, then a second walk spends the shortfall in the
// repeats it meets first. Unanchored patterns may also be padded.
func (g *gen) genPattern(p *pattern, minLen, maxLen, attempt int) string {
	w := patWalker{g: g, extra: [...]int{2, 0, 4, 1}[attempt%4], ok: true}
	if (minLen > 0 || maxLen >= 0) && attempt%2 == 1 {
		hi := maxLen
		if hi < 0 {
			hi = minLen + 8
		}
		target := minLen + g.r.IntN(min(hi, minLen+16)-minLen+1)
		probe := patWalker{g: g, ok: true}
		probe.walk(p.tree)
		w.extra, w.budget = 0, target-len(probe.out)
	}
	w.walk(p.tree)
	if !w.ok {
		return ""
	}
	s := string(w.out)
	if n := len(w.out); n < minLen && p.re.MatchString(s) {
		pad := g.letters(minLen - n)
		if p.re.MatchString(s + pad) {
			return s + pad
		}
		if p.re.MatchString(pad + s) {
			return pad + s
		}
	}
	return s
}

func (g *gen) letters(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a' + byte(g.r.IntN(26))
	}
	return string(b)
}

func (w *patWalker) walk(re *syntax.Regexp) {
	if !w.ok || len(w.out) > maxStringLen {
		w.ok = false
		return
	}
	switch re.Op {
	case syntax.OpNoMatch:
		w.ok = false
	case syntax.OpLiteral:
		w.out = append(w.out, re.Rune...)
	case syntax.OpCharClass:
		w.out = append(w.out, w.g.pickFromClass(re.Rune))
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		w.out = append(w.out, rune(alnum[w.g.r.IntN(len(alnum))]))
	case syntax.OpCapture:
		w.walk(re.Sub[0])
	case syntax.OpStar:
		w.repeat(re.Sub[0], 0, -1)
	case syntax.OpPlus:
		w.repeat(re.Sub[0], 1, -1)
	case syntax.OpQuest:
		w.repeat(re.Sub[0], 0, 1)
	case syntax.OpRepeat:
		w.repeat(re.Sub[0], re.Min, re.Max)
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			w.walk(sub)
		}
	case syntax.OpAlternate:
		w.walk(re.Sub[w.g.r.IntN(len(re.Sub))])
	}
	// Anchors, word boundaries and empty matches emit nothing; whether
	// they hold is left to the final MatchString check.
}

func (w *patWalker) repeat(sub *syntax.Regexp, lo, hi int) {
	top := lo + w.extra
	if hi >= 0 && hi < top {
		top = hi
	}
	n := lo
	if top > lo {
		n += w.g.r.IntN(top - lo + 1)
	}
	for range n {
		w.walk(sub)
	}
	for w.budget > 0 && w.ok && (hi < 0 || n < hi) {
		before := len(w.out)
		w.walk(sub)
		n++
		if len(w.out) == before {
			break // sub matches only empty strings
		}
		w.budget -= len(w.out) - before
	}
}

const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// Preference tiers for picking from a character class: letters and digits
// read naturally, then other printable ASCII, then anything that is a
// valid scalar value (never a surrogate, which could not be encoded).
var classTiers = [...][]rune{
	{'0', '9', 'A', 'Z', 'a', 'z'},
	{' ', '~'},
	{0, 0xD7FF, 0xE000, 0xFFFD},
	{0, 0xD7FF, 0xE000, utf8.MaxRune},
}

// pickFromClass picks a rune from the ranges (lo, hi pairs) of a class,
// mostly from the most readable tier that intersects it.
func (g *gen) pickFromClass(ranges []rune) rune {
	for i, tier := range classTiers {
		if i == 0 && g.r.IntN(5) == 0 {
			continue // sometimes allow punctuation for variety
		}
		if r, ok := g.pickIntersect(ranges, tier); ok {
			return r
		}
	}
	if r, ok := g.pickIntersect(ranges, classTiers[0]); ok {
		return r
	}
	return utf8.RuneError
}

func (g *gen) pickIntersect(a, b []rune) (rune, bool) {
	total := 0
	for i := 0; i+1 < len(a); i += 2 {
		for j := 0; j+1 < len(b); j += 2 {
			lo, hi := max(a[i], b[j]), min(a[i+1], b[j+1])
			if lo <= hi {
				total += int(hi-lo) + 1
			}
		}
	}
	if total == 0 {
		return 0, false
	}
	k := g.r.IntN(total)
	for i := 0; i+1 < len(a); i += 2 {
		for j := 0; j+1 < len(b); j += 2 {
			lo, hi := max(a[i], b[j]), min(a[i+1], b[j+1])
			if lo > hi {
				continue
			}
			if n := int(hi-lo) + 1; k >= n {
				k -= n
			} else {
				return lo + rune(k), true
			}
		}
	}
	return 0, false
}
