package proxy

// The raw Messages event stream, checked against a hand-written schema of
// the documented event shapes and the documented event order. The SDK
// skips pings and forgives missing fields, so this reads the wire itself.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/simulate"
)

// sdkKind is the schema of one JSON value: its allowed JSON types and,
// for objects, the shape of its members.
type sdkKind struct {
	types    []string            // "string", "integer", "boolean", "null", "object", "array"
	enum     []string            // allowed string values, when not empty
	shape    sdkShape            // members of an object
	byType   map[string]sdkShape // members of an object, chosen by its "type"
	optional bool                // the member may be absent
}

// sdkShape maps an object's known members to their kinds. A member not in
// the shape is reported: the simulator should send nothing undocumented.
type sdkShape map[string]sdkKind

func sdkType(types ...string) sdkKind { return sdkKind{types: types} }
func sdkOneOf(values ...string) sdkKind {
	return sdkKind{types: []string{"string"}, enum: values}
}
func sdkObject(s sdkShape) sdkKind                { return sdkKind{types: []string{"object"}, shape: s} }
func sdkTagged(m map[string]sdkShape) sdkKind     { return sdkKind{types: []string{"object"}, byType: m} }
func sdkOptional(k sdkKind) sdkKind               { k.optional = true; return k }
func sdkWithType(typ string, s sdkShape) sdkShape { s["type"] = sdkOneOf(typ); return s }

var sdkStopReasons = []string{"end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", "refusal"}

// sdkAnthropicEvents is the documented shape of each stream event
// (https://docs.anthropic.com/en/docs/build-with-claude/streaming, and the
// SDK's MessageStreamEventUnion variants).
var sdkAnthropicEvents = map[string]sdkShape{
	"message_start": {
		"message": sdkObject(sdkShape{
			"id":            sdkType("string"),
			"type":          sdkOneOf("message"),
			"role":          sdkOneOf("assistant"),
			"model":         sdkType("string"),
			"content":       sdkType("array"),
			"stop_reason":   sdkType("null"),
			"stop_sequence": sdkType("null"),
			"usage": sdkObject(sdkShape{
				"input_tokens":                sdkType("integer"),
				"output_tokens":               sdkType("integer"),
				"cache_creation_input_tokens": sdkType("integer", "null"),
				"cache_read_input_tokens":     sdkType("integer", "null"),
				"cache_creation": sdkOptional(sdkObject(sdkShape{
					"ephemeral_5m_input_tokens": sdkType("integer"),
					"ephemeral_1h_input_tokens": sdkType("integer"),
				})),
				"service_tier":          sdkOptional(sdkOneOf("standard", "priority", "batch")),
				"server_tool_use":       sdkOptional(sdkType("object", "null")),
				"output_tokens_details": sdkOptional(sdkType("object", "null")),
				"inference_geo":         sdkOptional(sdkType("string", "null")),
				"speed":                 sdkOptional(sdkType("string", "null")),
			}),
			"container":    sdkOptional(sdkType("object", "null")),
			"stop_details": sdkOptional(sdkType("object", "null")),
			"diagnostics":  sdkOptional(sdkType("object", "null")),
		}),
	},
	"content_block_start": {
		"index": sdkType("integer"),
		"content_block": sdkTagged(map[string]sdkShape{
			"text":     {"text": sdkType("string"), "citations": sdkOptional(sdkType("array", "null"))},
			"tool_use": {"id": sdkType("string"), "name": sdkType("string"), "input": sdkType("object")},
			"thinking": {"thinking": sdkType("string"), "signature": sdkType("string")},
		}),
	},
	"ping": {},
	"content_block_delta": {
		"index": sdkType("integer"),
		"delta": sdkTagged(map[string]sdkShape{
			"text_delta":       {"text": sdkType("string")},
			"input_json_delta": {"partial_json": sdkType("string")},
			"thinking_delta":   {"thinking": sdkType("string")},
			"signature_delta":  {"signature": sdkType("string")},
		}),
	},
	"content_block_stop": {"index": sdkType("integer")},
	"message_delta": {
		"delta": sdkObject(sdkShape{
			"stop_reason":   sdkOneOf(sdkStopReasons...),
			"stop_sequence": sdkType("string", "null"),
			"stop_details":  sdkOptional(sdkType("object", "null")),
			"container":     sdkOptional(sdkType("object", "null")),
		}),
		"usage": sdkObject(sdkShape{
			"output_tokens":               sdkType("integer"),
			"input_tokens":                sdkOptional(sdkType("integer", "null")),
			"cache_creation_input_tokens": sdkOptional(sdkType("integer", "null")),
			"cache_read_input_tokens":     sdkOptional(sdkType("integer", "null")),
			"server_tool_use":             sdkOptional(sdkType("object", "null")),
			"output_tokens_details":       sdkOptional(sdkType("object", "null")),
		}),
	},
	"message_stop": {},
}

