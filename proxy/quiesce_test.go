package proxy

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// get is a kept-alive HTTP/1.1 request as a client writes it, in one
// piece.
const get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"

// A request its client wrote just as the drain began — on a kept-alive
// connection between two requests, or the first on a new one — is
// answered, with Connection: close, rather than lost with its connection
// as SetKeepAlivesEnabled(false) would lose it: the server had not read
// it yet. Wait returns once the server has closed the connection.
func TestDrainAnswersARequestWrittenAsItBegins(t *testing.T) {
	for _, tc := range []struct {
		name  string
		first bool // the connection has carried no request before
	}{
		{"kept-alive connection", false},
		{"new connection", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conns := Conns{IdleGrace: time.Minute} // no closing for idleness here
			srv, c := trackedConn(t, &conns, answer("answered"))
			br := bufio.NewReader(c)
			if !tc.first {
				if resp := roundTrip(t, c, br, get); resp.Close {
					t.Fatal("closed before the drain")
				}
			}
			if _, err := io.WriteString(c, get); err != nil {
				t.Fatal(err)
			}
			conns.BeginDrain()
			resp := readResponse(t, br)
			if body, _ := io.ReadAll(resp.Body); string(body) != "answered" || !resp.Close {
				t.Fatalf("got %q, close %v", body, resp.Close)
			}
			waitDrained(t, &conns, srv, 10*time.Second)
		})
	}
}

// A response whose header went out before the drain cannot say
// Connection: close: its connection is left open, and the request its
// client sends next, as soon as the response ends, is answered — with
// Connection: close.
func TestDrainAnswersTheRequestAfterAResponseBegunBefore(t *testing.T) {
	conns := Conns{IdleGrace: time.Minute}
	release := make(chan struct{})
	var calls atomic.Int32
	srv, c := trackedConn(t, &conns, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusOK)
			http.NewResponseController(w).Flush()
			<-release
		}
		_, _ = io.WriteString(w, "done")
	}))
	br := bufio.NewReader(c)
	if _, err := io.WriteString(c, get); err != nil {
		t.Fatal(err)
	}
	first := readResponse(t, br) // its header is out
	conns.BeginDrain()
	close(release)
	if body, _ := io.ReadAll(first.Body); string(body) != "done" || first.Close {
		t.Fatalf("the response under way: %q, close %v", body, first.Close)
	}
	next := roundTrip(t, c, br, get)
	if body, _ := io.ReadAll(next.Body); string(body) != "done" || !next.Close {
		t.Fatalf("the next request: %q, close %v", body, next.Close)
	}
	waitDrained(t, &conns, srv, 10*time.Second)
}

// A request whose bytes start to arrive within the grace is answered
// whole, though they end after it: the grace counts from the last byte
// in, and a connection is never closed under a request.
func TestDrainAnswersARequestThatStartsWithinTheGrace(t *testing.T) {
	conns := Conns{IdleGrace: 300 * time.Millisecond}
	srv, c := trackedConn(t, &conns, answer("answered"))
	conns.BeginDrain()
	waited := make(chan error, 1)
	go func() { waited <- conns.Wait(context.Background()) }()
	// A slow client, not a wait for readiness: each part comes 200 ms
	// after the one before, the last 600 ms into a grace of 300 ms.
	for _, part := range []string{"GET / HTTP/1.1\r\n", "Host: x\r\n", "\r\n"} {
		time.Sleep(200 * time.Millisecond)
		if _, err := io.WriteString(c, part); err != nil {
			t.Fatal(err)
		}
	}
	resp := readResponse(t, bufio.NewReader(c))
	if body, _ := io.ReadAll(resp.Body); string(body) != "answered" || !resp.Close {
		t.Fatalf("got %q, close %v", body, resp.Close)
	}
	if err := <-waited; err != nil {
		t.Fatal(err)
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// A connection that brings nothing — a spare a client's pool holds, or a
// kept-alive one whose client has gone quiet — is closed once idle for
// the grace, not before, and with a FIN its client reads as the end of
// the connection, not a reset: a drain with nothing to answer lasts the
// grace, not its deadline.
func TestDrainClosesIdleConnectionsAfterTheGrace(t *testing.T) {
	for _, tc := range []struct {
		name string
		used bool
	}{
		{"never used", false},
		{"kept alive", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conns := Conns{IdleGrace: 100 * time.Millisecond}
			srv, c := trackedConn(t, &conns, answer("answered"))
			br := bufio.NewReader(c)
			if tc.used {
				roundTrip(t, c, br, get)
			}
			start := time.Now()
			waitDrained(t, &conns, srv, 10*time.Second)
			if took := time.Since(start); took < conns.IdleGrace {
				t.Fatalf("closed after %v, within the grace of %v", took, conns.IdleGrace)
			}
			if n, err := br.Read(make([]byte, 1)); n != 0 || err != io.EOF {
				t.Fatalf("the client reads %d bytes, %v; want the FIN's EOF", n, err)
			}
		})
	}
}

// A connection the drain has claimed serves nothing more: a request that
// crosses its FIN is read and dropped, never handled — its client sees
// the connection closed, and the work would go unanswered. And a
// connection whose socket holds bytes no read has taken is not claimed:
// they are a request that arrived before the drain decided.
func TestAClaimedConnectionServesNothingMore(t *testing.T) {
	server, client := tcpPair(t)
	h := newHeardConn(server)
	if _, err := io.WriteString(client, "G"); err != nil {
		t.Fatal(err)
	}
	if seesPendingInput {
		for !inputPending(server) {
			time.Sleep(time.Millisecond) // the kernel's loopback delivery
		}
		if h.claimIdle(time.Now(), 0, 0) {
			t.Fatal("claimed with a request waiting in the socket")
		}
	}
	if n, err := h.Read(make([]byte, 1)); n != 1 || err != nil {
		t.Fatal(n, err)
	}
	if !h.claimIdle(time.Now(), 0, 0) {
		t.Fatal("an idle connection was not claimed")
	}
	h.hangUp()
	if n, err := client.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("the client reads %d, %v; want EOF", n, err)
	}
	if _, err := io.WriteString(client, get); err != nil {
		t.Fatal(err)
	}
	if n, err := h.Read(make([]byte, 64)); n != 0 || err != io.EOF {
		t.Fatalf("the server reads %d bytes, %v, after the claim; want EOF", n, err)
	}
	client.Close()
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
}

