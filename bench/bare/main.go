// Command bare is the load benchmark's baseline: the leanest net/http
// server that answers every request with the same bytes the simulator
// sent, so the difference between the two is what the simulator costs.
//
//	bare -listen 127.0.0.1:0 -body resp.bin -headers resp.headers
//	bare -listen 127.0.0.1:0 -body stream.txt -headers stream.headers -sse
//
// -headers names a file of "Name: value" lines (as curl -D writes them) to
// send with every response, so both servers put the same bytes on the
// wire; Date, Content-Length and Transfer-Encoding are left to net/http.
// With -sse the body is an event stream, written and flushed one event at
// a time as the simulator does. It prints "listening on ADDR" when ready.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"strconv"
	"strings"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address")
	bodyFile := flag.String("body", "", "file holding the response body")
	headerFile := flag.String("headers", "", "file of response headers to send (curl -D format)")
	sse := flag.Bool("sse", false, "the body is an event stream: flush per event")
	pprofAddr := flag.String("pprof", "", "serve net/http/pprof on this address, to compare profiles")
	flag.Parse()
	if *pprofAddr != "" {
		go func() { log.Println(http.ListenAndServe(*pprofAddr, nil)) }()
	}
	body, err := os.ReadFile(*bodyFile)
	if err != nil {
		log.Fatal(err)
	}
	header, err := readHeaders(*headerFile)
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("listening on", ln.Addr())
	var h http.HandlerFunc
	if *sse {
		events := bytes.SplitAfter(body, []byte("\n\n"))
		h = func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			copyHeader(w.Header(), header)
			f := w.(http.Flusher)
			for _, ev := range events {
				if len(ev) > 0 {
					_, _ = w.Write(ev)
					f.Flush()
				}
			}
		}
	} else {
		length := strconv.Itoa(len(body))
		h = func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			copyHeader(w.Header(), header)
			w.Header().Set("Content-Length", length)
			_, _ = w.Write(body)
		}
	}
	log.Fatal(http.Serve(ln, h))
}

// readHeaders reads "Name: value" lines, skipping the status line and the
// headers net/http writes itself.
func readHeaders(path string) (http.Header, error) {
	h := http.Header{"Content-Type": {"application/json"}}
	if path == "" {
		return h, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	h = http.Header{}
	for _, line := range strings.Split(string(data), "\n") {
		name, value, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || strings.HasPrefix(name, "HTTP/") {
			continue
		}
		switch http.CanonicalHeaderKey(name) {
		case "Date", "Content-Length", "Transfer-Encoding":
			continue
		}
		h.Add(name, strings.TrimSpace(value))
	}
	return h, nil
}

func copyHeader(dst, src http.Header) {
	for k, v := range src {
		dst[k] = v
	}
}
