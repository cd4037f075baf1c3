package mitm

import (
	"crypto/tls"
	"net"
	"strconv"
	"testing"
)

func BenchmarkLeafCached(b *testing.B) {
	_, leaves := newTestLeaves(b, 0)
	if _, err := leaves.Get("api.openai.com"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := leaves.Get("api.openai.com"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMint(b *testing.B) {
	_, leaves := newTestLeaves(b, 0)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if _, err := leaves.Get("host" + strconv.Itoa(i) + ".example.com"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkServerConfig is the per-connection cost of asking for a config.
func BenchmarkServerConfig(b *testing.B) {
	_, leaves := newTestLeaves(b, 0)
	b.ReportAllocs()
	for b.Loop() {
		if leaves.ServerConfig("api.openai.com", nil) == nil {
			b.Fatal("nil config")
		}
	}
}

// BenchmarkHandshake is one full TLS handshake over loopback TCP per
// iteration, both ends, with a cached ECDSA leaf and a config per
// connection as the proxy makes them. The client keeps no sessions, as a
// client opening a new connection per request usually does not.
func BenchmarkHandshake(b *testing.B) {
	ca, leaves := newTestLeaves(b, 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	served := make(chan error)
	go serveHandshakes(l, leaves, served)
	client := &tls.Config{RootCAs: pool(ca), ServerName: "api.openai.com", NextProtos: []string{"h2", "http/1.1"}}
	b.ReportAllocs()
	for b.Loop() {
		conn, err := tls.Dial("tcp", l.Addr().String(), client)
		if err != nil {
			b.Fatal(err)
		}
		if err := <-served; err != nil {
			b.Fatal(err)
		}
		conn.Close()
	}
}

// serveHandshakes completes the server side of a handshake for each
// connection l accepts and reports how it went.
func serveHandshakes(l net.Listener, leaves *Leaves, served chan<- error) {
	for {
		conn, err := l.Accept()
		if err != nil {
			return
		}
		tc := tls.Server(conn, leaves.ServerConfig("api.openai.com", nil))
		served <- tc.Handshake()
		tc.Close()
	}
}

// BenchmarkLeafCachedParallel is the cached path under concurrent
// handshakes, where the LRU's lock is shared.
func BenchmarkLeafCachedParallel(b *testing.B) {
	_, leaves := newTestLeaves(b, 0)
	if _, err := leaves.Get("api.openai.com"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := leaves.Get("api.openai.com"); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
