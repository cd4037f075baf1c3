package proxy

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/internal/dist"
	"github.com/llm-simulator/llm-simulator/simulate"
)

// slowFront streams a token every 50 ms after a time to first token of
// ttft, on a server whose requests derive from the front's base context.
func slowFront(t *testing.T, ttft time.Duration) (*Front, string) {
	t.Helper()
	m := simulate.InstantModel()
	m.TTFT, m.ITL, m.OutputTokens = dist.Constant{V: float64(ttft)}, dist.Constant{V: float64(50 * time.Millisecond)}, dist.Constant{V: 200}
	f := &Front{Sim: simulate.New(simulate.Config{Default: m}), Seed: 1}
	srv := httptest.NewUnstartedServer(f)
	srv.Config.BaseContext = f.BaseContext
	srv.Start()
	t.Cleanup(srv.Close)
	return f, srv.URL
}

// At the drain deadline a stream still running ends with the provider's
// own in-stream error event and a clean end of body, not a cut.
func TestEndStreamsEndsWithTheProvidersErrorEvent(t *testing.T) {
	for _, tc := range []struct{ path, body, want string }{
		{"/v1/chat/completions", `{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"hi"}]}`, `data: {"error":`},
		{"/v1/messages", `{"model":"claude-sonnet-4-5","max_tokens":500,"stream":true,"messages":[{"role":"user","content":"hi"}]}`, "event: error"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			f, url := slowFront(t, 0)
			resp, err := http.Post(url+tc.path, "application/json", strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			rd := bufio.NewReader(resp.Body)
			if _, err := rd.ReadString('\n'); err != nil {
				t.Fatal(err)
			}
			f.EndStreams()
			rest, err := io.ReadAll(rd)
			if err != nil {
				t.Fatalf("the stream was cut: %v", err)
			}
			if !strings.Contains(string(rest), tc.want) || !strings.Contains(string(rest), "shutting down") {
				t.Fatalf("the stream's end:\n%s", rest)
			}
		})
	}
}

// An answer not yet begun at the drain deadline is the provider's 503.
func TestEndStreamsAnswersWaitingRequests(t *testing.T) {
	f, url := slowFront(t, time.Hour)
	done := make(chan *http.Response, 1)
	go func() {
		resp, err := http.Post(url+"/v1/chat/completions", "application/json",
			strings.NewReader(`{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`))
		if err != nil {
			t.Error(err)
		}
		done <- resp
	}()
	// Before or after the request arrives, it is under the deadline.
	f.EndStreams()
	resp := <-done
	if resp == nil {
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "shutting down") || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("%d %v\n%s", resp.StatusCode, resp.Header, body)
	}
}
