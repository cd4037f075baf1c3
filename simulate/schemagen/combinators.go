package schemagen

// maxConj bounds how many schemas one value may have to satisfy at once;
// only pathological documents get near it.
const maxConj = 512

// expand flattens $ref and allOf into one conjunction and commits to a
// branch of every anyOf, oneOf and if/then/else it meets. The chosen
// branches are added as further constraints, so the constructive pass sees
// them; the caller still validates against the unexpanded schemas, which
// is what enforces oneOf exclusivity and the failing side of if/else.
func (g *gen) expand(conj []*schema, depth int) ([]*schema, error) {
	out := make([]*schema, 0, len(conj)+4)
	for _, s := range conj {
		out = flatten(out, s)
	}
	for i := 0; i < len(out); i++ {
		s := out[i]
		if len(s.anyOf) > 0 {
			out = flatten(out, g.chooseBranch(out, s.anyOf, depth, false))
		}
		if len(s.oneOf) > 0 {
			b := g.chooseBranch(out, s.oneOf, depth, true)
			out = flatten(out, b)
			if ex := otherTypes(s.oneOf, b); ex != 0 {
				out = append(out, excludeTypes(ex))
			}
		}
		if s.ifS != nil && (s.thenS != nil || s.elseS != nil) {
			out = g.chooseCondition(out, s)
		}
		if len(out) > maxConj {
			return nil, unsat("more than %d schemas apply to one value", maxConj)
		}
	}
	return out, nil
}

// flatten appends s with its $ref and allOf closure, skipping schemas
// already present so that reference cycles terminate.
func flatten(out []*schema, s *schema) []*schema {
	if s == nil || s == trueSchema || len(out) > maxConj {
		return out
	}
	for _, o := range out {
		if o == s {
			return out
		}
	}
	out = append(out, s)
	out = flatten(out, s.ref)
	for _, a := range s.allOf {
		out = flatten(out, a)
	}
	// not: {not: X} is X; making it a constraint lets X guide generation.
	if n := s.not; n != nil && n.not != nil && n.onlyKeyword("not") {
		out = flatten(out, n.not)
	}
	return out
}

// onlyKeyword reports whether kw is the schema's only keyword.
func (s *schema) onlyKeyword(kw string) bool {
	return s.node != nil && len(s.node.obj) == 1 && s.node.obj[0].key == kw
}

// chooseCondition commits to the then side (if and then both hold) or the
// else side (else holds; that if fails is left to validation). A side
// whose types cannot meet the rest of the conjunction is not taken.
func (g *gen) chooseCondition(out []*schema, s *schema) []*schema {
	have := conjTypes(out)
	thenOK := staticTypes(s.ifS)&staticTypesOrAll(s.thenS)&have != 0
	elseOK := staticTypesOrAll(s.elseS)&have != 0
	if thenOK && (!elseOK || g.r.IntN(2) == 0) {
		return flatten(flatten(out, s.ifS), s.thenS)
	}
	return flatten(out, s.elseS)
}

func staticTypesOrAll(s *schema) typeSet {
	if s == nil {
		return tAll
	}
	return staticTypes(s)
}

// effTypes is the set of types a single schema admits on its own.
func effTypes(s *schema) typeSet {
	t := s.types
	if s.nullable && t != tAll {
		t |= tNull
	}
	if s.not != nil && s.not.typeOnly() {
		t &^= s.not.types
	}
	return t
}

// typeOnly reports whether the schema constrains nothing but the type, so
// that "not" of it simply removes those types.
func (s *schema) typeOnly() bool {
	if s.node == nil || s.types == tAll || s.nullable {
		return false
	}
	for _, m := range s.node.obj {
		switch m.key {
		case "type", "title", "description", "$comment", "examples", "default":
		default:
			return false
		}
	}
	return true
}

func conjTypes(c []*schema) typeSet {
	t := tAll
	for _, s := range c {
		t &= effTypes(s)
	}
	return t
}

// staticTypes is the type set of s together with its $ref/allOf closure.
func staticTypes(s *schema) typeSet {
	var buf [8]*schema
	return conjTypes(flatten(buf[:0], s))
}

// otherTypes is the union of the types of the type-only oneOf branches
// other than chosen: a value of those types would match them too.
func otherTypes(branches []*schema, chosen *schema) typeSet {
	var t typeSet
	for _, o := range branches {
		if o != chosen && o.typeOnly() {
			t |= o.types
		}
	}
	return t
}

// excludeTypes makes a synthetic conjunct that only narrows the types;
// it carries no other keyword, so every other query skips over it.
func excludeTypes(t typeSet) *schema {
	s := *trueSchema
	s.types = tAll &^ t
	return &s
}

// chooseBranch picks an anyOf/oneOf branch whose types fit the rest of the
// conjunction (for oneOf, once the types of the other type-only branches
// are removed); past the soft depth it prefers branches that can end the
// recursion (null first, then scalars).
func (g *gen) chooseBranch(conj []*schema, branches []*schema, depth int, exclusive bool) *schema {
	have := conjTypes(conj)
	cands := make([]*schema, 0, len(branches))
	best := 3
	for _, b := range branches {
		if b.isFalse {
			continue
		}
		t := staticTypes(b) & have
		if exclusive {
			t &^= otherTypes(branches, b)
		}
		if t == 0 {
			continue
		}
		score := 0
		if depth >= g.soft {
			score = leafScore(t)
			if score > best {
				continue
			}
			if score < best {
				best, cands = score, cands[:0]
			}
		}
		cands = append(cands, b)
	}
	if len(cands) == 0 {
		return branches[g.r.IntN(len(branches))]
	}
	return cands[g.r.IntN(len(cands))]
}

// leafScore ranks how readily a type set ends recursion.
func leafScore(t typeSet) int {
	switch {
	case t&tNull != 0:
		return 0
	case t&(tBool|tInteger|tNumber|tString) != 0:
		return 1
	}
	return 2
}

var typeOrder = [...]typeSet{tNull, tBool, tInteger, tNumber, tString, tArray, tObject}

// chooseType picks the type to generate from the admissible set ts.
func (g *gen) chooseType(ts typeSet, c []*schema, depth int) typeSet {
	if ts == tAll {
		return inferType(c, depth)
	}
	if ts&tNumber != 0 {
		ts &^= tInteger // number generation makes integers itself
	}
	if ts&tNull != 0 && ts != tNull {
		if depth >= g.soft || g.r.IntN(5) == 0 {
			return tNull
		}
		ts &^= tNull
	}
	if depth >= g.soft && ts&^(tArray|tObject) != 0 {
		ts &^= tArray | tObject
	}
	var opts [len(typeOrder)]typeSet
	n := 0
	for _, t := range typeOrder {
		if ts&t != 0 {
			opts[n] = t
			n++
		}
	}
	return opts[g.r.IntN(n)]
}

// inferType guesses the intended type of an untyped schema from the
// keywords it uses. An empty root schema is a tool's empty argument
// object; an empty nested one gets a string, the most common payload.
func inferType(c []*schema, depth int) typeSet {
	for _, s := range c {
		switch {
		case len(s.props) > 0 || len(s.required) > 0 || s.additional != nil || len(s.patternProps) > 0 || s.minProps > 0:
			return tObject
		case len(s.prefix) > 0 || s.rest != nil || s.minItems > 0 || s.contains != nil:
			return tArray
		case s.minLen > 0 || s.maxLen >= 0 || s.pattern != nil || s.format != "":
			return tString
		case s.num.lo != nil || s.num.hi != nil || s.num.step != nil:
			return tNumber
		}
	}
	if depth == 0 {
		return tObject
	}
	return tString
}
