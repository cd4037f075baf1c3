package simulate

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"text/template"

	"github.com/llm-simulator/llm-simulator/internal/dist"
	"github.com/llm-simulator/llm-simulator/wire"
)

// budgetConfig answers with a million tokens unless something stops it,
// under a small budget.
func budgetConfig(budget int64, text Text) Config {
	cfg := testConfig()
	cfg.Default.OutputTokens = dist.Constant{V: 1e6}
	cfg.Default.Text = text
	cfg.MaxResponseBytes = budget
	return cfg
}

// Whatever a request asks for and however long the model would go on, a
// generated answer stays within the budget, ended as max_tokens ends one
// (finish reason length), not cut.
func TestAnswersStayWithinTheBudget(t *testing.T) {
	const budget = 64 << 10
	user := func(text string) string {
		b, _ := json.Marshal(text)
		return `"messages":[{"role":"user","content":` + string(b) + `}]`
	}
	long := strings.Repeat("echo me back please\n\n\x01 ", 20000) // 460 KB, with escapes
	chat := `{"model":"gpt-4o",` + user("hi")
	tools := `,"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"a":{"type":"array","items":{"type":"string"},"minItems":200}},"required":["a"]}}}],"tool_choice":"required"`
	gemini := `{"contents":[{"parts":[{"text":"hi"}]}],"generationConfig":{"candidateCount":8}}`
	cases := []struct {
		name, provider, path, body string
		text                       Text
	}{
		{"chat", "openai", "/v1/chat/completions", chat + `}`, Text{}},
		{"chat n=128", "openai", "/v1/chat/completions", chat + `,"n":128}`, Text{}},
		{"chat logprobs", "openai", "/v1/chat/completions", chat + `,"n":4,"logprobs":true,"top_logprobs":20}`, Text{}},
		{"chat stream", "openai", "/v1/chat/completions", chat + `,"n":3,"stream":true,"stream_options":{"include_usage":true}}`, Text{}},
		{"chat stream logprobs", "openai", "/v1/chat/completions", chat + `,"stream":true,"logprobs":true,"top_logprobs":20}`, Text{}},
		{"chat tool call stream", "openai", "/v1/chat/completions", chat + tools + `,"n":16,"stream":true}`, Text{}},
		{"chat echo", "openai", "/v1/chat/completions", `{"model":"gpt-4o",` + user(long) + `,"n":8}`, Text{Mode: Echo}},
		{"chat echo stream", "openai", "/v1/chat/completions", `{"model":"gpt-4o",` + user(long) + `,"stream":true}`, Text{Mode: Echo}},
		{"chat long model name stream", "openai", "/v1/chat/completions", `{"model":"` + strings.Repeat("m", 2000) + `",` + user("hi") + `,"stream":true}`, Text{}},
		{"completions", "openai", "/v1/completions", `{"model":"gpt-3.5-turbo-instruct","prompt":["a","b"],"n":8,"max_tokens":4000,"logprobs":5}`, Text{}},
		{"completions echo stream", "openai", "/v1/completions", `{"model":"gpt-3.5-turbo-instruct","prompt":"hello there","echo":true,"n":2,"max_tokens":4000,"stream":true}`, Text{}},
		{"responses", "openai", "/v1/responses", `{"model":"gpt-4o","input":"hi"}`, Text{}},
		{"responses stream", "openai", "/v1/responses", `{"model":"gpt-4o","input":"hi","stream":true}`, Text{}},
		{"anthropic", "anthropic", "/v1/messages", `{"model":"claude-sonnet-4-5","max_tokens":64000,` + user("hi") + `}`, Text{}},
		{"anthropic thinking stream", "anthropic", "/v1/messages", `{"model":"claude-sonnet-4-5","max_tokens":64000,"thinking":{"type":"enabled","budget_tokens":30000},"stream":true,` + user("hi") + `}`, Text{}},
		{"gemini", "gemini", "/v1beta/models/gemini-2.5-flash:generateContent", gemini, Text{}},
		{"gemini stream", "gemini", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", gemini, Text{}},
		{"template", "openai", "/v1/chat/completions", chat + `}`, Text{Mode: Template, Template: loopTemplate(t)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := call(t, budgetConfig(budget, c.text), c.provider, "POST", c.path, c.body)
			if rec.Code != 200 {
				t.Fatalf("status %d: %.300s", rec.Code, rec.Body)
			}
			if n := rec.Body.Len(); n > budget {
				t.Fatalf("%d bytes, over the %d budget", n, budget)
			}
			if bytes.Contains(rec.Body.Bytes(), []byte("was cut")) {
				t.Fatalf("the answer was cut at the budget, not ended within it: %s", tail(rec.Body.Bytes()))
			}
			if strings.HasPrefix(rec.Header().Get("Content-Type"), "text/event-stream") {
				checkStreamEnds(t, c.provider, c.path, rec.Body.Bytes())
			} else if !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("not JSON: %s", tail(rec.Body.Bytes()))
			}
			if !bytes.Contains(rec.Body.Bytes(), []byte(finishLengthWord(c.provider, c.path))) {
				t.Fatalf("no answer ended for length (%s): %s", finishLengthWord(c.provider, c.path), tail(rec.Body.Bytes()))
			}
		})
	}
}

