package proxy

import (
	"context"
	"io"
	"net"
	"sync"
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
// of the answer.
func (t *tunnels) run(client, upstream net.Conn) {
	t.add(client, upstream)
	defer t.remove(client)
	var wg sync.WaitGroup
	wg.Add(2)
	go pipe(&wg, upstream, client)
	pipe(&wg, client, upstream)
	wg.Wait()
	_ = client.Close()
	_ = upstream.Close()
}

// pipe copies src to dst, then half-closes dst's write side.
func pipe(wg *sync.WaitGroup, dst, src net.Conn) {
	defer wg.Done()
	_, _ = io.Copy(dst, src)
	if err := closeWrite(dst); err != nil {
		_ = dst.Close()
	}
}

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
