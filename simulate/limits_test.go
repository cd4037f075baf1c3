package simulate

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// geminiBatch is a batchEmbedContents body of n requests.
func geminiBatch(n int) string {
	items := make([]string, n)
	for i := range items {
		items[i] = `{"content":{"parts":[{"text":"item ` + strconv.Itoa(i) + `"}]}}`
	}
	return `{"requests":[` + strings.Join(items, ",") + `]}`
}

// words is n one-token words.
func words(n int) string { return strings.TrimSuffix(strings.Repeat("a ", n), " ") }

// stringsOf is a JSON array of n short strings.
func stringsOf(n int) string {
	return `[` + strings.TrimSuffix(strings.Repeat(`"a",`, n), ",") + `]`
}

// Each provider's documented limits on one request are refused with the
// provider's own 400, body for body; the limit itself is accepted.
func TestProviderLimits(t *testing.T) {
	hi := `"messages":[{"role":"user","content":"hi"}]`
	cases := []struct {
		name, provider, path, body string
		status                     int
		want                       string // the exact body of a refusal
	}{
		{"gemini batch of 100", "gemini", "/v1beta/models/gemini-embedding-001:batchEmbedContents", geminiBatch(100), 200, ""},
		{"gemini batch of 101", "gemini", "/v1beta/models/gemini-embedding-001:batchEmbedContents", geminiBatch(101), 400,
			"{\n  \"error\": {\n    \"code\": 400,\n    \"message\": \"* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch\\n\",\n    \"status\": \"INVALID_ARGUMENT\"\n  }\n}\n"},
		{"gemini batch of 20000", "gemini", "/v1beta/models/gemini-embedding-001:batchEmbedContents", geminiBatch(20000), 400,
			"{\n  \"error\": {\n    \"code\": 400,\n    \"message\": \"* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch\\n\",\n    \"status\": \"INVALID_ARGUMENT\"\n  }\n}\n"},
		{"openai 2048 inputs", "openai", "/v1/embeddings", `{"model":"text-embedding-3-small","dimensions":8,"input":` + stringsOf(2048) + `}`, 200, ""},
		{"openai 2049 inputs", "openai", "/v1/embeddings", `{"model":"text-embedding-3-small","dimensions":8,"input":` + stringsOf(2049) + `}`, 400,
			"{\n  \"error\": {\n    \"message\": \"'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.\",\n    \"type\": \"invalid_request_error\",\n    \"param\": \"input\",\n    \"code\": \"invalid_value\"\n  }\n}\n"},
		{"openai a long token array is one input", "openai", "/v1/embeddings", `{"model":"text-embedding-3-small","dimensions":8,"input":[` + strings.TrimSuffix(strings.Repeat("7,", 3000), ",") + `]}`, 200, ""},
		{"openai 300000 tokens", "openai", "/v1/embeddings", `{"model":"text-embedding-3-small","dimensions":8,"input":["` + words(150000) + `","` + words(150000) + `"]}`, 200, ""},
		{"openai 300001 tokens", "openai", "/v1/embeddings", `{"model":"text-embedding-3-small","dimensions":8,"input":["` + words(150000) + `","` + words(150001) + `"]}`, 400,
			"{\n  \"error\": {\n    \"message\": \"Requested 300001 tokens, max 300000 tokens per request\",\n    \"type\": \"max_tokens_per_request\",\n    \"param\": null,\n    \"code\": \"max_tokens_per_request\"\n  }\n}\n"},
		{"openai max_tokens at the limit", "openai", "/v1/chat/completions", `{"model":"gpt-4o",` + hi + `,"max_tokens":16384}`, 200, ""},
		{"openai max_tokens over", "openai", "/v1/chat/completions", `{"model":"gpt-4o-2024-08-06",` + hi + `,"max_tokens":16385}`, 400,
			"{\n  \"error\": {\n    \"message\": \"max_tokens is too large: 16385. This model supports at most 16384 completion tokens, whereas you provided 16385.\",\n    \"type\": \"invalid_request_error\",\n    \"param\": \"max_tokens\",\n    \"code\": null\n  }\n}\n"},
		{"openai max_completion_tokens 1e9", "openai", "/v1/chat/completions", `{"model":"gpt-5-mini",` + hi + `,"max_completion_tokens":1000000000}`, 400,
			"{\n  \"error\": {\n    \"message\": \"max_completion_tokens is too large: 1000000000. This model supports at most 128000 completion tokens, whereas you provided 1000000000.\",\n    \"type\": \"invalid_request_error\",\n    \"param\": \"max_completion_tokens\",\n    \"code\": null\n  }\n}\n"},
		{"unknown model takes a context window's worth", "openai", "/v1/chat/completions", `{"model":"qwen3-coder",` + hi + `,"max_tokens":1048576}`, 200, ""},
		{"unknown model 1e9", "openai", "/v1/chat/completions", `{"model":"llama-4-scout",` + hi + `,"max_tokens":1000000000}`, 400,
			"{\n  \"error\": {\n    \"message\": \"max_tokens is too large: 1000000000. This model supports at most 16777216 completion tokens, whereas you provided 1000000000.\",\n    \"type\": \"invalid_request_error\",\n    \"param\": \"max_tokens\",\n    \"code\": null\n  }\n}\n"},
		{"legacy completions over", "openai", "/v1/completions", `{"model":"gpt-3.5-turbo-instruct","prompt":"x","max_tokens":4097}`, 400,
			"{\n  \"error\": {\n    \"message\": \"max_tokens is too large: 4097. This model supports at most 4096 completion tokens, whereas you provided 4097.\",\n    \"type\": \"invalid_request_error\",\n    \"param\": \"max_tokens\",\n    \"code\": null\n  }\n}\n"},
		{"responses over", "openai", "/v1/responses", `{"model":"gpt-4.1","input":"x","max_output_tokens":32769}`, 400,
			"{\n  \"error\": {\n    \"message\": \"max_output_tokens is too large: 32769. This model supports at most 32768 completion tokens, whereas you provided 32769.\",\n    \"type\": \"invalid_request_error\",\n    \"param\": \"max_output_tokens\",\n    \"code\": null\n  }\n}\n"},
		{"azure deployment over", "azure", "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21", `{` + hi + `,"max_tokens":1000000}`, 400,
			"{\n  \"error\": {\n    \"message\": \"max_tokens is too large: 1000000. This model supports at most 16384 completion tokens, whereas you provided 1000000.\",\n    \"type\": \"invalid_request_error\",\n    \"param\": \"max_tokens\",\n    \"code\": null\n  }\n}\n"},
		{"anthropic at the limit", "anthropic", "/v1/messages", `{"model":"claude-opus-4-1-20250805","max_tokens":32000,` + hi + `}`, 200, ""},
		{"anthropic over", "anthropic", "/v1/messages", `{"model":"claude-opus-4-1-20250805","max_tokens":32001,` + hi + `}`, 400,
			`{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: 32001 > 32000, which is the maximum allowed number of output tokens for claude-opus-4-1-20250805"},"request_id":"REQUEST_ID"}`},
		{"gemini caps maxOutputTokens", "gemini", "/v1beta/models/gemini-2.0-flash:generateContent", `{"contents":[{"parts":[{"text":"hi"}]}],"generationConfig":{"maxOutputTokens":1000000000}}`, 200, ""},
		{"gemini candidateCount 9", "gemini", "/v1beta/models/gemini-2.5-flash:generateContent", `{"contents":[{"parts":[{"text":"hi"}]}],"generationConfig":{"candidateCount":9}}`, 400,
			"{\n  \"error\": {\n    \"code\": 400,\n    \"message\": \"* GenerateContentRequest.generation_config.candidate_count: must be in the range [1, 8].\\n\",\n    \"status\": \"INVALID_ARGUMENT\"\n  }\n}\n"},
		{"openai n 129", "openai", "/v1/chat/completions", `{"model":"gpt-4o",` + hi + `,"n":129}`, 400,
			"{\n  \"error\": {\n    \"message\": \"Invalid 'n': integer above maximum value. Expected a value <= 128, but got 129 instead.\",\n    \"type\": \"invalid_request_error\",\n    \"param\": \"n\",\n    \"code\": \"integer_above_max_value\"\n  }\n}\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := call(t, testConfig(), c.provider, "POST", c.path, c.body)
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %.400s", rec.Code, c.status, rec.Body)
			}
			want := strings.ReplaceAll(c.want, "REQUEST_ID", rec.Header().Get("Request-Id"))
			if c.status != 200 && rec.Body.String() != want {
				t.Fatalf("body\n%s\nwant\n%s", rec.Body, want)
			}
		})
	}
}