// sdkJSONType names a decoded value's JSON type, telling integers apart.
func sdkJSONType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number:
		if _, err := x.Int64(); err == nil {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// sdkCheckShape reports every way obj departs from shape, at path.
func sdkCheckShape(path string, obj map[string]any, shape sdkShape) []string {
	var problems []string
	for key, kind := range shape {
		v, ok := obj[key]
		if !ok {
			if !kind.optional {
				problems = append(problems, fmt.Sprintf("%s.%s: missing", path, key))
			}
			continue
		}
		problems = append(problems, sdkCheckKind(path+"."+key, v, kind)...)
	}
	for key := range obj {
		if _, ok := shape[key]; !ok {
			problems = append(problems, fmt.Sprintf("%s.%s: undocumented member", path, key))
		}
	}
	sort.Strings(problems)
	return problems
}

func sdkCheckKind(path string, v any, kind sdkKind) []string {
	typ := sdkJSONType(v)
	if !slices.Contains(kind.types, typ) {
		return []string{fmt.Sprintf("%s: %s, want %s", path, typ, strings.Join(kind.types, " or "))}
	}
	if s, ok := v.(string); ok && len(kind.enum) > 0 && !slices.Contains(kind.enum, s) {
		return []string{fmt.Sprintf("%s: %q, want one of %v", path, s, kind.enum)}
	}
	obj, _ := v.(map[string]any)
	switch {
	case obj == nil:
		return nil
	case kind.shape != nil:
		return sdkCheckShape(path, obj, kind.shape)
	case kind.byType != nil:
		t, _ := obj["type"].(string)
		shape, ok := kind.byType[t]
		if !ok {
			return []string{fmt.Sprintf("%s.type: %q is not a documented type", path, t)}
		}
		return sdkCheckShape(path, obj, sdkWithType(t, shape))
	}
	return nil
}

// sdkAnthropicStream posts a streamed Messages request as the SDK would
// and returns the raw events.
func sdkAnthropicStream(t *testing.T, edit func(*simulate.Config), body map[string]any) []sdkEvent {
	t.Helper()
	body["stream"] = true
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{"Anthropic-Version": {"2023-06-01"}, "X-Api-Key": {"test"}}
	return sdkPostSSE(t, sdkServer(t, edit), "/v1/messages", h, string(raw))
}

var sdkRawTool = map[string]any{"name": "get_weather", "input_schema": sdkWeatherSchema}

type sdkRawMessageCase struct {
	name   string
	edit   func(*simulate.Config)
	body   map[string]any
	blocks []string // content block types, in order
}

var sdkRawMessageCases = []sdkRawMessageCase{
	{"text", nil, map[string]any{}, []string{"text"}},
	{"tool_use", nil, map[string]any{"tools": []any{sdkRawTool}, "tool_choice": map[string]any{"type": "any"}}, []string{"tool_use"}},
	{"thinking", nil, map[string]any{"max_tokens": 2048, "thinking": map[string]any{"type": "enabled", "budget_tokens": 1024}},
		[]string{"thinking", "text"}},
	{"thinking and tool_use", nil, map[string]any{"max_tokens": 2048, "thinking": map[string]any{"type": "enabled", "budget_tokens": 1024},
		"tools": []any{sdkRawTool}, "tool_choice": map[string]any{"type": "tool", "name": "get_weather"}}, []string{"thinking", "tool_use"}},
	{"stop_sequences", sdkFixedText("alpha beta gamma delta"), map[string]any{"stop_sequences": []any{" gamma"}}, []string{"text"}},
	{"max_tokens", nil, map[string]any{"max_tokens": 3}, []string{"text"}},
}

// requestBody is a plain Messages request with the case's members added.
func (tc sdkRawMessageCase) requestBody() map[string]any {
	body := map[string]any{"model": sdkClaude, "max_tokens": 1024,
		"messages": []any{map[string]any{"role": "user", "content": "Hello"}}}
	for k, v := range tc.body {
		body[k] = v
	}
	return body
}

func TestSDKAnthropicEventShapes(t *testing.T) {
	for _, tc := range sdkRawMessageCases {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.requestBody()
			for i, ev := range sdkAnthropicStream(t, tc.edit, body) {
				obj := sdkJSON(t, "event", ev.Data)
				typ, _ := obj["type"].(string)
				if ev.Name != typ {
					t.Errorf("event %d: SSE name %q, data type %q", i, ev.Name, typ)
				}
				shape, ok := sdkAnthropicEvents[typ]
				if !ok {
					t.Errorf("event %d: undocumented type %q", i, typ)
					continue
				}
				for _, p := range sdkCheckShape(typ, obj, sdkWithType(typ, shape)) {
					t.Errorf("event %d: %s\n%s", i, p, ev.Data)
				}
			}
		})
	}
}

