package cassette

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/wire"
)

// A recording read back by a fresh store replays what was observed: the
// same status, the headers worth keeping, the same bytes, the same timing
// to the microsecond.
func TestRoundTrip(t *testing.T) {
	binary := []byte{0xff, 0xfe, 0x00, 'x'}
	cases := []struct {
		name string
		req  *Request
		evs  []wire.Event
	}{
		{"chat stream", chat("gpt-4o", "hello", true), chatStream(5, "word")},
		{"plain JSON", chat("gpt-4o", "hello", false), plainBody("hi")},
		{"named events, no raw", &Request{Method: "POST", Provider: "anthropic", Path: "/v1/messages",
			Body: []byte(`{"model":"claude","stream":true}`)}, []wire.Event{
			{Kind: wire.Head, Status: 200, Header: http.Header{"Content-Type": {"text/event-stream"}}},
			{Kind: wire.SSE, Name: "message_start", Data: []byte(`{"type":"message_start"}`)},
			{Kind: wire.SSE, Name: "ping", Data: []byte("two\nlines")},
			{Kind: wire.SSE, Raw: []byte(": keep-alive\r\n\r\n")},
			{Kind: wire.End},
		}},
		{"binary bodies", &Request{Method: "POST", Provider: "openai", Path: "/v1/audio/speech",
			Query: "format=mp3", Body: binary}, []wire.Event{
			{Kind: wire.Head, Status: 201, Header: http.Header{"Content-Type": {"audio/mpeg"}}},
			{Kind: wire.Chunk, Data: binary},
			{Kind: wire.Chunk, Data: []byte("plain text")},
			{Kind: wire.End},
		}},
		{"text body, error status", &Request{Method: "GET", Provider: "openai", Path: "/v1/models",
			Body: []byte("not json")}, []wire.Event{
			{Kind: wire.Head, Status: 429, Header: http.Header{"Retry-After": {"2"}}},
			{Kind: wire.End},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			file := record(t, open(t, Options{Dir: dir}), c.req, c.evs)
			got := replay(t, open(t, Options{Dir: dir}), c.req, "", RepeatLast)
			if got.File != file {
				t.Errorf("File = %s, want %s", got.File, file)
			}
			checkReplay(t, got, c.evs)
		})
	}
}

// checkReplay compares a replayed recording with the events recorded by
// record.
func checkReplay(t *testing.T, got *Recording, evs []wire.Event) {
	t.Helper()
	const tolerance = time.Microsecond
	near := func(what string, got time.Duration, i int) {
		if want := offsetTime(i).Sub(t0); (got - want).Abs() > tolerance {
			t.Errorf("%s at %v, want %v", what, got, want)
		}
	}
	if got.Status != evs[0].Status {
		t.Errorf("Status = %d, want %d", got.Status, evs[0].Status)
	}
	if !reflect.DeepEqual(got.Header, evs[0].Header) {
		t.Errorf("Header = %v, want %v", got.Header, evs[0].Header)
	}
	near("head", got.HeadAt, 0)
	near("end", got.EndAt, len(evs)-1)
	body := evs[1 : len(evs)-1]
	if len(got.Events) != len(body) {
		t.Fatalf("%d events, want %d", len(got.Events), len(body))
	}
	for i, ev := range got.Events {
		want := body[i]
		if want.Kind == wire.SSE && want.Raw == nil {
			want.Raw = wire.AppendSSE(nil, want.Name, want.Data)
		}
		if ev.Kind != want.Kind || ev.Name != want.Name || !bytes.Equal(ev.Data, want.Data) ||
			!bytes.Equal(ev.Raw, want.Raw) {
			t.Errorf("event %d = %+v, want %+v", i, ev.Wire(), want)
		}
		near("event", ev.At, i+1)
	}
}

// The headers of a connection, the ones replay recomputes and the secret
// ones are not recorded.
func TestRecordedResponseHeaders(t *testing.T) {
	s := open(t, Options{Dir: t.TempDir(), Redact: []string{"x-internal"}})
	evs := plainBody("hi")
	evs[0].Header = http.Header{
		"Content-Type":                 {"application/json"},
		"Content-Length":               {"42"},
		"Date":                         {"Sun, 01 Mar 2026 12:00:00 GMT"},
		"Connection":                   {"keep-alive, X-Hop"},
		"X-Hop":                        {"1"},
		"Keep-Alive":                   {"timeout=5"},
		"Transfer-Encoding":            {"chunked"},
		"Proxy-Agent":                  {"squid"},
		"Set-Cookie":                   {"__cf_bm=abc"},
		"Openai-Organization":          {"org-secret"},
		"X-Internal":                   {"1"},
		"X-Ratelimit-Remaining-Tokens": {"999"},
		"X-Request-Id":                 {"req_1"},
	}
	r := chat("gpt-4o", "hi", false)
	record(t, s, r, evs)
	got := replay(t, s, r, "", RepeatLast)
	want := http.Header{
		"Content-Type":                 {"application/json"},
		"X-Ratelimit-Remaining-Tokens": {"999"},
		"X-Request-Id":                 {"req_1"},
	}
	if !reflect.DeepEqual(got.Header, want) {
		t.Errorf("Header = %v, want %v", got.Header, want)
	}
}

// The file is pretty-printed JSON a person can read and diff, named after
// the path and the key, readable by everyone.
func TestFileShape(t *testing.T) {
	dir := t.TempDir()
	s := open(t, Options{Dir: dir, Now: ticking()})
	file := record(t, s, chat("gpt-4o", "hi", true), chatStream(2, "w"))
	if ok, _ := regexp.MatchString(`/v1-chat-completions-[0-9a-f]{12}-1\.json$`, file); !ok {
		t.Errorf("file %s is not named after the path and the key", file)
	}
	if filepath.Dir(file) != dir {
		t.Errorf("file %s not in %s", file, dir)
	}
	info, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", info.Mode().Perm())
	}
	data, _ := os.ReadFile(file)
	var f map[string]any
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	var indented bytes.Buffer
	json.Indent(&indented, data, "", "  ")
	if !bytes.Equal(indented.Bytes(), data) {
		t.Errorf("file is not indented by two spaces:\n%s", data)
	}
	req := f["request"].(map[string]any)
	if _, ok := req["body"].(map[string]any); !ok {
		t.Errorf("request body not stored as JSON: %v", req["body"])
	}
	events := f["response"].(map[string]any)["events"].([]any)
	if sse := events[2].(map[string]any)["sse"]; sse != "data: [DONE]\n\n" {
		t.Errorf("last event = %q, want its raw text", sse)
	}
	if !bytes.Contains(data, []byte(`"recorded_at": "2026-03-01T12:00:00.001Z"`)) {
		t.Errorf("recorded_at missing or not from Options.Now:\n%s", data)
	}
}
