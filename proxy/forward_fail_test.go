package proxy

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// The offline guard: a forward answers an error naming its rule and
// dials nothing; a tunnel to a host not intercepted is refused.
func TestOfflineGuardDialsNothing(t *testing.T) {
	up := openAIUpstream(t, nil)
	s := newStack(t, "upstreams: deny\n"+forwardYAML, map[string]string{"openai": up.URL, "ca": up.caFile(t)})
	client := openai.NewClient(option.WithBaseURL(s.srv.URL+"/v1"), option.WithAPIKey("sk-test"), option.WithMaxRetries(0))
	_, err := client.Chat.Completions.New(context.Background(), chatParams("fwd-model"))
	apiErr := asOpenAIError(t, err)
	if apiErr.StatusCode != 403 || !strings.Contains(apiErr.Message, `rule "fwd"`) || !strings.Contains(apiErr.Message, "offline") {
		t.Fatalf("offline forward: %d %q", apiErr.StatusCode, apiErr.Message)
	}
	// Simulated answers still work offline, intercepted or not.
	if _, err := s.proxyClient().Get("https://api.openai.com/v1/models"); err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", strings.TrimPrefix(s.srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	addr := strings.TrimPrefix(up.URL, "https://")
	_, _ = io.WriteString(c, "CONNECT "+addr+" HTTP/1.1\r\nHost: "+addr+"\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: "CONNECT"})
	if err != nil {
		t.Fatal(err)
	}
	reply, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 403 || !strings.Contains(string(reply), "offline") || up.hits.Load() != 0 {
		t.Fatalf("offline tunnel: %d %q; upstream hits %d", resp.StatusCode, reply, up.hits.Load())
	}
}

// An upstream that cannot be reached gets the provider's 502, naming the
// upstream and the cause; one too slow to answer gets a 504.
func TestUpstreamFailuresAreProviderShaped(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "https://" + ln.Addr().String()
	ln.Close() // nothing listens there now
	slow := newFakeUpstream(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	s := newStack(t, `version: 1
default_action: forward
providers:
  openai: {upstream: "`+dead+`"}
  anthropic: {upstream: "{{slow}}", ca_file: "{{ca}}", response_header_timeout: 50ms}
`, map[string]string{"slow": slow.URL, "ca": slow.caFile(t)})
	for _, c := range []struct {
		path, body string
		status     int
		want       []string
	}{
		{"/v1/chat/completions", `{"model":"m","messages":[]}`, 502, []string{`"type": "server_error"`, ln.Addr().String(), "connection refused"}},
		{"/v1/messages", `{"model":"m","max_tokens":1,"messages":[]}`, 504, []string{`"type":"timeout_error"`, "timed out", strings.TrimPrefix(slow.URL, "https://")}},
	} {
		resp, err := http.Post(s.srv.URL+c.path, "application/json", strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s: %d %s", c.path, resp.StatusCode, body)
		}
		for _, w := range c.want {
			if !strings.Contains(string(body), w) {
				t.Errorf("%s: %s lacks %q", c.path, body, w)
			}
		}
	}
}

// A client that goes away cancels the upstream request at once.
func TestClientGoneCancelsUpstream(t *testing.T) {
	started, cancelled := make(chan struct{}), make(chan struct{})
	up := newFakeUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "data: {}\n\n")
		w.(http.Flusher).Flush()
		close(started)
		<-r.Context().Done()
		close(cancelled)
	})
	s := forwardStack(t, up)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", s.srv.URL+"/v1/chat/completions",
		strings.NewReader(`{"model":"fwd-model","stream":true,"messages":[]}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	<-started
	cancel()
	select {
	case <-cancelled:
	case <-time.After(10 * time.Second):
		t.Fatal("the upstream request outlived its client")
	}
}

// A fault that aborts the connection still frees the backpressure slot
// the request held: the next request is served, not queued forever.
func TestAbortReleasesBackpressure(t *testing.T) {
	srv := rulesServer(t, `version: 1
rules:
  - name: tight
    faults:
      - backpressure: {max_concurrency: 1, queue: 0}
      - abort: {times: 1}
`, nil)
	if _, err := postModel(t, context.Background(), srv.URL, "m"); err == nil {
		t.Fatal("the first request should have been aborted")
	}
	// The client sees the connection drop while the handler may still be
	// unwinding; a leaked slot would refuse every later request.
	waitFor(t, func() bool {
		resp, err := postModel(t, context.Background(), srv.URL, "m")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
}

// A token rate limit counts the tokens a forwarded answer reports, in a
// plain body and in a stream's usage chunk alike.
func TestRateLimitCountsForwardedTokens(t *testing.T) {
	up := newFakeUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		usage := `{"prompt_tokens":5,"completion_tokens":400,"total_tokens":405}`
		if strings.Contains(string(body), `"stream":true`) {
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = io.WriteString(w, `data: {"choices":[],"usage":`+usage+"}\n\ndata: [DONE]\n\n")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"object":"chat.completion","choices":[],"usage":`+usage+`}`)
	})
	s := newStack(t, `version: 1
providers:
  openai: {upstream: "{{openai}}", ca_file: "{{ca}}"}
rules:
  - name: limited
    action: forward
    faults: [{rate_limit: {tokens_per_minute: 10000}}]
`, map[string]string{"openai": up.URL, "ca": up.caFile(t)})
	remaining := func(body string) int {
		t.Helper()
		resp, err := http.Post(s.srv.URL+"/v1/chat/completions", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		n, err := strconv.Atoi(resp.Header.Get("X-Ratelimit-Remaining-Tokens"))
		if err != nil {
			t.Fatalf("remaining tokens %q", resp.Header.Get("X-Ratelimit-Remaining-Tokens"))
		}
		return n
	}
	plain := `{"model":"m","messages":[{"role":"user","content":"hi"}]}`
	first := remaining(plain)
	second := remaining(`{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`)
	third := remaining(plain)
	if first-second < 400 || second-third < 400 {
		t.Fatalf("remaining tokens %d, %d, %d: each answer's 400 completion tokens should count", first, second, third)
	}
}
