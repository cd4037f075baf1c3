package simulate

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/wire"
)

var fuzzEndpoints = []struct{ provider, method, path string }{
	{"openai", "POST", "/v1/chat/completions"},
	{"openai", "POST", "/v1/completions"},
	{"openai", "POST", "/v1/embeddings"},
	{"openai", "POST", "/v1/responses"},
	{"anthropic", "POST", "/v1/messages"},
	{"anthropic", "POST", "/v1/messages/count_tokens"},
	{"gemini", "POST", "/v1beta/models/gemini-2.5-flash:generateContent"},
	{"gemini", "POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"},
	{"gemini", "POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent"},
	{"gemini", "POST", "/v1beta/models/gemini-2.5-flash:countTokens"},
	{"gemini", "POST", "/v1beta/models/gemini-embedding-001:embedContent"},
	{"gemini", "POST", "/v1beta/models/text-embedding-004:batchEmbedContents"},
}

// FuzzRequestDecoding throws arbitrary bodies at every endpoint: each must
// be answered with a well-formed 200 or a 4xx with the endpoint's
// provider's error object, never a panic or a 5xx.
func FuzzRequestDecoding(f *testing.F) {
	for _, c := range goldenCases {
		if c.body != "" {
			f.Add(uint8(0), c.body)
		}
	}
	f.Add(uint8(1), `{"model":"m","prompt":[[1,2],[3]],"n":2,"echo":true,"logprobs":2,"stream":true}`)
	f.Add(uint8(2), `{"model":"m","input":[[1,2]],"dimensions":1}`)
	f.Add(uint8(3), `{"model":"m","input":[{"type":"function_call_output","call_id":"c","output":"x"}]}`)
	f.Add(uint8(4), `{"model":"m","max_tokens":5,"stop_sequences":[""],"messages":[{"role":"user","content":[{"type":"tool_result","content":[{"type":"text","text":"r"}]}]}]}`)
	for i, ep := range fuzzEndpoints {
		for _, c := range goldenCases {
			if c.provider == "gemini" && c.body != "" && c.path == ep.path {
				f.Add(uint8(i), c.body)
			}
		}
	}
	f.Add(uint8(6), `{"contents":[{"role":"model","parts":[{"functionCall":{"name":"f","args":{}}}]},{"role":"user","parts":[{"functionResponse":{"name":"f","response":{"x":1}}}]}],"tools":[{"functionDeclarations":[{"name":"f","parametersJsonSchema":{"type":"object"}}]}],"generationConfig":{"thinkingConfig":{"thinkingBudget":8,"includeThoughts":true},"stopSequences":[""]}}`)
	f.Add(uint8(9), `{"generateContentRequest":{"model":"models/x","contents":[{"parts":[{"inlineData":{"mimeType":"image/png","data":"AA=="}}]}]}}`)
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		checkFuzzAnswer(t, testConfig(), which, body)
	})
}

// checkFuzzAnswer sends body to the endpoint which picks and asserts the
// answer is a well-formed 200 or the provider's 4xx.
func checkFuzzAnswer(t *testing.T, cfg Config, which uint8, body string) *httptest.ResponseRecorder {
	t.Helper()
	ep := fuzzEndpoints[int(which)%len(fuzzEndpoints)]
	rec := call(t, cfg, ep.provider, ep.method, ep.path, body)
	switch {
	case rec.Code == 200:
		checkWellFormed(t, rec.Header().Get("Content-Type"), rec.Body.Bytes())
	case rec.Code >= 400 && rec.Code < 500:
		checkErrorShape(t, ep.provider, rec.Body.Bytes())
	default:
		t.Fatalf("status %d for %s %s: %s", rec.Code, ep.path, body, rec.Body)
	}
	return rec
}

// FuzzAnswersWithinBudget throws the same bodies at every endpoint of a
// simulator whose model would talk for a million tokens, under a small
// budget: whatever a body asks for (n, max_tokens, logprobs, echo,
// dimensions, batches), the answer is a well-formed 200 or the
// provider's 4xx, and never larger than the budget.
func FuzzAnswersWithinBudget(f *testing.F) {
	for _, c := range goldenCases {
		if c.body != "" {
			f.Add(uint8(0), c.body)
		}
	}
	f.Add(uint8(0), `{"model":"m","messages":[{"role":"user","content":"hi"}],"n":128,"logprobs":true,"top_logprobs":20,"stream":true}`)
	f.Add(uint8(1), `{"model":"m","prompt":["a","b"],"n":64,"echo":true,"logprobs":5,"max_tokens":4000}`)
	f.Add(uint8(2), `{"model":"text-embedding-3-large","input":["a","b","c","d","e","f"]}`)
	f.Add(uint8(11), `{"requests":[{"content":{"parts":[{"text":"a"}]}},{"content":{"parts":[{"text":"b"}]}}]}`)
	const budget = 16 << 10
	cfg := budgetConfig(budget, Text{})
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		if rec := checkFuzzAnswer(t, cfg, which, body); rec.Body.Len() > budget {
			t.Fatalf("%d bytes, over the %d budget, for %s", rec.Body.Len(), budget, body)
		}
	})
}

// checkErrorShape asserts body is provider's error object: OpenAI's
// {"error":{"message","type",…}}, Anthropic's {"type":"error","error":{"type","message"}},
// Gemini's {"error":{"code","message","status"}}.
func checkErrorShape(t *testing.T, provider string, body []byte) {
	t.Helper()
	if provider == "gemini" {
		checkGeminiError(t, body)
		return
	}
	var e struct {
		Type  *string `json:"type"`
		Error *struct {
			Type    *string `json:"type"`
			Message *string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Error == nil || e.Error.Type == nil || e.Error.Message == nil {
		t.Fatalf("%s error without error.type and error.message: %s", provider, body)
	}
	if anthropic := e.Type != nil && *e.Type == "error"; anthropic != (provider == "anthropic") {
		t.Fatalf("a %s endpoint answered with this error: %s", provider, body)
	}
}

// checkWellFormed asserts a 200 body is JSON, or SSE whose data is JSON.
func checkWellFormed(t *testing.T, contentType string, body []byte) {
	t.Helper()
	if strings.HasPrefix(contentType, "application/json") {
		if !json.Valid(body) {
			t.Fatalf("invalid JSON body: %s", body)
		}
		return
	}
	var p wire.SSEParser
	err := p.Feed(body, func(ev wire.Event) error {
		if ev.Data != nil && !bytes.Equal(ev.Data, []byte("[DONE]")) && !json.Valid(ev.Data) {
			t.Fatalf("event data is not JSON: %s", ev.Data)
		}
		return nil
	})
	if err != nil || len(p.Pending()) != 0 {
		t.Fatalf("stream ends mid-event: %q", p.Pending())
	}
}