// loopTemplate answers with a hundred million words.
func loopTemplate(t *testing.T) *template.Template {
	t.Helper()
	return template.Must(template.New("loop").Parse(`{{range 100000000}}lorem ipsum {{end}}`))
}

func tail(b []byte) []byte { return b[max(0, len(b)-400):] }

// finishLengthWord is how an answer cut at its length says so.
func finishLengthWord(provider, path string) string {
	switch {
	case provider == "anthropic":
		return `"max_tokens"`
	case provider == "gemini":
		return `"MAX_TOKENS"`
	case strings.HasSuffix(path, "/responses"):
		return `"max_output_tokens"`
	}
	return `"length"`
}

// checkStreamEnds asserts a stream parses and ends with its terminal event.
func checkStreamEnds(t *testing.T, provider, path string, body []byte) {
	t.Helper()
	kind := wire.OpenAIChat
	switch {
	case provider == "anthropic":
		kind = wire.Anthropic
	case provider == "gemini":
		kind = wire.Gemini
	case strings.HasSuffix(path, "/responses"):
		kind = wire.OpenAIResponses
	}
	var p wire.SSEParser
	ended := false
	err := p.Feed(body, func(ev wire.Event) error {
		if ended && kind != wire.Gemini {
			return fmt.Errorf("an event after the terminal one: %s", ev.Data)
		}
		ended = ended || kind.Terminal(ev)
		return nil
	})
	if err != nil || len(p.Pending()) != 0 || !ended {
		t.Fatalf("stream does not end whole (%v, pending %q): %s", err, p.Pending(), tail(body))
	}
}

// A request whose own numbers ask for more than the budget — vectors,
// n × max_tokens, the text an echo repeats — gets the provider's 400 for
// an over-long request before anything is generated.
func TestRequestsOverTheBudgetAreRefused(t *testing.T) {
	hi := `"messages":[{"role":"user","content":"hi"}]`
	big := strings.Repeat("x", 600<<10)
	cases := []struct {
		name, provider, path, body string
		budget                     int64 // 0: 1 MiB
	}{
		{"openai embeddings", "openai", "/v1/embeddings", `{"model":"text-embedding-3-large","input":` + stringsOf(100) + `}`, 0},
		{"openai base64 embeddings", "openai", "/v1/embeddings", `{"model":"text-embedding-3-large","encoding_format":"base64","input":` + stringsOf(100) + `}`, 0},
		{"openai n × max_tokens", "openai", "/v1/chat/completions", `{"model":"gpt-4o",` + hi + `,"n":128,"max_tokens":16384}`, 0},
		{"openai echo", "openai", "/v1/completions", `{"model":"gpt-3.5-turbo-instruct","prompt":"` + big + `","echo":true,"n":2}`, 0},
		{"openai responses tools", "openai", "/v1/responses", `{"model":"gpt-4o","input":"x","instructions":"` + big + `","stream":true}`, 0},
		{"anthropic max_tokens", "anthropic", "/v1/messages", `{"model":"claude-3-7-sonnet-latest","max_tokens":120000,"stream":true,` + hi + `}`, 64 << 10},
		{"gemini batch", "gemini", "/v1beta/models/gemini-embedding-001:batchEmbedContents", geminiBatch(100), 0},
		{"gemini maxOutputTokens × candidates", "gemini", "/v1beta/models/unknown-model:generateContent", `{"contents":[{"parts":[{"text":"hi"}]}],"generationConfig":{"candidateCount":8,"maxOutputTokens":200000}}`, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := call(t, budgetConfig(cmp.Or(c.budget, 1<<20), Text{}), c.provider, "POST", c.path, c.body)
			if rec.Code != 400 {
				t.Fatalf("status %d: %.300s", rec.Code, rec.Body)
			}
			checkOverBudget(t, c.provider, rec.Body.Bytes(), rec.Header().Get("Request-Id"))
		})
	}
}

