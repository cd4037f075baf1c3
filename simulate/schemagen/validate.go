package schemagen

import (
	"strings"
	"unicode/utf8"
)

// The validator below re-checks generated candidates (and schema-supplied
// const/enum/default/examples values) against the compiled schemas. It
// implements the assertion keywords the generator understands; the
// annotation-driven unevaluatedProperties/unevaluatedItems are not checked
// here (the generator only honours unevaluatedProperties: false
// constructively).

func (g *gen) validAll(conj []*schema, v *value) bool {
	for _, s := range conj {
		if !g.valid(s, v) {
			return false
		}
	}
	return true
}

func (g *gen) valid(s *schema, v *value) bool {
	return g.check(s, v, nil)
}

// check validates v against s. active holds the schemas already being
// applied to this same value; meeting one again means a reference cycle
// that consumes no input, which can never be satisfied finitely, so it
// fails instead of recursing forever.
func (g *gen) check(s *schema, v *value, active []*schema) bool {
	if s == trueSchema {
		return true
	}
	if s.isFalse || g.vbudget <= 0 {
		return false
	}
	g.vbudget--
	for _, a := range active {
		if a == s {
			return false
		}
	}
	active = append(active, s)
	if s.ref != nil && !g.check(s.ref, v, active) {
		return false
	}
	if !typeMatches(s, v) || !enumMatches(s, v) {
		return false
	}
	switch v.kind {
	case kindNumber:
		if !s.num.ok(v) {
			return false
		}
	case kindString:
		if !stringMatches(s, v.s) {
			return false
		}
	case kindArray:
		if !g.arrayMatches(s, v) {
			return false
		}
	case kindObject:
		if !g.objectMatches(s, v, active) {
			return false
		}
	}
	return g.combinatorsMatch(s, v, active)
}

func typeOf(v *value) typeSet {
	switch v.kind {
	case kindNull:
		return tNull
	case kindBool:
		return tBool
	case kindString:
		return tString
	case kindArray:
		return tArray
	case kindObject:
		return tObject
	}
	if isIntegral(v.s) {
		return tNumber | tInteger
	}
	return tNumber
}

func isIntegral(lit string) bool {
	if !strings.ContainsAny(lit, ".eE") {
		return true
	}
	r, ok := parseRat(lit)
	return ok && r.IsInt()
}

func typeMatches(s *schema, v *value) bool {
	if s.types == tAll {
		return true
	}
	t := typeOf(v)
	if t == tNumber|tInteger {
		t = tInteger // an integral number satisfies "integer" and "number"
	}
	if t&s.types != 0 {
		return true
	}
	return v.kind == kindNull && s.nullable
}

func enumMatches(s *schema, v *value) bool {
	if s.constV != nil && !equal(s.constV, v) {
		return false
	}
	if s.hasEnum {
		return containsEqual(s.enum, v)
	}
	return true
}

func stringMatches(s *schema, str string) bool {
	if s.minLen > 0 || s.maxLen >= 0 {
		n := utf8.RuneCountInString(str)
		if n < s.minLen || (s.maxLen >= 0 && n > s.maxLen) {
			return false
		}
	}
	if s.pattern != nil && !s.pattern.re.MatchString(str) {
		return false
	}
	return s.format == "" || checkFormat(s.format, str)
}

func (g *gen) arrayMatches(s *schema, v *value) bool {
	n := len(v.arr)
	if n < s.minItems || (s.maxItems >= 0 && n > s.maxItems) {
		return false
	}
	for i, e := range v.arr {
		sub := s.rest
		if i < len(s.prefix) {
			sub = s.prefix[i]
		}
		if sub != nil && !g.check(sub, e, nil) {
			return false
		}
	}
	if s.unique {
		for i := 1; i < n; i++ {
			if containsEqual(v.arr[:i], v.arr[i]) {
				return false
			}
		}
	}
	if s.contains == nil {
		return true
	}
	matches := 0
	for _, e := range v.arr {
		if g.check(s.contains, e, nil) {
			matches++
		}
	}
	return matches >= s.minContains && (s.maxContains < 0 || matches <= s.maxContains)
}

func (g *gen) objectMatches(s *schema, v *value, active []*schema) bool {
	n := len(v.obj)
	if n < s.minProps || (s.maxProps >= 0 && n > s.maxProps) {
		return false
	}
	for _, r := range s.required {
		if v.get(r) == nil {
			return false
		}
	}
	for _, m := range v.obj {
		if !g.memberMatches(s, m) {
			return false
		}
	}
	for _, d := range s.depRequired {
		if v.get(d.key) == nil {
			continue
		}
		for _, dep := range d.deps {
			if v.get(dep) == nil {
				return false
			}
		}
	}
	for _, d := range s.depSchemas {
		if v.get(d.name) != nil && !g.check(d.s, v, active) {
			return false
		}
	}
	return true
}

func (g *gen) memberMatches(s *schema, m member) bool {
	matched := false
	for _, p := range s.props {
		if p.name == m.key {
			matched = true
			if !g.check(p.s, m.val, nil) {
				return false
			}
		}
	}
	for _, pp := range s.patternProps {
		if pp.re.re.MatchString(m.key) {
			matched = true
			if !g.check(pp.s, m.val, nil) {
				return false
			}
		}
	}
	if !matched && s.additional != nil && !g.check(s.additional, m.val, nil) {
		return false
	}
	return s.propertyNames == nil || g.check(s.propertyNames, &value{kind: kindString, s: m.key}, nil)
}

func (g *gen) combinatorsMatch(s *schema, v *value, active []*schema) bool {
	for _, a := range s.allOf {
		if !g.check(a, v, active) {
			return false
		}
	}
	if len(s.anyOf) > 0 {
		ok := false
		for _, a := range s.anyOf {
			if g.check(a, v, active) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if len(s.oneOf) > 0 {
		matches := 0
		for _, a := range s.oneOf {
			if g.check(a, v, active) {
				matches++
			}
		}
		if matches != 1 {
			return false
		}
	}
	if s.not != nil && g.check(s.not, v, active) {
		return false
	}
	if s.ifS != nil {
		if g.check(s.ifS, v, active) {
			return s.thenS == nil || g.check(s.thenS, v, active)
		}
		return s.elseS == nil || g.check(s.elseS, v, active)
	}
	return true
}
