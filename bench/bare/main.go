// Command bare is the load benchmark's baseline: the leanest net/http
// server that answers every request with the same bytes the simulator
// sent, so the difference between the two is what the simulator costs.
//
//	bare -listen 127.0.0.1:0 -body resp.bin -content-type application/json
//	bare -listen 127.0.0.1:0 -body stream.txt -sse
//
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
	"os"
	"strconv"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address")
	bodyFile := flag.String("body", "", "file holding the response body")
	contentType := flag.String("content-type", "application/json", "Content-Type of the response")
	sse := flag.Bool("sse", false, "the body is an event stream: flush per event")
	flag.Parse()
	body, err := os.ReadFile(*bodyFile)
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
			w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
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
			w.Header().Set("Content-Type", *contentType)
			w.Header().Set("Content-Length", length)
			_, _ = w.Write(body)
		}
	}
	log.Fatal(http.Serve(ln, h))
}
