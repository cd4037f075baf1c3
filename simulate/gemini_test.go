package simulate

import (
	"encoding/json"
	"strings"
	"testing"
)

// checkGeminiError asserts body is a google.rpc.Status error object whose
// code and status agree.
func checkGeminiError(t *testing.T, body []byte) (code int, status, message string) {
	t.Helper()
	var e struct {
		Error *struct {
			Code    *int    `json:"code"`
			Message *string `json:"message"`
			Status  *string `json:"status"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Error == nil || e.Error.Code == nil || e.Error.Message == nil || e.Error.Status == nil {
		t.Fatalf("gemini error without error.code, .message and .status: %s", body)
	}
	return *e.Error.Code, *e.Error.Status, *e.Error.Message
}

// Every bad Gemini request gets Google's status object with the status
// name that goes with its code, never a 5xx.
func TestGeminiBadInput(t *testing.T) {
	allow := testConfig()
	allow.AllowedModels = []string{"gemini-2.5-*"}
	const gen = "/v1beta/models/gemini-2.5-flash:generateContent"
	hi := `"contents":[{"parts":[{"text":"hi"}]}]`
	cases := []struct {
		name, method, path, body string
		cfg                      *Config
		status                   int
		rpc, msg                 string
	}{
		{"malformed json", "POST", gen, `{"contents":`, nil, 400, "INVALID_ARGUMENT", "Invalid JSON payload received."},
		{"empty body", "POST", gen, ``, nil, 400, "INVALID_ARGUMENT", "Invalid JSON payload received."},
		{"not an object", "POST", gen, `[1]`, nil, 400, "INVALID_ARGUMENT", "Invalid JSON payload received."},
		{"no contents", "POST", gen, `{}`, nil, 400, "INVALID_ARGUMENT", "* GenerateContentRequest.contents: contents is not specified"},
		{"no parts", "POST", gen, `{"contents":[{"role":"user"}]}`, nil, 400, "INVALID_ARGUMENT", "contents[0].parts: contents.parts must not be empty"},
		{"empty part", "POST", gen, `{"contents":[{"parts":[{}]}]}`, nil, 400, "INVALID_ARGUMENT", "contents[0].parts[0].data: required oneof field 'data'"},
		{"bad role", "POST", gen, `{"contents":[{"role":"bot","parts":[{"text":"x"}]}]}`, nil, 400, "INVALID_ARGUMENT", "Please use a valid role: user, model."},
		{"wrong type", "POST", gen, `{` + hi + `,"generationConfig":{"candidateCount":"two"}}`, nil, 400, "INVALID_ARGUMENT", `Invalid value at 'generation_config.candidate_count' (TYPE_INT32), "two"`},
		{"too many candidates", "POST", gen, `{` + hi + `,"generationConfig":{"candidateCount":9}}`, nil, 400, "INVALID_ARGUMENT", "candidate_count"},
		{"bad mime type", "POST", gen, `{` + hi + `,"generationConfig":{"responseMimeType":"text/csv"}}`, nil, 400, "INVALID_ARGUMENT", "allowed mimetypes"},
		{"schema without json", "POST", gen, `{` + hi + `,"generationConfig":{"responseSchema":{"type":"STRING"}}}`, nil, 400, "INVALID_ARGUMENT", "response_mime_type"},
		{"unnamed function", "POST", gen, `{` + hi + `,"tools":[{"functionDeclarations":[{}]}]}`, nil, 400, "INVALID_ARGUMENT", "function_declarations[0].name: Name cannot be empty."},
		{"bad mode", "POST", gen, `{` + hi + `,"toolConfig":{"functionCallingConfig":{"mode":"SOMETIMES"}}}`, nil, 400, "INVALID_ARGUMENT", "tool_config.function_calling_config.mode"},
		{"unsatisfiable schema", "POST", gen, `{` + hi + `,"generationConfig":{"responseMimeType":"application/json","responseSchema":{"type":"OBJECT","properties":{"x":{"enum":[]}},"required":["x"]}}}`, nil, 400, "INVALID_ARGUMENT", "invalid output schema"},
		{"unknown model", "POST", "/v1beta/models/gemini-9:generateContent", `{` + hi + `}`, &allow, 404, "NOT_FOUND", "models/gemini-9 is not found for API version v1beta, or is not supported for generateContent."},
		{"unknown model get", "GET", "/v1beta/models/gemini-9", ``, &allow, 404, "NOT_FOUND", "models/gemini-9"},
		{"unknown method", "POST", "/v1beta/models/gemini-2.5-flash:dream", `{}`, nil, 404, "NOT_FOUND", ""},
		{"unknown path", "GET", "/v1beta/tunedModels", ``, nil, 404, "NOT_FOUND", ""},
		{"wrong method", "GET", gen, ``, nil, 405, "INVALID_ARGUMENT", "Method GET is not allowed"},
		{"count both", "POST", "/v1beta/models/gemini-2.5-flash:countTokens", `{` + hi + `,"generateContentRequest":{` + hi + `}}`, nil, 400, "INVALID_ARGUMENT", "cannot both be set"},
		{"count nothing", "POST", "/v1beta/models/gemini-2.5-flash:countTokens", `{}`, nil, 400, "INVALID_ARGUMENT", "* CountTokensRequest.contents: contents is not specified"},
		{"embed nothing", "POST", "/v1beta/models/gemini-embedding-001:embedContent", `{}`, nil, 400, "INVALID_ARGUMENT", "* EmbedContentRequest.content: content is not specified"},
		{"embed too wide", "POST", "/v1beta/models/text-embedding-004:embedContent", `{"content":{"parts":[{"text":"x"}]},"outputDimensionality":769}`, nil, 400, "INVALID_ARGUMENT", "output_dimensionality"},
		{"batch other model", "POST", "/v1beta/models/text-embedding-004:batchEmbedContents", `{"requests":[{"model":"models/other","content":{"parts":[{"text":"x"}]}}]}`, nil, 400, "INVALID_ARGUMENT", "does not match"},
		{"bad page size", "GET", "/v1beta/models?pageSize=x", ``, nil, 400, "INVALID_ARGUMENT", "page_size"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := testConfig()
			if c.cfg != nil {
				cfg = *c.cfg
			}
			rec := call(t, cfg, "gemini", c.method, c.path, c.body)
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, c.status, rec.Body)
			}
			code, rpc, msg := checkGeminiError(t, rec.Body.Bytes())
			if code != c.status || rpc != c.rpc || !strings.Contains(msg, c.msg) {
				t.Errorf("got %d %s %q, want %d %s containing %q", code, rpc, msg, c.status, c.rpc, c.msg)
			}
		})
	}
}

// countTokens answers what generateContent bills as its prompt, with
// the system instruction and tools when given a whole request.
func TestGeminiCountTokensMatchesUsage(t *testing.T) {
	req := `{"contents":[{"role":"user","parts":[{"text":"What is the weather like in Paris today?"}]}],"systemInstruction":{"parts":[{"text":"Be brief."}]},"tools":[{"functionDeclarations":[{"name":"get_weather","parameters":{"type":"OBJECT","properties":{"city":{"type":"STRING"}}}}]}]}`
	gen := call(t, testConfig(), "gemini", "POST", "/v1beta/models/gemini-2.5-flash:generateContent", req)
	var g geminiResponse
	if err := json.Unmarshal(gen.Body.Bytes(), &g); err != nil {
		t.Fatal(err)
	}
	count := call(t, testConfig(), "gemini", "POST", "/v1beta/models/gemini-2.5-flash:countTokens", `{"generateContentRequest":`+req+`}`)
	var c struct{ TotalTokens int }
	if err := json.Unmarshal(count.Body.Bytes(), &c); err != nil {
		t.Fatal(err)
	}
	if c.TotalTokens == 0 || c.TotalTokens != g.UsageMetadata.PromptTokenCount {
		t.Errorf("countTokens %d, generateContent billed %d", c.TotalTokens, g.UsageMetadata.PromptTokenCount)
	}
	if n := EstimatePromptTokens("gemini", "/v1beta/models/gemini-2.5-flash:generateContent", []byte(req)); n != c.TotalTokens {
		t.Errorf("the rate limits' estimate %d, billed %d", n, c.TotalTokens)
	}
}

// Thinking with includeThoughts sends thought parts; without it the
// thoughts are billed, not shown.
func TestGeminiThinking(t *testing.T) {
	for _, include := range []bool{true, false} {
		body := `{"contents":[{"parts":[{"text":"Think"}]}],"generationConfig":{"thinkingConfig":{"thinkingBudget":5,"includeThoughts":` +
			map[bool]string{true: "true", false: "false"}[include] + `}}}`
		rec := call(t, testConfig(), "gemini", "POST", "/v1beta/models/gemini-2.5-flash:generateContent", body)
		var r geminiResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		parts := r.Candidates[0].Content.Parts
		shown := len(parts) == 2 && parts[0].Thought && !parts[1].Thought
		if shown != include || r.UsageMetadata.ThoughtsTokenCount != 5 ||
			r.UsageMetadata.TotalTokenCount != r.UsageMetadata.PromptTokenCount+r.UsageMetadata.CandidatesTokenCount+5 {
			t.Errorf("includeThoughts %v: parts %+v usage %+v", include, parts, r.UsageMetadata)
		}
	}
}
