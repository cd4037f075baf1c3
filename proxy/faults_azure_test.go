package proxy

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3/option"
)

const azureFaultsYAML = `version: 1
rules:
  - name: broken
    match: {model: broken}
    faults: [{stream: {error_after_events: 3}}]
  - name: cut
    match: {model: cut}
    faults: [{stream: {truncate_after_events: 3}}]
  - name: limited
    match: {model: "limited"}
    faults: [{rate_limit: {requests_per_minute: 2}}]
  - name: rest
    action: simulate
`

// The stream faults end an Azure stream the way its framing (OpenAI
// chat's) ends: the in-stream error reaches the SDK as an error, a cut
// stream lacks its [DONE].
func TestAzureStreamFaults(t *testing.T) {
	s := newStack(t, azureFaultsYAML, nil)
	c := azureClient(s)
	stream := c.Chat.Completions.NewStreaming(context.Background(), chatParams("broken"))
	n := 0
	for stream.Next() {
		n++
	}
	if err := stream.Err(); err == nil || !strings.Contains(err.Error(), "The server had an error") || n != 3 {
		t.Fatalf("after %d chunks: %v, want the in-stream server error after 3", n, err)
	}

	resp, err := s.srv.Client().Post(s.srv.URL+azureConfPath("cut", "chat/completions"), "application/json",
		strings.NewReader(`{"messages":[{"role":"user","content":"hi"}],"stream":true}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if bytes.Contains(body, []byte("[DONE]")) || bytes.Count(body, []byte("data: ")) != 3 ||
		!bytes.Contains(body, []byte(`"prompt_filter_results"`)) {
		t.Fatalf("cut after 3 events, the prompt filter's first:\n%s", body)
	}
}

// A rate limit reports what remains in Azure's two headers, and refuses
// in Azure's words with retry-after and retry-after-ms.
func TestAzureRateLimit(t *testing.T) {
	s := newStack(t, azureFaultsYAML, nil)
	c := azureClient(s)
	for i := range 2 {
		var raw *http.Response
		if _, err := c.Chat.Completions.New(context.Background(), chatParams("limited"), option.WithResponseInto(&raw)); err != nil {
			t.Fatal(err)
		}
		if got := raw.Header.Get("X-Ratelimit-Remaining-Requests"); got != []string{"1", "0"}[i] {
			t.Errorf("request %d: x-ratelimit-remaining-requests %q", i+1, got)
		}
		if raw.Header.Get("X-Ratelimit-Limit-Requests") != "" || raw.Header.Get("X-Ratelimit-Reset-Requests") != "" {
			t.Errorf("Azure sends no limit or reset headers: %v", raw.Header)
		}
	}
	var raw *http.Response
	_, err := c.Chat.Completions.New(context.Background(), chatParams("limited"), option.WithResponseInto(&raw))
	e := asOpenAIError(t, err)
	if e.StatusCode != 429 || e.Code != "429" || !strings.HasPrefix(e.Message, "Rate limit is exceeded. Try again in ") {
		t.Fatalf("refusal: %d %q %q", e.StatusCode, e.Code, e.Message)
	}
	if raw.Header.Get("Retry-After") == "" || raw.Header.Get("Retry-After-Ms") == "" {
		t.Errorf("refusal headers: %v", raw.Header)
	}
}
