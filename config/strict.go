package config

import (
	"maps"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/llm-simulator/llm-simulator/config/units"
	"github.com/llm-simulator/llm-simulator/faults"
	"gopkg.in/yaml.v3"
)

// yaml.v3's KnownFields does not reach inside custom unmarshalers and
// reports no columns, so the schema is checked here first, by walking the
// node tree alongside the Go types: every mapping key must name a field,
// every scalar must fit its field's kind. Types with their own
// UnmarshalYAML are left to check themselves.
//
// Every problem of the file is reported, not only the schema's: what the
// schema refuses is reported here and taken out of the tree — an unknown
// key with its value, a value of the wrong kind replaced by null, a fault
// with any problem dropped from its list — so that decoding and the
// checks after it go on over the rest without tripping on it again.

var (
	unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()
	faultSpecType   = reflect.TypeFor[FaultSpec]()
	durationType    = reflect.TypeFor[units.Duration]()
	sizeType        = reflect.TypeFor[units.Size]()
)

// checkSchema reports what of n does not fit t and prunes it below n; it
// returns false when n itself cannot be decoded into t, for the caller to
// replace.
func checkSchema(n *yaml.Node, t reflect.Type, path string, e *errs) bool {
	n = resolved(n)
	if isNull(n) {
		return true
	}
	if t == durationType || t == sizeType {
		// Checked here, not at decode, so the message can name the field.
		var err error
		if t == durationType {
			err = new(units.Duration).UnmarshalYAML(n)
		} else {
			err = new(units.Size).UnmarshalYAML(n)
		}
		for _, m := range units.Messages(err) {
			e.at(n, "%s: %s", path, units.WithoutPosition(m))
		}
		return err == nil
	}
	if t == faultSpecType {
		return checkFault(n, path, e)
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return true
	}
	switch t.Kind() {
	case reflect.Pointer:
		return checkSchema(n, t.Elem(), path, e)
	case reflect.Struct:
		return checkStruct(n, t, path, e)
	case reflect.Slice:
		return checkSlice(n, t, path, e)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			e.at(n, "%s: expected a mapping, got %s", path, describe(n))
			return false
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if !checkSchema(n.Content[i+1], t.Elem(), join(path, n.Content[i].Value), e) {
				n.Content[i+1] = e.prunedNull(n.Content[i+1])
			}
		}
		return true
	}
	return checkScalar(n, t, path, e)
}

func checkSlice(n *yaml.Node, t reflect.Type, path string, e *errs) bool {
	if n.Kind != yaml.SequenceNode {
		e.at(n, "%s: expected a list, got %s", path, describe(n))
		return false
	}
	kept := n.Content[:0:0]
	for i, c := range n.Content {
		before := len(e.list)
		ok := checkSchema(c, t.Elem(), path+"["+strconv.Itoa(i)+"]", e)
		switch {
		case t.Elem() == faultSpecType && len(e.list) > before:
			// A fault with a problem is left out whole: built without
			// its bad part it would only be reported again.
			continue
		case !ok:
			c = e.prunedNull(c)
		}
		kept = append(kept, c)
	}
	n.Content = kept
	return true
}

func checkStruct(n *yaml.Node, t reflect.Type, path string, e *errs) bool {
	return checkFields(n, yamlFields(t), path, e)
}

// checkFields checks a mapping whose keys are those of fields.
func checkFields(n *yaml.Node, fields map[string]reflect.Type, path string, e *errs) bool {
	value := func(key string) (func(v *yaml.Node, path string) bool, bool) {
		ft, known := fields[key]
		return func(v *yaml.Node, path string) bool { return checkSchema(v, ft, path, e) }, known
	}
	unknown := func(k *yaml.Node) {
		e.at(k, "unknown field %q in %s (known: %s)", k.Value, orTop(path), knownFields(fields))
	}
	return checkMapping(n, path, e, value, unknown)
}

// checkFault checks a fault: a mapping whose keys are fault types of the
// registry, each value the fault's options beside the gate's keys. A
// fault whose value is not a mapping of options (latency: a
// distribution) checks itself as it decodes.
func checkFault(n *yaml.Node, path string, e *errs) bool {
	value := func(kind string) (func(v *yaml.Node, path string) bool, bool) {
		factory, known := faults.Lookup(kind)
		if !known {
			return nil, false
		}
		t := reflect.TypeOf(factory())
		return func(v *yaml.Node, path string) bool {
			v = resolved(v)
			return isNull(v) || t.Implements(unmarshalerType) || checkFields(v, faultFields(t.Elem()), path, e)
		}, true
	}
	unknown := func(k *yaml.Node) {
		e.at(k, "unknown fault type %q (one of %s)", k.Value, strings.Join(slices.Sorted(slices.Values(faults.Kinds())), ", "))
	}
	return checkMapping(n, path, e, value, unknown)
}

// checkMapping checks a mapping's keys and values, and prunes what it
// refuses: a key set twice, one value does not know (reported by
// unknown), a value its check refuses (replaced by null).
func checkMapping(n *yaml.Node, path string, e *errs, value func(key string) (check func(v *yaml.Node, path string) bool, known bool), unknown func(k *yaml.Node)) bool {
	if n.Kind != yaml.MappingNode {
		e.at(n, "%s: expected a mapping, got %s", orTop(path), describe(n))
		return false
	}
	seen := map[string]bool{}
	kept := n.Content[:0:0]
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		check, known := value(k.Value)
		switch {
		case seen[k.Value]:
			e.at(k, "%s is set twice", join(path, k.Value))
			continue
		case !known:
			unknown(k)
			continue
		}
		seen[k.Value] = true
		if !check(v, join(path, k.Value)) {
			v = e.prunedNull(v)
		}
		kept = append(kept, k, v)
	}
	n.Content = kept
	return true
}

// faultFields are the keys a fault of type t takes: the gate's, and its
// options.
func faultFields(t reflect.Type) map[string]reflect.Type {
	fields := yamlFields(gateType)
	maps.Copy(fields, yamlFields(t))
	return fields
}

func checkScalar(n *yaml.Node, t reflect.Type, path string, e *errs) bool {
	if n.Kind != yaml.ScalarNode {
		e.at(n, "%s: expected %s, got %s", path, kindName(t), describe(n))
		return false
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
	return ok
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

// resolved is the node an alias stands for; n itself when it is none.
func resolved(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode {
		return n.Alias
	}
	return n
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
