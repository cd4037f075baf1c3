package proxy

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/llm-simulator/llm-simulator/rules"
)

// take answers a CONNECT to an intercepted host: it takes the client's
// connection over and hands it, TLS still to be done, to the
// interception server. The connection is counted from before the
// hijack, when the proxy server stops tracking it, until the interception
// server's tracking takes over: a drain does not shut that server down
// while one is on its way.
func (in *Interceptor) take(w http.ResponseWriter, host string, hijack func(http.ResponseWriter) net.Conn) {
	in.conns.expect()
	conn := hijack(w)
	if conn == nil {
		in.conns.arrived(nil)
		return
	}
	if _, err := conn.Write(connectEstablished); err != nil {
		_ = conn.Close()
		in.conns.arrived(nil)
		return
	}
	// Watched under the TLS, where the drain can see bytes come in and
	// hang up with a FIN.
	tc := tls.Server(&connectedConn{Conn: newHeardConn(conn), host: host}, in.leaves.ServerConfig(rules.HostOnly(host), in.refused(host)))
	in.conns.arrived(tc)
	if !in.ln.push(tc) { // the drain ran out of time
		in.conns.forget(tc)
		_ = conn.Close()
	}
}

// refused is told of each intercepted handshake that got no certificate:
// a client whose SNI is not its CONNECT host, a CONNECT to an IP address
// or to a name the CA does not cover. It logs a warning with both names —
// a client doing this is either misconfigured or probing the proxy.
func (in *Interceptor) refused(connectHost string) func(*tls.ClientHelloInfo, error) {
	return func(hello *tls.ClientHelloInfo, err error) {
		ev := in.log.Warn().Str("connect_host", connectHost).Str("sni", hello.ServerName)
		if hello.Conn != nil {
			ev = ev.Str("remote", hello.Conn.RemoteAddr().String())
		}
		ev.Str("reason", err.Error()).Msg("intercepted handshake refused: no certificate but for the CONNECT host")
	}
}

// BeginDrain starts draining the interception server: each connection
// ends after its next response — HTTP/1.1 closes, h2 is sent a graceful
// GOAWAY — or once idle for the grace (see Conns).
func (in *Interceptor) BeginDrain() { in.conns.BeginDrain() }

// Drain waits until no intercepted connection may still bring an HTTP/1
// request — call it once the proxy server can take no more CONNECTs —
// and then shuts the server down: a GOAWAY to each h2 connection, and a
// wait for them to end, or for ctx to. A busy h2 client has moved to the
// new process at its first response since BeginDrain; and a connection
// whose TLS handshake was under way when Shutdown sent its GOAWAYs,
// which would never be told, is told by its first response.
func (in *Interceptor) Drain(ctx context.Context) error {
	in.BeginDrain()
	if err := in.conns.Wait(ctx); err != nil {
		return err
	}
	return in.srv.Shutdown(ctx)
}

// connectHostOnly answers only the requests for the host the connection's
// CONNECT named.
type connectHostOnly struct{ h http.Handler }

func (c connectHostOnly) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if want, _ := r.Context().Value(connectHostKey{}).(string); want != "" && !sameHostName(r.Host, want) {
		misdirected(w, r.Host, want)
		return
	}
	c.h.ServeHTTP(w, r)
}

// connectedConn is an intercepted connection and the host its CONNECT
// named: the only host its requests may be for.
type connectedConn struct {
	net.Conn
	host string
}

// NetConn is the connection underneath, for a reset.
func (c *connectedConn) NetConn() net.Conn { return c.Conn }

// CloseWrite half-closes the connection underneath.
func (c *connectedConn) CloseWrite() error { return closeWrite(c.Conn) }

type connectHostKey struct{}

// connectHostContext marks the requests of an intercepted connection with
// the host its CONNECT named.
func connectHostContext(ctx context.Context, c net.Conn) context.Context {
	if tc, ok := c.(*tls.Conn); ok {
		if cc, ok := tc.NetConn().(*connectedConn); ok {
			return context.WithValue(ctx, connectHostKey{}, cc.host)
		}
	}
	return ctx
}

// misdirected answers a decrypted request whose Host is not the host its
// CONNECT named, as a server answers a request for a name its
// certificate does not serve: the request would otherwise reach, under
// the rules of one host, whatever host the client wrote inside the
// tunnel.
func misdirected(w http.ResponseWriter, got, want string) {
	http.Error(w, fmt.Sprintf("llm-simulator: this connection was opened with CONNECT %s; a request for %s must open its own", want, got),
		http.StatusMisdirectedRequest)
}

// sameHostName compares two hosts by name, without case, port or a
// trailing dot.
func sameHostName(a, b string) bool {
	return strings.EqualFold(strings.TrimSuffix(rules.HostOnly(a), "."), strings.TrimSuffix(rules.HostOnly(b), "."))
}
