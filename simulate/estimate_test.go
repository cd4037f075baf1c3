package simulate

import (
	"encoding/json"
	"testing"
)

// The estimate before the call equals what the call bills.
func TestEstimatePromptTokensMatchesUsage(t *testing.T) {
	cases := []struct{ provider, path, body, field string }{
		{"openai", "/v1/chat/completions", `{"model":"m","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Count these words please"}]}`, "prompt_tokens"},
		{"openai", "/v1/responses", `{"model":"m","instructions":"Be brief.","input":"Count these words"}`, "input_tokens"},
		{"anthropic", "/v1/messages", `{"model":"c","max_tokens":50,"system":"Be brief.","messages":[{"role":"user","content":"Count these words"}]}`, "input_tokens"},
		{"openai", "/v1/embeddings", `{"model":"e","input":"count these words"}`, "prompt_tokens"},
	}
	for _, c := range cases {
		est := EstimatePromptTokens(c.provider, c.path, []byte(c.body))
		var resp struct {
			Usage map[string]any `json:"usage"`
		}
		rec := call(t, testConfig(), c.provider, "POST", c.path, c.body)
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			t.Fatal(err)
		}
		if got := int(resp.Usage[c.field].(float64)); est == 0 || est != got {
			t.Errorf("%s: estimated %d, billed %d", c.path, est, got)
		}
	}
	if n := EstimatePromptTokens("openai", "/v1/chat/completions", []byte(`{"model":`)); n != 0 {
		t.Errorf("a broken body estimated %d", n)
	}
}
