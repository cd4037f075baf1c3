package proxy

// The rules and faults, as the official SDKs experience them.

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/faults"
	"github.com/llm-simulator/llm-simulator/internal/clock"
	"github.com/llm-simulator/llm-simulator/rules"
	"github.com/llm-simulator/llm-simulator/simulate"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// rulesServer serves a config's rules over an instant simulator, on the
// given clock (nil: wall-clock time).
func rulesServer(t *testing.T, yaml string, c clock.Clock) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(rulesFront(t, yaml, c))
	t.Cleanup(srv.Close)
	return srv
}

// rulesFront is the front rulesServer serves.
func rulesFront(t *testing.T, yaml string, c clock.Clock) *Front {
	t.Helper()
	cfg, err := config.Parse("test.yaml", []byte(yaml), config.Options{TemplateData: simulate.TemplateData{}})
	if err != nil {
		t.Fatal(err)
	}
	sc := SimulatorConfig(&cfg.Simulate)
	sc.Default = simulate.InstantModel()
	live := new(rules.Live)
	live.Store(mustBuild(t, cfg, faults.NewStore(), "test"))
	return &Front{Sim: simulate.New(sc), Rules: live, Clock: c, Seed: 42}
}

func chatParams(model string) openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{Model: model, Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Hello")}}
}

func messageParams(model string) anthropic.MessageNewParams {
	return anthropic.MessageNewParams{Model: anthropic.Model(model), MaxTokens: 200,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("Hello"))}}
}

const contractYAML = `version: 1
seed: 42
rules:
  - name: scripted
    match: {path: /v1/chat/completions, scope: s1}
    action: simulate
    faults:
      - error: {status: 429, times: 2, retry_after: 1s}
  - name: overload
    match: {path: /v1/messages, headers: {x-test: overload}}
    action: simulate
    faults:
      - error: {status: 529}
  - name: limited
    match: {model: "rl-*"}
    action: simulate
    faults:
      - rate_limit: {requests_per_minute: 3, tokens_per_minute: 20000}
  - name: cut
    match: {model: "cut-*"}
    action: simulate
    faults:
      - stream: {truncate_after_events: 3}
  - name: broken
    match: {model: "broken-*"}
    faults:
      - stream: {error_after_events: 3}
`

// "Fail the first two with 429 and retry-after, then succeed": the SDK
// retries, waiting as told, and the third call succeeds.
func TestSDKRetriesScripted429(t *testing.T) {
	srv := rulesServer(t, contractYAML, nil)
	client := openai.NewClient(option.WithBaseURL(srv.URL+"/v1"), option.WithAPIKey("test"),
		option.WithHeader("X-Llmsim-Scope", "s1"), option.WithMaxRetries(2))
	var resp *http.Response
	start := time.Now()
	r, err := client.Chat.Completions.New(t.Context(), chatParams("gpt-4o"), option.WithResponseInto(&resp))
	took := time.Since(start)
	if err != nil {
		t.Fatalf("the third attempt did not succeed: %v", err)
	}
	if len(r.Choices) != 1 || resp.Header.Get("X-Llmsim-Rule") != "scripted" {
		t.Fatalf("answer %s, rule %q", r.RawJSON(), resp.Header.Get("X-Llmsim-Rule"))
	}
	if took < 2*time.Second || took > 20*time.Second {
		t.Fatalf("two retries after retry-after: 1s took %v", took)
	}
	// The scope's budget of two is spent; another scope has its own.
	other := openai.NewClient(option.WithBaseURL(srv.URL+"/v1"), option.WithAPIKey("test"),
		option.WithHeader("X-Llmsim-Scope", "s1"), option.WithMaxRetries(0))
	if _, err := other.Chat.Completions.New(t.Context(), chatParams("gpt-4o")); err != nil {
		t.Fatalf("a fourth call in scope s1 failed: %v", err)
	}
}

