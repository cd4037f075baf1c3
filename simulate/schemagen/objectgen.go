package schemagen

import "fmt"

// entry is one candidate property of an object being generated.
type entry struct {
	key    string
	sub    []*schema
	forced bool // required, or required by a dependency of a chosen key
	on     bool
}

// genObject emits required properties always, optional declared ones
// with probability 1/2 (never past the soft depth), and undeclared keys
// only when minProperties demands more than the declared ones give.
func (g *gen) genObject(c []*schema, depth int) (*value, error) {
	p := planObject(c)
	entries := make([]entry, 0, len(p.names))
	for _, name := range p.names {
		sub, forbidden := g.propSchemas(c, name)
		req := p.required[name]
		if forbidden {
			if req {
				return nil, unsat("required property %q is not allowed by the schema", name)
			}
			continue
		}
		on := req || (depth < g.soft && g.r.IntN(2) == 0)
		entries = append(entries, entry{key: name, sub: sub, forced: req, on: on})
	}
	entries, err := g.applyDependencies(c, entries)
	if err != nil {
		return nil, err
	}
	if entries, err = g.fitCount(c, entries, &p); err != nil {
		return nil, err
	}
	v := &value{kind: kindObject, obj: make([]member, 0, len(entries))}
	for _, e := range entries {
		if !e.on {
			continue
		}
		pv, err := g.generate(e.sub, depth+1, e.key)
		if err != nil {
			if e.forced {
				return nil, wrapPath(err, "property %q", e.key)
			}
			continue // an optional property that cannot be made is left out
		}
		v.obj = append(v.obj, member{e.key, pv})
	}
	return v, nil
}

// applyDependencies switches on the properties that dependentRequired
// demands of the chosen ones, until nothing changes.
func (g *gen) applyDependencies(c []*schema, entries []entry) ([]entry, error) {
	for changed := true; changed; {
		changed = false
		for _, s := range c {
			for _, d := range s.depRequired {
				i := findEntry(entries, d.key)
				if i < 0 || !entries[i].on {
					continue
				}
				for _, dep := range d.deps {
					j := findEntry(entries, dep)
					if j < 0 {
						sub, forbidden := g.propSchemas(c, dep)
						if forbidden {
							return nil, unsat("property %q requires %q, which is not allowed", d.key, dep)
						}
						entries = append(entries, entry{key: dep, sub: sub})
						j = len(entries) - 1
					}
					if !entries[j].on || !entries[j].forced {
						entries[j].on, entries[j].forced, changed = true, true, true
					}
				}
			}
		}
	}
	return entries, nil
}

func findEntry(entries []entry, key string) int {
	for i := range entries {
		if entries[i].key == key {
			return i
		}
	}
	return -1
}

// fitCount enforces maxProperties by dropping optional properties and
// minProperties by adding declared ones, then invented ones.
func (g *gen) fitCount(c []*schema, entries []entry, p *objectPlan) ([]entry, error) {
	n := 0
	for _, e := range entries {
		if e.on {
			n++
		}
	}
	for i := len(entries) - 1; i >= 0 && p.maxProps >= 0 && n > p.maxProps; i-- {
		if entries[i].on && !entries[i].forced {
			entries[i].on = false
			n--
		}
	}
	if p.maxProps >= 0 && n > p.maxProps {
		return nil, unsat("%d properties are required but maxProperties is %d", n, p.maxProps)
	}
	if p.minProps > maxCollection {
		return nil, unsat("minProperties %d exceeds the generator limit of %d", p.minProps, maxCollection)
	}
	for i := range entries {
		if n >= p.minProps {
			break
		}
		if !entries[i].on {
			entries[i].on, entries[i].forced = true, true
			n++
		}
	}
	for n < p.minProps {
		key, sub, ok := g.extraKey(c, entries)
		if !ok {
			return nil, unsat("minProperties %d cannot be reached with the allowed property names", p.minProps)
		}
		entries = append(entries, entry{key: key, sub: sub, forced: true, on: true})
		n++
	}
	return entries, nil
}

// extraKey invents a property name that the schema allows, trying
// patternProperties patterns, propertyNames and plain words.
func (g *gen) extraKey(c []*schema, entries []entry) (string, []*schema, bool) {
	var pats []*pattern
	var names []*schema
	for _, s := range c {
		for _, pp := range s.patternProps {
			pats = append(pats, pp.re)
		}
		if s.propertyNames != nil {
			names = append(names, s.propertyNames)
		}
	}
	for try := range 24 {
		var key string
		switch {
		case len(pats) > 0 && try%3 == 0:
			key = g.genPattern(pats[g.r.IntN(len(pats))], 1, -1, try/3)
		case len(names) > 0 && try%3 == 1:
			if v, err := g.generate(names, g.hard, ""); err == nil && v.kind == kindString {
				key = v.s
			}
		default:
			key = g.word()
			if try > 6 {
				key = fmt.Sprintf("%s_%d", key, g.r.IntN(1000))
			}
		}
		if findEntry(entries, key) >= 0 {
			continue
		}
		if sub, forbidden := g.propSchemas(c, key); !forbidden {
			return key, sub, true
		}
	}
	return "", nil, false
}
