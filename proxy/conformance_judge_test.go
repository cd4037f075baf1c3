package proxy

import (
	"bytes"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Hand-written documents that the spec accepts; the judge's own tests
// break them one member at a time.
const (
	confGoodChat = `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o",` +
		`"choices":[{"index":0,"message":{"role":"assistant","content":"hi","refusal":null},"logprobs":null,"finish_reason":"stop"}]}`
	confGoodChunk = `{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o",` +
		`"choices":[{"index":0,"delta":{"content":"hi"},"logprobs":null,"finish_reason":null}],"usage":null}`
	confGoodError    = `{"error":{"message":"m","type":"invalid_request_error","param":null,"code":null}}`
	confGoodResponse = `{"id":"resp_1","object":"response","created_at":1,"status":"completed","error":null,` +
		`"incomplete_details":null,"instructions":null,"model":"gpt-4o","tools":[],"output":[],` +
		`"parallel_tool_calls":true,"metadata":{},"tool_choice":"auto","temperature":1,"top_p":1}`
)

// TestConformanceJudge checks the judge before trusting it: that the
// compiled spec rejects what it must (a required member missing, even one
// that is allowed to be null) and accepts what it must (a null where
// nullable: true allows one, an extra member where additionalProperties
// is left open). Without it a broken $ref or a rewrite that relaxed too
// much would let every test pass.
func TestConformanceJudge(t *testing.T) {
	spec := confSpec(t)
	swap := func(doc, from, to string) string {
		if !strings.Contains(doc, from) {
			t.Fatalf("%q not in %s", from, doc)
		}
		return strings.Replace(doc, from, to, 1)
	}
	cut := func(doc, member string) string { return swap(doc, member, "") }
	tests := []struct {
		name, schema, doc string
		valid             bool
	}{
		{"chat: valid", "CreateChatCompletionResponse", confGoodChat, true},
		{"chat: logprobs missing", "CreateChatCompletionResponse", cut(confGoodChat, `"logprobs":null,`), false},
		{"chat: refusal missing", "CreateChatCompletionResponse", cut(confGoodChat, `,"refusal":null`), false},
		{"chat: finish_reason null", "CreateChatCompletionResponse", swap(confGoodChat, `"finish_reason":"stop"`, `"finish_reason":null`), false},
		{"chat: finish_reason unknown", "CreateChatCompletionResponse", swap(confGoodChat, `"finish_reason":"stop"`, `"finish_reason":"done"`), false},
		{"chat: extra member", "CreateChatCompletionResponse", swap(confGoodChat, `"model":"gpt-4o"`, `"model":"gpt-4o","x":1`), true},
		{"chunk: valid with nulls", "CreateChatCompletionStreamResponse", confGoodChunk, true},
		{"chunk: usage is a nullable $ref", "CreateChatCompletionStreamResponse",
			swap(confGoodChunk, `"usage":null`, `"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}`), true},
		{"chunk: finish_reason is a nullable enum", "CreateChatCompletionStreamResponse",
			swap(confGoodChunk, `"finish_reason":null`, `"finish_reason":"done"`), false},
		{"chunk: usage not an object", "CreateChatCompletionStreamResponse", swap(confGoodChunk, `"usage":null`, `"usage":3`), false},
		{"error: valid", "ErrorResponse", confGoodError, true},
		{"error: param missing", "ErrorResponse", cut(confGoodError, `"param":null,`), false},
		{"error: code missing", "ErrorResponse", cut(confGoodError, `,"code":null`), false},
		{"response: valid", "Response", confGoodResponse, true},
		{"response: error missing", "Response", cut(confGoodResponse, `"error":null,`), false},
		{"response: unknown status", "Response", swap(confGoodResponse, `"completed"`, `"done"`), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(tc.doc)))
			if err != nil {
				t.Fatal(err)
			}
			err = spec.check(tc.schema, v)
			if (err == nil) != tc.valid {
				t.Errorf("%s: valid=%v, want %v (%v)\n%s", tc.schema, err == nil, tc.valid, err, tc.doc)
			}
		})
	}
}
