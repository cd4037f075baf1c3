package proxy

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/faults"
	"github.com/llm-simulator/llm-simulator/rules"
	"github.com/llm-simulator/llm-simulator/simulate"
	"github.com/llm-simulator/llm-simulator/wire"
	"github.com/rs/zerolog"
)

// relayFuzzYAML forwards every request; the X-Fuzz-Rule header picks
// whether a fault stands by. The rate limit is too generous to refuse
// anything: it is there because it makes the relay read usage from every
// event and body, a parse plain forwards skip.
const relayFuzzYAML = `version: 1
providers:
  openai: {upstream: "{{up}}"}
rules:
  - name: counted
    match: {headers: {x-fuzz-rule: counted}}
    action: forward
    faults: [{rate_limit: {tokens_per_minute: 1000000000}}]
  - name: cut
    match: {headers: {x-fuzz-rule: cut}}
    action: forward
    faults: [{stream: {truncate_after_events: 2}}]
  - name: plain
    action: forward
`

// relayContentTypes are the upstream answer's types: event streams,
// spelled as servers spell them, and bodies that are not.
var relayContentTypes = []string{"text/event-stream", "text/event-stream; charset=utf-8", " TEXT/Event-Stream ",
	"application/json", "", "text/event-streamx"}

// relayStatuses are what the upstream answers with; a panic in our code
// would show as a 500, which is not among them.
var relayStatuses = []int{200, 201, 400, 429, 503, 529}

// echoUpstream answers with the request's body, as the X-Fuzz-* headers
// say: status, content type, and the size of the pieces it flushes the
// body in, so the relay sees events split anywhere.
func echoUpstream(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	status, _ := strconv.Atoi(r.Header.Get("X-Fuzz-Status"))
	split, _ := strconv.Atoi(r.Header.Get("X-Fuzz-Split"))
	w.Header().Set("Content-Type", r.Header.Get("X-Fuzz-Type"))
	w.WriteHeader(status)
	for len(body) > 0 {
		n := min(max(split, 1), len(body))
		_, _ = w.Write(body[:n])
		w.(http.Flusher).Flush()
		body = body[n:]
	}
}

// bugWatch notes a log line about a bug: recoverPanic turns a panic into
// a logged 500, so a fuzz target must look for the line too.
type bugWatch struct{ seen atomic.Bool }

func (b *bugWatch) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte("bug:")) {
		b.seen.Store(true)
	}
	return len(p), nil
}

// firstEvents is what a stream truncated after n events sends: the
// bytes of its first n events, or all of it when it has no more.
func firstEvents(t *testing.T, stream []byte, n int) []byte {
	var p wire.SSEParser
	var out []byte
	events := 0
	err := p.Feed(stream, func(ev wire.Event) error {
		if events++; events <= n {
			out = append(out, ev.Raw...)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if events <= n {
		return stream
	}
	return out
}

// relayFront is a front forwarding to a local echo upstream.
func relayFront(f *testing.F) (*Front, *bugWatch) {
	up := httptest.NewServer(http.HandlerFunc(echoUpstream))
	f.Cleanup(up.Close)
	cfg, err := config.Parse("relay.yaml", []byte(strings.ReplaceAll(relayFuzzYAML, "{{up}}", up.URL)), config.Options{})
	if err != nil {
		f.Fatal(err)
	}
	ups, err := NewUpstreams(cfg, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() {
		for _, u := range ups.list {
			u.transport.CloseIdleConnections()
		}
	})
	live := new(rules.Live)
	live.Store(mustBuild(f, cfg, faults.NewStore(), "fuzz"))
	watch := new(bugWatch)
	return &Front{Sim: simulate.New(simulate.Config{Default: simulate.InstantModel()}), Rules: live, Seed: 1,
		Upstreams: ups, Log: zerolog.New(watch)}, watch
}

// FuzzForwardRelay sends arbitrary upstream answers through the forward
// relay to a recorder. Where no fault acts, the client gets the upstream's
// status and every byte unchanged, however the bytes were split and
// whatever the SSE parser makes of them; a truncating fault only ever
// cuts, at an event's end, never alters what gets through.
func FuzzForwardRelay(f *testing.F) {
	front, watch := relayFront(f)
	f.Add([]byte("data: {\"choices\":[]}\n\ndata: [DONE]\n\n"), uint8(0), uint8(0), uint8(7), uint8(0))
	f.Add([]byte("event: message_start\r\ndata: {\"message\":{\"usage\":{\"input_tokens\":3}}}\r\n\r\n: ping\r\rdata: x"), uint8(1), uint8(3), uint8(1), uint8(1))
	f.Add([]byte(`{"usage":{"prompt_tokens":7,"completion_tokens":"2"}}`), uint8(3), uint8(0), uint8(0), uint8(1))
	f.Add([]byte("data: 1\n\ndata: 2\n\ndata: 3\n\ndata: 4\n\n"), uint8(0), uint8(0), uint8(5), uint8(2))
	f.Fuzz(func(t *testing.T, body []byte, ctype, status, split, mode uint8) {
		rule := []string{"plain", "counted", "cut"}[int(mode)%3]
		code := relayStatuses[int(status)%len(relayStatuses)]
		req := httptest.NewRequest("POST", "/v1/chat/completions", bytes.NewReader(body))
		req.Header.Set("X-Fuzz-Rule", rule)
		req.Header.Set("X-Fuzz-Type", relayContentTypes[int(ctype)%len(relayContentTypes)])
		req.Header.Set("X-Fuzz-Status", strconv.Itoa(code))
		req.Header.Set("X-Fuzz-Split", strconv.Itoa(int(split)))
		rec := httptest.NewRecorder()
		front.ServeHTTP(rec, req)
		if watch.seen.Load() {
			t.Fatalf("the front logged a bug relaying %q", body)
		}
		if rec.Code != code {
			t.Fatalf("status %d, upstream said %d: %s", rec.Code, code, rec.Body)
		}
		want := body
		if rule == "cut" && isEventStream(req.Header.Get("X-Fuzz-Type")) {
			want = firstEvents(t, body, 2)
		}
		if got := rec.Body.Bytes(); !bytes.Equal(got, want) {
			t.Fatalf("%s relay of %q:\nclient got %q\nwant       %q", rule, body, got, want)
		}
	})
}
