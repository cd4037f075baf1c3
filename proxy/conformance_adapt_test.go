package proxy

import (
	"encoding/json"
	"reflect"
	"testing"
)

// OpenAI's spec says "openapi: 3.1.0" (JSON Schema draft 2020-12) but still
// marks some schemas with OpenAPI 3.0's "nullable: true", which a 2020-12
// validator ignores: without help, a null where the spec allows one would
// be rejected. confAdaptSchemas rewrites the loaded document in memory,
// before compiling, and changes nothing else:
//
//   - {…, nullable: true} becomes {anyOf: [{…}, {type: "null"}]}. Wrapping
//     (rather than adding "null" to "type") keeps it right when the schema
//     is a $ref with siblings, has an enum (which would reject null), or
//     has no type at all. nullable: false is dropped; it meant nothing.
//   - $recursiveRef "#" (draft 2019-09) inside a component that declares
//     $recursiveAnchor becomes a $ref to that component. 2020-12 does not
//     know $recursiveRef and would treat it as "anything", which makes the
//     oneOf around it (CompoundFilter's filters) reject every valid
//     comparison filter; in the standalone schema the author wrote, "#"
//     is the component itself.
//
// Left as they are, on purpose: additionalProperties (absent means any
// extra member is allowed, as the spec says), discriminator, example and
// x-* (unknown keywords are annotations), format (an annotation in
// 2020-12).

// confAdaptCounts says how many schemas each rewrite touched.
type confAdaptCounts struct {
	Nullable      int // nullable: true wrapped in anyOf
	NullableRef   int // … of which had a $ref sibling
	NullableEnum  int // … of which had an enum
	NullableFalse int // nullable: false dropped
	RecursiveRef  int // $recursiveRef resolved to its component
}

// Keywords whose value is a schema, a list of schemas, or a map of
// schemas. Only these are walked, so an example or default that happens
// to contain "nullable" is never touched.
var (
	confSchemaKeys     = []string{"items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames", "unevaluatedProperties", "unevaluatedItems", "contentSchema"}
	confSchemaListKeys = []string{"allOf", "anyOf", "oneOf", "prefixItems"}
	confSchemaMapKeys  = []string{"properties", "patternProperties", "$defs", "dependentSchemas"}
)

// confAdaptSchemas rewrites components.schemas in place.
func confAdaptSchemas(schemas map[string]any) confAdaptCounts {
	var n confAdaptCounts
	for name, sch := range schemas {
		self := ""
		if m, ok := sch.(map[string]any); ok && m["$recursiveAnchor"] == true {
			self = "#/components/schemas/" + name
			delete(m, "$recursiveAnchor")
		}
		schemas[name] = confAdapt(sch, self, &n)
	}
	return n
}

// confAdapt rewrites one schema and its subschemas, returning the schema
// to put in its place. self is the enclosing $recursiveAnchor component.
func confAdapt(v any, self string, n *confAdaptCounts) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v // a boolean schema
	}
	for _, k := range confSchemaKeys {
		if sub, ok := m[k]; ok {
			if list, ok := sub.([]any); ok { // items as a list, pre-2020
				confAdaptList(list, self, n)
				continue
			}
			m[k] = confAdapt(sub, self, n)
		}
	}
	for _, k := range confSchemaListKeys {
		if list, ok := m[k].([]any); ok {
			confAdaptList(list, self, n)
		}
	}
	for _, k := range confSchemaMapKeys {
		if subs, ok := m[k].(map[string]any); ok {
			for name, sub := range subs {
				subs[name] = confAdapt(sub, self, n)
			}
		}
	}
	if ref, ok := m["$recursiveRef"].(string); ok && ref == "#" && self != "" {
		delete(m, "$recursiveRef")
		m["$ref"] = self
		n.RecursiveRef++
	}
	nullable, ok := m["nullable"].(bool)
	if !ok {
		return m
	}
	delete(m, "nullable")
	if !nullable {
		n.NullableFalse++
		return m
	}
	n.Nullable++
	if _, ok := m["$ref"]; ok {
		n.NullableRef++
	}
	if _, ok := m["enum"]; ok {
		n.NullableEnum++
	}
	return map[string]any{"anyOf": []any{m, map[string]any{"type": "null"}}}
}

func confAdaptList(list []any, self string, n *confAdaptCounts) {
	for i := range list {
		list[i] = confAdapt(list[i], self, n)
	}
}

// TestConformanceAdapt pins the rewrites on small schemas, spec or no spec.
func TestConformanceAdapt(t *testing.T) {
	tests := []struct {
		name, in, want string
		schema         string // the component holding in
	}{
		{name: "plain nullable",
			in:   `{"type":"integer","nullable":true,"minimum":0}`,
			want: `{"anyOf":[{"type":"integer","minimum":0},{"type":"null"}]}`},
		{name: "ref sibling",
			in:   `{"$ref":"#/components/schemas/Usage","nullable":true}`,
			want: `{"anyOf":[{"$ref":"#/components/schemas/Usage"},{"type":"null"}]}`},
		{name: "enum",
			in:   `{"type":"string","enum":["stop","length"],"nullable":true}`,
			want: `{"anyOf":[{"type":"string","enum":["stop","length"]},{"type":"null"}]}`},
		{name: "nested in properties and allOf",
			in:   `{"properties":{"a":{"allOf":[{"$ref":"#/x"},{"nullable":true}]}}}`,
			want: `{"properties":{"a":{"allOf":[{"$ref":"#/x"},{"anyOf":[{},{"type":"null"}]}]}}}`},
		{name: "nullable false dropped",
			in:   `{"type":"string","nullable":false}`,
			want: `{"type":"string"}`},
		{name: "a property named nullable is a schema, not the keyword",
			in:   `{"properties":{"nullable":{"type":"boolean"}}}`,
			want: `{"properties":{"nullable":{"type":"boolean"}}}`},
		{name: "examples untouched",
			in:   `{"type":"object","example":{"nullable":true}}`,
			want: `{"type":"object","example":{"nullable":true}}`},
		{name: "additionalProperties kept as written",
			in:   `{"type":"object","additionalProperties":false}`,
			want: `{"type":"object","additionalProperties":false}`},
		{name: "recursive ref", schema: "Filter",
			in:   `{"$recursiveAnchor":true,"properties":{"filters":{"items":{"oneOf":[{"$ref":"#/c"},{"$recursiveRef":"#"}]}}}}`,
			want: `{"properties":{"filters":{"items":{"oneOf":[{"$ref":"#/c"},{"$ref":"#/components/schemas/Filter"}]}}}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			name := tc.schema
			if name == "" {
				name = "S"
			}
			var in, want any
			if err := json.Unmarshal([]byte(tc.in), &in); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
				t.Fatal(err)
			}
			schemas := map[string]any{name: in}
			confAdaptSchemas(schemas)
			if !reflect.DeepEqual(schemas[name], want) {
				got, _ := json.Marshal(schemas[name])
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}
