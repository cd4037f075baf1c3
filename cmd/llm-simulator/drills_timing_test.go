package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// The first token comes after the drill's TTFT (400ms here instead of
// 30s), the rest at the usual pace; an app with a shorter first-token
// deadline gives up, and the journal shows the call cut short.
func TestDrillSlowFirstToken(t *testing.T) {
	const ttft = 400 * time.Millisecond
	dir := drillDir(t, "slow-first-token.yaml")
	_, ready := runDrill(t, dir, "slow-first-token.yaml", map[string]string{"LLMSIM_TTFT": ttft.String()})
	oc := openai.NewClient(option.WithBaseURL("http://"+ready.Listen+"/v1"), option.WithAPIKey("sk-test"),
		option.WithMaxRetries(0), option.WithHeader("X-Llmsim-Scope", "patient"))

	start := time.Now()
	stream := oc.Chat.Completions.NewStreaming(t.Context(), sdkChat("hello"))
	var first, last time.Duration
	chunks := 0
	for stream.Next() {
		if chunks++; chunks == 1 {
			first = time.Since(start)
		}
		last = time.Since(start)
	}
	if err := stream.Err(); err != nil || chunks < 3 {
		t.Fatalf("%d chunks, %v", chunks, err)
	}
	if first < ttft-20*time.Millisecond {
		t.Fatalf("first chunk after %v, want the drill's %v", first, ttft)
	}
	if last-first > 2*time.Second {
		t.Fatalf("the tokens after the first took %v; only the first is slow", last-first)
	}

	ac := anthropic.NewClient(aoption.WithoutEnvironmentDefaults(), aoption.WithBaseURL("http://"+ready.Listen),
		aoption.WithAPIKey("sk-ant-test"), aoption.WithMaxRetries(0))
	// Anthropic's message_start comes at once, as the API sends it; the
	// first content block waits.
	start = time.Now()
	ms := ac.Messages.NewStreaming(t.Context(), sdkMessage("claude-sonnet-5-5"))
	var content time.Duration
	for ms.Next() {
		if ms.Current().Type == "content_block_start" && content == 0 {
			content = time.Since(start)
		}
	}
	if err := ms.Err(); err != nil {
		t.Fatal(err)
	}
	if content < ttft-20*time.Millisecond {
		t.Fatalf("first Anthropic content after %v, want %v", content, ttft)
	}

	// The resilient app's first-token deadline, shorter than the TTFT.
	ctx, cancel := context.WithTimeout(t.Context(), ttft/4)
	defer cancel()
	impatient := oc.Chat.Completions.NewStreaming(ctx, sdkChat("hello"), option.WithHeader("X-Llmsim-Scope", "impatient"))
	if impatient.Next() || !errors.Is(impatient.Err(), context.DeadlineExceeded) {
		t.Fatalf("a first-token deadline of %v: next %v, error %v", ttft/4, impatient.Current(), impatient.Err())
	}
	_ = impatient.Close()
	if js := journalOf(t, ready.Admin, "impatient", 1); len(js) != 1 || js[0].Complete {
		t.Fatalf("the abandoned call in the journal: %+v", js)
	}
}

// A stream cut after 12 events ends cleanly, so the SDKs raise no error:
// only the missing finish_reason / stop_reason and [DONE] tell. Calls
// that do not stream are whole.
func TestDrillStreamCutMidAnswer(t *testing.T) {
	dir := drillDir(t, "stream-cut-mid-answer.yaml")
	_, ready := runDrill(t, dir, "stream-cut-mid-answer.yaml", nil)

	raw := postJSON(t, ready.Listen, "/v1/chat/completions", "raw", chatBody("tell me a story", true))
	if raw.status != 200 || bytes.Count(raw.body, []byte("data: ")) != 12 || bytes.Contains(raw.body, []byte("[DONE]")) {
		t.Fatalf("status %d, want 12 events and no [DONE]:\n%s", raw.status, raw.body)
	}

	oc := openai.NewClient(option.WithBaseURL("http://"+ready.Listen+"/v1"), option.WithAPIKey("sk-test"), option.WithMaxRetries(0))
	stream := oc.Chat.Completions.NewStreaming(t.Context(), sdkChat("tell me a story"))
	var acc openai.ChatCompletionAccumulator
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	if err := stream.Err(); err != nil {
		t.Fatalf("the SDK raised %v; a clean cut raises nothing", err)
	}
	if len(acc.Choices) != 1 || acc.Choices[0].Message.Content == "" || acc.Choices[0].FinishReason != "" {
		t.Fatalf("accumulated %+v: want some text and no finish_reason", acc.Choices)
	}
	whole, err := oc.Chat.Completions.New(t.Context(), sdkChat("tell me a story"))
	if err != nil || whole.Choices[0].FinishReason != "stop" {
		t.Fatalf("the unstreamed call: %v, %+v", err, whole)
	}

	ac := anthropic.NewClient(aoption.WithoutEnvironmentDefaults(), aoption.WithBaseURL("http://"+ready.Listen),
		aoption.WithAPIKey("sk-ant-test"), aoption.WithMaxRetries(0))
	ms := ac.Messages.NewStreaming(t.Context(), sdkMessage("claude-sonnet-5-5"))
	var msg anthropic.Message
	events := 0
	for ms.Next() {
		events++
		if err := msg.Accumulate(ms.Current()); err != nil {
			t.Fatal(err)
		}
	}
	if err := ms.Err(); err != nil || events == 0 || msg.StopReason != "" || len(msg.Content) == 0 {
		t.Fatalf("%d events, stop_reason %q, error %v: want some, none, none", events, msg.StopReason, err)
	}
	raw = postJSON(t, ready.Listen, "/v1/messages", "raw", messageBody("tell me a story", true))
	if raw.status != 200 || bytes.Count(raw.body, []byte("event: ")) != 12 || bytes.Contains(raw.body, []byte("message_stop")) {
		t.Fatalf("status %d, want 12 events and no message_stop:\n%s", raw.status, raw.body)
	}
}

