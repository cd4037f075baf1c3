package proxy

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// openTunnel CONNECTs through the front at proxyURL to addr and returns
// the client's end of the tunnel.
func openTunnel(t *testing.T, proxyAddr, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", proxyAddr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_, _ = io.WriteString(c, "CONNECT "+addr+" HTTP/1.1\r\nHost: "+addr+"\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, &http.Request{Method: "CONNECT"})
	if err != nil || resp.StatusCode != 200 || br.Buffered() != 0 {
		t.Fatalf("CONNECT: %v %v", resp, err)
	}
	return c
}

// A blind tunnel in which nothing moves either way is closed after the
// idle timeout; one whose upstream keeps talking to a silent client is
// not.
func TestTunnelIdleTimeout(t *testing.T) {
	const idle = 300 * time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				var b [1]byte
				if _, err := c.Read(b[:]); err != nil || b[0] != 't' {
					return // silent: wait for the tunnel to go
				}
				// talkative: a byte every idle/3 for 3 idles, then EOF
				for range 9 {
					time.Sleep(idle / 3)
					if _, err := c.Write([]byte{'.'}); err != nil {
						return
					}
				}
			}()
		}
	}()
	front := &Front{TunnelIdleTimeout: idle, Upstreams: allowing(t, ln.Addr().String())}
	srv := httptest.NewServer(front)
	defer srv.Close()
	proxyAddr := srv.Listener.Addr().String()

	t.Run("idle", func(t *testing.T) {
		c := openTunnel(t, proxyAddr, ln.Addr().String())
		start := time.Now()
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, err := io.Copy(io.Discard, c)
		took := time.Since(start)
		// Closed by the proxy: EOF, not our 10 s deadline; the tolerance
		// allows for a slow machine.
		if err != nil || n != 0 || took < idle-50*time.Millisecond || took > 5*time.Second {
			t.Fatalf("idle tunnel: read %d bytes, %v, after %v (idle timeout %v)", n, err, took, idle)
		}
	})
	t.Run("talkative upstream", func(t *testing.T) {
		c := openTunnel(t, proxyAddr, ln.Addr().String())
		if _, err := c.Write([]byte{'t'}); err != nil {
			t.Fatal(err)
		}
		// The client now says nothing for 3 idle periods while the upstream
		// trickles: every byte must arrive.
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		got, err := io.ReadAll(c)
		if err != nil || string(got) != "........." {
			t.Fatalf("talkative tunnel: got %q, %v", got, err)
		}
	})
}
