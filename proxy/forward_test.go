package proxy

import (
	"bufio"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

const forwardYAML = `version: 1
providers:
  openai: {upstream: "{{openai}}", ca_file: "{{ca}}"}
rules:
  - name: fwd
    match: {model: "fwd-*"}
    action: forward
  - name: cut
    match: {model: "cut-*"}
    action: forward
    faults: [{stream: {truncate_after_events: 2}}]
  - name: refused
    match: {model: "err-*"}
    action: forward
    faults: [{error: {status: 503}}]
  - name: rest
    action: simulate
`

// chatJSON is a provider's answer, byte for byte as a real one is
// formatted, so a test can see that forwarding changes none of it.
const chatJSON = `{
  "id": "chatcmpl-upstream",
  "object": "chat.completion",
  "created": 1700000000,
  "model": "fwd-model",
  "choices": [{"index": 0, "message": {"role": "assistant", "content": "from upstream", "refusal": null, "annotations": []}, "logprobs": null, "finish_reason": "stop"}],
  "usage": {"prompt_tokens": 7, "completion_tokens": 2, "total_tokens": 9},
  "service_tier": "default",
  "system_fingerprint": null
}
`

func openAIUpstream(t *testing.T, seen chan<- *http.Request) *fakeUpstream {
	return newFakeUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		if seen != nil {
			seen <- r.Clone(context.Background())
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "req_upstream")
		_, _ = io.WriteString(w, chatJSON)
	})
}

func forwardStack(t *testing.T, up *fakeUpstream) *stack {
	return newStack(t, forwardYAML, map[string]string{"openai": up.URL, "ca": up.caFile(t)})
}

// Through the base URL, a forward rule passes the upstream's answer on
// unchanged, and the SDK reads it.
func TestForwardPassesBytesUnchanged(t *testing.T) {
	up := openAIUpstream(t, nil)
	s := forwardStack(t, up)
	resp, err := http.Post(s.srv.URL+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"fwd-model","messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != chatJSON || resp.Header.Get("X-Request-Id") != "req_upstream" || resp.Header.Get("X-Llmsim-Rule") != "fwd" {
		t.Fatalf("%d %v\n%s", resp.StatusCode, resp.Header, body)
	}
	client := openai.NewClient(option.WithBaseURL(s.srv.URL+"/v1"), option.WithAPIKey("sk-test"))
	got, err := client.Chat.Completions.New(context.Background(), chatParams("fwd-model"))
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "chatcmpl-upstream" || got.Choices[0].Message.Content != "from upstream" || up.hits.Load() != 2 {
		t.Fatalf("%+v after %d upstream calls", got, up.hits.Load())
	}
}

// The upstream sees the request as a reverse proxy should pass it on:
// hop-by-hop headers and our controls gone, its own Host, X-Forwarded-*,
// and compression of our choosing, which the client never sees.
func TestForwardRewritesRequestHeaders(t *testing.T) {
	seen := make(chan *http.Request, 1)
	up := newFakeUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		seen <- r.Clone(context.Background())
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		gz := gzip.NewWriter(w)
		_, _ = io.WriteString(gz, chatJSON)
		_ = gz.Close()
	})
	s := forwardStack(t, up)
	req, _ := http.NewRequest("POST", s.srv.URL+"/v1/chat/completions?trace=1",
		strings.NewReader(`{"model":"fwd-model","messages":[]}`))
	req.Header.Set("Authorization", "Bearer sk-test")
	req.Header.Set("Connection", "X-Hop")
	req.Header.Set("X-Hop", "1")
	req.Header.Set("X-Llmsim-Scope", "s1")
	req.Header.Set("Accept-Encoding", "br")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	got := <-seen
	switch {
	case string(body) != chatJSON || resp.Header.Get("Content-Encoding") != "":
		t.Errorf("the client got %q (encoding %q)", body, resp.Header.Get("Content-Encoding"))
	case got.Host != strings.TrimPrefix(up.URL, "https://") || got.URL.RawQuery != "trace=1":
		t.Errorf("upstream saw Host %q query %q", got.Host, got.URL.RawQuery)
	case got.Header.Get("X-Hop") != "" || got.Header.Get("X-Llmsim-Scope") != "" || got.Header.Get("Accept-Encoding") != "gzip":
		t.Errorf("upstream saw headers %v", got.Header)
	case got.Header.Get("Authorization") != "Bearer sk-test" || got.Header.Get("X-Forwarded-For") != "127.0.0.1" ||
		got.Header.Get("X-Forwarded-Proto") != "http" || got.Header.Get("X-Forwarded-Host") == "":
		t.Errorf("upstream saw headers %v", got.Header)
	case got.ProtoMajor != 2:
		t.Errorf("upstream spoke %s; the transport should have negotiated h2", got.Proto)
	}
}