// The TPM budget counts down in the providers' headers, then the next
// call gets the provider's 429 with retry-after.
func TestDrillTPMRateLimit(t *testing.T) {
	const tpm = 600
	dir := drillDir(t, "tpm-rate-limit.yaml")
	_, ready := runDrill(t, dir, "tpm-rate-limit.yaml", map[string]string{"LLMSIM_TPM": strconv.Itoa(tpm)})
	for _, c := range []struct {
		path, limit, remaining, errType string
		body                            func(string, bool) string
	}{
		{"/v1/chat/completions", "X-Ratelimit-Limit-Tokens", "X-Ratelimit-Remaining-Tokens", "tokens", chatBody},
		{"/v1/messages", "Anthropic-Ratelimit-Tokens-Limit", "Anthropic-Ratelimit-Tokens-Remaining", "rate_limit_error", messageBody},
	} {
		t.Run(c.path, func(t *testing.T) {
			prev := tpm + 1
			for i := range 30 {
				a := postJSON(t, ready.Listen, c.path, c.path, c.body(fmt.Sprint("call ", i), false))
				if a.status == 429 {
					e := a.errorBody(t)
					if i < 2 || e.Error.Type != c.errType || a.header.Get("Retry-After") == "" {
						t.Fatalf("429 at call %d: type %q, retry-after %q: %s", i+1, e.Error.Type, a.header.Get("Retry-After"), a.body)
					}
					return
				}
				if a.status != 200 || a.header.Get(c.limit) != strconv.Itoa(tpm) {
					t.Fatalf("call %d: %d, %s %q", i+1, a.status, c.limit, a.header.Get(c.limit))
				}
				left, err := strconv.Atoi(a.header.Get(c.remaining))
				if err != nil || left >= prev {
					t.Fatalf("call %d: %s %q after %d: not counting down", i+1, c.remaining, a.header.Get(c.remaining), prev)
				}
				prev = left
			}
			t.Fatalf("30 calls of about 70 tokens each within a budget of %d a minute", tpm)
		})
	}
}

// Two answered at once, two queued behind them (waiting counts toward
// their time to first byte), the rest turned away at once with OpenAI's
// 503 and a retry-after.
func TestDrillBackpressureQueue(t *testing.T) {
	const answerTime = 600 * time.Millisecond
	dir := drillDir(t, "backpressure-queue.yaml")
	_, ready := runDrill(t, dir, "backpressure-queue.yaml", map[string]string{
		"LLMSIM_MAX_CONCURRENCY": "2", "LLMSIM_QUEUE": "2", "LLMSIM_ANSWER_TIME": answerTime.String()})

	got := make([]exchange, 6)
	errs := make([]error, len(got))
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() {
			got[i], errs[i] = tryPostJSON(ready.Listen, "/v1/chat/completions", "burst", chatBody(fmt.Sprint("call ", i), false))
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	var served, refused []time.Duration
	for _, a := range got {
		switch a.status {
		case 200:
			served = append(served, a.took)
		case http.StatusServiceUnavailable:
			refused = append(refused, a.took)
			if e := a.errorBody(t); e.Error.Type != "server_error" || a.header.Get("Retry-After") == "" {
				t.Fatalf("503: type %q, retry-after %q", e.Error.Type, a.header.Get("Retry-After"))
			}
		default:
			t.Fatalf("status %d: %s", a.status, a.body)
		}
	}
	if len(served) != 4 || len(refused) != 2 {
		t.Fatalf("%d served, %d refused; want 4 (2 at once, 2 queued) and 2", len(served), len(refused))
	}
	slices.Sort(served)
	if served[2] < 2*answerTime || served[3] < 2*answerTime {
		t.Fatalf("the queued calls took %v and %v; each waits for an answer (%v) before its own", served[2], served[3], answerTime)
	}
	if max(refused[0], refused[1]) >= answerTime {
		t.Fatalf("the refusals took %v and %v; a full queue refuses at once", refused[0], refused[1])
	}
}
