package schemagen

import (
	"fmt"
	"math/big"
)

// typeSet is a set of JSON Schema primitive types. tNumber includes the
// integers, so a set holding tNumber always holds tInteger as well (see
// normTypes).
type typeSet uint8

const (
	tNull typeSet = 1 << iota
	tBool
	tInteger
	tNumber
	tString
	tArray
	tObject

	tAll = tNull | tBool | tInteger | tNumber | tString | tArray | tObject
)

var typeNames = [...]struct {
	name string
	t    typeSet
}{
	{"null", tNull}, {"boolean", tBool}, {"integer", tInteger}, {"number", tNumber},
	{"string", tString}, {"array", tArray}, {"object", tObject},
}

func normTypes(t typeSet) typeSet {
	if t&tNumber != 0 {
		t |= tInteger
	}
	return t
}

// schema is one compiled schema object. Subschemas are shared pointers, so
// a recursive $ref produces a cyclic graph rather than an infinite tree.
type schema struct {
	node    *value // the raw object; nil for boolean schemas
	isFalse bool

	ref      *schema
	types    typeSet // tAll when unconstrained
	nullable bool
	enum     []*value
	hasEnum  bool
	constV   *value
	samples  []*value // default and examples, used only when they validate

	num numBounds

	minLen, maxLen int // maxLen < 0: unbounded
	pattern        *pattern
	format         string

	prefix                   []*schema
	rest                     *schema // items after the prefix; nil allows anything
	minItems, maxItems       int
	unique                   bool
	contains                 *schema
	minContains, maxContains int

	props         []prop
	patternProps  []patProp
	additional    *schema
	required      []string
	minProps      int
	maxProps      int
	propertyNames *schema
	depRequired   []depRequired
	depSchemas    []prop
	closed        bool // unevaluatedProperties: false

	allOf, anyOf, oneOf []*schema
	not                 *schema
	ifS, thenS, elseS   *schema
}

type prop struct {
	name string
	s    *schema
}

type patProp struct {
	re *pattern
	s  *schema
}

type depRequired struct {
	key  string
	deps []string
}

// numBounds holds numeric constraints as exact rationals, because the
// validators compare with arbitrary precision and 0.1-style multipleOf
// values are not representable as float64.
type numBounds struct {
	lo, hi         *big.Rat
	loExcl, hiExcl bool
	step           *big.Rat // multipleOf
}

var (
	trueSchema  = &schema{types: tAll, maxLen: -1, maxItems: -1, maxProps: -1, minContains: 1, maxContains: -1}
	falseSchema = &schema{isFalse: true, types: tAll, maxLen: -1, maxItems: -1, maxProps: -1, minContains: 1, maxContains: -1}
)

