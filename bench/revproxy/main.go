// Command revproxy is the forwarding benchmark's yardstick: the standard
// library's httputil.ReverseProxy in front of one upstream and nothing
// else, so bench/forward.sh can show what llm-simulator's forward costs
// beside the plainest Go reverse proxy.
//
//	revproxy -listen 127.0.0.1:0 -upstream http://127.0.0.1:8081
//
// It is configured as a production proxy would be, and as llm-simulator
// is: its transport keeps 256 idle upstream connections (net/http's
// default keeps two per host, and under 64 client connections that would
// measure dialing, not proxying), and its copy buffers come from a pool
// (without one, ReverseProxy allocates 32 KiB per response, which halves
// its throughput here). Like llm-simulator it sets X-Forwarded-* and
// ignores HTTP_PROXY. It prints "listening on ADDR" when ready.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address")
	upstream := flag.String("upstream", "", "base URL requests are forwarded to")
	flag.Parse()
	target, err := url.Parse(*upstream)
	if err != nil || target.Host == "" {
		log.Fatalf("-upstream %q is not a base URL", *upstream)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy, tr.MaxIdleConns, tr.MaxIdleConnsPerHost = nil, 256, 256
	rp := &httputil.ReverseProxy{
		Rewrite:    func(r *httputil.ProxyRequest) { r.SetURL(target); r.SetXForwarded() },
		Transport:  tr,
		BufferPool: &bufferPool{},
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("listening on", ln.Addr())
	log.Fatal(http.Serve(ln, rp))
}

// bufferPool is httputil.BufferPool over a sync.Pool of 32 KiB buffers.
type bufferPool struct{ p sync.Pool }

func (b *bufferPool) Get() []byte {
	if v, ok := b.p.Get().(*[]byte); ok {
		return *v
	}
	return make([]byte, 32<<10)
}

func (b *bufferPool) Put(v []byte) { b.p.Put(&v) }
