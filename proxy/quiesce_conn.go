package proxy

import (
	"io"
	"net"
	"sync/atomic"
	"time"
)

// heardConn is a connection watched for what a drain must know to close
// it without racing its client: whether a request is in progress, when a
// byte last came in — and, once the drain has claimed it, that nothing
// more read from it is served.
//
// What is left is the race HTTP/1.1 cannot close: a request the client
// writes before our FIN reaches it is lost. It is made as narrow as the
// kernel allows — a connection is claimed only when no byte waits in its
// socket, and the FIN follows the claim at once — so that only a request
// written within the FIN's one-way trip (microseconds on loopback) meets
// it; and it is made rare, since only a connection idle for the whole
// grace is closed this way.
type heardConn struct {
	net.Conn
	// reads counts the reads that returned bytes, with claimedBit set
	// once a drain has claimed the connection: one word, so that a claim
	// and a read exclude each other — a read that got bytes first keeps
	// the connection open, a claim first has the read discarded.
	reads atomic.Uint64
	busy  atomic.Bool  // a request is in progress: from StateActive to StateIdle
	last  atomic.Int64 // unix nanoseconds of the accept, the last read with bytes, or the last response's end
}

const claimedBit = 1 << 63

// hangUpLinger bounds the reading of a claimed connection to its end
// before it is closed (see Close). A client that reads its idle
// connections — Go's does — closes its end at once on our FIN.
const hangUpLinger = 500 * time.Millisecond

// aLongTimeAgo is a read deadline that has passed: it wakes a blocked read.
var aLongTimeAgo = time.Unix(1, 0)

func newHeardConn(c net.Conn) *heardConn {
	h := &heardConn{Conn: c}
	h.last.Store(time.Now().UnixNano())
	return h
}

// watched is the watch on c or under it — an intercepted connection's is
// under its TLS — or nil.
func watched(c net.Conn) *heardConn {
	for {
		switch v := c.(type) {
		case *heardConn:
			return v
		case interface{ NetConn() net.Conn }:
			c = v.NetConn()
		default:
			return nil
		}
	}
}

func (c *heardConn) Read(p []byte) (int, error) {
	if c.claimed() {
		return 0, io.EOF
	}
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.last.Store(time.Now().UnixNano())
		if !c.count() {
			// Claimed while this read waited: a request its client wrote
			// before our FIN reached it. The client sees the connection
			// closed; serving the request would do its work unanswered.
			return 0, io.EOF
		}
	} else if err != nil && c.claimed() {
		return 0, io.EOF // woken by hangUp
	}
	return n, err
}

// count counts a read that got bytes, unless the connection is claimed.
func (c *heardConn) count() bool {
	for {
		v := c.reads.Load()
		if v&claimedBit != 0 {
			return false
		}
		if c.reads.CompareAndSwap(v, v+1) {
			return true
		}
	}
}

func (c *heardConn) claimed() bool { return c.reads.Load()&claimedBit != 0 }

// idle notes that a response has ended: the connection waits for its
// next request, and its grace starts now.
func (c *heardConn) idle() {
	c.last.Store(time.Now().UnixNano())
	c.busy.Store(false)
}

// claimIdle claims the connection for closing when no request is in
// progress, no byte has come in for grace since the later of its last
// activity and since (unix nanoseconds), and none waits unread.
func (c *heardConn) claimIdle(now time.Time, since int64, grace time.Duration) bool {
	v := c.reads.Load()
	if v&claimedBit != 0 || c.busy.Load() {
		return false
	}
	if now.UnixNano()-max(c.last.Load(), since) < int64(grace) {
		return false
	}
	if inputPending(c.Conn) {
		return false // a request arrived that the server has yet to read
	}
	return c.reads.CompareAndSwap(v, v|claimedBit)
}

// hangUp tells the client of a claimed connection that it ends — a FIN,
// on which a client drops the connection from its pool — and wakes the
// server's read, which then returns EOF: the server closes it.
func (c *heardConn) hangUp() {
	_ = closeWrite(c.Conn)
	_ = c.Conn.SetReadDeadline(aLongTimeAgo)
}

// Close closes the connection. One a drain claimed is first read to its
// end, for hangUpLinger at most: a request that crossed our FIN is read
// and dropped rather than left unread, which would turn the close into a
// reset.
func (c *heardConn) Close() error {
	if c.claimed() {
		_ = c.Conn.SetReadDeadline(time.Now().Add(hangUpLinger))
		var buf [512]byte
		for {
			if _, err := c.Conn.Read(buf[:]); err != nil {
				break
			}
		}
	}
	return c.Conn.Close()
}

// CloseWrite half-closes the connection underneath.
func (c *heardConn) CloseWrite() error { return closeWrite(c.Conn) }

// NetConn is the connection underneath: a hijacker reads and writes it
// directly (see Front.hijack), and an abort resets it.
func (c *heardConn) NetConn() net.Conn { return c.Conn }
