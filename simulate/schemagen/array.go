package schemagen

func (c *compiler) compileArray(s *schema, n *value) error {
	var err error
	if it := n.get("items"); it != nil && it.kind == kindArray {
		// draft-04..2019-09 tuple form
		if s.prefix, err = c.subList(n, "items"); err != nil {
			return err
		}
		s.rest, err = c.sub(n, "additionalItems")
	} else {
		if s.prefix, err = c.subList(n, "prefixItems"); err != nil {
			return err
		}
		s.rest, err = c.sub(n, "items")
	}
	if err != nil {
		return err
	}
	if s.minItems, err = count(n, "minItems", 0); err != nil {
		return err
	}
	if s.maxItems, err = count(n, "maxItems", -1); err != nil {
		return err
	}
	if u := n.get("uniqueItems"); u != nil && u.kind == kindBool {
		s.unique = u.b
	}
	if s.contains, err = c.sub(n, "contains"); err != nil {
		return err
	}
	if s.minContains, err = count(n, "minContains", 1); err != nil {
		return err
	}
	s.maxContains, err = count(n, "maxContains", -1)
	return err
}

// itemSchemas returns the schemas that apply to position i of an array
// under conjunction c, and whether some schema forbids position i.
func itemSchemas(c []*schema, i int) ([]*schema, bool) {
	var out []*schema
	for _, s := range c {
		sub := s.rest
		if i < len(s.prefix) {
			sub = s.prefix[i]
		}
		if sub == nil || sub == trueSchema {
			continue
		}
		if sub.isFalse {
			return nil, true
		}
		out = append(out, sub)
	}
	return out, false
}

// arrayPlan is the merged array constraints of a conjunction.
type arrayPlan struct {
	minItems, maxItems int // maxItems < 0: unbounded
	prefix             int
	unique             bool
	contains           []*schema // one entry per required match
}

func planArray(c []*schema) arrayPlan {
	p := arrayPlan{maxItems: -1}
	for _, s := range c {
		p.minItems = max(p.minItems, s.minItems)
		if s.maxItems >= 0 && (p.maxItems < 0 || s.maxItems < p.maxItems) {
			p.maxItems = s.maxItems
		}
		p.prefix = max(p.prefix, len(s.prefix))
		p.unique = p.unique || s.unique
		if s.contains != nil {
			for range min(s.minContains, maxCollection+1) {
				p.contains = append(p.contains, s.contains)
			}
		}
	}
	// The first forbidden position caps the length.
	for i := 0; i <= p.prefix; i++ {
		if p.maxItems >= 0 && i >= p.maxItems {
			break
		}
		if _, forbidden := itemSchemas(c, i); forbidden {
			p.maxItems = i
			break
		}
	}
	return p
}

// length picks how many items to generate: the full tuple when there is
// one, otherwise a few, and the minimum past the soft depth so that
// recursive structures bottom out.
func (p *arrayPlan) length(g *gen, depth int) (int, error) {
	lo := max(p.minItems, len(p.contains))
	if p.maxItems >= 0 && lo > p.maxItems {
		return 0, unsat("array needs at least %d items but allows at most %d", lo, p.maxItems)
	}
	if lo > maxCollection {
		return 0, unsat("array needs %d items, more than the generator limit of %d", lo, maxCollection)
	}
	n := lo
	if depth < g.soft {
		// Fewer items deeper down, so recursive trees stay readable
		// instead of growing geometrically until the soft depth.
		n = max(lo, p.prefix, 1+g.r.IntN(max(1, 3-depth/2)))
	}
	if p.maxItems >= 0 {
		n = min(n, p.maxItems)
	}
	return n, nil
}

func (g *gen) genArray(c []*schema, depth int, hint string) (*value, error) {
	p := planArray(c)
	n, err := p.length(g, depth)
	if err != nil {
		return nil, err
	}
	v := &value{kind: kindArray, arr: make([]*value, 0, n)}
	for i := range n {
		sub, _ := itemSchemas(c, i)
		// Items that must match "contains" go at the end, after any tuple
		// positions with their own schemas.
		if k := i - (n - len(p.contains)); k >= 0 {
			sub = append(sub, p.contains[k])
		}
		item, err := g.uniqueItem(sub, v.arr, p.unique, depth, hint)
		if err != nil {
			return nil, wrapPath(err, "item %d", i)
		}
		v.arr = append(v.arr, item)
	}
	return v, nil
}

// uniqueItem generates an item, regenerating it while it duplicates an
// earlier one when uniqueItems is set.
func (g *gen) uniqueItem(sub []*schema, prev []*value, unique bool, depth int, hint string) (*value, error) {
	for range 8 {
		item, err := g.generate(sub, depth+1, hint)
		if err != nil || !unique || !containsEqual(prev, item) {
			return item, err
		}
	}
	return nil, unsat("could not make enough distinct items for uniqueItems")
}

func containsEqual(list []*value, v *value) bool {
	for _, e := range list {
		if equal(e, v) {
			return true
		}
	}
	return false
}
