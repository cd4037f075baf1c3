package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// load is a crowd of clients calling the proxy without pause until
// stopped — most making plain chat completions back to back on their
// kept-alive connections, a few streaming — and the tally of what they
// got. A failure is never retried: it counts.
type load struct {
	running sync.WaitGroup // the clients
	done    atomic.Bool    // set to stop them after their current call

	calls, streams      atomic.Int64 // answered in full
	failed, truncated   atomic.Int64 // a call or stream that went wrong, and a stream cut short
	viaProxy, viaDirect atomic.Int64 // calls and streams made each way in, good or not

	mu    sync.Mutex // guards first
	first []string   // the first few failures, with their reasons
}

// loadTestSetup bounds a load test to 3 minutes and writes upgradeYAML
// to a temporary directory: the context, its cancel, the directory and
// the config file.
func loadTestSetup(t *testing.T) (context.Context, context.CancelFunc, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeoutCause(context.Background(), 3*time.Minute,
		errors.New("the test's own 3-minute deadline passed"))
	dir := t.TempDir()
	config := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(config, []byte(upgradeYAML), 0o644); err != nil {
		cancel()
		t.Fatal(err)
	}
	return ctx, cancel, dir, config
}

// newLoad returns a load whose clients stop as the test ends, the calls
// under way cancelled, with the report when the test failed. Cleanups
// run last to first: made after the processes, it runs before they are
// killed.
func newLoad(t *testing.T, cancel context.CancelFunc) *load {
	l := &load{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(l.report())
		}
		cancel()
		l.finish()
	})
	return l
}

// client is one caller: its own connections (as a separate app has), the
// URL it posts to, and what it asks for.
type client struct {
	hc     *http.Client
	url    string
	proxy  bool
	stream bool          // a slow stream each time, else a plain call
	pause  time.Duration // between calls; zero: none
	kind   string        // how it connects, for failure messages
}

// directClient calls by base URL over plain HTTP/1.1, keeping its
// connection alive between calls.
func directClient(listen string, stream bool) client {
	return client{hc: &http.Client{Transport: &http.Transport{}}, url: "http://" + listen + "/v1/chat/completions",
		stream: stream, kind: "HTTP/1.1"}
}

// proxyClient calls https://api.openai.com through the proxy as
// HTTPS_PROXY: a CONNECT, then TLS with a certificate from the local CA,
// then h2 — as Go's transport does — or, with h1, HTTP/1.1 kept alive
// inside the tunnel, as clients without h2 do.
func proxyClient(t *testing.T, listen, caFile string, h1, stream bool) client {
	t.Helper()
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no certificate", caFile)
	}
	tr := &http.Transport{
		Proxy:             http.ProxyURL(&url.URL{Scheme: "http", Host: listen}),
		TLSClientConfig:   &tls.Config{RootCAs: roots},
		ForceAttemptHTTP2: !h1,
	}
	kind := "h2 via CONNECT"
	if h1 {
		// A non-nil, empty map: no h2 by ALPN.
		tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
		kind = "HTTP/1.1 via CONNECT"
	}
	return client{hc: &http.Client{Transport: tr}, url: "https://api.openai.com/v1/chat/completions", proxy: true,
		stream: stream, kind: kind}
}

// start runs c until l.done is set or ctx ends.
func (l *load) start(ctx context.Context, c client) {
	l.running.Add(1)
	go func() {
		defer l.running.Done()
		defer c.hc.CloseIdleConnections()
		for !l.done.Load() && ctx.Err() == nil {
			l.call(ctx, c)
			if c.pause > 0 { // a client's pace, not a wait for readiness
				select {
				case <-time.After(c.pause):
				case <-ctx.Done():
				}
			}
		}
	}()
}

// crowd is the clients of the load tests: 64 that never pause, as `hey
// -c 64`, each way in carrying calls back to back and a few streams — by
// base URL over HTTP/1.1, and through CONNECT to an intercepted host over
// h2 and over HTTP/1.1 — and a few HTTP/1.1 clients that pause half the
// idle grace between calls, as an app between two user actions does: a
// drain answers their next call and closes their connection. It returns
// once every client has made a call, so what follows happens under load,
// and the idle holders (see holders).
func (l *load) crowd(t *testing.T, ctx context.Context, listen, caFile string, grace time.Duration) holders {
	t.Helper()
	const callers, streamers = 16, 5 // each way in, and one more direct caller
	n := 0
	add := func(c client) { l.start(ctx, c); n++ }
	add(directClient(listen, false))
	for i := range callers + streamers {
		stream := i >= callers
		add(directClient(listen, stream))
		add(proxyClient(t, listen, caFile, false, stream))
		add(proxyClient(t, listen, caFile, true, stream))
	}
	for _, c := range []client{directClient(listen, false), proxyClient(t, listen, caFile, true, false)} {
		c.pause = grace / 2
		c.kind += fmt.Sprintf(", %v apart", c.pause)
		add(c)
	}
	waitForTraffic(t, ctx, l, int64(n))
	h := holders{l: l, clients: []client{directClient(listen, false),
		proxyClient(t, listen, caFile, true, false), proxyClient(t, listen, caFile, false, false)}}
	h.call(ctx)
	return h
}

