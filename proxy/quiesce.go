package proxy

import (
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Conns tracks the connections of a server that may still bring it an
// HTTP/1 request, so that a drain can wait for them before calling
// http.Server.Shutdown. Shutdown drops, unanswered, every request it
// reads after it began — the first on a connection too, which a client
// cannot safely retry — and a connection accepted just before the
// listener closed may not have sent its first yet. Its ConnState method
// is the server's ConnState hook.
type Conns struct {
	// Patience is how long a drain waits for the first byte of a
	// connection accepted through Listener that has sent none, from its
	// accept or the drain's start, whichever is later; then the
	// connection is closed. A client writes its request as soon as it
	// has connected, so one silent for that long is a spare its pool
	// holds, and closing it loses nothing. Default 1s. (net/http's own
	// Shutdown waits 5s for any connection yet to finish its first
	// request's header.)
	Patience time.Duration

	mu     sync.Mutex // guards the fields below
	open   map[net.Conn]tracked
	coming int // connections on their way in, not yet in open
	// drainStart is when EndKeepAlives was called; zero before.
	drainStart time.Time
	quiet      chan struct{} // closed once draining with nothing open or coming
}

// tracked is what Conns knows of a connection.
type tracked struct {
	since time.Time  // when it was accepted
	wire  *heardConn // nil when not accepted through Listener: never closed for silence
}

// defaultPatience is Patience's default.
const defaultPatience = time.Second

// Listener returns ln, its connections tracked from their accept and
// watched for their first byte.
func (c *Conns) Listener(ln net.Listener) net.Listener { return heardListener{ln, c} }

// ConnState is the server's ConnState hook.
func (c *Conns) ConnState(conn net.Conn, s http.ConnState) {
	switch s {
	case http.StateNew:
		c.add(conn, nil)
	case http.StateIdle:
		// Keep-alives went off after this connection's last look at
		// them: it would idle on until its idle timeout.
		if c.idleOnDrain(conn) {
			_ = conn.Close()
		}
	case http.StateClosed, http.StateHijacked:
		c.forget(conn)
	}
}

// EndKeepAlives turns srv's keep-alives off: each connection ends after
// its request in flight, or after the first it reads.
func (c *Conns) EndKeepAlives(srv *http.Server) {
	c.mu.Lock()
	if c.drainStart.IsZero() {
		c.drainStart = time.Now()
	}
	c.settle()
	c.mu.Unlock()
	srv.SetKeepAlivesEnabled(false) // closes the idle connections
}

// Wait waits, after EndKeepAlives, until no connection is left or on its
// way in, or ctx ends; srv.Shutdown then drops no request. Call it once
// the server can take no more connections (Serve has returned, or no
// more are handed to it). A connection silent past Patience is closed.
func (c *Conns) Wait(ctx context.Context) error {
	tick := time.NewTicker(c.patience() / 4)
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
			for _, conn := range c.silent(now) {
				_ = conn.Close()
			}
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

func (c *Conns) add(conn net.Conn, wire *heardConn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.addLocked(conn, wire)
}

func (c *Conns) addLocked(conn net.Conn, wire *heardConn) {
	if c.open == nil {
		c.open = make(map[net.Conn]tracked)
	}
	if _, ok := c.open[conn]; !ok {
		c.open[conn] = tracked{time.Now(), wire}
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

// idleOnDrain reports an idle HTTP/1 connection during a drain. An h2
// one, no longer tracked, is not: the h2 server reports its connection
// idle as its last stream ends, perhaps before that stream's last bytes
// are written.
func (c *Conns) idleOnDrain(conn net.Conn) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, open := c.open[conn]
	return !c.drainStart.IsZero() && open
}

// silent is the connections watched for their first byte that have had
// none for Patience since their accept or the drain's start.
func (c *Conns) silent(now time.Time) []net.Conn {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []net.Conn
	for conn, t := range c.open {
		if t.wire != nil && !t.wire.heard.Load() && now.Sub(later(t.since, c.drainStart)) >= c.patience() {
			out = append(out, conn)
		}
	}
	return out
}

func (c *Conns) patience() time.Duration {
	if c.Patience > 0 {
		return c.Patience
	}
	return defaultPatience
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
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
	h := &heardConn{Conn: conn}
	l.conns.add(h, h)
	return h, nil
}

// heardConn is a connection that notes whether a byte has come in on it.
type heardConn struct {
	net.Conn
	heard atomic.Bool
}

func (c *heardConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && !c.heard.Load() {
		c.heard.Store(true)
	}
	return n, err
}

// CloseWrite half-closes the connection underneath.
func (c *heardConn) CloseWrite() error { return closeWrite(c.Conn) }

// NetConn is the connection underneath: a hijacker reads and writes it
// directly (see Front.hijack), and an abort resets it.
func (c *heardConn) NetConn() net.Conn { return c.Conn }
