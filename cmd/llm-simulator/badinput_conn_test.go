package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// rawRequest is an HTTP/1 request as bytes, with a Content-Length.
func rawRequest(proto, path, extra, body string) string {
	return fmt.Sprintf("POST %s %s\r\nHost: x\r\nContent-Type: application/json\r\n%sContent-Length: %d\r\n\r\n%s",
		path, proto, extra, len(body), body)
}

// dialRaw opens a plain TCP connection to addr, with a deadline that
// bounds the whole exchange.
func dialRaw(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	return c
}

// closedWithin waits for the server to close c and returns how long that
// took and what it sent first; it fails if c stays open past limit.
func closedWithin(t *testing.T, c net.Conn, limit time.Duration) (time.Duration, []byte) {
	t.Helper()
	start := time.Now()
	_ = c.SetReadDeadline(start.Add(limit))
	got, err := io.ReadAll(c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the connection was still open after %v; it sent %q", limit, got)
	}
	return time.Since(start), got
}

// What a parser of our own never sees — HTTP/1.0, pipelining, oversized
// headers, headers or a body sent a byte at a time, garbage — is
// answered or closed cleanly, within the configured timeouts, and the
// process serves on.
func TestBadInputOnTheWire(t *testing.T) {
	b := startLogged(t, "--config", writeConfig(t, badInputConfig))
	addr, base := b.ready.Listen, "http://"+b.ready.Listen

	t.Run("HTTP/1.0", func(t *testing.T) {
		for _, stream := range []string{"false", "true"} {
			c := dialRaw(t, addr)
			body := `{"model":"gpt-4o","stream":` + stream + `,"messages":[{"role":"user","content":"hi"}]}`
			_, _ = io.WriteString(c, rawRequest("HTTP/1.0", "/v1/chat/completions", "", body))
			// An HTTP/1.0 answer without a length ends with the connection.
			_, got := closedWithin(t, c, 10*time.Second)
			if !bytes.HasPrefix(got, []byte("HTTP/1.0 200 ")) {
				t.Fatalf("stream %s: %.200q", stream, got)
			}
			if stream == "true" && !bytes.HasSuffix(got, []byte("data: [DONE]\n\n")) {
				t.Fatalf("the HTTP/1.0 stream did not end with [DONE]: …%q", got[max(0, len(got)-80):])
			}
		}
	})

	t.Run("pipelined", func(t *testing.T) {
		c := dialRaw(t, addr)
		reqs := rawRequest("HTTP/1.1", "/v1/chat/completions", "", goodBody["openai"]) +
			rawRequest("HTTP/1.1", "/v1/messages", "Anthropic-Version: 2023-06-01\r\n", `{"model":`) +
			rawRequest("HTTP/1.1", "/v1/messages", "Anthropic-Version: 2023-06-01\r\n", goodBody["anthropic"]) +
			rawRequest("HTTP/1.1", "/v1/chat/completions", "Connection: close\r\n", `[`)
		_, _ = io.WriteString(c, reqs) // all four in one write
		br := bufio.NewReader(c)
		for i, want := range []struct {
			provider string
			status   int
		}{{"openai", 200}, {"anthropic", 400}, {"anthropic", 200}, {"openai", 400}} {
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatalf("answer %d: %v", i, err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != want.status {
				t.Fatalf("answer %d: %d, want %d: %.200s", i, resp.StatusCode, want.status, body)
			}
			if want.status != 200 {
				checkShape(t, want.provider, body)
			}
		}
	})

	t.Run("huge headers", func(t *testing.T) {
		for name, extra := range map[string]string{
			"one huge header": "X-Big: " + strings.Repeat("a", 64<<10) + "\r\n",
			"many headers":    strings.Repeat("X-Many: b\r\n", 8000),
		} {
			c := dialRaw(t, addr)
			_, _ = io.WriteString(c, rawRequest("HTTP/1.1", "/v1/chat/completions", extra, goodBody["openai"]))
			// net/http answers 431 before the handler and closes.
			if _, got := closedWithin(t, c, 10*time.Second); !bytes.HasPrefix(got, []byte("HTTP/1.1 431 ")) {
				t.Fatalf("%s: %.200q", name, got)
			}
		}
		stillServes(t, base)
	})

	t.Run("slow headers", func(t *testing.T) {
		c := dialRaw(t, addr)
		_, _ = io.WriteString(c, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n")
		stop := make(chan struct{})
		defer close(stop)
		go func() { // a header byte every 100 ms: slowloris
			tick := time.NewTicker(100 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					if _, err := io.WriteString(c, "X"); err != nil {
						return
					}
				}
			}
		}()
		// read_header_timeout is 500ms; the upper bound allows for a slow
		// machine, and is far below the 30 s default.
		took, got := closedWithin(t, c, 10*time.Second)
		if took > 8*time.Second || (len(got) > 0 && !bytes.HasPrefix(got, []byte("HTTP/1.1 4"))) {
			t.Fatalf("slow headers: closed after %v having sent %.200q", took, got)
		}
		stillServes(t, base)
	})

	t.Run("silent after an intercepted CONNECT", func(t *testing.T) {
		// The interception server's TLS handshake is bounded by
		// read_header_timeout too: a client that opens the tunnel and
		// never says hello does not hold it.
		c := dialRaw(t, addr)
		_, _ = io.WriteString(c, "CONNECT api.openai.com:443 HTTP/1.1\r\nHost: api.openai.com:443\r\n\r\n")
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, &http.Request{Method: "CONNECT"})
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("CONNECT: %v %v", resp, err)
		}
		if took, _ := closedWithin(t, c, 10*time.Second); took > 8*time.Second {
			t.Fatalf("a silent intercepted connection was closed after %v", took)
		}
	})

	t.Run("slow body", func(t *testing.T) {
		c := dialRaw(t, addr)
		body := goodBody["openai"]
		req := rawRequest("HTTP/1.1", "/v1/chat/completions", "", body)
		_, _ = io.WriteString(c, req[:len(req)-len(body)+10]) // then nothing more
		took, got := closedWithin(t, c, 10*time.Second)
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(got)), nil)
		if err != nil {
			t.Fatalf("slow body: no answer before the close (%v): %q", err, got)
		}
		data, _ := io.ReadAll(resp.Body)
		// read_body_timeout is 1s; the bounds allow for a slow machine.
		if resp.StatusCode != 400 || took < 900*time.Millisecond || took > 8*time.Second {
			t.Fatalf("slow body: %d after %v: %s", resp.StatusCode, took, data)
		}
		checkShape(t, "openai", data)
	})

	t.Run("garbage", func(t *testing.T) {
		for _, junk := range []string{
			"GARBAGE\r\n\r\n",
			"GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n",
			"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n\r\n",
			"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
			"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", // a TLS hello to the plain port
			"CONNECT no-port HTTP/1.1\r\nHost: no-port\r\n\r\n",
		} {
			c := dialRaw(t, addr)
			_, _ = io.WriteString(c, junk)
			_ = c.(*net.TCPConn).CloseWrite()
			_, got := closedWithin(t, c, 10*time.Second)
			if len(got) > 0 && !bytes.HasPrefix(got, []byte("HTTP/1.1 4")) {
				t.Errorf("%q: %.200q", junk, got)
			}
		}
		stillServes(t, base)
	})

	b.stop(t)
	b.checkNoPanic(t)
}
