package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/openai/openai-go/v3"
)

// drillsDir is where the example drills live, seen from this package.
const drillsDir = "../../examples/drills"

// drillDir copies the named drills into a fresh directory, so that what a
// run writes beside its config (cassettes, the admin state file) stays
// out of the repository, and drills copied together share it.
func drillDir(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(drillsDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runDrill starts the binary on dir/name, with env set in its
// environment (the drills read their knobs from ${VAR:-default}) and its
// CA in dir/ca.
func runDrill(t *testing.T, dir, name string, env map[string]string) (*exec.Cmd, readyLine) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	return startBinary(t, "--config", filepath.Join(dir, name), "--ca-dir", filepath.Join(dir, "ca"))
}

// exchange is one HTTP exchange as an app sees it.
type exchange struct {
	status int
	header http.Header
	body   []byte
	took   time.Duration
}

// providerError decodes either provider's error object: OpenAI's
// {"error":{…}} and Anthropic's {"type":"error","error":{…},"request_id"}.
type providerError struct {
	Type  string `json:"type"`
	Error struct {
		Message string `json:"message"`
		Type    string `json:"type"`
		Code    any    `json:"code"`
	} `json:"error"`
	RequestID string `json:"request_id"`
}

func (a exchange) errorBody(t *testing.T) providerError {
	t.Helper()
	var e providerError
	if err := json.Unmarshal(a.body, &e); err != nil || e.Error.Message == "" {
		t.Fatalf("status %d: the body is not a provider error object: %s", a.status, a.body)
	}
	return e
}

// chatBody is an OpenAI chat request; prompt tells calls apart (a drill's
// random draws are per distinct request).
func chatBody(prompt string, stream bool) string {
	return fmt.Sprintf(`{"model":"gpt-4o-mini","stream":%t,"max_tokens":60,"messages":[{"role":"user","content":%q}]}`, stream, prompt)
}

// messageBody is an Anthropic messages request.
func messageBody(prompt string, stream bool) string {
	return fmt.Sprintf(`{"model":"claude-sonnet-5-5","stream":%t,"max_tokens":60,"messages":[{"role":"user","content":%q}]}`, stream, prompt)
}

// postJSON sends body to the proxy by base URL (path /v1/chat/completions or
// /v1/messages), in scope, and reads the whole answer.
func postJSON(t *testing.T, listen, path, scope, body string) exchange {
	t.Helper()
	a, err := tryPostJSON(listen, path, scope, body)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// tryPostJSON is postJSON for a goroutine other than the test's, which may not
// call t.Fatal.
func tryPostJSON(listen, path, scope, body string) (exchange, error) {
	req, err := http.NewRequest("POST", "http://"+listen+path, strings.NewReader(body))
	if err != nil {
		return exchange{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Llmsim-Scope", scope)
	if strings.HasPrefix(path, "/v1/messages") {
		req.Header.Set("Anthropic-Version", "2023-06-01")
	}
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return exchange{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return exchange{}, fmt.Errorf("%s: reading the body: %w", path, err)
	}
	return exchange{resp.StatusCode, resp.Header, data, time.Since(start)}, nil
}

// journalEntry is one request as the admin journal reports it.
type journalEntry struct {
	Status   int      `json:"status"`
	Rule     string   `json:"rule"`
	Source   string   `json:"source"`
	Host     string   `json:"host"`
	Provider string   `json:"provider"`
	Dialect  string   `json:"dialect"`
	Path     string   `json:"path"`
	Faults   []string `json:"faults"`
	Complete bool     `json:"complete"`
	Outcome  string   `json:"outcome"`
	// Retry is what the client sent about its retries; Advice what the
	// answer told it.
	Retry  map[string]string `json:"request_retry"`
	Advice map[string]string `json:"response_retry"`
}

// journalOf waits until the admin journal holds at least n requests of
// scope, then returns them oldest first. A request is journaled when its
// handler ends, a moment after the client has read the answer, so the
// last one may need that moment.
func journalOf(t *testing.T, admin, scope string, n int) []journalEntry {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + admin + "/api/v1/requests?scope=" + url.QueryEscape(scope))
		if err != nil {
			t.Fatal(err)
		}
		var got struct{ Requests []journalEntry }
		err = json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Requests) >= n || time.Now().After(deadline) {
			return got.Requests
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// journalStatuses lists the journal's statuses, in order.
func journalStatuses(js []journalEntry) []int {
	out := make([]int, len(js))
	for i, j := range js {
		out[i] = j.Status
	}
	return out
}

// sdkChat is an SDK chat request for prompt.
func sdkChat(prompt string) openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{Model: "gpt-4o-mini",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(prompt)}}
}

// sdkMessage is an SDK messages request for model.
func sdkMessage(model string) anthropic.MessageNewParams {
	return anthropic.MessageNewParams{Model: anthropic.Model(model), MaxTokens: 60,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("Hello"))}}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
