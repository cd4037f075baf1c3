package schemagen

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

func rng(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, seed*0x9e3779b97f4a7c15+1))
}

// compileRef compiles schema with the reference validator, asserting
// formats.
func compileRef(t testing.TB, schema string) *jsonschema.Schema {
	t.Helper()
	sch, err := tryCompileRef([]byte(schema))
	if err != nil {
		t.Fatalf("reference validator rejects schema: %v\n%s", err, schema)
	}
	return sch
}

func tryCompileRef(schema []byte) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("mem://schema.json", doc); err != nil {
		return nil, err
	}
	return c.Compile("mem://schema.json")
}

// validateRef validates out with the reference validator.
func validateRef(sch *jsonschema.Schema, out []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

// keysInOrder returns the top-level keys of a JSON object in order.
func keysInOrder(t testing.TB, out []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(out))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", out)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}
