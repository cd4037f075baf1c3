package proxy

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// tunnels tracks the blind tunnels open, which http.Server.Shutdown
// neither waits for nor closes: a drain waits for them, then closes what
// is left.
type tunnels struct {
	mu   sync.Mutex
	open map[net.Conn]net.Conn
	wg   sync.WaitGroup
}

// run pipes client and upstream until both directions end, passing a
// half-close on: a client that shuts its write side still reads the rest
// of the answer. With idle set, a tunnel in which no byte has moved
// either way for that long is closed: a peer that vanished without a FIN
// would otherwise hold two connections and two goroutines for good.
func (t *tunnels) run(client, upstream net.Conn, idle time.Duration) {
	t.add(client, upstream)
	defer t.remove(client)
	p := &tunnelPipe{idle: idle}
	p.touch()
	var wg sync.WaitGroup
	wg.Add(2)
	go p.pipe(&wg, upstream, client)
	p.pipe(&wg, client, upstream)
	wg.Wait()
	_ = client.Close()
	_ = upstream.Close()
}

// tunnelPipe is the two directions of one tunnel and when a byte last
// moved in either.
type tunnelPipe struct {
	idle time.Duration
	last atomic.Int64 // unix nanoseconds of the last read that moved bytes
}

func (p *tunnelPipe) touch() { p.last.Store(time.Now().UnixNano()) }

// pipe copies src to dst, then half-closes dst's write side; a tunnel
// gone idle is closed whole, which ends the other direction too.
func (p *tunnelPipe) pipe(wg *sync.WaitGroup, dst, src net.Conn) {
	defer wg.Done()
	if p.idle <= 0 {
		_, _ = io.Copy(dst, src)
	} else if p.copyUntilIdle(dst, src) {
		_ = src.Close()
		_ = dst.Close()
		return
	}
	if err := closeWrite(dst); err != nil {
		_ = dst.Close()
	}
}

// copyUntilIdle copies src to dst with a read deadline idle ahead of each
// read, and reports whether it stopped because the whole tunnel was idle.
// A deadline that passes while the other direction moved bytes is
// renewed: an answer streaming down while the client says nothing keeps
// the tunnel open. It gives up io.Copy's splice, which cannot report
// progress; blind tunnels carry what the proxy does not look at, little.
func (p *tunnelPipe) copyUntilIdle(dst, src net.Conn) (idle bool) {
	bp := tunnelBufs.Get().(*[]byte)
	defer tunnelBufs.Put(bp)
	buf := *bp
	for {
		_ = src.SetReadDeadline(time.Now().Add(p.idle))
		n, err := src.Read(buf)
		if n > 0 {
			p.touch()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return false
			}
		}
		if err == nil {
			continue
		}
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			return false
		}
		if time.Since(time.Unix(0, p.last.Load())) >= p.idle {
			return true
		}
	}
}

var tunnelBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// closeWrite half-closes c when it can, else closes it.
func closeWrite(c net.Conn) error {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return c.Close()
}

func (t *tunnels) add(client, upstream net.Conn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.open == nil {
		t.open = map[net.Conn]net.Conn{}
	}
	t.open[client] = upstream
	t.wg.Add(1)
}

func (t *tunnels) remove(client net.Conn) {
	t.mu.Lock()
	delete(t.open, client)
	t.mu.Unlock()
	t.wg.Done()
}

// Open is the number of tunnels open.
func (t *tunnels) Open() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.open)
}

// drain waits for the tunnels to end until ctx does, then closes the
// rest.
func (t *tunnels) drain(ctx context.Context) {
	done := make(chan struct{})
	go func() { t.wg.Wait(); close(done) }()
	select {
	case <-done:
		return
	case <-ctx.Done():
	}
	t.mu.Lock()
	for c, u := range t.open {
		_ = c.Close()
		_ = u.Close()
	}
	t.mu.Unlock()
	<-done
}

// OpenTunnels is the number of blind tunnels open, for the drain's log.
func (f *Front) OpenTunnels() int { return f.tunnels.Open() }
