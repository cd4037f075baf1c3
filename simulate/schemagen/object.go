package schemagen

import "fmt"

func (c *compiler) compileObject(s *schema, n *value) error {
	var err error
	if s.props, err = c.subMap(n, "properties"); err != nil {
		return err
	}
	pp, err := c.subMap(n, "patternProperties")
	if err != nil {
		return err
	}
	for _, p := range pp {
		re, err := c.regex(p.name, "patternProperties")
		if err != nil {
			return err
		}
		s.patternProps = append(s.patternProps, patProp{re, p.s})
	}
	if s.additional, err = c.sub(n, "additionalProperties"); err != nil {
		return err
	}
	if s.required, err = stringList(n.get("required"), "required"); err != nil {
		return err
	}
	if s.minProps, err = count(n, "minProperties", 0); err != nil {
		return err
	}
	if s.maxProps, err = count(n, "maxProperties", -1); err != nil {
		return err
	}
	if s.propertyNames, err = c.sub(n, "propertyNames"); err != nil {
		return err
	}
	if u := n.get("unevaluatedProperties"); u != nil && u.kind == kindBool && !u.b {
		s.closed = true
	}
	return c.compileDependencies(s, n)
}

// compileDependencies reads dependentRequired, dependentSchemas and their
// draft-04..07 predecessor "dependencies", which mixes both forms.
func (c *compiler) compileDependencies(s *schema, n *value) error {
	for _, key := range [...]string{"dependentRequired", "dependencies"} {
		v := n.get(key)
		if v == nil {
			continue
		}
		if v.kind != kindObject {
			return fmt.Errorf("%s must be an object", key)
		}
		for _, m := range v.obj {
			if m.val.kind == kindArray || key == "dependentRequired" {
				deps, err := stringList(m.val, key)
				if err != nil {
					return err
				}
				s.depRequired = append(s.depRequired, depRequired{m.key, deps})
				continue
			}
			ds, err := c.compile(m.val)
			if err != nil {
				return fmt.Errorf("%s/%s: %w", key, m.key, err)
			}
			s.depSchemas = append(s.depSchemas, prop{m.key, ds})
		}
	}
	ds, err := c.subMap(n, "dependentSchemas")
	s.depSchemas = append(s.depSchemas, ds...)
	return err
}

func stringList(v *value, key string) ([]string, error) {
	if v == nil {
		return nil, nil
	}
	if v.kind != kindArray {
		return nil, fmt.Errorf("%s must be an array of strings", key)
	}
	out := make([]string, len(v.arr))
	for i, e := range v.arr {
		if e.kind != kindString {
			return nil, fmt.Errorf("%s must be an array of strings", key)
		}
		out[i] = e.s
	}
	return out, nil
}

// propSchemas returns the schemas that apply to the value of key under
// conjunction c, and whether the key may not appear at all (a false
// schema applies, or propertyNames / unevaluatedProperties rule it out).
func (g *gen) propSchemas(c []*schema, key string) ([]*schema, bool) {
	var out []*schema
	evaluated, closed := false, false
	for _, s := range c {
		matched := false
		for _, p := range s.props {
			if p.name == key {
				out, matched = append(out, p.s), true
			}
		}
		for _, pp := range s.patternProps {
			if pp.re.re.MatchString(key) {
				out, matched = append(out, pp.s), true
			}
		}
		if !matched && s.additional != nil {
			out = append(out, s.additional)
		}
		evaluated = evaluated || matched || s.additional != nil
		closed = closed || s.closed
		if s.propertyNames != nil && !g.valid(s.propertyNames, &value{kind: kindString, s: key}) {
			return nil, true
		}
	}
	if closed && !evaluated {
		return nil, true
	}
	for _, s := range out {
		if s.isFalse {
			return nil, true
		}
	}
	return out, false
}

// objectPlan is the merged object constraints of a conjunction.
type objectPlan struct {
	names    []string // declared properties, in declaration order
	required map[string]bool
	minProps int
	maxProps int
}

func planObject(c []*schema) objectPlan {
	p := objectPlan{maxProps: -1, required: map[string]bool{}}
	seen := map[string]bool{}
	for _, s := range c {
		for _, pr := range s.props {
			if !seen[pr.name] {
				seen[pr.name] = true
				p.names = append(p.names, pr.name)
			}
		}
		p.minProps = max(p.minProps, s.minProps)
		if s.maxProps >= 0 && (p.maxProps < 0 || s.maxProps < p.maxProps) {
			p.maxProps = s.maxProps
		}
	}
	// Required but undeclared names are still emitted, after the declared.
	for _, s := range c {
		for _, r := range s.required {
			p.required[r] = true
			if !seen[r] {
				seen[r] = true
				p.names = append(p.names, r)
			}
		}
	}
	return p
}