// compile turns a schema node into a *schema, memoised per node so that
// references to the same node share one compiled schema.
func (c *compiler) compile(node *value) (*schema, error) {
	if s, ok := c.memo[node]; ok {
		return s, nil
	}
	switch node.kind {
	case kindBool:
		if node.b {
			return trueSchema, nil
		}
		return falseSchema, nil
	case kindObject:
	default:
		return nil, fmt.Errorf("schema must be an object or boolean, got %s", kindName(node.kind))
	}
	s := &schema{node: node, types: tAll, maxLen: -1, maxItems: -1, maxProps: -1, minContains: 1, maxContains: -1}
	c.memo[node] = s
	steps := [...]func(*schema, *value) error{
		c.compileRef, c.compileGeneric, c.compileNumeric, c.compileString,
		c.compileArray, c.compileObject, c.compileCombinators,
	}
	for _, step := range steps {
		if err := step(s, node); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func kindName(k kind) string {
	return [...]string{"null", "boolean", "number", "string", "array", "object"}[k]
}

// compileGeneric handles the keywords that apply to every type.
func (c *compiler) compileGeneric(s *schema, n *value) error {
	if t := n.get("type"); t != nil {
		ts, err := parseTypes(t)
		if err != nil {
			return err
		}
		s.types = ts
	}
	if nb := n.get("nullable"); nb != nil && nb.kind == kindBool && nb.b {
		s.nullable = true
	}
	if e := n.get("enum"); e != nil {
		if e.kind != kindArray {
			return fmt.Errorf("enum must be an array")
		}
		s.enum, s.hasEnum = e.arr, true
	}
	s.constV = n.get("const")
	if d := n.get("default"); d != nil {
		s.samples = append(s.samples, d)
	}
	if ex := n.get("examples"); ex != nil && ex.kind == kindArray {
		s.samples = append(s.samples, ex.arr...)
	}
	return nil
}

func parseTypes(t *value) (typeSet, error) {
	names := []*value{t}
	if t.kind == kindArray {
		names = t.arr
	}
	var ts typeSet
	for _, n := range names {
		if n.kind != kindString {
			return 0, fmt.Errorf("type must be a string or array of strings")
		}
		found := false
		for _, tn := range typeNames {
			if tn.name == n.s {
				ts |= tn.t
				found = true
			}
		}
		if !found {
			return 0, fmt.Errorf("unknown type %q", n.s)
		}
	}
	return normTypes(ts), nil
}

// count reads a non-negative integer keyword; def is returned when absent.
// Huge values are clamped: they only matter as "unbounded" for maxima and
// are rejected later by the size limits for minima.
func count(n *value, key string, def int) (int, error) {
	v := n.get(key)
	if v == nil {
		return def, nil
	}
	r, ok := v.rat()
	if !ok || !r.IsInt() || r.Sign() < 0 {
		return 0, fmt.Errorf("%s must be a non-negative integer", key)
	}
	if !r.Num().IsInt64() || r.Num().Int64() > 1<<30 {
		return 1 << 30, nil
	}
	return int(r.Num().Int64()), nil
}

// sub compiles the subschema under key, or returns nil when absent.
func (c *compiler) sub(n *value, key string) (*schema, error) {
	v := n.get(key)
	if v == nil {
		return nil, nil
	}
	s, err := c.compile(v)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	return s, nil
}

// subList compiles an array of subschemas.
func (c *compiler) subList(n *value, key string) ([]*schema, error) {
	v := n.get(key)
	if v == nil {
		return nil, nil
	}
	if v.kind != kindArray {
		return nil, fmt.Errorf("%s must be an array", key)
	}
	out := make([]*schema, len(v.arr))
	for i, e := range v.arr {
		s, err := c.compile(e)
		if err != nil {
			return nil, fmt.Errorf("%s/%d: %w", key, i, err)
		}
		out[i] = s
	}
	return out, nil
}

// subMap compiles an object of named subschemas, keeping declared order.
func (c *compiler) subMap(n *value, key string) ([]prop, error) {
	v := n.get(key)
	if v == nil {
		return nil, nil
	}
	if v.kind != kindObject {
		return nil, fmt.Errorf("%s must be an object", key)
	}
	out := make([]prop, 0, len(v.obj))
	for _, m := range v.obj {
		s, err := c.compile(m.val)
		if err != nil {
			return nil, fmt.Errorf("%s/%s: %w", key, m.key, err)
		}
		out = append(out, prop{m.key, s})
	}
	return out, nil
}

func (c *compiler) compileCombinators(s *schema, n *value) error {
	var err error
	if s.allOf, err = c.subList(n, "allOf"); err != nil {
		return err
	}
	if s.anyOf, err = c.subList(n, "anyOf"); err != nil {
		return err
	}
	if s.oneOf, err = c.subList(n, "oneOf"); err != nil {
		return err
	}
	for _, kw := range [...]string{"allOf", "anyOf", "oneOf"} {
		if v := n.get(kw); v != nil && len(v.arr) == 0 {
			return fmt.Errorf("%s must not be empty", kw)
		}
	}
	if s.not, err = c.sub(n, "not"); err != nil {
		return err
	}
	if s.ifS, err = c.sub(n, "if"); err != nil {
		return err
	}
	if s.thenS, err = c.sub(n, "then"); err != nil {
		return err
	}
	s.elseS, err = c.sub(n, "else")
	return err
}

// regex compiles a pattern once per document.
func (c *compiler) regex(src string, key string) (*pattern, error) {
	if p, ok := c.regexps[src]; ok {
		return p, nil
	}
	p, err := compilePattern(src)
	if err != nil {
		return nil, fmt.Errorf("%s %q is not supported: %w", key, src, err)
	}
	c.regexps[src] = p
	return p, nil
}
