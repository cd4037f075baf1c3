package proxy

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/llm-simulator/llm-simulator/internal/dist"
	"github.com/llm-simulator/llm-simulator/simulate"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// The keys the tapes' clients send: none may reach a cassette.
const (
	openAIKey    = "sk-proj-SECRET-0123456789abcdef"
	anthropicKey = "sk-ant-SECRET-fedcba9876543210"
)

const tapeYAML = `version: 1
providers:
  openai: {upstream: "{{up}}", ca_file: "{{ca}}"}
  anthropic: {upstream: "{{up}}", ca_file: "{{ca}}"}
cache: {dir: "{{dir}}"}
rules:
  - name: tape
    action: {{action}}
    cassette: {{cassette}}
`

// simUpstream is a provider stand-in that answers as the real APIs do —
// it is the simulator, each token itl after the last — so recordings hold
// realistic bodies and timing.
func simUpstream(t *testing.T, itl time.Duration) *fakeUpstream {
	t.Helper()
	m := simulate.InstantModel()
	m.ITL = dist.Constant{V: float64(itl)}
	front := &Front{Sim: simulate.New(simulate.Config{Default: m}), Seed: 7}
	return newFakeUpstream(t, front.ServeHTTP)
}

// tape serves a single rule taking every request with action and the
// cassette options (YAML flow mapping), recording into or replaying
// from dir, forwarding to up (whose CA file is ca).
func tape(t *testing.T, upURL, ca, dir, action, cassetteYAML string, tune ...func(*Front)) *stack {
	t.Helper()
	return newStack(t, tapeYAML, map[string]string{"up": upURL, "ca": ca, "dir": dir,
		"action": action, "cassette": cassetteYAML}, tune...)
}

// conversation is what a client saw of a set of calls, every way they can
// be made: raw bytes and the SDKs' results, streamed and not.
type conversation struct {
	rawChat, rawStream          string
	chat, chatStream            string
	message, messageStream      string
	chatStreamID, messageStopID string
}

// converse makes the calls against a base URL.
func converse(t *testing.T, base string) conversation {
	t.Helper()
	var c conversation
	c.rawChat = rawPost(t, base+"/v1/chat/completions", `{"model":"gpt-4o","messages":[{"role":"user","content":"raw"}]}`)
	c.rawStream = rawPost(t, base+"/v1/chat/completions", `{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"raw"}]}`)

	oc := openai.NewClient(option.WithBaseURL(base+"/v1"), option.WithAPIKey(openAIKey), option.WithMaxRetries(0))
	got, err := oc.Chat.Completions.New(context.Background(), chatParams("gpt-4o"))
	if err != nil {
		t.Fatal(err)
	}
	c.chat = got.Choices[0].Message.Content
	stream := oc.Chat.Completions.NewStreaming(context.Background(), chatParams("gpt-4o"))
	var acc openai.ChatCompletionAccumulator
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	if err := stream.Err(); err != nil || len(acc.Choices) == 0 {
		t.Fatalf("chat stream: %v", err)
	}
	c.chatStream, c.chatStreamID = acc.Choices[0].Message.Content, acc.ID

	ac := anthropic.NewClient(aoption.WithBaseURL(base), aoption.WithAPIKey(anthropicKey), aoption.WithMaxRetries(0))
	msg, err := ac.Messages.New(context.Background(), messageParams("claude-sonnet-4-5"))
	if err != nil {
		t.Fatal(err)
	}
	c.message = msg.Content[0].Text
	ms := ac.Messages.NewStreaming(context.Background(), messageParams("claude-sonnet-4-5"))
	var whole anthropic.Message
	for ms.Next() {
		if err := whole.Accumulate(ms.Current()); err != nil {
			t.Fatal(err)
		}
	}
	if err := ms.Err(); err != nil || len(whole.Content) == 0 {
		t.Fatalf("message stream: %v", err)
	}
	c.messageStream, c.messageStopID = whole.Content[0].Text, whole.ID
	return c
}

// rawPost sends body with an API key and returns the answer's bytes,
// failing the test on anything but a 200.
func rawPost(t *testing.T, url, body string) string {
	t.Helper()
	status, got := post(t, url, body, map[string]string{"Authorization": "Bearer " + openAIKey})
	if status != http.StatusOK {
		t.Fatalf("POST %s: %d %s", url, status, got)
	}
	return got
}

// post sends body with headers and returns the status and the body.
func post(t *testing.T, url, body string, headers map[string]string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(got)
}

// eventTimes reads an event stream and returns each event's arrival,
// from just before the request was sent.
func eventTimes(t *testing.T, url, body string) []time.Duration {
	t.Helper()
	start := time.Now()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var at []time.Duration
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "data:") {
			at = append(at, time.Since(start))
		}
	}
	return at
}

// cassetteFiles lists the recordings under dir.
func cassetteFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".json") {
			files = append(files, path)
		}
		if os.IsNotExist(err) {
			return nil
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// grepDir fails the test if any file under dir contains one of secrets.
func grepDir(t *testing.T, dir string, secrets ...string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s holds the secret %q", path, s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond until it holds, for what the server finishes after
// the client has gone; it fails the test after ten seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition never held")
		}
		time.Sleep(time.Millisecond)
	}
}
