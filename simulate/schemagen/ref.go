package schemagen

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// compiler turns a parsed document into compiled schemas.
type compiler struct {
	root    *value
	memo    map[*value]*schema
	bases   map[*value]string // base URI of every schema object
	ids     map[string]*value // resource URI (no fragment) -> node
	anchors map[string]*value // "uri#name" -> node
	regexps map[string]*pattern
	draft4  bool // "id" instead of "$id"
}

// subschema keywords by shape, used to find $id/$anchor only where they
// are identifiers (not inside const/enum/default data).
var (
	singleKeys = [...]string{"additionalProperties", "additionalItems", "items", "not", "if", "then",
		"else", "contains", "propertyNames", "unevaluatedProperties", "unevaluatedItems", "contentSchema"}
	listKeys = [...]string{"allOf", "anyOf", "oneOf", "prefixItems", "items"}
	mapKeys  = [...]string{"properties", "patternProperties", "$defs", "definitions",
		"dependentSchemas", "dependencies"}
)

func newCompiler(root *value) *compiler {
	c := &compiler{
		root: root, memo: map[*value]*schema{}, bases: map[*value]string{},
		ids: map[string]*value{}, anchors: map[string]*value{}, regexps: map[string]*pattern{},
	}
	if sv := root.get("$schema"); sv != nil && sv.kind == kindString {
		c.draft4 = strings.Contains(sv.s, "draft-04") || strings.Contains(sv.s, "draft-03")
	}
	return c
}

// index records the base URI of each schema object and the targets of
// $id and $anchor, so that references can be resolved.
func (c *compiler) index(n *value, base string, depth int) error {
	if n.kind != kindObject || depth > maxNesting {
		return nil
	}
	idKey := "$id"
	if c.draft4 {
		idKey = "id"
	}
	if id := n.get(idKey); id != nil && id.kind == kindString {
		abs, err := resolveURI(base, id.s)
		if err != nil {
			return fmt.Errorf("%s %q: %w", idKey, id.s, err)
		}
		doc, frag, _ := strings.Cut(abs, "#")
		if frag != "" && !strings.HasPrefix(frag, "/") {
			c.anchors[doc+"#"+frag] = n // draft-7 style plain-name id
		} else {
			base = doc
			c.ids[doc] = n
		}
	}
	for _, ak := range [...]string{"$anchor", "$dynamicAnchor"} {
		if a := n.get(ak); a != nil && a.kind == kindString {
			c.anchors[base+"#"+a.s] = n
		}
	}
	c.bases[n] = base
	return c.indexChildren(n, base, depth)
}

func (c *compiler) indexChildren(n *value, base string, depth int) error {
	for _, k := range singleKeys {
		if v := n.get(k); v != nil {
			if err := c.index(v, base, depth+1); err != nil {
				return err
			}
		}
	}
	for _, k := range listKeys {
		if v := n.get(k); v != nil && v.kind == kindArray {
			for _, e := range v.arr {
				if err := c.index(e, base, depth+1); err != nil {
					return err
				}
			}
		}
	}
	for _, k := range mapKeys {
		if v := n.get(k); v != nil && v.kind == kindObject {
			for _, m := range v.obj {
				if err := c.index(m.val, base, depth+1); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func resolveURI(base, ref string) (string, error) {
	u, err := url.Parse(ref)
	if err != nil {
		return "", err
	}
	if base == "" {
		return u.String(), nil
	}
	b, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	return b.ResolveReference(u).String(), nil
}

// compileRef resolves $ref (and, approximately, $dynamicRef and
// $recursiveRef, which are treated as static references).
func (c *compiler) compileRef(s *schema, n *value) error {
	for _, k := range [...]string{"$ref", "$dynamicRef", "$recursiveRef"} {
		r := n.get(k)
		if r == nil {
			continue
		}
		if r.kind != kindString {
			return fmt.Errorf("%s must be a string", k)
		}
		target, err := c.resolve(c.bases[n], r.s)
		if err != nil {
			return fmt.Errorf("%s %q: %w", k, r.s, err)
		}
		t, err := c.compile(target)
		if err != nil {
			return fmt.Errorf("%s %q: %w", k, r.s, err)
		}
		if s.ref == nil {
			s.ref = t
		} else {
			s.allOf = append(s.allOf, t)
		}
	}
	return nil
}

// resolve finds the node a reference points to.
func (c *compiler) resolve(base, ref string) (*value, error) {
	u, err := url.Parse(ref)
	if err != nil {
		return nil, err
	}
	frag := u.Fragment
	u.Fragment, u.RawFragment = "", ""
	doc := u.String()
	if base != "" {
		b, err := url.Parse(base)
		if err != nil {
			return nil, err
		}
		doc = b.ResolveReference(u).String()
	}
	node, ok := c.ids[doc]
	if !ok {
		if doc != "" {
			return nil, fmt.Errorf("unresolvable reference (only references within the document are supported)")
		}
		node = c.root
	}
	if frag == "" {
		return node, nil
	}
	if !strings.HasPrefix(frag, "/") {
		if a, ok := c.anchors[doc+"#"+frag]; ok {
			return a, nil
		}
		return nil, fmt.Errorf("unknown anchor %q", frag)
	}
	return pointer(node, frag)
}

// pointer evaluates an RFC 6901 JSON pointer (already percent-decoded).
func pointer(n *value, ptr string) (*value, error) {
	for _, tok := range strings.Split(ptr[1:], "/") {
		if strings.Count(tok, "~") != strings.Count(tok, "~0")+strings.Count(tok, "~1") {
			return nil, fmt.Errorf("bad escape in pointer token %q", tok)
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch n.kind {
		case kindObject:
			next := n.get(tok)
			if next == nil {
				return nil, fmt.Errorf("no member %q", tok)
			}
			n = next
		case kindArray:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.arr) || (len(tok) > 1 && tok[0] == '0') {
				return nil, fmt.Errorf("bad array index %q", tok)
			}
			n = n.arr[i]
		default:
			return nil, fmt.Errorf("cannot descend into %s with %q", kindName(n.kind), tok)
		}
	}
	return n, nil
}
