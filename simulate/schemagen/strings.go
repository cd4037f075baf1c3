package schemagen

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

func (c *compiler) compileString(s *schema, n *value) error {
	var err error
	if s.minLen, err = count(n, "minLength", 0); err != nil {
		return err
	}
	if s.maxLen, err = count(n, "maxLength", -1); err != nil {
		return err
	}
	if p := n.get("pattern"); p != nil {
		if p.kind != kindString {
			return fmt.Errorf("pattern must be a string")
		}
		if s.pattern, err = c.regex(p.s, "pattern"); err != nil {
			return err
		}
	}
	if f := n.get("format"); f != nil && f.kind == kindString {
		s.format = f.s
	}
	return nil
}

// stringRules is the merged string constraints of a conjunction.
type stringRules struct {
	minLen, maxLen int
	patterns       []*pattern
	formats        []string
}

func stringRulesOf(c []*schema) stringRules {
	sr := stringRules{maxLen: -1}
	for _, s := range c {
		sr.minLen = max(sr.minLen, s.minLen)
		if s.maxLen >= 0 && (sr.maxLen < 0 || s.maxLen < sr.maxLen) {
			sr.maxLen = s.maxLen
		}
		if s.pattern != nil {
			sr.patterns = append(sr.patterns, s.pattern)
		}
		if s.format != "" {
			sr.formats = append(sr.formats, s.format)
		}
	}
	return sr
}

func (sr *stringRules) ok(s string) bool {
	if n := utf8.RuneCountInString(s); n < sr.minLen || (sr.maxLen >= 0 && n > sr.maxLen) {
		return false
	}
	for _, p := range sr.patterns {
		if !p.re.MatchString(s) {
			return false
		}
	}
	for _, f := range sr.formats {
		if !checkFormat(f, s) {
			return false
		}
	}
	return true
}

const stringAttempts = 12

// genString makes a string meeting length, pattern and format. A known
// format wins over a pattern, which wins over free text; whatever is made
// is checked against every rule and the next attempt varies the approach.
func (g *gen) genString(c []*schema, hint string) (*value, error) {
	sr := stringRulesOf(c)
	if sr.maxLen >= 0 && sr.minLen > sr.maxLen {
		return nil, unsat("minLength %d exceeds maxLength %d", sr.minLen, sr.maxLen)
	}
	if sr.minLen > maxStringLen {
		return nil, unsat("minLength %d exceeds the generator limit of %d", sr.minLen, maxStringLen)
	}
	format := ""
	for _, f := range sr.formats {
		if knownFormat(f) {
			format = f
			break
		}
	}
	for attempt := range stringAttempts {
		var s string
		switch {
		case format != "" && attempt < stringAttempts-2:
			s = g.genFormat(format, attempt, sr.minLen)
		case len(sr.patterns) > 0 && attempt == 0:
			// Permissive patterns (^.*$, ^[a-z ]+$) read better as words.
			s = g.text(hint, sr.minLen, sr.maxLen, 1)
		case len(sr.patterns) > 0:
			s = g.genPattern(sr.patterns[attempt%len(sr.patterns)], sr.minLen, sr.maxLen, attempt)
		default:
			s = g.text(hint, sr.minLen, sr.maxLen, attempt)
		}
		if sr.ok(s) {
			g.bytes -= len(s)
			return &value{kind: kindString, s: s}, nil
		}
	}
	return nil, unsat("could not make a string matching %s", sr.describe())
}

func (sr *stringRules) describe() string {
	var parts []string
	if sr.minLen > 0 || sr.maxLen >= 0 {
		parts = append(parts, fmt.Sprintf("length %d..%d", sr.minLen, sr.maxLen))
	}
	for _, p := range sr.patterns {
		parts = append(parts, fmt.Sprintf("pattern %q", p.re.String()))
	}
	for _, f := range sr.formats {
		parts = append(parts, fmt.Sprintf("format %q", f))
	}
	return strings.Join(parts, ", ")
}

// text makes free-form content: a fitting value for a recognisable
// property name on the first try, otherwise words cut to the length
// bounds.
func (g *gen) text(hint string, minLen, maxLen, attempt int) string {
	if attempt == 0 {
		if s, ok := g.hinted(hint); ok {
			return s
		}
	}
	var b strings.Builder
	want := 1 + g.r.IntN(5)
	if maxLen >= 0 && maxLen < 16 {
		want = 1
	}
	n := 0
	for i := 0; i < want || n < minLen; i++ {
		if i > 0 {
			b.WriteByte(' ')
			n++
		}
		w := g.words[g.r.IntN(len(g.words))]
		b.WriteString(w)
		n += utf8.RuneCountInString(w)
	}
	s := b.String()
	if maxLen >= 0 && n > maxLen {
		s = truncateRunes(s, maxLen)
	}
	// A cut can leave a dangling space; swap it for a letter rather than
	// shortening below minLength.
	if strings.HasSuffix(s, " ") {
		s = s[:len(s)-1] + "s"
	}
	return s
}

func truncateRunes(s string, n int) string {
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}
