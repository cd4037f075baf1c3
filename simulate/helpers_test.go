package simulate

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/internal/canon"
	"github.com/llm-simulator/llm-simulator/wire"
)

// testStart is the fixed time of every test call, so golden bytes hold.
var testStart = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func testConfig() Config {
	return Config{Default: InstantModel(), Clock: NewManualClock(testStart)}
}

// call answers one request with a fresh simulator and returns the recorded
// response.
func call(t testing.TB, cfg Config, provider, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	return callWith(t, New(cfg), provider, method, path, body)
}

func callWith(t testing.TB, s *Simulator, provider, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	path, query, _ := strings.Cut(path, "?")
	req := &Request{Provider: provider, Method: method, Path: path, Query: query, Header: http.Header{}, Body: []byte(body),
		Seed: Seed(42, hashBody(body), 1)}
	if err := s.Serve(context.Background(), req, wire.NewWriter(rec)); err != nil {
		t.Fatalf("serve: %v", err)
	}
	return rec
}

func hashBody(body string) uint64 { return canon.Hash([]byte(body), "stream", "stream_options") }