// checkOverBudget asserts body is the provider's over-long 400 naming the
// budget.
func checkOverBudget(t *testing.T, provider string, body []byte, requestID string) {
	t.Helper()
	const msg = "This request asks for an answer of about "
	switch provider {
	case "openai":
		checkOpenAIError(t, body, "invalid_request_error", "", "context_length_exceeded", msg)
	case "anthropic":
		checkAnthropicError(t, body, "invalid_request_error", msg, requestID)
	case "gemini":
		checkGeminiError(t, body)
		if !bytes.Contains(body, []byte(`"status": "INVALID_ARGUMENT"`)) || !bytes.Contains(body, []byte(msg)) {
			t.Fatalf("not Gemini's INVALID_ARGUMENT over the budget: %s", body)
		}
	}
	if !bytes.Contains(body, []byte("simulate.max_response_bytes")) {
		t.Fatalf("the refusal does not say which limit refused it: %s", body)
	}
}

// An answer no plan bounds — a rule's scripted answer — is still held to
// the budget as it is sent: a whole body is replaced by the 400 before
// its head goes out, a stream ends with the provider's error event; and
// neither is larger than the budget.
func TestBudgetHoldsForEveryAnswer(t *testing.T) {
	const budget = 64 << 10
	text := strings.Repeat("scripted ", 20000) // 180 KB
	hi := `"messages":[{"role":"user","content":"hi"}]`
	cases := []struct {
		name, provider, path, body string
		stream                     bool
	}{
		{"openai", "openai", "/v1/chat/completions", `{"model":"gpt-4o",` + hi + `}`, false},
		{"openai stream", "openai", "/v1/chat/completions", `{"model":"gpt-4o","stream":true,` + hi + `}`, true},
		{"responses stream", "openai", "/v1/responses", `{"model":"gpt-4o","input":"hi","stream":true}`, true},
		{"anthropic", "anthropic", "/v1/messages", `{"model":"claude-sonnet-4-5","max_tokens":100,` + hi + `}`, false},
		{"anthropic stream", "anthropic", "/v1/messages", `{"model":"claude-sonnet-4-5","max_tokens":100,"stream":true,` + hi + `}`, true},
		{"gemini stream", "gemini", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", `{"contents":[{"parts":[{"text":"hi"}]}]}`, true},
		{"azure", "azure", "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21", `{` + hi + `}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			path, query, _ := strings.Cut(c.path, "?")
			req := &Request{Provider: c.provider, Method: "POST", Path: path, Query: query, Header: http.Header{},
				Body: []byte(c.body), Seed: 1, Canned: &Canned{Text: &text}}
			if err := New(budgetConfig(budget, Text{})).Serve(context.Background(), req, wire.NewWriter(rec)); err != nil {
				t.Fatal(err)
			}
			if n := rec.Body.Len(); n > budget {
				t.Fatalf("%d bytes, over the %d budget", n, budget)
			}
			if !c.stream {
				if rec.Code != 400 {
					t.Fatalf("status %d: %.300s", rec.Code, rec.Body)
				}
				provider := c.provider
				if provider == "azure" {
					provider = "openai"
				}
				checkOverBudget(t, provider, rec.Body.Bytes(), rec.Header().Get("Request-Id"))
				return
			}
			if rec.Code != 200 || !bytes.Contains(rec.Body.Bytes(), []byte("was cut")) || !bytes.Contains(rec.Body.Bytes(), []byte("error")) {
				t.Fatalf("status %d, the stream does not end with the budget's error: %s", rec.Code, tail(rec.Body.Bytes()))
			}
			var p wire.SSEParser
			if err := p.Feed(rec.Body.Bytes(), func(wire.Event) error { return nil }); err != nil || len(p.Pending()) != 0 {
				t.Fatalf("the cut stream does not parse: %v %q", err, p.Pending())
			}
		})
	}
}
