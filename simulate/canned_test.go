package simulate

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/wire"
)

func serveCanned(t *testing.T, provider, path, body string, c *Canned) string {
	t.Helper()
	rec := httptest.NewRecorder()
	req := &Request{Provider: provider, Method: "POST", Path: path, Body: []byte(body), Seed: 1, Canned: c}
	if err := New(testConfig()).Serve(context.Background(), req, wire.NewWriter(rec)); err != nil {
		t.Fatal(err)
	}
	if req.Usage.CompletionTokens == 0 && (c.OutputTokens == nil || *c.OutputTokens != 0) {
		t.Errorf("usage not reported: %+v", req.Usage)
	}
	return rec.Body.String()
}

func TestCannedAnswers(t *testing.T) {
	text := "All systems nominal."
	seven := 7
	chat := `{"model":"m","messages":[{"role":"user","content":"hi"}]}`
	msgs := `{"model":"c","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}`
	cases := []struct {
		name, provider, path, body string
		canned                     Canned
		want                       []string
	}{
		{"openai text", "openai", "/v1/chat/completions", chat, Canned{Text: &text},
			[]string{`"content":"All systems nominal."`, `"finish_reason":"stop"`}},
		{"openai tool call", "openai", "/v1/chat/completions", chat,
			Canned{ToolCalls: []CannedCall{{Name: "lookup", Arguments: `{"id":3}`}}},
			[]string{`"name":"lookup","arguments":"{\"id\":3}"`, `"finish_reason":"tool_calls"`}},
		{"openai content filter from stop_reason refusal", "openai", "/v1/chat/completions", chat,
			Canned{Text: &text, StopReason: "refusal"}, []string{`"finish_reason":"content_filter"`}},
		{"openai usage override", "openai", "/v1/chat/completions", chat,
			Canned{Text: &text, PromptTokens: &seven, OutputTokens: &seven}, []string{`"prompt_tokens":7,"completion_tokens":7,"total_tokens":14`}},
		{"anthropic tool use", "anthropic", "/v1/messages", msgs,
			Canned{ToolCalls: []CannedCall{{Name: "lookup", Arguments: `{"id":3}`}}},
			[]string{`"type":"tool_use"`, `"input":{"id":3}`, `"stop_reason":"tool_use"`}},
		{"anthropic finish length", "anthropic", "/v1/messages", msgs,
			Canned{Text: &text, FinishReason: "length"}, []string{`"stop_reason":"max_tokens"`}},
		{"responses filtered", "openai", "/v1/responses", `{"model":"m","input":"hi"}`,
			Canned{Text: &text, FinishReason: "content_filter"}, []string{`"status":"incomplete"`, `"reason":"content_filter"`}},
		{"streamed text", "openai", "/v1/chat/completions", `{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`,
			Canned{Text: &text}, []string{`"content":" system"`, `data: [DONE]`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := serveCanned(t, c.provider, c.path, c.body, &c.canned)
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("answer lacks %s:\n%s", w, got)
				}
			}
		})
	}
}
