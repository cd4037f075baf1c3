package cassette

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/llm-simulator/llm-simulator/wire"
)

// t0 is the start of every recorded request; clocks in tests count from it.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// open opens a store on o, failing the test on error.
func open(t testing.TB, o Options) *Store {
	t.Helper()
	s, err := Open(o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

// ticking is a clock for Options.Now that advances a millisecond a call,
// so recordings made in a row are ordered.
func ticking() func() time.Time {
	var mu sync.Mutex
	now := t0
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Millisecond)
		return now
	}
}

// chat is an OpenAI chat request for model with one user message.
func chat(model, content string, stream bool) *Request {
	body := fmt.Sprintf(`{"model":%q,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":%q}]`, model, content)
	if stream {
		body += `,"stream":true`
	}
	return &Request{Method: "POST", Provider: "openai", Host: "api.openai.com",
		Path: "/v1/chat/completions", Header: http.Header{}, Body: []byte(body + "}")}
}

// chatStream is an OpenAI chat stream of n content chunks and [DONE],
// the way the upstream sends it: a chunk every 10ms after a 200ms head.
func chatStream(n int, text string) []wire.Event {
	evs := []wire.Event{{Kind: wire.Head, Status: 200, Header: http.Header{
		"Content-Type": {"text/event-stream; charset=utf-8"}, "X-Request-Id": {"req_123"},
	}}}
	for i := range n {
		data := fmt.Sprintf(`{"id":"chatcmpl-9x8y7z6w5v4u3t2s1r0q","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_50cad350e4","choices":[{"index":0,"delta":{"content":"%s %d"},"logprobs":null,"finish_reason":null}]}`, text, i)
		evs = append(evs, wire.Event{Kind: wire.SSE, Data: []byte(data), Raw: wire.AppendSSE(nil, "", []byte(data))})
	}
	evs = append(evs, wire.Event{Kind: wire.SSE, Data: []byte("[DONE]"), Raw: []byte("data: [DONE]\n\n")})
	return append(evs, wire.Event{Kind: wire.End})
}

// plainBody is a non-streamed JSON answer in two chunks.
func plainBody(text string) []wire.Event {
	return []wire.Event{
		{Kind: wire.Head, Status: 200, Header: http.Header{"Content-Type": {"application/json"}}},
		{Kind: wire.Chunk, Data: []byte(`{"choices":[{"message":{"content":"`)},
		{Kind: wire.Chunk, Data: []byte(text + `"}}]}`)},
		{Kind: wire.End},
	}
}

// record records evs as the answer to r, the head at 200ms and each next
// event 10ms later, and commits it, error answers too.
func record(t testing.TB, s *Store, r *Request, evs []wire.Event) string {
	t.Helper()
	return recordWith(t, s, r, evs, RecordOptions{Errors: true})
}

// recordWith is record with options.
func recordWith(t testing.TB, s *Store, r *Request, evs []wire.Event, o RecordOptions) string {
	t.Helper()
	file, err := commitAnswer(s, r, evs, o)
	if err != nil {
		t.Fatalf("Commit: %v", err)
	}
	return file
}

// commitAnswer records evs as the answer to r, timed as record times
// them, and returns what Commit says.
func commitAnswer(s *Store, r *Request, evs []wire.Event, o RecordOptions) (string, error) {
	rec := s.Record(r, t0, o)
	for i, ev := range evs {
		rec.Observe(ev, offsetTime(i))
	}
	return rec.Commit()
}

// offsetTime is when the ith event of a test response arrives.
func offsetTime(i int) time.Time {
	return t0.Add(200*time.Millisecond + time.Duration(i)*10*time.Millisecond + 1234*time.Nanosecond)
}

// replay replays r, failing the test unless it hits.
func replay(t testing.TB, s *Store, r *Request, scope string, after AfterLast) *Recording {
	t.Helper()
	rec, miss, err := s.Replay(r, scope, after)
	if err != nil {
		t.Fatalf("Replay: %v", err)
	}
	if miss != nil {
		t.Fatalf("Replay missed: %s", miss)
	}
	return rec
}

// text is a recorded body's content, for telling recordings apart.
func text(rec *Recording) string {
	var b strings.Builder
	for _, ev := range rec.Events {
		b.Write(ev.Data)
	}
	return b.String()
}

// logLines is a Logger writing into a buffer, for counting warnings.
type logLines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logLines) logger() zerolog.Logger { return zerolog.New(l) }

// lines returns the log lines at level.
func (l *logLines) lines(level string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for line := range strings.Lines(l.buf.String()) {
		if strings.Contains(line, `"level":"`+level+`"`) {
			out = append(out, line)
		}
	}
	return out
}
