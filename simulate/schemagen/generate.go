package schemagen

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
)

// Options tunes generation.
type Options struct {
	// Words supplies the text for free-form strings; nil means a built-in
	// lorem-ipsum vocabulary.
	Words []string
	// MaxDepth bounds recursion through $ref and nesting; 0 means 8.
	MaxDepth int
}

var (
	// ErrInvalidSchema reports a schema that is not valid JSON, is not a
	// schema, or holds a reference that cannot be resolved.
	ErrInvalidSchema = errors.New("schemagen: invalid schema")
	// ErrUnsatisfiable reports a schema that no value satisfies, or one for
	// which the generator could not find a value within its limits.
	ErrUnsatisfiable = errors.New("schemagen: unsatisfiable schema")
)

// errTooDeep marks a failure caused by the hard depth limit.
var errTooDeep = errors.New("value must nest deeper than the depth limit (required recursion?)")

func unsat(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrUnsatisfiable}, args...)...)
}

// Limits that keep a hostile or careless schema from making one request
// arbitrarily expensive.
const (
	defaultMaxDepth = 8
	maxMaxDepth     = 1000    // beyond this the node budget ends recursion anyway
	hardDepthSlack  = 32      // nesting allowed past MaxDepth before giving up
	maxStringLen    = 1 << 16 // code points in one generated string
	maxCollection   = 4096    // items or properties in one array or object
	nodeBudget      = 20000   // values attempted per call, retries included
	byteBudget      = 1 << 22 // string bytes generated per call
	validateBudget  = 1 << 20 // schema checks per call
	rootAttempts    = 8
	nodeAttempts    = 4
)

// Generate returns the compact JSON encoding of a value that satisfies
// schema. schema is the raw JSON of the schema; an empty, null, true or {}
// schema yields the empty object {}. All randomness comes from r, so the
// same schema bytes and RNG state give identical output.
func Generate(schema []byte, r *rand.Rand, opts Options) (out []byte, err error) {
	if r == nil {
		return nil, errors.New("schemagen: nil *rand.Rand")
	}
	// A panic here would take down the request handler; no input is
	// known to cause one (FuzzGenerate calls generateDoc directly so that
	// any it finds still surface), but a 400 beats a crash.
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("%w: internal error: %v", ErrUnsatisfiable, p)
		}
	}()
	return generateDoc(schema, r, opts)
}

func generateDoc(raw []byte, r *rand.Rand, opts Options) ([]byte, error) {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || string(trimmed) == "null" {
		return []byte("{}"), nil
	}
	doc, err := load(trimmed)
	if err != nil {
		return nil, err
	}
	g := newGen(r, opts)
	v, err := g.generateN([]*schema{doc.root}, 0, "", rootAttempts)
	if err != nil {
		return nil, err
	}
	return appendJSON(make([]byte, 0, 256), v), nil
}

// gen is the state of one Generate call.
type gen struct {
	r        *rand.Rand
	words    []string
	soft     int // depth from which the generator steers toward leaves
	hard     int // depth at which it gives up
	budget   int // nodes left to attempt
	bytes    int // string bytes left to generate
	vbudget  int // schema checks left
	lastFail error
}

func newGen(r *rand.Rand, opts Options) *gen {
	d := opts.MaxDepth
	if d <= 0 {
		d = defaultMaxDepth
	}
	d = min(d, maxMaxDepth)
	return &gen{
		r: r, words: vocabulary(opts.Words), soft: d, hard: d + hardDepthSlack,
		budget: nodeBudget, bytes: byteBudget, vbudget: validateBudget,
	}
}

func (g *gen) generate(conj []*schema, depth int, hint string) (*value, error) {
	return g.generateN(conj, depth, hint, nodeAttempts)
}