// sdkCheckEventOrder checks the documented order: message_start first;
// a ping, first after the first content_block_start; each block's start, deltas
// of its own kind and stop, with indexes counting up from 0; then
// message_delta and, last, message_stop. It returns each block's type and
// the concatenation of its deltas.
func sdkCheckEventOrder(t *testing.T, events []sdkEvent) (types []string, deltas []string) {
	t.Helper()
	deltaKinds := map[string][]string{"text": {"text_delta"}, "tool_use": {"input_json_delta"},
		"thinking": {"thinking_delta", "signature_delta"}}
	open := -1 // index of the open block
	var sawPing, signed bool
	for i, ev := range events {
		obj := sdkJSON(t, "event", ev.Data)
		typ, _ := obj["type"].(string)
		idx := -1
		if n, ok := obj["index"].(json.Number); ok {
			v, _ := n.Int64()
			idx = int(v)
		}
		switch {
		case i == 0 && typ != "message_start":
			t.Fatalf("first event is %s, want message_start", typ)
		case i > 0 && typ == "message_start":
			t.Errorf("event %d: a second message_start", i)
		case typ == "ping":
			// The first ping follows the first content_block_start, as in
			// the documented stream; more may come at any time after.
			sawPing = true
			if len(types) == 0 {
				t.Errorf("event %d: ping before the first content_block_start", i)
			}
		case typ == "content_block_start":
			if open >= 0 || idx != len(types) {
				t.Errorf("event %d: content_block_start index %d while block %d open, %d started", i, idx, open, len(types))
			}
			block, _ := obj["content_block"].(map[string]any)
			bt, _ := block["type"].(string)
			open, signed = idx, false
			types, deltas = append(types, bt), append(deltas, "")
		case typ == "content_block_delta":
			d, _ := obj["delta"].(map[string]any)
			dt, _ := d["type"].(string)
			if open < 0 || idx != open {
				t.Errorf("event %d: delta for block %d while block %d is open", i, idx, open)
				continue
			}
			if !slices.Contains(deltaKinds[types[open]], dt) || signed {
				t.Errorf("event %d: %s in a %s block (after its signature: %v)", i, dt, types[open], signed)
			}
			switch dt {
			case "signature_delta":
				signed = true
			case "text_delta":
				deltas[open] += d["text"].(string)
			case "input_json_delta":
				deltas[open] += d["partial_json"].(string)
			case "thinking_delta":
				deltas[open] += d["thinking"].(string)
			}
		case typ == "content_block_stop":
			if idx != open {
				t.Errorf("event %d: content_block_stop for block %d while block %d is open", i, idx, open)
			}
			if open >= 0 && types[open] == "thinking" && !signed {
				t.Errorf("event %d: thinking block %d stopped without a signature_delta", i, open)
			}
			open = -1
		case typ == "message_delta":
			if open >= 0 || len(types) == 0 || i != len(events)-2 {
				t.Errorf("event %d of %d: message_delta with block %d open after %d blocks; want it next to last", i, len(events), open, len(types))
			}
		case typ == "message_stop":
			if i != len(events)-1 {
				t.Errorf("event %d of %d: message_stop before the end", i, len(events))
			}
		}
	}
	if !sawPing {
		t.Error("no ping")
	}
	if last := sdkJSON(t, "event", events[len(events)-1].Data)["type"]; last != "message_stop" {
		t.Errorf("last event is %v, want message_stop", last)
	}
	return types, deltas
}

func TestSDKAnthropicEventOrder(t *testing.T) {
	for _, tc := range sdkRawMessageCases {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.requestBody()
			types, deltas := sdkCheckEventOrder(t, sdkAnthropicStream(t, tc.edit, body))
			if !slices.Equal(types, tc.blocks) {
				t.Errorf("blocks %v, want %v", types, tc.blocks)
			}
			for i, typ := range types {
				if typ == "tool_use" && !json.Valid([]byte(deltas[i])) {
					t.Errorf("block %d: partial_json deltas join to %q, not JSON", i, deltas[i])
				}
				if typ != "tool_use" && deltas[i] == "" {
					t.Errorf("block %d (%s): no delta text", i, typ)
				}
			}
		})
	}
}
