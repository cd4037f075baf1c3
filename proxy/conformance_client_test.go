package proxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/simulate"
	"github.com/llm-simulator/llm-simulator/wire"
)

// confStart is the simulated clock's start: fixed, so every run sends the
// same bytes.
var confStart = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// confServer serves the real front over HTTP with instant timing on a
// manual clock. A zero cfg.Default becomes simulate.InstantModel.
func confServer(t *testing.T, cfg simulate.Config) *httptest.Server {
	t.Helper()
	if cfg.Default.TTFT == nil {
		cfg.Default = simulate.InstantModel()
	}
	cfg.Clock = simulate.NewManualClock(confStart)
	srv := httptest.NewServer(&Front{Sim: simulate.New(cfg), Seed: 42})
	t.Cleanup(srv.Close)
	return srv
}

// confReply is one complete HTTP response.
type confReply struct {
	status int
	header http.Header
	body   []byte
}

// confDo sends one request and reads the whole response.
func confDo(t *testing.T, srv *httptest.Server, method, path, body string) confReply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer sk-test")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, path, err)
	}
	return confReply{status: resp.StatusCode, header: resp.Header, body: b}
}

// confWant fails t unless the reply has the status and a Content-Type
// starting with ctype.
func confWant(t *testing.T, r confReply, status int, ctype string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body:\n%s", r.status, status, confTruncate(r.body, 2<<10))
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, ctype) {
		t.Fatalf("Content-Type %q, want %s…", ct, ctype)
	}
}

// confEvent is one server-sent event, its data copied out of the parser.
type confEvent struct {
	name string
	data []byte
}

// confEvents splits an event stream with the project's own parser,
// dropping comment-only blocks (keep-alives), and fails t if the stream
// ends inside an event.
func confEvents(t *testing.T, body []byte) []confEvent {
	t.Helper()
	var p wire.SSEParser
	var out []confEvent
	err := p.Feed(body, func(ev wire.Event) error {
		if ev.Data == nil && ev.Name == "" {
			return nil
		}
		out = append(out, confEvent{name: ev.Name, data: append([]byte(nil), ev.Data...)})
		return nil
	})
	if err != nil {
		t.Fatalf("parsing the stream: %v", err)
	}
	if rest := p.Pending(); len(rest) > 0 {
		t.Fatalf("stream ends inside an event: %q", confTruncate(rest, 512))
	}
	if len(out) == 0 {
		t.Fatalf("no events in the stream:\n%s", confTruncate(body, 2<<10))
	}
	return out
}