// generateN makes a value for the conjunction of schemas conj. Each try
// makes fresh random choices (branches, optional properties, lengths) and
// the result is checked against conj, so a try that trips over a
// constraint the constructive pass does not model is simply redone.
func (g *gen) generateN(conj []*schema, depth int, hint string, attempts int) (*value, error) {
	if depth > g.hard {
		return nil, fmt.Errorf("%w: %w", ErrUnsatisfiable, errTooDeep)
	}
	var err error
	for range attempts {
		if g.budget <= 0 || g.bytes <= 0 {
			return nil, g.budgetErr()
		}
		g.budget--
		var c []*schema
		if c, err = g.expand(conj, depth); err != nil {
			continue
		}
		var v *value
		if v, err = g.fromConj(conj, c, depth, hint); err != nil {
			if errors.Is(err, errTooDeep) {
				// Past the soft depth every choice already leans toward
				// ending the recursion; retrying would only repeat it.
				break
			}
			continue
		}
		if g.validAll(conj, v) && g.vbudget > 0 {
			return v, nil
		}
		if g.vbudget <= 0 {
			return nil, g.budgetErr()
		}
		err = unsat("no generated value satisfied every constraint (not, oneOf exclusivity, dependencies or similar)")
	}
	g.lastFail = err
	return nil, err
}

// wrapPath prefixes err with where it happened, except for depth failures,
// where the path would just repeat one step per level.
func wrapPath(err error, format string, arg any) error {
	if errors.Is(err, errTooDeep) {
		return err
	}
	return fmt.Errorf(format+": %w", arg, err)
}

func (g *gen) budgetErr() error {
	if g.lastFail != nil {
		return fmt.Errorf("generation budget exhausted: %w", g.lastFail)
	}
	return unsat("generation budget exhausted")
}

// fromConj builds one candidate for the expanded conjunction c; orig is
// the unexpanded conjunction that candidates are finally checked against.
func (g *gen) fromConj(orig, c []*schema, depth int, hint string) (*value, error) {
	for _, s := range c {
		if s.isFalse {
			return nil, unsat("false schema")
		}
	}
	if v, ok, err := g.fromEnum(orig, c); ok || err != nil {
		return v, err
	}
	if v := g.fromSamples(orig, c); v != nil {
		return v, nil
	}
	ts := conjTypes(c)
	if ts == 0 {
		return nil, unsat("no type satisfies all of %s", typeList(c))
	}
	switch g.chooseType(ts, c, depth) {
	case tNull:
		return nullValue, nil
	case tBool:
		return &value{kind: kindBool, b: g.r.IntN(2) == 0}, nil
	case tInteger:
		return g.genNumber(c, integerOnly)
	case tNumber:
		switch {
		case ts&tInteger == 0:
			return g.genNumber(c, fractional)
		case g.r.IntN(2) == 0:
			return g.genNumber(c, integerOnly)
		}
		return g.genNumber(c, anyNumber)
	case tString:
		return g.genString(c, hint)
	case tArray:
		return g.genArray(c, depth, hint)
	}
	return g.genObject(c, depth)
}

// fromEnum picks among const/enum values that satisfy the whole
// conjunction; ok reports whether any member constrains the value that way.
func (g *gen) fromEnum(orig, c []*schema) (*value, bool, error) {
	var cands []*value
	found := false
	for _, s := range c {
		switch {
		case s.constV != nil:
			cands = []*value{s.constV}
		case s.hasEnum:
			cands = s.enum
		default:
			continue
		}
		found = true
		break
	}
	if !found {
		return nil, false, nil
	}
	start := 0
	if len(cands) > 0 {
		start = g.r.IntN(len(cands))
	}
	for i := range cands {
		v := cands[(start+i)%len(cands)]
		if g.validAll(orig, v) {
			return v, true, nil
		}
	}
	return nil, true, unsat("no enum/const value satisfies the schema")
}

// fromSamples sometimes returns a default or example, because real models
// often echo them; only ones that validate are used.
func (g *gen) fromSamples(orig, c []*schema) *value {
	if g.r.IntN(4) != 0 {
		return nil
	}
	for _, s := range c {
		if len(s.samples) == 0 {
			continue
		}
		v := s.samples[g.r.IntN(len(s.samples))]
		if g.validAll(orig, v) {
			return v
		}
	}
	return nil
}

func typeList(c []*schema) string {
	var b []byte
	for i, s := range c {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, typeString(s.types)...)
	}
	return string(b)
}

func typeString(t typeSet) string {
	if t == tAll {
		return "any"
	}
	var b []byte
	for _, tn := range typeNames {
		if t&tn.t != 0 && !(tn.t == tInteger && t&tNumber != 0) {
			if len(b) > 0 {
				b = append(b, '|')
			}
			b = append(b, tn.name...)
		}
	}
	return "[" + string(b) + "]"
}
