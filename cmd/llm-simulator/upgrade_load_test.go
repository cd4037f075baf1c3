package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// load is a crowd of clients calling the proxy without pause until
// stopped, each alternating a plain chat completion and a slow stream, and
// the tally of what they got. A failure is never retried: it counts.
type load struct {
	running sync.WaitGroup // the clients
	done    atomic.Bool    // set to stop them after their current call

	calls, streams      atomic.Int64 // answered in full
	failed, truncated   atomic.Int64 // a call or stream that went wrong, and a stream cut short
	viaProxy, viaDirect atomic.Int64 // calls and streams made each way in, good or not

	mu    sync.Mutex // guards first
	first []string   // the first few failures, with their reasons
}

// client is one caller: its own connections (as a separate app has) and
// the URL it posts to.
type client struct {
	hc    *http.Client
	url   string
	proxy bool
}

// directClient calls by base URL over plain HTTP, keeping its connection
// alive between calls.
func directClient(listen string) client {
	return client{hc: &http.Client{Transport: &http.Transport{}}, url: "http://" + listen + "/v1/chat/completions"}
}

// proxyClient calls https://api.openai.com through the proxy as
// HTTPS_PROXY: a CONNECT, then TLS with a certificate from the local CA,
// then h2 — as Go's transport does.
func proxyClient(t *testing.T, listen, caFile string) client {
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
		ForceAttemptHTTP2: true,
	}
	return client{hc: &http.Client{Transport: tr}, url: "https://api.openai.com/v1/chat/completions", proxy: true}
}

// start runs c until l.done is set or ctx ends.
func (l *load) start(ctx context.Context, c client) {
	l.running.Add(1)
	go func() {
		defer l.running.Done()
		defer c.hc.CloseIdleConnections()
		for i := 0; !l.done.Load() && ctx.Err() == nil; i++ {
			l.call(ctx, c, i%2 == 1)
		}
	}()
}

// finish stops the clients and waits for their calls under way to end.
func (l *load) finish() {
	l.done.Store(true)
	l.running.Wait()
}

var nextKey atomic.Int64

// call makes one chat completion, a slow stream when stream is set, and
// tallies the outcome.
func (l *load) call(ctx context.Context, c client, stream bool) {
	body := `{"model":"m","messages":[{"role":"user","content":"hi"}]}`
	if stream {
		body = `{"model":"slow","stream":true,"messages":[{"role":"user","content":"hi"}]}`
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, c.url, strings.NewReader(body)) // a valid URL
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer sk-test")
	// A POST sent on a kept-alive connection just as the draining process
	// closes it idle fails before anything was answered; the official SDKs
	// retry that, and Go's transport does it for them when the request
	// carries an idempotency key (net/http isReplayable). The test adds no
	// retry of its own: anything else that goes wrong counts. (Over h2, a
	// request a GOAWAY turned away unanswered is retried by the transport
	// as the protocol allows, key or not.)
	req.Header.Set("Idempotency-Key", "k"+strconv.FormatInt(nextKey.Add(1), 10))
	what := map[bool]string{false: "call", true: "stream"}[stream]
	if c.proxy {
		what += " via CONNECT"
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
