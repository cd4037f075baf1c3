package egress

import (
	"context"
	"errors"
	"net"
	"testing"
)

// firstBytes accepts on loopback and sends, for each connection in the
// order they arrived, the first byte it carried ('-' for none).
func firstBytes(t *testing.T) (net.Listener, <-chan byte) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan byte, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b := []byte{'-'}
			_, _ = c.Read(b)
			got <- b[0]
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return ln, got
}

func TestDialRefusesBeforeConnecting(t *testing.T) {
	ln, got := firstBytes(t)
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	d := &Dialer{Purpose: Forward}
	for _, addr := range []string{ln.Addr().String(), "localhost:" + port, "[::ffff:127.0.0.1]:" + port} {
		t.Run(addr, func(t *testing.T) {
			c, err := d.DialContext(WithPolicy(context.Background(), mustPolicy(t, Options{})), "tcp", addr)
			if err == nil {
				c.Close()
				t.Fatal("dialled")
			}
			var r *Refusal
			if !errors.As(err, &r) {
				t.Fatalf("err = %v, want a refusal", err)
			}
		})
	}
	// A context without a policy is judged by Strict.
	if c, err := d.DialContext(context.Background(), "tcp", ln.Addr().String()); err == nil {
		c.Close()
		t.Fatal("a dial with no policy reached loopback")
	}
	allowed := WithPolicy(context.Background(), mustPolicy(t, Options{Allow: []string{ln.Addr().String()}}))
	c, err := d.DialContext(allowed, "tcp", ln.Addr().String())
	if err != nil {
		t.Fatalf("allowed dial: %v", err)
	}
	c.Write([]byte{'A'})
	c.Close()
	// Connections are accepted in the order they arrived: had a refused
	// dial connected, its connection would come before the allowed one.
	if b := <-got; b != 'A' {
		t.Errorf("a connection came before the allowed one (first byte %q): a refused dial connected", b)
	}
}

func TestDialJudgesTheResolvedAddress(t *testing.T) {
	ln, got := firstBytes(t)
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	// localhost.localdomain-style names are not literals: this one is
	// refused only once it resolves. "localhost" itself is caught by name;
	// an allow entry for the name's port makes CheckName pass it on.
	p := mustPolicy(t, Options{Allow: []string{"10.0.0.0/8"}})
	d := &Dialer{Purpose: Tunnel}
	_, err := d.DialContext(WithPolicy(context.Background(), p), "tcp", "localhost:"+port)
	var r *Refusal
	if !errors.As(err, &r) || r.Reason != Internal || !r.Addr.IsLoopback() {
		t.Fatalf("err = %v, want the resolved loopback address refused", err)
	}
	select {
	case <-got:
		t.Error("the refused dial reached the listener")
	default:
	}
}
