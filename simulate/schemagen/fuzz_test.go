package schemagen

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
	jskind "github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// FuzzGenerate feeds arbitrary bytes as a schema. Generate must never
// panic, must emit valid JSON, and whenever it succeeds on a schema the
// reference validator also compiles, the output must validate — except
// for the keywords listed in refCheckExempt, whose semantics the
// generator deliberately approximates (see doc.go).
func FuzzGenerate(f *testing.F) {
	for _, tc := range validCases {
		f.Add([]byte(tc.schema), uint64(1))
	}
	for _, tc := range invalidCases {
		f.Add([]byte(tc.schema), uint64(2))
	}
	r := rng(5)
	for range 40 {
		f.Add([]byte(randomSchema(r, 0)), uint64(3))
	}
	f.Fuzz(func(t *testing.T, schema []byte, seed uint64) {
		// generateDoc rather than Generate: the latter recovers panics.
		out, err := generateDoc(schema, rng(seed), Options{})
		if err != nil {
			return
		}
		if !json.Valid(out) || !utf8.Valid(out) {
			t.Fatalf("invalid JSON output %q", out)
		}
		if refCheckExempt(schema) {
			return
		}
		sch, err := tryCompileRef(schema)
		if err != nil {
			return
		}
		if err := validateRef(sch, out); err != nil && !refCycle(err) {
			t.Fatalf("output does not validate:\nschema %s\noutput %s\n%v", schema, out, err)
		}
	})
}

// refCheckExempt lists inputs where generator and reference validator
// legitimately disagree:
//   - "nullable": OpenAPI 3.0 semantics, which standard validators ignore;
//   - "unevaluated": annotation-based keywords the generator approximates;
//   - "$dynamicRef"/"$recursiveRef": treated as static references;
//   - "$schema": draft-specific keyword sets (e.g. prefixItems in 2019-09)
//     are not tracked; the generator reads every keyword of every draft.
func refCheckExempt(schema []byte) bool {
	for _, kw := range []string{"nullable", "unevaluated", "$dynamicRef", "$recursiveRef", "$schema"} {
		if bytes.Contains(schema, []byte(kw)) {
			return true
		}
	}
	return false
}

// refCycle reports the reference validator's refusal to evaluate a
// reference cycle that consumes no input; such schemas have no meaning.
func refCycle(err error) bool {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	var walk func(*jsonschema.ValidationError) bool
	walk = func(e *jsonschema.ValidationError) bool {
		if _, ok := e.ErrorKind.(*jskind.RefCycle); ok {
			return true
		}
		for _, c := range e.Causes {
			if walk(c) {
				return true
			}
		}
		return false
	}
	return walk(ve)
}