// A connection on its way to the server — a CONNECT's, between the
// proxy's hijack and the interception server — holds the drain too.
func TestWaitCountsConnectionsOnTheirWay(t *testing.T) {
	var conns Conns
	conns.expect()
	conns.BeginDrain()
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
	if got, _, proto := interceptedPost(t, hc, `{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"hi"}]}`); !strings.HasSuffix(got, "data: [DONE]\n\n") || proto != 2 {
		t.Fatalf("the stream did not finish over h2: %d …%q", proto, got[max(0, len(got)-80):])
	}
	if _, reused, _ := interceptedPost(t, hc, `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`); reused {
		t.Fatal("the next request went on the connection that was asked to go away")
	}
}

// An intercepted HTTP/1.1 connection kept alive when the drain begins
// answers its next request with Connection: close; one left idle is
// closed after the grace, so the interception server's drain ends then.
func TestInterceptedHTTP1ConnectionsDrain(t *testing.T) {
	s := newStack(t, "version: 1\n", nil)
	in := s.front.Intercept
	in.Conns().IdleGrace = 100 * time.Millisecond
	busy, idle := s.proxyClient(), s.proxyClient()
	for _, hc := range []*http.Client{busy, idle} {
		hc.Transport.(*http.Transport).TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{} // no h2
		if _, _, proto := interceptedPost(t, hc, `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`); proto != 1 {
			t.Fatalf("HTTP/%d, want HTTP/1.1", proto)
		}
	}
	in.BeginDrain()
	got, reused, _ := interceptedPost(t, busy, `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`)
	if !reused || !strings.Contains(got, "chat.completion") {
		t.Fatalf("the kept-alive connection's next request: reused %v, %q", reused, got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	if err := in.Drain(ctx); err != nil {
		t.Fatalf("the idle intercepted connection held the drain: %v", err)
	}
	if took := time.Since(start); took < in.Conns().IdleGrace {
		t.Fatalf("the drain ended after %v, within the grace", took)
	}
}

// interceptedPost posts body to api.openai.com through the proxy and
// returns the answer, whether it went on a connection used before, and
// its HTTP major version.
func interceptedPost(t *testing.T, hc *http.Client, body string) (string, bool, int) {
	t.Helper()
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
	if err != nil {
		t.Fatal(err)
	}
	return string(got), reused, resp.ProtoMajor
}

// answer is a handler that writes body.
func answer(body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, body) })
}

// roundTrip writes req on c and reads its response in full.
func roundTrip(t *testing.T, c net.Conn, br *bufio.Reader, req string) *http.Response {
	t.Helper()
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	resp := readResponse(t, br)
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body = io.NopCloser(strings.NewReader(string(body)))
	return resp
}

func readResponse(t *testing.T, br *bufio.Reader) *http.Response {
	t.Helper()
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("the request was dropped: %v", err)
	}
	return resp
}

// waitDrained waits for conns and shuts srv down, failing after limit.
func waitDrained(t *testing.T, conns *Conns, srv *http.Server, limit time.Duration) {
	t.Helper()
	conns.BeginDrain()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	if err := conns.Wait(ctx); err != nil {
		open, coming := conns.Left()
		t.Fatalf("the drain did not end: %v (%d open, %d coming)", err, open, coming)
	}
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}

// tcpPair is two ends of a loopback TCP connection.
func tcpPair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if server, err = ln.Accept(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	return server, client
}

// trackedConn serves h as a draining server does — Handler's Connection:
// close, conns tracking its connections — opens one connection that has
// sent nothing yet, and closes the listener once the server has accepted
// and tracked it.
func trackedConn(t *testing.T, conns *Conns, h http.Handler) (*http.Server, net.Conn) {
	t.Helper()
	accepted := make(chan struct{}, 1)
	srv := &http.Server{
		Handler: conns.Handler(h),
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
	t.Cleanup(func() { c.Close(); _ = srv.Close() })
	<-accepted
	ln.Close()
	<-served // the listener is closed and the connection tracked
	return srv, c
}
