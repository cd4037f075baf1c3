package schemagen

import (
	"errors"
	"testing"
	"time"
)

// invalidCases must all yield an error: the caller answers them with 400.
var invalidCases = []struct {
	name, schema string
	want         error // nil: any error
}{
	{"truncated_json", `{"type":`, ErrInvalidSchema},
	{"trailing_garbage", `{"type":"string"} x`, ErrInvalidSchema},
	{"two_values", `{} {}`, ErrInvalidSchema},
	{"not_a_schema_array", `[]`, ErrInvalidSchema},
	{"not_a_schema_string", `"string"`, ErrInvalidSchema},
	{"unknown_type", `{"type":"strin"}`, ErrInvalidSchema},
	{"type_number_literal", `{"type":5}`, ErrInvalidSchema},
	{"bad_min_length", `{"type":"string","minLength":-1}`, ErrInvalidSchema},
	{"bad_multiple_of", `{"type":"number","multipleOf":0}`, ErrInvalidSchema},
	{"bad_properties", `{"properties":[]}`, ErrInvalidSchema},
	{"bad_required", `{"required":"a"}`, ErrInvalidSchema},
	{"empty_all_of", `{"allOf":[]}`, ErrInvalidSchema},
	{"missing_ref", `{"$ref":"#/$defs/missing"}`, ErrInvalidSchema},
	{"remote_ref", `{"$ref":"https://example.com/schema.json"}`, ErrInvalidSchema},
	{"bad_pointer_escape", `{"$defs":{"a~b":{}},"$ref":"#/$defs/a~b"}`, ErrInvalidSchema},
	{"bad_percent", `{"$ref":"#/$defs/%zz"}`, ErrInvalidSchema},
	{"unknown_anchor", `{"$ref":"#nope"}`, ErrInvalidSchema},
	{"ref_to_number", `{"$defs":{"n":5},"$ref":"#/$defs/n"}`, ErrInvalidSchema},
	{"lookahead_pattern", `{"type":"string","pattern":"^(?=a)a$"}`, ErrInvalidSchema},
	{"backreference_pattern", `{"type":"string","pattern":"(a)\\1"}`, ErrInvalidSchema},
	{"false_root", `false`, ErrUnsatisfiable},
	{"empty_enum", `{"enum":[]}`, ErrUnsatisfiable},
	{"min_gt_max", `{"type":"integer","minimum":5,"maximum":1}`, ErrUnsatisfiable},
	{"exclusive_equal", `{"type":"number","exclusiveMinimum":1,"exclusiveMaximum":1}`, ErrUnsatisfiable},
	{"no_multiple_in_range", `{"type":"integer","multipleOf":2,"minimum":3,"maximum":3}`, ErrUnsatisfiable},
	{"min_length_gt_max", `{"type":"string","minLength":5,"maxLength":2}`, ErrUnsatisfiable},
	{"min_items_gt_max", `{"type":"array","minItems":3,"maxItems":1}`, ErrUnsatisfiable},
	{"unique_not_enough_values", `{"type":"array","items":{"enum":[1,2]},"uniqueItems":true,"minItems":3}`, ErrUnsatisfiable},
	{"const_wrong_type", `{"const":"a","type":"integer"}`, ErrUnsatisfiable},
	{"const_wrong_format", `{"type":"string","format":"email","const":"nope"}`, ErrUnsatisfiable},
	{"enum_all_filtered", `{"type":"string","enum":["toolong"],"maxLength":3}`, ErrUnsatisfiable},
	{"not_true", `{"not":{}}`, ErrUnsatisfiable},
	{"not_own_type", `{"type":"string","not":{"type":"string"}}`, ErrUnsatisfiable},
	{"all_of_conflict", `{"allOf":[{"type":"string"},{"type":"integer"}]}`, ErrUnsatisfiable},
	{"required_false_property", `{"type":"object","properties":{"a":false},"required":["a"]}`, ErrUnsatisfiable},
	{"required_but_closed", `{"type":"object","required":["a"],"additionalProperties":false}`, ErrUnsatisfiable},
	{"min_properties_closed", `{"type":"object","properties":{"a":{}},"additionalProperties":false,"minProperties":2}`, ErrUnsatisfiable},
	{"max_properties_vs_required", `{"type":"object","required":["a","b"],"maxProperties":1}`, ErrUnsatisfiable},
	{"any_of_all_false", `{"anyOf":[false,false]}`, ErrUnsatisfiable},
	{"one_of_identical", `{"oneOf":[{"type":"string"},{"type":"string"}]}`, ErrUnsatisfiable},
	{"required_infinite_recursion", `{"type":"object","properties":{"next":{"$ref":"#"}},"required":["next"]}`, ErrUnsatisfiable},
	{"pattern_impossible", `{"type":"string","pattern":"^a$","minLength":2}`, ErrUnsatisfiable},
	{"huge_min_length", `{"type":"string","minLength":1000000000}`, ErrUnsatisfiable},
	{"huge_min_items", `{"type":"array","minItems":100000}`, ErrUnsatisfiable},
	{"tuple_closed_too_short", `{"type":"array","prefixItems":[{}],"items":false,"minItems":2}`, ErrUnsatisfiable},
	{"ref_cycle", `{"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"}`, ErrUnsatisfiable},
}

func TestInvalidSchemas(t *testing.T) {
	for _, tc := range invalidCases {
		t.Run(tc.name, func(t *testing.T) {
			for seed := range uint64(5) {
				out, err := Generate([]byte(tc.schema), rng(seed), Options{})
				if err == nil {
					t.Fatalf("seed %d: no error, got %s", seed, out)
				}
				if tc.want != nil && !errors.Is(err, tc.want) {
					t.Fatalf("seed %d: error %v does not wrap %v", seed, err, tc.want)
				}
			}
		})
	}
}

// TestPathologicalIsBounded: schemas that defeat the generator must fail
// fast, since a client can send them on every request.
func TestPathologicalIsBounded(t *testing.T) {
	schemas := []string{
		`{"type":"object","properties":{"v":{"type":"number"},"next":{"$ref":"#"}},"required":["v","next"]}`,
		`{"type":"array","minItems":4096,"items":{"type":"array","minItems":4096}}`,
		`{"type":"array","minItems":50,"items":{"type":"string","minLength":65536}}`,
		`{"oneOf":[{"type":"integer"},{"type":"number"}],"not":{"anyOf":[{"type":"number","multipleOf":0.01}]}}`,
		`{"anyOf":[{"$ref":"#"},{"$ref":"#"},{"$ref":"#"}],"not":{"type":"object"}}`,
	}
	for _, s := range schemas {
		start := time.Now()
		for seed := range uint64(3) {
			_, _ = Generate([]byte(s), rng(seed), Options{})
		}
		// generous: the race detector and a busy machine slow this 10x
		if d := time.Since(start) / 3; d > 5*time.Second {
			t.Errorf("%s took %v per call", s, d)
		}
	}
}