// A rule scoped to s1 takes only requests carrying that scope.
func TestScopedRuleHitsOnlyItsScope(t *testing.T) {
	srv := rulesServer(t, contractYAML, nil)
	client := sdkOpenAIClient(srv)
	var resp *http.Response
	if _, err := client.Chat.Completions.New(t.Context(), chatParams("gpt-4o"), option.WithResponseInto(&resp)); err != nil {
		t.Fatalf("an unscoped call hit the scoped rule: %v", err)
	}
	if rule := resp.Header.Get("X-Llmsim-Rule"); rule != "default" {
		t.Fatalf("unscoped call taken by rule %q", rule)
	}
	_, err := client.Chat.Completions.New(t.Context(), chatParams("gpt-4o"), option.WithHeader("X-Llmsim-Scope", "s1"))
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || apiErr.Code != "rate_limit_exceeded" {
		t.Fatalf("scoped call: %v", err)
	}
}

func TestSDKSeesAnthropicOverloaded(t *testing.T) {
	srv := rulesServer(t, contractYAML, nil)
	client := anthropic.NewClient(aoption.WithoutEnvironmentDefaults(), aoption.WithBaseURL(srv.URL),
		aoption.WithAPIKey("test"), aoption.WithMaxRetries(0), aoption.WithHeader("x-test", "overload"))
	_, err := client.Messages.New(t.Context(), messageParams("claude-sonnet-4-5"))
	var apiErr *anthropic.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 529 {
		t.Fatalf("got %v, want a 529", err)
	}
	if !strings.Contains(apiErr.RawJSON(), `"overloaded_error"`) {
		t.Fatalf("error %s is not overloaded_error", apiErr.RawJSON())
	}
}

// A stream cut cleanly after three events: the SDKs raise no error and
// their accumulated answer has no finish or stop reason.
func TestSDKTruncatedStreams(t *testing.T) {
	srv := rulesServer(t, contractYAML, nil)
	oc, ac := sdkOpenAIClient(srv), sdkAnthropicClient(srv)
	stream := oc.Chat.Completions.NewStreaming(t.Context(), chatParams("cut-model"))
	var acc openai.ChatCompletionAccumulator
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	if err := stream.Err(); err != nil {
		t.Fatalf("the SDK raised %v on a clean early end", err)
	}
	if len(acc.Choices) == 0 || acc.Choices[0].FinishReason != "" {
		t.Fatalf("accumulated %+v, want no finish_reason", acc.Choices)
	}

	ms := ac.Messages.NewStreaming(t.Context(), messageParams("cut-model"))
	var msg anthropic.Message
	for ms.Next() {
		_ = msg.Accumulate(ms.Current())
	}
	if err := ms.Err(); err != nil {
		t.Fatalf("the Anthropic SDK raised %v on a clean early end", err)
	}
	if msg.StopReason != "" {
		t.Fatalf("stop_reason %q, want none", msg.StopReason)
	}
}

// An in-stream error after three events surfaces as the stream's error.
func TestSDKStreamErrors(t *testing.T) {
	srv := rulesServer(t, contractYAML, nil)
	oc, ac := sdkOpenAIClient(srv), sdkAnthropicClient(srv)
	stream := oc.Chat.Completions.NewStreaming(t.Context(), chatParams("broken-model"))
	for stream.Next() {
	}
	if stream.Err() == nil {
		t.Fatal("the OpenAI SDK saw no error")
	}
	ms := ac.Messages.NewStreaming(t.Context(), messageParams("broken-model"))
	for ms.Next() {
	}
	if ms.Err() == nil {
		t.Fatal("the Anthropic SDK saw no error")
	}
}

// remaining counts down across calls, the fourth is refused with the
// provider's 429, and the window resets (on an injected clock).
func TestSDKRateLimitHeaders(t *testing.T) {
	c := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := rulesServer(t, contractYAML, c)
	client := sdkOpenAIClient(srv)
	remaining := func() (string, error) {
		var resp *http.Response
		_, err := client.Chat.Completions.New(t.Context(), chatParams("rl-model"), option.WithResponseInto(&resp))
		if resp == nil {
			return "", err
		}
		return resp.Header.Get("X-Ratelimit-Remaining-Requests"), err
	}
	for want := 2; want >= 0; want-- {
		got, err := remaining()
		if err != nil || got != strconv.Itoa(want) {
			t.Fatalf("remaining %q (err %v), want %d", got, err, want)
		}
	}
	_, err := remaining()
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || apiErr.Response.Header.Get("Retry-After") == "" {
		t.Fatalf("fourth call: %v", err)
	}
	c.Advance(time.Minute)
	if got, err := remaining(); err != nil || got != "2" {
		t.Fatalf("after the window: remaining %q, err %v", got, err)
	}
}
