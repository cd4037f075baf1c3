package schemagen

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

var (
	ratOne     = big.NewRat(1, 1)
	ratCent    = big.NewRat(1, 100)
	ratHundred = big.NewRat(100, 1)
)

func (c *compiler) compileNumeric(s *schema, n *value) error {
	b := &s.num
	var err error
	if b.lo, err = numKeyword(n, "minimum"); err != nil {
		return err
	}
	if b.hi, err = numKeyword(n, "maximum"); err != nil {
		return err
	}
	// exclusiveMinimum/Maximum are booleans modifying minimum/maximum in
	// draft 4 and standalone bounds from draft 6 on; accept both.
	if v := n.get("exclusiveMinimum"); v != nil && v.kind == kindBool {
		b.loExcl = v.b && b.lo != nil
	} else if r, err := numKeyword(n, "exclusiveMinimum"); err != nil {
		return err
	} else if r != nil && (b.lo == nil || r.Cmp(b.lo) >= 0) {
		b.lo, b.loExcl = r, true
	}
	if v := n.get("exclusiveMaximum"); v != nil && v.kind == kindBool {
		b.hiExcl = v.b && b.hi != nil
	} else if r, err := numKeyword(n, "exclusiveMaximum"); err != nil {
		return err
	} else if r != nil && (b.hi == nil || r.Cmp(b.hi) <= 0) {
		b.hi, b.hiExcl = r, true
	}
	if b.step, err = numKeyword(n, "multipleOf"); err != nil {
		return err
	}
	if b.step != nil && b.step.Sign() <= 0 {
		return fmt.Errorf("multipleOf must be greater than 0")
	}
	return nil
}

func numKeyword(n *value, key string) (*big.Rat, error) {
	v := n.get(key)
	if v == nil {
		return nil, nil
	}
	r, ok := v.rat()
	if !ok {
		return nil, fmt.Errorf("%s must be a number", key)
	}
	return r, nil
}

// merge intersects o into b.
func (b *numBounds) merge(o *numBounds) {
	if o.lo != nil {
		if b.lo == nil || o.lo.Cmp(b.lo) > 0 {
			b.lo, b.loExcl = o.lo, o.loExcl
		} else if o.lo.Cmp(b.lo) == 0 {
			b.loExcl = b.loExcl || o.loExcl
		}
	}
	if o.hi != nil {
		if b.hi == nil || o.hi.Cmp(b.hi) < 0 {
			b.hi, b.hiExcl = o.hi, o.hiExcl
		} else if o.hi.Cmp(b.hi) == 0 {
			b.hiExcl = b.hiExcl || o.hiExcl
		}
	}
	b.step = ratLCM(b.step, o.step)
}

// ratLCM returns the least common multiple of two positive rationals (nil
// means "no constraint"): lcm(a/b, c/d) = lcm(a, c) / gcd(b, d).
func ratLCM(x, y *big.Rat) *big.Rat {
	if x == nil {
		return y
	}
	if y == nil || x.Cmp(y) == 0 {
		return x
	}
	var g, num, den big.Int
	g.GCD(nil, nil, x.Num(), y.Num())
	num.Mul(x.Num(), y.Num())
	num.Quo(&num, &g)
	den.GCD(nil, nil, x.Denom(), y.Denom())
	return new(big.Rat).SetFrac(&num, &den)
}

func mergedBounds(c []*schema) numBounds {
	var b numBounds
	for _, m := range c {
		b.merge(&m.num)
	}
	return b
}

// numKind selects what genNumber must produce.
type numKind uint8

const (
	anyNumber   numKind = iota
	integerOnly         // type integer
	fractional          // numbers excluding integers (not/oneOf of integer)
)

