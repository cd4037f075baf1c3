package schemagen

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// randomSchema composes a schema from a pool of keyword fragments, to
// explore keyword interactions that hand-written cases miss.
func randomSchema(r *rand.Rand, depth int) string {
	if depth > 3 || r.IntN(8) == 0 {
		return leafSchemas[r.IntN(len(leafSchemas))]
	}
	var parts []string
	switch r.IntN(10) {
	case 8:
		parts = append(parts, `"type":"object"`, fmt.Sprintf(`"properties":{"v":%s,"next":%s}`, randomSchema(r, depth+1),
			pick(r, `{"$ref":"#"}`, `{"anyOf":[{"$ref":"#"},{"type":"null"}]}`, `{"type":"array","items":{"$ref":"#"}}`)),
			pick(r, `"required":["v"]`, `"required":["next"]`, `"required":["v","next"]`, ``))
	case 0:
		parts = append(parts, `"type":"object"`, fmt.Sprintf(`"properties":{"a":%s,"b":%s,"c":%s}`,
			randomSchema(r, depth+1), randomSchema(r, depth+1), randomSchema(r, depth+1)))
		parts = append(parts, pick(r, `"required":["a"]`, `"required":["a","b","c"]`, `"additionalProperties":false`,
			`"minProperties":2`, `"maxProperties":1`, `"patternProperties":{"^x":{"type":"integer"}}`,
			`"additionalProperties":{"type":"boolean"}`, `"dependentRequired":{"a":["c"]}`, `"propertyNames":{"maxLength":2}`))
	case 1:
		parts = append(parts, `"type":"array"`, `"items":`+randomSchema(r, depth+1))
		parts = append(parts, pick(r, `"minItems":2`, `"maxItems":1`, `"uniqueItems":true`, `"contains":`+randomSchema(r, depth+1),
			`"prefixItems":[`+randomSchema(r, depth+1)+`]`, `"minItems":1,"maxItems":3`))
	case 2:
		parts = append(parts, `"anyOf":[`+randomSchema(r, depth+1)+`,`+randomSchema(r, depth+1)+`]`)
	case 3:
		parts = append(parts, `"oneOf":[`+randomSchema(r, depth+1)+`,`+randomSchema(r, depth+1)+`]`)
	case 4:
		parts = append(parts, `"allOf":[`+randomSchema(r, depth+1)+`,`+randomSchema(r, depth+1)+`]`)
	case 5:
		parts = append(parts, `"not":`+randomSchema(r, depth+1))
	case 6:
		parts = append(parts, `"if":`+randomSchema(r, depth+1), `"then":`+randomSchema(r, depth+1), `"else":`+randomSchema(r, depth+1))
	case 7:
		parts = append(parts, `"$ref":"#/$defs/d"`)
	default:
		parts = append(parts, inner(leafSchemas[r.IntN(len(leafSchemas))]), inner(leafSchemas[r.IntN(len(leafSchemas))]))
	}
	var nonEmpty []string
	for _, p := range parts {
		if p != "" {
			nonEmpty = append(nonEmpty, p)
		}
	}
	return "{" + strings.Join(dedupeKeys(nonEmpty), ",") + "}"
}

// dedupeKeys drops fragments whose leading key repeats, keeping the JSON
// free of duplicate keys (which validators resolve differently).
func dedupeKeys(parts []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range parts {
		k := p[:strings.IndexByte(p[1:], '"')+2]
		if !seen[k] {
			seen[k] = true
			out = append(out, p)
		}
	}
	return out
}

// inner strips one pair of braces; "true" contributes nothing.
func inner(s string) string {
	if s == "true" {
		return ""
	}
	return strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
}

func pick(r *rand.Rand, xs ...string) string { return xs[r.IntN(len(xs))] }

var leafSchemas = []string{
	`{}`, `true`, `{"type":"string"}`, `{"type":"integer"}`, `{"type":"number"}`, `{"type":"boolean"}`, `{"type":"null"}`,
	`{"type":["string","null"]}`, `{"type":"integer","minimum":3,"maximum":9}`, `{"type":"number","exclusiveMaximum":0}`,
	`{"type":"integer","multipleOf":4}`, `{"type":"number","multipleOf":0.25,"minimum":1}`, `{"enum":["x","y",1,null]}`,
	`{"const":"fixed"}`, `{"type":"string","minLength":3,"maxLength":6}`, `{"type":"string","pattern":"^[a-c]{2}[0-9]?$"}`,
	`{"type":"string","format":"date"}`, `{"type":"string","format":"email"}`, `{"type":"string","format":"ipv6"}`,
	`{"type":"string","format":"uri"}`, `{"type":"array"}`, `{"type":"object"}`, `{"minimum":5}`, `{"maxLength":2}`,
	`{"type":"integer","not":{"const":3},"minimum":2,"maximum":4}`, `{"not":{"type":"integer"}}`,
}

// TestRandomSchemas checks generated output against the reference
// validator on a few thousand composed schemas. Unsatisfiable compositions
// are expected; the test only requires that every successful output
// validates and that most schemas succeed.
func TestRandomSchemas(t *testing.T) {
	r := rng(99)
	n, failed := 800, 0
	if testing.Short() {
		n = 300
	}
	for i := range n {
		body := randomSchema(r, 0)
		schema := `{"$defs":{"d":` + leafSchemas[i%len(leafSchemas)] + `},` + strings.TrimPrefix(body, "{")
		if body == "true" || body == "{}" {
			schema = `{"$defs":{"d":{}}}`
		}
		sch, err := tryCompileRef([]byte(schema))
		if err != nil {
			t.Fatalf("composed schema rejected by reference validator: %v\n%s", err, schema)
		}
		for seed := range uint64(3) {
			out, err := Generate([]byte(schema), rng(seed), Options{})
			if err != nil {
				if !errors.Is(err, ErrUnsatisfiable) {
					t.Fatalf("unexpected error kind: %v\n%s", err, schema)
				}
				failed++
				continue
			}
			if err := validateRef(sch, out); err != nil {
				t.Fatalf("output does not validate:\nschema %s\noutput %s\n%v", schema, out, err)
			}
		}
	}
	t.Logf("%d of %d generations reported unsatisfiable", failed, n*3)
}
