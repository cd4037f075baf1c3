package proxy

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/llm-simulator/llm-simulator/proxy/mitm"
	"github.com/llm-simulator/llm-simulator/rules"
	"github.com/rs/zerolog"
	"golang.org/x/net/http2"
)

// Interceptor terminates the TLS of CONNECT requests to its hosts with
// certificates minted from the local CA, and serves the decrypted
// connections with an http.Server of its own — HTTP/1.1 or h2 by ALPN —
// whose handler is the front: decrypted requests take the same path as
// every other, and the server's timeouts and draining apply to them.
type Interceptor struct {
	leaves *mitm.Leaves
	hosts  atomic.Pointer[rules.HostSet]
	srv    *http.Server
	ln     *connListener
	conns  Conns // the server's, and those on their way to it
	log    zerolog.Logger
}

type interceptedKey struct{}

// baser is a handler with a base context for its requests, as the Front
// has: the intercepted requests derive from it too.
type baser interface {
	BaseContext(net.Listener) context.Context
}

// intercepted reports whether a request arrived through interception.
func intercepted(ctx context.Context) bool { return ctx.Value(interceptedKey{}) != nil }

// NewInterceptor returns an Interceptor for hosts whose requests go to h.
// srv supplies the timeouts, header limit and error log; its Handler is
// replaced by h. When h is the Front, refused handshakes are logged to
// its Log.
func NewInterceptor(leaves *mitm.Leaves, hosts rules.HostSet, h http.Handler, srv *http.Server) (*Interceptor, error) {
	base := context.Background()
	if b, ok := h.(baser); ok {
		base = b.BaseContext(nil)
	}
	// One value marks the requests of every intercepted connection.
	interceptedCtx := context.WithValue(base, interceptedKey{}, true)
	in := &Interceptor{leaves: leaves, ln: newConnListener()}
	if f, ok := h.(*Front); ok {
		in.log = f.Log
	}
	s := &http.Server{
		Handler:           in.conns.Handler(connectHostOnly{h}),
		ReadHeaderTimeout: srv.ReadHeaderTimeout,
		IdleTimeout:       srv.IdleTimeout,
		MaxHeaderBytes:    srv.MaxHeaderBytes,
		ErrorLog:          srv.ErrorLog,
		BaseContext:       func(net.Listener) context.Context { return interceptedCtx },
		ConnContext:       connectHostContext,
		ConnState:         in.conns.ConnState,
	}
	if err := http2.ConfigureServer(s, &http2.Server{MaxConcurrentStreams: 1000, IdleTimeout: srv.IdleTimeout}); err != nil {
		return nil, err
	}
	h2 := s.TLSNextProto[http2.NextProtoTLS]
	s.TLSNextProto[http2.NextProtoTLS] = func(hs *http.Server, c *tls.Conn, h http.Handler) {
		in.conns.forget(c) // h2 drains by GOAWAY, not by keep-alives
		h2(hs, c, h)
	}
	in.srv = s
	in.SetHosts(hosts)
	go func() { _ = s.Serve(in.ln) }()
	return in, nil
}

// SetHosts replaces the hosts intercepted (a reload changed the list);
// connections already intercepted are not affected.
func (in *Interceptor) SetHosts(h rules.HostSet) { in.hosts.Store(&h) }

// Intercepts reports whether CONNECTs to host get their TLS terminated.
func (in *Interceptor) Intercepts(host string) bool {
	return in != nil && in.hosts.Load().Match(host)
}

// Server is the internal server, for closing alongside the others when a
// drain runs out of time.
func (in *Interceptor) Server() *http.Server { return in.srv }

// Conns is the tracking of the connections a drain waits for.
func (in *Interceptor) Conns() *Conns { return &in.conns }

// Leaves is the certificate cache, for its counters.
func (in *Interceptor) Leaves() *mitm.Leaves { return in.leaves }

// connListener is a net.Listener fed by the CONNECT handler rather than
// by accept(2).
type connListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newConnListener() *connListener {
	return &connListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

// push hands c to the server; false when the listener is closed.
func (l *connListener) push(c net.Conn) bool {
	select {
	case l.conns <- c:
		return true
	case <-l.done:
		return false
	}
}

func (l *connListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *connListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *connListener) Addr() net.Addr { return interceptAddr{} }

type interceptAddr struct{}

func (interceptAddr) Network() string { return "intercept" }
func (interceptAddr) String() string  { return "intercept" }
