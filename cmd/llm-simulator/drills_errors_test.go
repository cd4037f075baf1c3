package main

import (
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// The drills the README promises, every one passing `llm-simulator check`
// as shipped (no environment set), and no drill left untested.
func TestDrillsPassCheck(t *testing.T) {
	want := []string{"anthropic-overloaded.yaml", "backpressure-queue.yaml", "offline-ci.yaml",
		"openai-429-storm.yaml", "record-in-staging.yaml", "replay-in-ci.yaml", "scripted-recovery.yaml",
		"slow-first-token.yaml", "stream-cut-mid-answer.yaml", "tpm-rate-limit.yaml"}
	files, _ := filepath.Glob(filepath.Join(drillsDir, "*.yaml"))
	var got []string
	for _, f := range files {
		got = append(got, filepath.Base(f))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("examples/drills holds %v, want %v (a new drill needs a test here and in drills_*_test.go)", got, want)
	}
	for _, name := range want {
		out, err := exec.Command(binary(t), "check", filepath.Join(drillsDir, name)).CombinedOutput()
		if err != nil || !strings.Contains(string(out), ": ok (") {
			t.Errorf("check %s: %v\n%s", name, err, out)
		}
		if !strings.HasPrefix(string(mustRead(t, filepath.Join(drillsDir, name))), "# Drill") {
			t.Errorf("%s does not open with its '# Drill…' comment block", name)
		}
	}
}

// The 429 storm: some calls refused with OpenAI's 429 and its retry
// headers, the rest answered; an SDK that honours retry-after-ms gets
// every call through, and the journal shows its retries.
func TestDrillOpenAI429Storm(t *testing.T) {
	dir := drillDir(t, "openai-429-storm.yaml")
	_, ready := runDrill(t, dir, "openai-429-storm.yaml", map[string]string{"LLMSIM_RETRY_AFTER": "20ms"})

	refused := 0
	for i := range 20 {
		a := postJSON(t, ready.Listen, "/v1/chat/completions", "raw", chatBody(fmt.Sprint("call ", i), false))
		switch a.status {
		case 200:
		case 429:
			refused++
			e := a.errorBody(t)
			if e.Error.Code != "rate_limit_exceeded" || a.header.Get("Retry-After") != "1" || a.header.Get("Retry-After-Ms") != "20" {
				t.Fatalf("429: code %v, retry-after %q, retry-after-ms %q", e.Error.Code, a.header.Get("Retry-After"), a.header.Get("Retry-After-Ms"))
			}
		default:
			t.Fatalf("status %d: %s", a.status, a.body)
		}
	}
	if refused < 4 || refused > 16 {
		t.Fatalf("%d of 20 calls refused; the storm refuses about half", refused)
	}

	c := openai.NewClient(option.WithBaseURL("http://"+ready.Listen+"/v1"), option.WithAPIKey("sk-test"),
		option.WithHeader("X-Llmsim-Scope", "sdk"), option.WithMaxRetries(8))
	for i := range 5 {
		if _, err := c.Chat.Completions.New(t.Context(), sdkChat(fmt.Sprint("sdk call ", i))); err != nil {
			t.Fatalf("call %d failed despite 8 retries: %v", i, err)
		}
	}
	js := journalOf(t, ready.Admin, "sdk", 6)
	retried := 0
	for _, j := range js {
		if j.Status == 429 && j.Advice["retry-after-ms"] != "20" {
			t.Fatalf("a 429 in the journal without its retry-after-ms: %+v", j)
		}
		if j.Retry["x-stainless-retry-count"] != "" && j.Retry["x-stainless-retry-count"] != "0" {
			retried++
		}
	}
	if len(js) <= 5 || retried != len(js)-5 {
		t.Fatalf("5 calls took %d requests, %d of them retries: %v", len(js), retried, journalStatuses(js))
	}
}

// Anthropic overloaded: 529 with Anthropic's overloaded_error object,
// the SDK's default two retries, then the error the app must handle.
func TestDrillAnthropicOverloaded(t *testing.T) {
	t.Run("raw", func(t *testing.T) {
		dir := drillDir(t, "anthropic-overloaded.yaml")
		_, ready := runDrill(t, dir, "anthropic-overloaded.yaml", nil)
		overloaded := 0
		for i := range 20 {
			a := postJSON(t, ready.Listen, "/v1/messages", "raw", messageBody(fmt.Sprint("call ", i), false))
			switch a.status {
			case 200:
			case 529:
				overloaded++
				if e := a.errorBody(t); e.Type != "error" || e.Error.Type != "overloaded_error" || e.RequestID == "" {
					t.Fatalf("529 body: %s", a.body)
				}
			default:
				t.Fatalf("status %d: %s", a.status, a.body)
			}
		}
		if overloaded < 8 || overloaded == 20 {
			t.Fatalf("%d of 20 calls overloaded; the drill overloads about 70%%", overloaded)
		}
		// OpenAI traffic is not touched.
		if a := postJSON(t, ready.Listen, "/v1/chat/completions", "raw", chatBody("hi", false)); a.status != 200 {
			t.Fatalf("an OpenAI call got %d", a.status)
		}
	})
	t.Run("sdk", func(t *testing.T) {
		dir := drillDir(t, "anthropic-overloaded.yaml")
		_, ready := runDrill(t, dir, "anthropic-overloaded.yaml", map[string]string{"LLMSIM_OVERLOAD_PROBABILITY": "1"})
		c := anthropic.NewClient(aoption.WithoutEnvironmentDefaults(), aoption.WithBaseURL("http://"+ready.Listen),
			aoption.WithAPIKey("sk-ant-test"), aoption.WithHeader("X-Llmsim-Scope", "sdk"))
		_, err := c.Messages.New(t.Context(), sdkMessage("claude-sonnet-5-5"))
		var apiErr *anthropic.Error
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 529 || !strings.Contains(apiErr.RawJSON(), `"overloaded_error"`) {
			t.Fatalf("the app got %v, want the SDK's 529 overloaded_error", err)
		}
		js := journalOf(t, ready.Admin, "sdk", 3)
		if !slices.Equal(journalStatuses(js), []int{529, 529, 529}) || js[2].Retry["x-stainless-retry-count"] != "2" {
			t.Fatalf("the SDK's default retries: %+v", js)
		}
	})
}

// Scripted recovery: three 500s, then success — one more failure than
// the SDKs' default two retries absorb.
func TestDrillScriptedRecovery(t *testing.T) {
	dir := drillDir(t, "scripted-recovery.yaml")
	_, ready := runDrill(t, dir, "scripted-recovery.yaml", map[string]string{"LLMSIM_RETRY_AFTER": "10ms"})
	client := func(scope string, retries int) openai.Client {
		return openai.NewClient(option.WithBaseURL("http://"+ready.Listen+"/v1"), option.WithAPIKey("sk-test"),
			option.WithHeader("X-Llmsim-Scope", scope), option.WithMaxRetries(retries))
	}

	c := client("default-retries", 2)
	_, err := c.Chat.Completions.New(t.Context(), sdkChat("hello"))
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 || apiErr.Type != "server_error" {
		t.Fatalf("with 2 retries the app got %v, want the third 500", err)
	}
	if _, err := c.Chat.Completions.New(t.Context(), sdkChat("hello")); err != nil {
		t.Fatalf("the fourth call in the scope: %v", err)
	}

	enough := client("enough-retries", 3)
	if _, err := enough.Chat.Completions.New(t.Context(), sdkChat("hello")); err != nil {
		t.Fatalf("with 3 retries the app got %v", err)
	}
	js := journalOf(t, ready.Admin, "enough-retries", 4)
	if !slices.Equal(journalStatuses(js), []int{500, 500, 500, 200}) || js[3].Retry["x-stainless-retry-count"] != "3" {
		t.Fatalf("journal: %+v", js)
	}

	// Anthropic's side of the same drill: its own error object.
	for i, want := range []int{500, 500, 500, 200, 200} {
		a := postJSON(t, ready.Listen, "/v1/messages", "anthropic", messageBody("hello", false))
		if a.status != want {
			t.Fatalf("Anthropic call %d: %d, want %d: %s", i+1, a.status, want, a.body)
		}
		if a.status == 500 && a.errorBody(t).Error.Type != "api_error" {
			t.Fatalf("Anthropic 500 body: %s", a.body)
		}
	}
}
