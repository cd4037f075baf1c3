package rules

import (
	"reflect"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// yaml.v3's KnownFields does not reach inside custom unmarshalers and
// reports no columns, so the schema is checked here first, by walking the
// node tree alongside the Go types: every mapping key must name a field,
// every scalar must fit its field's kind. Types with their own
// UnmarshalYAML are left to check themselves.

var (
	unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()
	faultSpecType   = reflect.TypeFor[FaultSpec]()
	durationType    = reflect.TypeFor[Duration]()
	sizeType        = reflect.TypeFor[Size]()
)

func checkSchema(n *yaml.Node, t reflect.Type, path string, e *errs) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if isNull(n) {
		return
	}
	if t == durationType || t == sizeType {
		// Checked here, not at decode, so the message can name the field.
		var err error
		if t == durationType {
			err = new(Duration).UnmarshalYAML(n)
		} else {
			err = new(Size).UnmarshalYAML(n)
		}
		for _, m := range messages(err) {
			e.at(n, "%s: %s", path, ownPos.ReplaceAllString(m, ""))
		}
		return
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		checkSchema(n, t.Elem(), path, e)
	case reflect.Struct:
		checkStruct(n, t, path, e)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			e.at(n, "%s: expected a list, got %s", path, describe(n))
			return
		}
		for i, c := range n.Content {
			checkSchema(c, t.Elem(), path+"["+strconv.Itoa(i)+"]", e)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			e.at(n, "%s: expected a mapping, got %s", path, describe(n))
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			checkSchema(n.Content[i+1], t.Elem(), join(path, n.Content[i].Value), e)
		}
	default:
		checkScalar(n, t, path, e)
	}
}

func checkStruct(n *yaml.Node, t reflect.Type, path string, e *errs) {
	if n.Kind != yaml.MappingNode {
		e.at(n, "%s: expected a mapping, got %s", orTop(path), describe(n))
		return
	}
	fields := yamlFields(t)
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			e.at(k, "%s is set twice", join(path, k.Value))
		}
		seen[k.Value] = true
		ft, ok := fields[k.Value]
		if !ok {
			if t == faultSpecType {
				e.at(k, "unknown fault type %q (one of %s)", k.Value, knownFields(fields))
				continue
			}
			e.at(k, "unknown field %q in %s (known: %s)", k.Value, orTop(path), knownFields(fields))
			continue
		}
		checkSchema(v, ft, join(path, k.Value), e)
	}
}

func checkScalar(n *yaml.Node, t reflect.Type, path string, e *errs) {
	if n.Kind != yaml.ScalarNode {
		e.at(n, "%s: expected %s, got %s", path, kindName(t), describe(n))
		return
	}
	tag := n.ShortTag()
	ok := true
	switch t.Kind() {
	case reflect.Bool:
		ok = tag == "!!bool"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		ok = tag == "!!int"
	case reflect.Float32, reflect.Float64:
		ok = tag == "!!int" || tag == "!!float"
	}
	if !ok {
		e.at(n, "%s: expected %s, got %q", path, kindName(t), n.Value)
	}
}

// yamlFields maps each key a struct accepts to its field's type, inline
// structs included.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		switch {
		case name == "-" || !f.IsExported():
			continue
		case strings.Contains(opts, "inline"):
			for k, v := range yamlFields(f.Type) {
				out[k] = v
			}
			continue
		case name == "":
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

func knownFields(fields map[string]reflect.Type) string {
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return "\"" + n.Value + "\""
}

func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "an integer"
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func orTop(path string) string {
	if path == "" {
		return "the top level"
	}
	return path
}