// genNumber produces a number within the merged bounds of c. Without
// multipleOf it prefers "nice" values: whole numbers or two decimals
// between 0 and 100 when the bounds allow.
func (g *gen) genNumber(c []*schema, nk numKind) (*value, error) {
	b := mergedBounds(c)
	if nk == integerOnly {
		b.step = ratLCM(b.step, ratOne)
	}
	if b.step != nil {
		r, ok := g.pickMultiple(&b, b.step)
		if ok && (nk != fractional || !r.IsInt()) {
			return numberValue(r), nil
		}
		if !ok {
			return nil, unsat("no multiple of %s within the numeric bounds", b.step.RatString())
		}
	}
	steps := [2]*big.Rat{ratOne, ratCent}
	if g.r.IntN(3) == 0 || nk == fractional {
		steps[0], steps[1] = ratCent, ratOne
	}
	for _, st := range steps {
		if r, ok := g.pickMultiple(&b, st); ok {
			if nk == fractional {
				r = b.nudgeOffInteger(r)
			}
			return numberValue(r), nil
		}
	}
	if r, ok := narrowPick(&b); ok {
		return numberValue(r), nil
	}
	return nil, unsat("numeric bounds are empty")
}

// nudgeOffInteger moves an integral r by a half when that stays in
// bounds; the caller's validation rejects whatever cannot be fixed.
func (b *numBounds) nudgeOffInteger(r *big.Rat) *big.Rat {
	if !r.IsInt() {
		return r
	}
	half := big.NewRat(1, 2)
	for _, d := range [...]*big.Rat{half, new(big.Rat).Neg(half)} {
		if x := new(big.Rat).Add(r, d); b.okRat(x) {
			return x
		}
	}
	return r
}

// narrowPick handles intervals too small to contain a multiple of 0.01.
func narrowPick(b *numBounds) (*big.Rat, bool) {
	if b.lo == nil || b.hi == nil {
		return nil, false
	}
	switch c := b.lo.Cmp(b.hi); {
	case c > 0:
		return nil, false
	case c == 0:
		return b.lo, !b.loExcl && !b.hiExcl
	}
	if !b.loExcl {
		return b.lo, true
	}
	if !b.hiExcl {
		return b.hi, true
	}
	mid := new(big.Rat).Add(b.lo, b.hi)
	return mid.Quo(mid, big.NewRat(2, 1)), true
}

// pickMultiple picks k*step within the bounds, preferring a window of
// realistic magnitude near zero or near the bound that excludes zero.
func (g *gen) pickMultiple(b *numBounds, step *big.Rat) (*big.Rat, bool) {
	kmin, kmax := kRange(b.lo, b.loExcl, b.hi, b.hiExcl, step)
	if kmin != nil && kmax != nil && kmin.Cmp(kmax) > 0 {
		return nil, false
	}
	wlo, whi := window(b)
	wmin, wmax := kRange(wlo, false, whi, false, step)
	// intersect the window with the real range
	if kmin != nil && wmin.Cmp(kmin) < 0 {
		wmin = kmin
	}
	if kmax != nil && wmax.Cmp(kmax) > 0 {
		wmax = kmax
	}
	var k *big.Int
	switch {
	case wmin.Cmp(wmax) <= 0:
		k = g.randBigBetween(wmin, wmax)
	case kmin != nil:
		k = kmin
	default:
		k = kmax
	}
	r := new(big.Rat).SetInt(k)
	return r.Mul(r, step), true
}

// window returns the preferred value range for the bounds.
func window(b *numBounds) (*big.Rat, *big.Rat) {
	zeroOK := (b.lo == nil || b.lo.Sign() <= 0) && (b.hi == nil || b.hi.Sign() >= 0)
	switch {
	case zeroOK:
		return new(big.Rat), ratHundred
	case b.lo != nil && b.lo.Sign() > 0:
		return b.lo, new(big.Rat).Add(b.lo, ratHundred)
	default:
		return new(big.Rat).Sub(b.hi, ratHundred), b.hi
	}
}

