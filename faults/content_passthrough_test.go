package faults

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/wire"
)

// every option at once: whatever passes untouched under it passes
// untouched under any of them.
var everyContentOption = Content{Finish: "refusal", InvalidToolArguments: true, UnknownTool: "x", Empty: true}

func TestContentPassesThroughWhatItDoesNotEdit(t *testing.T) {
	chat := readGolden(t, "chat")
	with := func(g goldenResponse, status int, header map[string]string, body string) goldenResponse {
		g.header = g.header.Clone()
		if status != 0 {
			g.status = status
		}
		for k, v := range header {
			g.header.Set(k, v)
		}
		if body != "" {
			g.body = []byte(body)
			g.header.Set("Content-Length", strconv.Itoa(len(body)))
		}
		return g
	}
	cases := []struct {
		name, provider, path string
		g                    goldenResponse
	}{
		{"openai error", "openai", "/v1/chat/completions", readGolden(t, "error-openai")},
		{"anthropic error", "anthropic", "/v1/messages", readGolden(t, "error-anthropic")},
		{"a chat answer under an error status", "openai", "/v1/chat/completions", with(chat, 429, nil, "")},
		{"an html page", "openai", "/v1/chat/completions",
			with(chat, 0, map[string]string{"Content-Type": "text/html"}, "<html><body>hi</body></html>")},
		{"json that is not", "openai", "/v1/chat/completions", with(chat, 0, nil, `{"choices":[{"message":{"content":"cut`)},
		{"a json array", "openai", "/v1/chat/completions", with(chat, 0, nil, `[{"choices":[]}]`)},
		{"an encoded body", "openai", "/v1/chat/completions", with(chat, 0, map[string]string{"Content-Encoding": "gzip"}, "")},
		{"nothing to edit", "openai", "/v1/chat/completions", with(chat, 0, nil, `{"object":"list","data":[]}`)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			run := runContent(t, &everyContentOption, c.provider, c.path, c.g.events(t, c.path))
			if run.rec.Code != c.g.status || !bytes.Equal(run.rec.Body.Bytes(), c.g.body) {
				t.Fatalf("%d %s", run.rec.Code, run.rec.Body)
			}
			for k := range c.g.header {
				if got, want := run.rec.Header().Get(k), c.g.header.Get(k); got != want {
					t.Errorf("%s: %q, want %q", k, got, want)
				}
			}
		})
	}
}

// Events the fault does not know — keep-alive comments, in-stream
// errors, [DONE] — pass with their exact bytes.
func TestContentPassesUnknownEventsByteForByte(t *testing.T) {
	cases := []struct {
		golden, path string
		extra        []string
	}{
		{"chat-stream", "/v1/chat/completions", []string{": keep-alive\n\n",
			"data: {\"error\":{\"message\":\"boom\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n", "data:  {\"choices\"  :  7}\r\n\r\n"}},
		{"responses-stream", "/v1/responses", []string{"event: error\ndata: {\"type\":\"error\",\"sequence_number\":2,\"message\":\"boom\"}\n\n",
			"event: response.output_text.annotation.added\ndata: {\"type\":\"response.output_text.annotation.added\"}\n\n"}},
		{"messages-stream", "/v1/messages", []string{"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n",
			"event: ping\ndata: {\"type\": \"ping\"}\n\n"}},
	}
	for _, c := range cases {
		t.Run(c.golden, func(t *testing.T) {
			g := readGolden(t, c.golden)
			// The extra events go after the first one.
			i := bytes.Index(g.body, []byte("\n\n")) + 2
			g.body = append(append(bytes.Clone(g.body[:i]), strings.Join(c.extra, "")...), g.body[i:]...)
			provider, _ := contentEndpoint(c.golden)
			run := runContent(t, &everyContentOption, provider, c.path, g.events(t, c.path))
			for _, e := range c.extra {
				if !bytes.Contains(run.rec.Body.Bytes(), []byte(e)) {
					t.Errorf("lost or changed %q", e)
				}
			}
			if !bytes.Contains(run.rec.Body.Bytes(), []byte("I'm sorry")) && c.golden != "messages-stream" {
				t.Error("the stream was not edited at all")
			}
		})
	}
}