// A model's output limit comes from the config first, then the
// catalogue, then the generous default; Gemini's answer is capped at it.
func TestOutputLimitResolution(t *testing.T) {
	cases := []struct {
		name  string
		model string
		set   int
		want  int
	}{
		{"catalogue", "gpt-4o", 0, 16384},
		{"catalogue, dated", "claude-sonnet-4-5-20250929", 0, 64000},
		{"longest family wins", "gpt-4-turbo-2024-04-09", 0, 4096},
		{"a family is a whole name part", "gpt-4.1-mini", 0, 32768},
		{"not a prefix of another name", "o1x", 0, DefaultMaxOutputTokens},
		{"unknown", "mistral-large-latest", 0, DefaultMaxOutputTokens},
		{"config wins", "gpt-4o", 500, 500},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := outputLimit(c.model, &Model{MaxOutputTokens: c.set}); got != c.want {
				t.Fatalf("%d, want %d", got, c.want)
			}
		})
	}

	cfg := testConfig()
	cfg.Default.OutputTokens = InstantModel().OutputTokens
	cfg.Models = []ModelOverride{{Pattern: "gemini-small", Model: InstantModel()}}
	cfg.Models[0].Model.MaxOutputTokens = 3
	rec := call(t, cfg, "gemini", "POST", "/v1beta/models/gemini-small:generateContent",
		`{"contents":[{"parts":[{"text":"hi"}]}],"generationConfig":{"maxOutputTokens":1000}}`)
	var resp struct {
		Candidates []struct {
			FinishReason string `json:"finishReason"`
		} `json:"candidates"`
		UsageMetadata struct {
			CandidatesTokenCount int `json:"candidatesTokenCount"`
		} `json:"usageMetadata"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || rec.Code != 200 {
		t.Fatalf("%d: %s", rec.Code, rec.Body)
	}
	if resp.UsageMetadata.CandidatesTokenCount != 3 || resp.Candidates[0].FinishReason != "MAX_TOKENS" {
		t.Fatalf("maxOutputTokens 1000 on a model limited to 3: %s", rec.Body)
	}
}
