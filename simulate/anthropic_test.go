package simulate

import (
	"encoding/json"
	"strings"
	"testing"
)

// With display omitted, thinking is billed and signed but its text is
// withheld, streamed or not.
func TestThinkingDisplayOmitted(t *testing.T) {
	body := `{"model":"c","max_tokens":3000,"thinking":{"type":"enabled","budget_tokens":1024,"display":"omitted"},"messages":[{"role":"user","content":"x"}]`
	rec := call(t, testConfig(), "anthropic", "POST", "/v1/messages", body+`}`)
	var m struct {
		Content []struct{ Type, Thinking, Signature string } `json:"content"`
		Usage   struct {
			OutputTokens        int `json:"output_tokens"`
			OutputTokensDetails struct {
				ThinkingTokens int `json:"thinking_tokens"`
			} `json:"output_tokens_details"`
		} `json:"usage"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Content) < 2 || m.Content[0].Type != "thinking" || m.Content[0].Thinking != "" || m.Content[0].Signature == "" {
		t.Fatalf("thinking block %+v", m.Content)
	}
	if d := m.Usage.OutputTokensDetails.ThinkingTokens; d == 0 || d >= m.Usage.OutputTokens {
		t.Fatalf("thinking tokens %d of %d output tokens", d, m.Usage.OutputTokens)
	}
	stream := call(t, testConfig(), "anthropic", "POST", "/v1/messages", body+`,"stream":true}`).Body.String()
	if strings.Contains(stream, "thinking_delta") || !strings.Contains(stream, "signature_delta") {
		t.Fatalf("stream with omitted thinking:\n%s", stream)
	}
}

// Adaptive thinking thinks within what max_tokens leaves.
func TestAdaptiveThinking(t *testing.T) {
	rec := call(t, testConfig(), "anthropic", "POST", "/v1/messages",
		`{"model":"c","max_tokens":200,"thinking":{"type":"adaptive"},"messages":[{"role":"user","content":"x"}]}`)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"type":"thinking"`) {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}
