package proxy

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"testing"
	"time"
)

// A connection accepted before the drain whose first request comes after
// it began — slowly, past Patience once begun — is answered, and closed
// after: Shutdown would drop that request unanswered. Wait returns only
// once it is done.
func TestQuiesceAnswersAFirstRequestThatComesLate(t *testing.T) {
	conns := Conns{Patience: 20 * time.Millisecond}
	srv, c := trackedConn(t, &conns, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "answered") }))
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\n"); err != nil {
		t.Fatal(err)
	}
	waitHeard(t, &conns)

	conns.EndKeepAlives(srv)
	waited := make(chan error, 1)
	go func() { waited <- conns.Wait(context.Background()) }()
	select {
	case err := <-waited:
		t.Fatalf("Wait returned (%v) with a connection yet to send its request", err)
	default:
	}
	time.Sleep(5 * conns.Patience) // a slow client, not a wait for readiness
	if _, err := io.WriteString(c, "Host: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("the request was dropped: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if string(body) != "answered" || !resp.Close {
		t.Fatalf("got %q, close %v", body, resp.Close)
	}
	if err := <-waited; err != nil {
		t.Fatal(err)
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// waitHeard waits until the server has read a byte of each connection.
func waitHeard(t *testing.T, conns *Conns) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		conns.mu.Lock()
		heard := true
		for _, tr := range conns.open {
			heard = heard && tr.wire.heard.Load()
		}
		conns.mu.Unlock()
		if heard {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the server never read the request's first bytes")
		}
	}
}

// A connection that has sent nothing — a spare a client's pool holds —
// is closed once it has been silent for Patience into the drain, rather
// than holding the drain to its deadline.
func TestQuiesceClosesSilentConnections(t *testing.T) {
	conns := Conns{Patience: 50 * time.Millisecond}
	srv, c := trackedConn(t, &conns, http.NotFoundHandler())

	start := time.Now()
	conns.EndKeepAlives(srv)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := conns.Wait(ctx); err != nil {
		t.Fatalf("the silent connection held the drain: %v", err)
	}
	if took := time.Since(start); took < conns.Patience {
		t.Fatalf("closed after %v, before the patience of %v", took, conns.Patience)
	}
	if n, err := c.Read(make([]byte, 1)); n != 0 || err == nil {
		t.Fatalf("the connection is still open: %d %v", n, err)
	}
}

// A connection on its way to the server — a CONNECT's, between the
// proxy's hijack and the interception server — holds the drain too.
func TestWaitCountsConnectionsOnTheirWay(t *testing.T) {
	var conns Conns
	conns.expect()
	conns.EndKeepAlives(&http.Server{})
	done, cancel := context.WithCancel(context.Background())
	cancel()
	if err := conns.Wait(done); err == nil {
		t.Fatal("Wait returned with a connection on its way")
	}
	conns.arrived(nil)
	if err := conns.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// Once the drain has begun, an intercepted h2 connection — one set up
// after Shutdown sent its GOAWAYs would never get one — is asked to go
// away by its first response, which arrives whole; the client's next
// request opens a new connection.
func TestInterceptedH2ClientsAreToldToGoAway(t *testing.T) {
	s := newStack(t, "version: 1\n", nil)
	s.front.Intercept.BeginDrain()
	hc := s.proxyClient()
	post := func(body string) (string, bool) {
		reused := false
		trace := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) { reused = i.Reused }}
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace),
			http.MethodPost, "https://api.openai.com/v1/chat/completions", strings.NewReader(body))
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		got, err := io.ReadAll(resp.Body)
		if err != nil || resp.ProtoMajor != 2 {
			t.Fatalf("%s: %v, %s", body, err, resp.Proto)
		}
		return string(got), reused
	}
	if got, _ := post(`{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"hi"}]}`); !strings.HasSuffix(got, "data: [DONE]\n\n") {
		t.Fatalf("the stream did not finish: …%q", got[max(0, len(got)-80):])
	}
	if _, reused := post(`{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`); reused {
		t.Fatal("the next request went on the connection that was asked to go away")
	}
}

// trackedConn serves h with conns tracking its connections, opens one
// connection that has sent nothing yet, and closes the listener once the
// server has accepted and tracked it.
func trackedConn(t *testing.T, conns *Conns, h http.Handler) (*http.Server, net.Conn) {
	t.Helper()
	accepted := make(chan struct{}, 1)
	srv := &http.Server{
		Handler: h,
		ConnState: func(c net.Conn, s http.ConnState) {
			conns.ConnState(c, s)
			if s == http.StateNew {
				accepted <- struct{}{}
			}
		},
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(conns.Listener(ln)) }()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	<-accepted
	ln.Close()
	<-served // the listener is closed and the connection tracked
	return srv, c
}
