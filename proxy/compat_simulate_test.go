package proxy

// An OpenAI-compatible host named by its preset alone (groq: {}),
// simulated and faulted, as the openai-go SDK sees it through HTTPS_PROXY
// and by base URL.

import (
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// upstreams: deny proves nothing here dials the real api.groq.com.
const groqSimYAML = `version: 1
upstreams: deny
providers:
  groq: {}
rules:
  - name: groq-refused
    match: {provider: groq, headers: {x-test: refused}}
    faults:
      - error: {status: 429, retry_after: 2s}
  - name: groq-broken
    match: {provider: groq, headers: {x-test: broken}}
    faults:
      - stream: {error_after_events: 2}
  - name: groq-limited
    match: {provider: groq, headers: {x-test: limited}}
    faults:
      - rate_limit: {requests_per_minute: 3}
  - name: groq-sim
    match: {provider: groq, path: /v1/chat/completions}
    action: simulate
`

// Both ways an app reaches Groq through the simulator get OpenAI's
// shapes: answers, the error fault's body and headers, the in-stream
// error and the rate-limit headers.
func TestOpenAICompatibleHostSimulated(t *testing.T) {
	for name, reach := range map[string]func(*stack) []option.RequestOption{
		"https-proxy": func(s *stack) []option.RequestOption {
			return []option.RequestOption{option.WithBaseURL(groqBaseURL), option.WithHTTPClient(s.proxyClient())}
		},
		"base-url": func(s *stack) []option.RequestOption {
			return []option.RequestOption{option.WithBaseURL(s.srv.URL + "/groq/v1")}
		},
	} {
		t.Run(name, func(t *testing.T) {
			// A stack each: the rate limit and the occurrence counts start
			// afresh.
			s := newStack(t, groqSimYAML, nil)
			oc := openai.NewClient(append(reach(s), option.WithAPIKey(groqKey), option.WithMaxRetries(0))...)
			groqSimulatedAnswers(t, oc)
			groqErrorFault(t, oc)
			groqStreamError(t, oc)
			groqRateLimitHeaders(t, oc)
		})
	}
}

// groqSimulatedAnswers checks a simulated answer and stream, under the
// rule that names the provider and the API path without Groq's /openai.
func groqSimulatedAnswers(t *testing.T, oc openai.Client) {
	var raw *http.Response
	got, err := oc.Chat.Completions.New(t.Context(), chatParams("llama-3.3-70b-versatile"), option.WithResponseInto(&raw))
	if err != nil {
		t.Fatal(err)
	}
	if got.Object != "chat.completion" || got.Model != "llama-3.3-70b-versatile" || raw.Header.Get("X-Llmsim-Rule") != "groq-sim" {
		t.Fatalf("answer %s under rule %q", got.RawJSON(), raw.Header.Get("X-Llmsim-Rule"))
	}
	sdkPresent(t, "chat.completion", map[string]sdkField{"id": got.JSON.ID, "created": got.JSON.Created,
		"choices": got.JSON.Choices, "usage": got.JSON.Usage, "finish_reason": got.Choices[0].JSON.FinishReason})
	stream := oc.Chat.Completions.NewStreaming(t.Context(), chatParams("llama-3.3-70b-versatile"))
	var acc openai.ChatCompletionAccumulator
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	if err := stream.Err(); err != nil || acc.Object != "chat.completion" || acc.Choices[0].FinishReason != "stop" ||
		acc.Choices[0].Message.Content != got.Choices[0].Message.Content {
		t.Fatalf("stream: %v %+v, unstreamed %q", err, acc.Choices, got.Choices[0].Message.Content)
	}
}

// groqErrorFault checks the error fault answers OpenAI's 429 body and
// retry headers.
func groqErrorFault(t *testing.T, oc openai.Client) {
	var raw *http.Response
	_, err := oc.Chat.Completions.New(t.Context(), chatParams("llama-3.3-70b-versatile"),
		option.WithHeader("x-test", "refused"), option.WithResponseInto(&raw))
	apiErr := asOpenAIError(t, err)
	if apiErr.StatusCode != http.StatusTooManyRequests || apiErr.Code != "rate_limit_exceeded" || apiErr.Type != "requests" ||
		apiErr.Message == "" {
		t.Errorf("429: %d %s", apiErr.StatusCode, apiErr.RawJSON())
	}
	if h := apiErr.Response.Header; h.Get("Retry-After") != "2" || h.Get("Retry-After-Ms") != "2000" {
		t.Errorf("429 headers: %v", h)
	}
}

// groqStreamError checks the in-stream error ends the stream as the SDK's
// error, after the events before it.
func groqStreamError(t *testing.T, oc openai.Client) {
	stream := oc.Chat.Completions.NewStreaming(t.Context(), chatParams("llama-3.3-70b-versatile"), option.WithHeader("x-test", "broken"))
	n := 0
	for stream.Next() {
		n++
	}
	if err := stream.Err(); err == nil || n != 2 {
		t.Errorf("in-stream error after 2 events: %d events, then %v", n, err)
	}
}

// groqRateLimitHeaders checks OpenAI's x-ratelimit-* headers count down,
// and the limit's 429 once they reach zero.
func groqRateLimitHeaders(t *testing.T, oc openai.Client) {
	for want := 2; want >= 0; want-- {
		var raw *http.Response
		if _, err := oc.Chat.Completions.New(t.Context(), chatParams("llama-3.3-70b-versatile"),
			option.WithHeader("x-test", "limited"), option.WithResponseInto(&raw)); err != nil {
			t.Fatal(err)
		}
		h := raw.Header
		if h.Get("X-Ratelimit-Limit-Requests") != "3" || h.Get("X-Ratelimit-Remaining-Requests") != string(rune('0'+want)) ||
			!strings.HasSuffix(h.Get("X-Ratelimit-Reset-Requests"), "s") {
			t.Errorf("rate-limit headers with %d left: %v", want, h)
		}
	}
	_, err := oc.Chat.Completions.New(t.Context(), chatParams("llama-3.3-70b-versatile"), option.WithHeader("x-test", "limited"))
	if apiErr := asOpenAIError(t, err); apiErr.StatusCode != http.StatusTooManyRequests || apiErr.Code != "rate_limit_exceeded" {
		t.Errorf("over the limit: %d %s", apiErr.StatusCode, apiErr.RawJSON())
	}
}