// holders are clients whose connections lie idle through a drain, as an
// app's pool holds them between calls: the drain closes them once its
// idle grace has passed (HTTP/1.1) or with its GOAWAY (h2), rather than
// wait for them until its deadline. The test makes them call once the
// old process is gone — so never as the drain closes their connection,
// the moment HTTP/1.1 cannot make safe (see docs/lifecycle.md) — and
// the call must then succeed on a new connection.
type holders struct {
	l       *load
	clients []client
}

// call makes one call from each holder.
func (h holders) call(ctx context.Context) {
	for _, c := range h.clients {
		c.kind += ", idle between drains"
		h.l.call(ctx, c)
	}
}

// finish stops the clients and waits for their calls under way to end.
func (l *load) finish() {
	l.done.Store(true)
	l.running.Wait()
}

// call makes one chat completion, a slow stream for a streaming client,
// and tallies the outcome.
func (l *load) call(ctx context.Context, c client) {
	stream := c.stream
	body := `{"model":"m","messages":[{"role":"user","content":"hi"}]}`
	if stream {
		body = `{"model":"slow","stream":true,"messages":[{"role":"user","content":"hi"}]}`
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, c.url, strings.NewReader(body)) // a valid URL
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer sk-test")
	// No Idempotency-Key: with one, Go's transport would replay a POST
	// that a closing connection lost (net/http isReplayable), and a drain
	// that races kept-alive requests would go unseen. Over h2, a request
	// a GOAWAY turned away unanswered is retried by the transport, as the
	// protocol allows: the server says it never saw it.
	what := map[bool]string{false: "call", true: "stream"}[stream] + " (" + c.kind + ")"
	if c.proxy {
		l.viaProxy.Add(1)
	} else {
		l.viaDirect.Add(1)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		l.fail(&l.failed, what, err.Error())
		return
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	switch {
	case resp.StatusCode != http.StatusOK:
		l.fail(&l.failed, what, fmt.Sprintf("status %d: %.300s", resp.StatusCode, got))
	case stream:
		l.checkStream(what, got, err)
	case err != nil:
		l.fail(&l.failed, what, "reading the body: "+err.Error())
	default:
		l.checkCall(what, got)
	}
}

// checkStream tallies a stream: whole when it ends with [DONE] and holds
// no error event.
func (l *load) checkStream(what string, got []byte, err error) {
	switch {
	case err != nil:
		l.fail(&l.truncated, what, fmt.Sprintf("cut after %d bytes: %v", len(got), err))
	case bytes.Contains(got, []byte(`data: {"error"`)):
		l.fail(&l.truncated, what, fmt.Sprintf("ended by an error event: …%.300s", got[max(0, len(got)-300):]))
	case !bytes.HasSuffix(got, []byte("data: [DONE]\n\n")):
		l.fail(&l.truncated, what, fmt.Sprintf("no [DONE]: …%.300s", got[max(0, len(got)-300):]))
	default:
		l.streams.Add(1)
	}
}

// checkCall tallies a plain answer: whole when it is a chat completion.
func (l *load) checkCall(what string, got []byte) {
	var v struct {
		Object string `json:"object"`
	}
	if err := json.Unmarshal(got, &v); err != nil || v.Object != "chat.completion" {
		l.fail(&l.failed, what, fmt.Sprintf("not a chat completion (%v): %.300s", err, got))
		return
	}
	l.calls.Add(1)
}

func (l *load) fail(n *atomic.Int64, what, why string) {
	n.Add(1)
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.first) < 10 {
		l.first = append(l.first, what+": "+why)
	}
}

// check fails the test unless every call and stream succeeded, every
// kind of traffic ran, and no drain in log reached its deadline.
func (l *load) check(t *testing.T, log string) {
	t.Helper()
	t.Log(l.report())
	if l.failed.Load() > 0 || l.truncated.Load() > 0 {
		t.Errorf("clients saw failures: %s", l.report())
	}
	if l.calls.Load() == 0 || l.streams.Load() == 0 || l.viaDirect.Load() == 0 || l.viaProxy.Load() == 0 {
		t.Errorf("some kind of traffic never ran: %s", l.report())
	}
	if strings.Contains(log, "drain timeout reached") {
		t.Errorf("a drain reached its deadline:\n%s", log)
	}
}

// report says what the clients got, and the first failures.
func (l *load) report() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := fmt.Sprintf("%d calls and %d streams answered in full (of %d made directly, %d via CONNECT); %d failed, %d streams truncated",
		l.calls.Load(), l.streams.Load(), l.viaDirect.Load(), l.viaProxy.Load(), l.failed.Load(), l.truncated.Load())
	for _, f := range l.first {
		s += "\n  " + f
	}
	return s
}
