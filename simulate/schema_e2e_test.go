package simulate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaTable covers every construct the issue names for tool parameters
// and structured output.
var schemaTable = map[string]string{
	"scalar types":                      `{"type":"object","properties":{"s":{"type":"string"},"i":{"type":"integer"},"n":{"type":"number"},"b":{"type":"boolean"}},"required":["s","i","n","b"]}`,
	"type array with null":              `{"type":"object","properties":{"maybe":{"type":["string","null"]},"count":{"type":["integer","null"],"minimum":0}},"required":["maybe","count"],"additionalProperties":false}`,
	"enum and const":                    `{"type":"object","properties":{"unit":{"type":"string","enum":["celsius","fahrenheit"]},"v":{"const":"v1"},"mixed":{"enum":[1,"two",null,true]}},"required":["unit","v","mixed"]}`,
	"nested objects and arrays":         `{"type":"object","properties":{"order":{"type":"object","properties":{"id":{"type":"string"},"items":{"type":"array","minItems":1,"maxItems":3,"items":{"type":"object","properties":{"sku":{"type":"string"},"qty":{"type":"integer","minimum":1}},"required":["sku","qty"],"additionalProperties":false}}},"required":["id","items"],"additionalProperties":false}},"required":["order"],"additionalProperties":false}`,
	"ref and defs":                      `{"type":"object","$defs":{"point":{"type":"object","properties":{"x":{"type":"number"},"y":{"type":"number"}},"required":["x","y"],"additionalProperties":false}},"properties":{"from":{"$ref":"#/$defs/point"},"to":{"$ref":"#/$defs/point"}},"required":["from","to"]}`,
	"recursive ref":                     `{"type":"object","$defs":{"node":{"type":"object","properties":{"name":{"type":"string"},"children":{"type":"array","items":{"$ref":"#/$defs/node"}}},"required":["name","children"],"additionalProperties":false}},"properties":{"root":{"$ref":"#/$defs/node"}},"required":["root"]}`,
	"anyOf":                             `{"type":"object","properties":{"id":{"anyOf":[{"type":"string","pattern":"^u-[0-9]{4}$"},{"type":"integer","minimum":1000}]}},"required":["id"]}`,
	"oneOf discriminated":               `{"type":"object","properties":{"shape":{"oneOf":[{"type":"object","properties":{"kind":{"const":"circle"},"r":{"type":"number","exclusiveMinimum":0}},"required":["kind","r"],"additionalProperties":false},{"type":"object","properties":{"kind":{"const":"square"},"side":{"type":"number","exclusiveMinimum":0}},"required":["kind","side"],"additionalProperties":false}]}},"required":["shape"]}`,
	"additionalProperties false strict": `{"type":"object","properties":{"a":{"type":"string"},"b":{"type":["number","null"]}},"required":["a","b"],"additionalProperties":false}`,
	"string formats":                    `{"type":"object","properties":{"when":{"type":"string","format":"date-time"},"day":{"type":"string","format":"date"},"mail":{"type":"string","format":"email"},"site":{"type":"string","format":"uri"},"id":{"type":"string","format":"uuid"},"ip":{"type":"string","format":"ipv4"}},"required":["when","day","mail","site","id","ip"]}`,
	"bounds and patterns":               `{"type":"object","properties":{"code":{"type":"string","pattern":"^[A-Z]{3}-\\d{4}$"},"name":{"type":"string","minLength":3,"maxLength":8},"pct":{"type":"number","minimum":0,"maximum":1},"step":{"type":"integer","multipleOf":5},"tags":{"type":"array","items":{"type":"string"},"uniqueItems":true,"minItems":2}},"required":["code","name","pct","step","tags"]}`,
	"allOf":                             `{"allOf":[{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]},{"properties":{"b":{"type":"string"}},"required":["b"]}]}`,
}

func compileSchema(t *testing.T, schema string) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(schema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("mem:///s.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("mem:///s.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validateJSON(t *testing.T, s *jsonschema.Schema, what, doc string) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
	if err != nil {
		t.Fatalf("%s is not JSON: %v: %s", what, err, doc)
	}
	if err := s.Validate(v); err != nil {
		t.Fatalf("%s does not satisfy the schema: %v\n%s", what, err, doc)
	}
}

// Tool arguments and structured output satisfy the request's schema, for
// every construct, through every endpoint that takes a schema, over many
// seeds.
func TestAnswersSatisfyRequestSchemas(t *testing.T) {
	for name, schema := range schemaTable {
		t.Run(name, func(t *testing.T) {
			s := compileSchema(t, schema)
			for seed := range 25 {
				user := fmt.Sprintf(`[{"role":"user","content":"case %d"}]`, seed)
				chatTool := call(t, testConfig(), "openai", "POST", "/v1/chat/completions",
					`{"model":"m","messages":`+user+`,"tool_choice":"required","tools":[{"type":"function","function":{"name":"f","parameters":`+schema+`}}]}`)
				validateJSON(t, s, "chat tool arguments", field(t, chatTool.Body.Bytes(), "choices", 0, "message", "tool_calls", 0, "function", "arguments"))
				chatJSON := call(t, testConfig(), "openai", "POST", "/v1/chat/completions",
					`{"model":"m","messages":`+user+`,"response_format":{"type":"json_schema","json_schema":{"name":"out","schema":`+schema+`}}}`)
				validateJSON(t, s, "chat json_schema content", field(t, chatJSON.Body.Bytes(), "choices", 0, "message", "content"))
				resp := call(t, testConfig(), "openai", "POST", "/v1/responses",
					`{"model":"m","input":`+user+`,"tool_choice":"required","tools":[{"type":"function","name":"f","parameters":`+schema+`}]}`)
				validateJSON(t, s, "responses function arguments", field(t, resp.Body.Bytes(), "output", 0, "arguments"))
				msg := call(t, testConfig(), "anthropic", "POST", "/v1/messages",
					`{"model":"c","max_tokens":4000,"messages":`+user+`,"tool_choice":{"type":"any"},"tools":[{"name":"f","input_schema":`+schema+`}]}`)
				validateJSON(t, s, "anthropic tool_use input", rawField(t, msg.Body.Bytes(), "content", 0, "input"))
			}
		})
	}
}

// field follows a path of keys and indexes to a string value.
func field(t *testing.T, body []byte, path ...any) string {
	t.Helper()
	var s string
	if err := json.Unmarshal([]byte(rawField(t, body, path...)), &s); err != nil {
		t.Fatalf("%v in %s is not a string", path, body)
	}
	return s
}

// rawField follows a path of keys and indexes to a raw JSON value.
func rawField(t *testing.T, body []byte, path ...any) string {
	t.Helper()
	cur := json.RawMessage(body)
	for _, p := range path {
		switch k := p.(type) {
		case string:
			var m map[string]json.RawMessage
			if json.Unmarshal(cur, &m) != nil || m[k] == nil {
				t.Fatalf("no %q on the path %v in %s", k, path, body)
			}
			cur = m[k]
		case int:
			var a []json.RawMessage
			if json.Unmarshal(cur, &a) != nil || len(a) <= k {
				t.Fatalf("no [%d] on the path %v in %s", k, path, body)
			}
			cur = a[k]
		}
	}
	return string(bytes.TrimSpace(cur))
}