// Each event reaches the client as soon as the upstream sends it: the
// upstream sends the next only once the client has read the last, so a
// proxy that buffered would never finish.
func TestForwardStreamsEventByEvent(t *testing.T) {
	read := make(chan struct{})
	up := newFakeUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := range 4 {
			_, _ = io.WriteString(w, `data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"`+string(rune('a'+i))+`"},"finish_reason":null}]}`+"\n\n")
			w.(http.Flusher).Flush()
			select {
			case <-read:
			case <-r.Context().Done():
				return
			case <-time.After(10 * time.Second):
				t.Error("the client never got the event: the proxy buffered it")
				return
			}
		}
		_, _ = io.WriteString(w, "data: [DONE]\n\n")
	})
	s := forwardStack(t, up)
	resp, err := http.Post(s.srv.URL+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"fwd-model","stream":true,"messages":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	events := readEvents(t, resp.Body, func() { read <- struct{}{} })
	if len(events) != 5 || events[4] != "data: [DONE]" {
		t.Fatalf("events %q", events)
	}
}

// readEvents reads SSE events up to the end, calling after for each data
// event but the terminator.
func readEvents(t *testing.T, r io.Reader, after func()) []string {
	t.Helper()
	var events []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if line := sc.Text(); line != "" {
			events = append(events, line)
			if line != "data: [DONE]" && after != nil {
				after()
			}
		}
	}
	return events
}

// Faults act on forwarded responses: a stream cut after two events, and
// an error that answers before the upstream is called at all.
func TestFaultsOnForwardedResponses(t *testing.T) {
	up := newFakeUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := range 5 {
			_, _ = io.WriteString(w, `data: {"n":`+string(rune('0'+i))+"}\n\n")
		}
		_, _ = io.WriteString(w, "data: [DONE]\n\n")
	})
	s := forwardStack(t, up)
	resp, err := http.Post(s.srv.URL+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"cut-model","stream":true,"messages":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	events := readEvents(t, resp.Body, nil)
	resp.Body.Close()
	if len(events) != 2 || events[1] != `data: {"n":1}` || resp.Header.Get("X-Llmsim-Faults") != "stream" {
		t.Fatalf("truncated stream: %q, faults %q", events, resp.Header.Get("X-Llmsim-Faults"))
	}
	before := up.hits.Load()
	client := openai.NewClient(option.WithBaseURL(s.srv.URL+"/v1"), option.WithAPIKey("sk-test"), option.WithMaxRetries(0))
	_, err = client.Chat.Completions.New(context.Background(), chatParams("err-model"))
	if apiErr := asOpenAIError(t, err); apiErr.StatusCode != 503 || up.hits.Load() != before {
		t.Fatalf("error fault: %v, upstream called %d more times", err, up.hits.Load()-before)
	}
}

func TestIsEventStream(t *testing.T) {
	for ct, want := range map[string]bool{
		"text/event-stream":                true,
		"text/event-stream; charset=utf-8": true,
		"Text/Event-Stream ;charset=utf-8": true,
		" text/event-stream":               true,
		"text/event-streamx":               false,
		"application/json":                 false,
		"":                                 false,
		"text/event":                       false,
	} {
		if got := isEventStream(ct); got != want {
			t.Errorf("isEventStream(%q) = %v", ct, got)
		}
	}
}

func TestDropHopByHop(t *testing.T) {
	h := http.Header{"Connection": {"X-Up-Hop, keep-alive"}, "X-Up-Hop": {"1"}, "Keep-Alive": {"timeout=5"},
		"Transfer-Encoding": {"chunked"}, "Content-Type": {"application/json"}, "X-Request-Id": {"r"}}
	dropHopByHop(h)
	if len(h) != 2 || h.Get("Content-Type") == "" || h.Get("X-Request-Id") == "" {
		t.Fatalf("left %v", h)
	}
}
