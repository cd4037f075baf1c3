package simulate

import (
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenCases pin the exact wire bytes of every endpoint at seed 42 and a
// fixed clock: any change to what a client receives shows up as a diff.
var goldenCases = []struct {
	name, provider, method, path, body string
}{
	{"chat", "openai", "POST", "/v1/chat/completions", `{"model":"gpt-4o","messages":[{"role":"user","content":"Say hi"}]}`},
	{"chat-stream", "openai", "POST", "/v1/chat/completions", `{"model":"gpt-4o","messages":[{"role":"user","content":"Say hi"}],"stream":true,"stream_options":{"include_usage":true}}`},
	{"chat-n2-length", "openai", "POST", "/v1/chat/completions", `{"model":"gpt-4o","messages":[{"role":"user","content":"Say hi"}],"n":2,"max_tokens":4}`},
	{"chat-tools", "openai", "POST", "/v1/chat/completions", `{"model":"gpt-4o","messages":[{"role":"user","content":"Weather?"}],"tool_choice":"required","tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"},"unit":{"enum":["c","f"]}},"required":["city","unit"],"additionalProperties":false}}}]}`},
	{"chat-tools-stream", "openai", "POST", "/v1/chat/completions", `{"model":"gpt-4o","messages":[{"role":"user","content":"Weather?"}],"stream":true,"tool_choice":"required","tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]}`},
	{"chat-json-schema", "openai", "POST", "/v1/chat/completions", `{"model":"gpt-4o","messages":[{"role":"user","content":"Data"}],"response_format":{"type":"json_schema","json_schema":{"name":"p","strict":true,"schema":{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer","minimum":0}},"required":["name","age"],"additionalProperties":false}}}}`},
	{"chat-logprobs", "openai", "POST", "/v1/chat/completions", `{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"max_tokens":2,"logprobs":true,"top_logprobs":2}`},
	{"completions", "openai", "POST", "/v1/completions", `{"model":"gpt-3.5-turbo-instruct","prompt":"Once upon a time"}`},
	{"completions-stream", "openai", "POST", "/v1/completions", `{"model":"gpt-3.5-turbo-instruct","prompt":"Once","max_tokens":3,"stream":true}`},
	{"embeddings", "openai", "POST", "/v1/embeddings", `{"model":"text-embedding-3-small","input":["hello world","bye"],"dimensions":4}`},
	{"embeddings-base64", "openai", "POST", "/v1/embeddings", `{"model":"text-embedding-3-small","input":"hello world","dimensions":4,"encoding_format":"base64"}`},
	{"models", "openai", "GET", "/v1/models", ``},
	{"model", "openai", "GET", "/v1/models/gpt-4o-mini", ``},
	{"responses", "openai", "POST", "/v1/responses", `{"model":"gpt-4o","input":"Say hi","instructions":"Be brief."}`},
	{"responses-stream", "openai", "POST", "/v1/responses", `{"model":"gpt-4o","input":"Say hi","stream":true}`},
	{"responses-tools-stream", "openai", "POST", "/v1/responses", `{"model":"gpt-4o","input":"Weather?","stream":true,"tool_choice":"required","tools":[{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},"strict":true}]}`},
	{"messages", "anthropic", "POST", "/v1/messages", `{"model":"claude-sonnet-4-5","max_tokens":100,"messages":[{"role":"user","content":"Say hi"}]}`},
	{"messages-stream", "anthropic", "POST", "/v1/messages", `{"model":"claude-sonnet-4-5","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"Say hi"}]}`},
	{"messages-tools-stream", "anthropic", "POST", "/v1/messages", `{"model":"claude-sonnet-4-5","max_tokens":100,"stream":true,"tool_choice":{"type":"any"},"tools":[{"name":"get_weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}],"messages":[{"role":"user","content":"Weather?"}]}`},
	{"messages-thinking-stream", "anthropic", "POST", "/v1/messages", `{"model":"claude-sonnet-4-5","max_tokens":2048,"stream":true,"thinking":{"type":"enabled","budget_tokens":1024},"messages":[{"role":"user","content":"Think"}]}`},
	{"count-tokens", "anthropic", "POST", "/v1/messages/count_tokens", `{"model":"claude-sonnet-4-5","system":"Be brief.","messages":[{"role":"user","content":"Say hi"}]}`},
	{"anthropic-models", "anthropic", "GET", "/v1/models", ``},
	{"azure-chat", "azure", "POST", "/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21", `{"messages":[{"role":"user","content":"Say hi"}]}`},
	{"azure-chat-stream", "azure", "POST", "/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21", `{"messages":[{"role":"user","content":"Say hi"}],"stream":true,"stream_options":{"include_usage":true}}`},
	{"azure-chat-v1", "azure", "POST", "/openai/v1/chat/completions", `{"model":"prod-gpt4o","messages":[{"role":"user","content":"Say hi"}]}`},
	{"azure-completions-stream", "azure", "POST", "/openai/deployments/instruct/completions?api-version=2024-10-21", `{"prompt":"Once","max_tokens":3,"stream":true}`},
	{"azure-embeddings", "azure", "POST", "/openai/deployments/embed/embeddings?api-version=2024-10-21", `{"input":"hello world","dimensions":4}`},
	{"azure-error-no-api-version", "azure", "POST", "/openai/deployments/prod-gpt4o/chat/completions", `{"messages":[{"role":"user","content":"Say hi"}]}`},
	{"azure-error-api-version", "azure", "POST", "/openai/deployments/prod-gpt4o/chat/completions?api-version=2019-01-01", `{"messages":[{"role":"user","content":"Say hi"}]}`},
	{"azure-error-bad-input", "azure", "POST", "/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21", `{"messages":[]}`},
	{"gemini-generate", "gemini", "POST", "/v1beta/models/gemini-2.5-flash:generateContent", `{"contents":[{"role":"user","parts":[{"text":"Say hi"}]}],"systemInstruction":{"parts":[{"text":"Be brief."}]}}`},
	{"gemini-stream", "gemini", "POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", `{"contents":[{"role":"user","parts":[{"text":"Say hi"}]}]}`},
	{"gemini-stream-array", "gemini", "POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent", `{"contents":[{"role":"user","parts":[{"text":"Say hi"}]}],"generationConfig":{"maxOutputTokens":3}}`},
	{"gemini-n2-length", "gemini", "POST", "/v1beta/models/gemini-2.5-flash:generateContent", `{"contents":[{"parts":[{"text":"Say hi"}]}],"generationConfig":{"candidateCount":2,"maxOutputTokens":4}}`},
	{"gemini-tools-stream", "gemini", "POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", `{"contents":[{"role":"user","parts":[{"text":"Weather?"}]}],"tools":[{"functionDeclarations":[{"name":"get_weather","parameters":{"type":"OBJECT","properties":{"city":{"type":"STRING"}},"required":["city"]}}]}],"toolConfig":{"functionCallingConfig":{"mode":"ANY"}}}`},
	{"gemini-json-schema", "gemini", "POST", "/v1beta/models/gemini-2.5-flash:generateContent", `{"contents":[{"parts":[{"text":"Data"}]}],"generationConfig":{"responseMimeType":"application/json","responseSchema":{"type":"OBJECT","properties":{"name":{"type":"STRING"},"age":{"type":"INTEGER","minimum":0}},"required":["name","age"]}}}`},
	{"gemini-count-tokens", "gemini", "POST", "/v1beta/models/gemini-2.5-flash:countTokens", `{"contents":[{"role":"user","parts":[{"text":"Say hi"}]}]}`},
	{"gemini-embed", "gemini", "POST", "/v1beta/models/gemini-embedding-001:embedContent", `{"content":{"parts":[{"text":"hello world"}]},"outputDimensionality":4}`},
	{"gemini-batch-embed", "gemini", "POST", "/v1beta/models/text-embedding-004:batchEmbedContents", `{"requests":[{"model":"models/text-embedding-004","content":{"parts":[{"text":"hello"}]},"outputDimensionality":3},{"content":{"parts":[{"text":"bye"}]},"outputDimensionality":3}]}`},
	{"gemini-models", "gemini", "GET", "/v1beta/models?pageSize=3", ``},
	{"gemini-model", "gemini", "GET", "/v1beta/models/gemini-2.0-flash", ``},
	{"error-gemini", "gemini", "POST", "/v1beta/models/gemini-2.5-flash:generateContent", `{"contents":[]}`},
	{"error-gemini-type", "gemini", "POST", "/v1beta/models/gemini-2.5-flash:generateContent", `{"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"maxOutputTokens":"ten"}}`},
	{"error-openai", "openai", "POST", "/v1/chat/completions", `{"model":"gpt-4o"}`},
	{"error-anthropic", "anthropic", "POST", "/v1/messages", `{"model":"claude-sonnet-4-5","messages":[]}`},
}

func TestGoldenWire(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			got := render(call(t, testConfig(), c.provider, c.method, c.path, c.body))
			path := filepath.Join("testdata", "golden", c.name+".txt")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./simulate -run TestGoldenWire -args -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("wire bytes differ from %s (rerun with -update if the change is intended):\n%s", path, firstDiff(string(want), got))
			}
		})
	}
}

// render is the status line, the headers in order, and the body.
func render(rec *httptest.ResponseRecorder) string {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d\n", rec.Code)
	keys := make([]string, 0, len(rec.Header()))
	for k := range rec.Header() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %s\n", k, strings.Join(rec.Header()[k], ", "))
	}
	b.WriteString("\n")
	b.WriteString(rec.Body.String())
	return b.String()
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(wl), len(gl)) {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d\nwant: %s\n got: %s", i+1, w, g)
		}
	}
	return "(same lines)"
}
