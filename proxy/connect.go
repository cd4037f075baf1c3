package proxy

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/llm-simulator/llm-simulator/internal/egress"
)

// connectEstablished is the answer to a CONNECT that opens a tunnel.
var connectEstablished = []byte("HTTP/1.1 200 Connection established\r\n\r\n")

// tunnelDialTimeout bounds connecting a blind tunnel to its host.
const tunnelDialTimeout = 10 * time.Second

// connect answers a CONNECT (HTTPS_PROXY): an intercepted host's TLS is
// terminated here and its requests answered by the rules; any other host
// the egress policy allows gets a blind tunnel, its bytes untouched both
// ways — unless the offline guard forbids reaching it.
func (f *Front) connect(w http.ResponseWriter, r *http.Request) {
	host := r.Host
	if r.ProtoMajor >= 2 {
		http.Error(w, "llm-simulator: CONNECT over HTTP/2 is not supported; use HTTP/1.1", http.StatusHTTPVersionNotSupported)
		return
	}
	if f.Intercept.Intercepts(host) {
		f.Intercept.take(w, host, f.hijack)
		return
	}
	ups := f.upstreams()
	if ups.Deny {
		http.Error(w, fmt.Sprintf("llm-simulator is offline (upstreams: deny): no tunnel to %s, which is not intercepted", host),
			http.StatusForbidden)
		return
	}
	start := time.Now()
	policy := ups.egressPolicy()
	ref, err := tunnelRefusal(policy, host)
	if err != nil {
		// The client's mistake, not an unreachable upstream: a 400, not
		// the 502 the dial's "missing port" would have given.
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if ref != nil {
		f.refuseTunnel(w, r, start, ref)
		return
	}
	ctx, cancel := context.WithTimeout(egress.WithPolicy(r.Context(), policy), tunnelDialTimeout)
	upstream, err := tunnelDialer.DialContext(ctx, "tcp", host)
	cancel()
	if ref := asRefusal(err); ref != nil {
		f.refuseTunnel(w, r, start, ref)
		return
	}
	if err != nil {
		http.Error(w, fmt.Sprintf("llm-simulator: cannot reach %s: %v", host, err), http.StatusBadGateway)
		return
	}
	conn := f.hijack(w)
	if conn == nil {
		_ = upstream.Close()
		return
	}
	if _, err := conn.Write(connectEstablished); err != nil {
		_ = conn.Close()
		_ = upstream.Close()
		return
	}
	f.tunnels.run(conn, upstream, f.TunnelIdleTimeout)
}

// tunnelDialer dials blind tunnels, each address judged by the egress
// policy as a tunnel's.
var tunnelDialer = &egress.Dialer{Purpose: egress.Tunnel}

// hijack takes the client's connection over, keeping any bytes the client
// sent after the CONNECT that the server had already read; nil when it
// cannot (the failure has been answered).
func (f *Front) hijack(w http.ResponseWriter) net.Conn {
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, "llm-simulator: cannot take over this connection", http.StatusInternalServerError)
		return nil
	}
	if h, ok := conn.(*heardConn); ok {
		conn = h.Conn // the drain's watch ends with the server's part; tunnels keep the TCP fast paths
	}
	_ = conn.SetDeadline(time.Time{})
	if n := brw.Reader.Buffered(); n > 0 {
		early, _ := brw.Reader.Peek(n)
		return &prefixConn{Conn: conn, r: io.MultiReader(bytes.NewReader(bytes.Clone(early)), conn)}
	}
	return conn
}

// prefixConn is a connection whose first bytes were read before it was
// taken over.
type prefixConn struct {
	net.Conn
	r io.Reader
}

func (c *prefixConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// CloseWrite half-closes the connection underneath.
func (c *prefixConn) CloseWrite() error { return closeWrite(c.Conn) }

// NetConn is the connection underneath, for a reset.
func (c *prefixConn) NetConn() net.Conn { return c.Conn }