func TestContentWrapsOnlyEndpointsWithAnswers(t *testing.T) {
	cases := []struct {
		provider, method, path string
		wrapped                bool
	}{
		{"openai", "POST", "/v1/chat/completions", true},
		{"openai", "POST", "/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21", true},
		{"openai", "POST", "/v1/completions", true},
		{"openai", "POST", "/v1/responses", true},
		{"anthropic", "POST", "/v1/messages?beta=true", true},
		{"anthropic", "POST", "/v1/chat/completions", true}, // Anthropic's OpenAI-compatible endpoint
		{"openai", "GET", "/v1/chat/completions", false},    // the stored-completions list
		{"openai", "POST", "/v1/embeddings", false},
		{"openai", "GET", "/v1/models", false},
		{"openai", "POST", "/v1/threads/thread_1/messages", false},
		{"anthropic", "POST", "/v1/messages/count_tokens", false},
		{"openai", "GET", "/v1/responses/resp_1", false},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			x, _ := testExchange(c.provider)
			x.Method, x.Path = c.method, c.path
			next := wire.SinkFunc(func(wire.Event) error { return nil })
			s := (&Content{Empty: true}).Wrap(context.Background(), x, next)
			if _, same := s.(wire.SinkFunc); same == c.wrapped {
				t.Errorf("wrapped: %v, want %v", !same, c.wrapped)
			}
		})
	}
}

// A later head replaces an earlier one (another fault turned the answer
// into an error): the new head decides, and the error passes untouched.
func TestContentFollowsAReplacedHead(t *testing.T) {
	chat, errBody := readGolden(t, "chat"), readGolden(t, "error-openai")
	in := []wire.Event{
		{Kind: wire.Head, Status: 200, Header: chat.header.Clone()},
		{Kind: wire.Head, Status: errBody.status, Header: errBody.header.Clone()},
		{Kind: wire.Chunk, Data: errBody.body},
		{Kind: wire.End},
	}
	run := runContent(t, &everyContentOption, "openai", "/v1/chat/completions", in)
	if run.rec.Code != 400 || !bytes.Equal(run.rec.Body.Bytes(), errBody.body) {
		t.Fatalf("%d %s", run.rec.Code, run.rec.Body)
	}
}

// A body larger than the fault holds back goes out untouched, in its
// chunks; a small one of the same shape is edited.
func TestContentLeavesHugeBodiesAlone(t *testing.T) {
	for _, size := range []int{100, maxContentBody} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			body := []byte(`{"choices":[{"index":0,"message":{"content":"` + strings.Repeat("a", size) + `"},"finish_reason":"stop"}]}`)
			h := http.Header{"Content-Type": {"application/json"}, "Content-Length": {strconv.Itoa(len(body))}}
			half := len(body) / 2
			in := []wire.Event{{Kind: wire.Head, Status: 200, Header: h},
				{Kind: wire.Chunk, Data: body[:half]}, {Kind: wire.Chunk, Data: body[half:]}, {Kind: wire.End}}
			run := runContent(t, &Content{Finish: "length"}, "openai", "/v1/chat/completions", in)
			edited := bytes.Contains(run.rec.Body.Bytes(), []byte(`"finish_reason":"length"`))
			if edited != (size < maxContentBody) || run.rec.Header().Get("Content-Length") != strconv.Itoa(run.rec.Body.Len()) {
				t.Fatalf("edited %v; Content-Length %s for %d bytes", edited, run.rec.Header().Get("Content-Length"), run.rec.Body.Len())
			}
		})
	}
}

func TestContentValidate(t *testing.T) {
	cases := []struct {
		c   Content
		err string
	}{
		{Content{}, "set at least one"},
		{Content{Finish: "stop"}, `finish must be`},
		{Content{Finish: "length"}, ""},
		{Content{Finish: "content_filter"}, ""},
		{Content{Finish: "refusal"}, ""},
		{Content{InvalidToolArguments: true}, ""},
		{Content{UnknownTool: "rm_rf"}, ""},
		{Content{Empty: true}, ""},
		{everyContentOption, ""},
	}
	for _, c := range cases {
		t.Run(contentFaultName(c.c), func(t *testing.T) {
			err := c.c.Validate()
			if (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
				t.Fatalf("err %v, want %q", err, c.err)
			}
		})
	}
}

// A source that does not say a head starts a stream still has its events
// edited: the content type says so.
func TestContentEditsAStreamItsHeadDoesNotAnnounce(t *testing.T) {
	g := readGolden(t, "chat-stream")
	in := g.events(t, "/v1/chat/completions")
	in[0].Stream = wire.NotStream
	run := runContent(t, &Content{Finish: "length"}, "openai", "/v1/chat/completions", in)
	if !bytes.Contains(run.rec.Body.Bytes(), []byte(`"finish_reason":"length"`)) || len(run.outs[0]) != 1 {
		t.Fatalf("stream not edited, or its head held back:\n%s", run.rec.Body)
	}
}