// kRange returns the smallest and largest k with k*step inside the bounds;
// nil means unbounded on that side.
func kRange(lo *big.Rat, loExcl bool, hi *big.Rat, hiExcl bool, step *big.Rat) (*big.Int, *big.Int) {
	var kmin, kmax *big.Int
	if lo != nil {
		q := new(big.Rat).Quo(lo, step)
		kmin = ceilRat(q)
		if loExcl && q.IsInt() {
			kmin.Add(kmin, big.NewInt(1))
		}
	}
	if hi != nil {
		q := new(big.Rat).Quo(hi, step)
		kmax = floorRat(q)
		if hiExcl && q.IsInt() {
			kmax.Sub(kmax, big.NewInt(1))
		}
	}
	return kmin, kmax
}

func floorRat(q *big.Rat) *big.Int {
	// Euclidean division by a positive denominator rounds toward -inf.
	z, _ := new(big.Int).DivMod(q.Num(), q.Denom(), new(big.Int))
	return z
}

func ceilRat(q *big.Rat) *big.Int {
	z := floorRat(q)
	if !q.IsInt() {
		z.Add(z, big.NewInt(1))
	}
	return z
}

func (g *gen) randBigBetween(lo, hi *big.Int) *big.Int {
	d := new(big.Int).Sub(hi, lo)
	if d.IsInt64() && d.Int64() < 1<<62 {
		return d.SetInt64(g.r.Int64N(d.Int64()+1)).Add(d, lo)
	}
	// Huge spans only come from exotic bounds; stay near the low end.
	return new(big.Int).Add(lo, big.NewInt(g.r.Int64N(1000)))
}

func numberValue(r *big.Rat) *value {
	return &value{kind: kindNumber, s: formatRat(r)}
}

// formatRat writes r exactly in decimal. Every rational reaching here has a
// denominator of the form 2^a*5^b because it derives from decimal literals.
func formatRat(r *big.Rat) string {
	if r.IsInt() {
		return formatInt(r.Num())
	}
	places := decimalPlaces(r.Denom())
	if places < 0 {
		return r.FloatString(17)
	}
	return r.FloatString(places)
}

// formatInt writes huge round integers with an exponent (1e+300 rather
// than 301 digits); the value, and so its integer-ness, is unchanged.
func formatInt(n *big.Int) string {
	s := n.String()
	if len(s) < 22 {
		return s
	}
	t := strings.TrimRight(s, "0")
	if zeros := len(s) - len(t); zeros >= 10 {
		return t + "e+" + strconv.Itoa(zeros)
	}
	return s
}

// decimalPlaces returns the digits after the point needed to write 1/d
// exactly, or -1 when the expansion does not terminate.
func decimalPlaces(d *big.Int) int {
	x := new(big.Int).Set(d)
	two, five, m := big.NewInt(2), big.NewInt(5), new(big.Int)
	a, b := 0, 0
	for {
		q, r := new(big.Int).QuoRem(x, two, m)
		if r.Sign() != 0 {
			break
		}
		x, a = q, a+1
	}
	for {
		q, r := new(big.Int).QuoRem(x, five, m)
		if r.Sign() != 0 {
			break
		}
		x, b = q, b+1
	}
	if x.Cmp(big.NewInt(1)) != 0 {
		return -1
	}
	return max(a, b)
}

// ok checks a number literal against the bounds.
func (b *numBounds) ok(v *value) bool {
	if b.lo == nil && b.hi == nil && b.step == nil {
		return true
	}
	r, ok := v.rat()
	return ok && b.okRat(r)
}

func (b *numBounds) okRat(r *big.Rat) bool {
	if b.lo != nil {
		if c := r.Cmp(b.lo); c < 0 || (c == 0 && b.loExcl) {
			return false
		}
	}
	if b.hi != nil {
		if c := r.Cmp(b.hi); c > 0 || (c == 0 && b.hiExcl) {
			return false
		}
	}
	return b.step == nil || new(big.Rat).Quo(r, b.step).IsInt()
}
