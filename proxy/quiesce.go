package proxy

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Conns quiesces a server's HTTP/1 connections for a drain without
// racing the requests their clients have already sent, then lets
// http.Server.Shutdown run with none left to drop.
//
// Once the drain begins (BeginDrain), every response a server whose
// handler is Handler's writes says Connection: close: HTTP/1.1 closes
// the connection after it, h2 sends a graceful GOAWAY. A connection
// that brings no request for IdleGrace is closed by Wait: it is a spare
// a client's pool holds, or one whose client has gone quiet. Closing
// one at once instead — as SetKeepAlivesEnabled(false) does — fails
// the request its client wrote a moment before, which a client does not
// retry when it is a POST.
//
// Shutdown is called only once no HTTP/1 connection is left: it drops,
// unanswered, every request it reads after it began — the first on a
// connection too. Connections that speak h2 are not tracked: Shutdown's
// GOAWAY drains them, and a client may safely retry what a GOAWAY turned
// away. Its ConnState method is the server's ConnState hook.
type Conns struct {
	// IdleGrace is how long a drain leaves a connection on which nothing
	// has moved — no request in progress, no byte in since it was
	// accepted, its last response or the drain's start, whichever came
	// last — before it closes it. It is the time a request already on its
	// way has to arrive. Default 2s.
	IdleGrace time.Duration

	draining atomic.Bool // set by BeginDrain; read by every response

	mu     sync.Mutex // guards the fields below
	open   map[net.Conn]*heardConn
	coming int // connections on their way in, not yet in open
	// drainStart is when BeginDrain was called; zero before.
	drainStart time.Time
	quiet      chan struct{} // closed once draining with nothing open or coming
}

// DefaultIdleGrace is IdleGrace's default.
const DefaultIdleGrace = 2 * time.Second

// Listener returns ln, its connections tracked from their accept and
// watched for the bytes that come in.
func (c *Conns) Listener(ln net.Listener) net.Listener { return heardListener{ln, c} }

// ConnState is the server's ConnState hook.
func (c *Conns) ConnState(conn net.Conn, s http.ConnState) {
	switch s {
	case http.StateNew:
		c.add(conn, nil)
	case http.StateActive:
		if w := watched(conn); w != nil {
			w.busy.Store(true)
		}
	case http.StateIdle:
		if w := watched(conn); w != nil {
			w.idle()
		}
	case http.StateClosed, http.StateHijacked:
		c.forget(conn)
	}
}

// Handler returns h with every response written once the drain has begun
// marked Connection: close. A response whose header went out before is
// not: its connection waits, idle, for the next request or the grace.
func (c *Conns) Handler(h http.Handler) http.Handler { return closeOnDrain{h, c} }

type closeOnDrain struct {
	h     http.Handler
	conns *Conns
}

func (d closeOnDrain) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if d.conns.draining.Load() {
		w.Header().Set("Connection", "close")
	}
	d.h.ServeHTTP(w, r)
}

// Draining reports whether BeginDrain was called.
func (c *Conns) Draining() bool { return c.draining.Load() }

// BeginDrain starts the drain: from now on each connection ends after its
// next response, or once idle for IdleGrace (see Wait).
func (c *Conns) BeginDrain() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.drainStart.IsZero() {
		c.drainStart = time.Now()
	}
	c.draining.Store(true)
	c.settle()
}

// Wait waits, after BeginDrain, until no connection is left or on its
// way in, or ctx ends; srv.Shutdown then drops no request. Call it once
// the server can take no more connections (Serve has returned, or no
// more are handed to it). It closes each connection idle for IdleGrace.
func (c *Conns) Wait(ctx context.Context) error {
	tick := time.NewTicker(min(max(c.idleGrace()/8, 5*time.Millisecond), 250*time.Millisecond))
	defer tick.Stop()
	for {
		c.mu.Lock()
		c.settle()
		quiet := c.quiet
		c.mu.Unlock()
		select {
		case <-quiet:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case now := <-tick.C:
			c.closeIdle(now)
		}
	}
}

// Left says how many connections a drain still waits for: open ones,
// and those on their way in.
func (c *Conns) Left() (open, coming int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.open), c.coming
}

// closeIdle closes the connections idle for IdleGrace: it claims each
// under the lock, then tells the client outside it.
func (c *Conns) closeIdle(now time.Time) {
	type claimed struct {
		conn net.Conn
		w    *heardConn
	}
	var out []claimed
	c.mu.Lock()
	since := c.drainStart.UnixNano()
	for conn, w := range c.open {
		if w != nil && w.claimIdle(now, since, c.idleGrace()) {
			out = append(out, claimed{conn, w})
		}
	}
	c.mu.Unlock()
	for _, cl := range out {
		if tc, ok := cl.conn.(*tls.Conn); ok {
			_ = tc.CloseWrite() // close_notify; refused, harmlessly, before the handshake is done
		}
		cl.w.hangUp()
	}
}

// expect counts a connection on its way in until arrived: a drain waits
// for it too.
func (c *Conns) expect() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.coming++
}

// arrived says an expected connection is in: conn when it is tracked from
// now on, nil when it came to nothing.
func (c *Conns) arrived(conn net.Conn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.coming--
	if conn != nil {
		c.addLocked(conn, nil)
	}
	c.settle()
}

func (c *Conns) add(conn net.Conn, w *heardConn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.addLocked(conn, w)
}

// addLocked tracks conn, watched by w or else by the watch under it, if
// any (an intercepted connection's is under its TLS).
func (c *Conns) addLocked(conn net.Conn, w *heardConn) {
	if c.open == nil {
		c.open = make(map[net.Conn]*heardConn)
	}
	if _, ok := c.open[conn]; !ok {
		if w == nil {
			w = watched(conn)
		}
		c.open[conn] = w
	}
}

// forget stops tracking conn: it is closed, taken over, or speaks h2,
// which Shutdown drains with a GOAWAY instead.
func (c *Conns) forget(conn net.Conn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.open, conn)
	c.settle()
}

func (c *Conns) idleGrace() time.Duration {
	if c.IdleGrace > 0 {
		return c.IdleGrace
	}
	return DefaultIdleGrace
}

// settle closes quiet when the drain has nothing left to wait for.
func (c *Conns) settle() {
	if c.quiet == nil {
		c.quiet = make(chan struct{})
	}
	select {
	case <-c.quiet:
		return
	default:
	}
	if !c.drainStart.IsZero() && len(c.open) == 0 && c.coming == 0 {
		close(c.quiet)
	}
}

// heardListener tracks each connection it accepts, watched, before Serve
// sees it.
type heardListener struct {
	net.Listener
	conns *Conns
}

func (l heardListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	h := newHeardConn(conn)
	l.conns.add(h, h)
	return h, nil
}
