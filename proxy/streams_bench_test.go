package proxy

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/internal/dist"
	"github.com/llm-simulator/llm-simulator/simulate"
)

// openStreams is how many streams BenchmarkOpenStreams holds open: enough
// that per-stream memory stands far above the process's noise.
const openStreams = 500

// BenchmarkOpenStreams measures what a stream costs the server while it
// waits between events — the figure that decides how many a process can
// hold (BENCHMARKS.md, streams at scale) — for the front, as users run it
// (journal and metrics on), beside a bare net/http handler that paces the
// same events with one timer per stream; front-anthropic and
// front-responses are the Messages and Responses streams of the same
// answer. Each iteration opens openStreams streams whose tokens come 5 s
// apart, reads every stream's first
// event, collects garbage (which is also when the runtime shrinks idle
// stacks) and reports the growth of the stack and heap in use per stream.
// The client is one goroutine writing and reading raw connections, so it
// adds sockets but no goroutines.
func BenchmarkOpenStreams(b *testing.B) {
	model := simulate.InstantModel()
	model.ITL = dist.Constant{V: float64(5 * time.Second)}
	model.OutputTokens = dist.Constant{V: 100}
	front := func() http.Handler {
		return observed(&Front{Sim: simulate.New(simulate.Config{Default: model}), Seed: 42})
	}
	b.Run("bare", func(b *testing.B) {
		benchOpenStreams(b, http.HandlerFunc(bareSlowStream), "/v1/chat/completions", benchStream)
	})
	b.Run("front", func(b *testing.B) { benchOpenStreams(b, front(), "/v1/chat/completions", benchStream) })
	b.Run("front-anthropic", func(b *testing.B) { benchOpenStreams(b, front(), "/v1/messages", benchMessagesStream) })
	b.Run("front-responses", func(b *testing.B) { benchOpenStreams(b, front(), "/v1/responses", benchResponsesStream) })
}

// The other streaming APIs' requests, for BenchmarkOpenStreams.
const (
	benchMessagesStream  = `{"model":"claude-sonnet-4-5","max_tokens":1024,"stream":true,"messages":[{"role":"user","content":"Tell me a joke about proxies."}]}`
	benchResponsesStream = `{"model":"gpt-4o","stream":true,"input":"Tell me a joke about proxies."}`
)

func benchOpenStreams(b *testing.B, h http.Handler, path, body string) {
	srv := httptest.NewServer(h)
	defer srv.Close()
	version := "" // the header that routes a request to Anthropic
	if path == "/v1/messages" {
		version = "Anthropic-Version: 2023-06-01\r\n"
	}
	request := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n%sContent-Length: %d\r\n\r\n%s",
		path, srv.Listener.Addr(), version, len(body), body)
	// A first round, not counted, makes what a process sets up once
	// (encoders compiled, the journal's ring, pools) part of the baseline:
	// at 18,000 streams it is nothing a stream.
	openStreamsOnce(b, srv, request)
	if os.Getenv("HEAPPROF") != "" {
		runtime.MemProfileRate = 64
	}
	if os.Getenv("MAXSTACK") != "" {
		debug.SetMaxStack(8192)
	}
	var stack, heap float64
	for b.Loop() {
		s, h := openStreamsOnce(b, srv, request)
		stack, heap = stack+s, heap+h
	}
	n := float64(b.N)
	b.ReportMetric(stack/n, "stack-B/stream")
	b.ReportMetric(heap/n, "heap-B/stream")
	b.ReportMetric((stack+heap)/n, "B/stream")
}

// openStreamsOnce opens openStreams streams, reads their first events,
// measures, closes them and waits until their handlers are gone. Three
// variables help find where the memory goes: HEAPPROF=file writes the heap
// profile with the streams open (every 64th byte sampled), DUMP=1 the
// goroutines' stacks, and MAXSTACK=1 makes any goroutine whose stack grows
// past 8 KiB crash the benchmark with its stack trace.
func openStreamsOnce(b *testing.B, srv *httptest.Server, request string) (stack, heap float64) {
	base := runtime.NumGoroutine()
	before := memInUse()
	conns := make([]net.Conn, openStreams)
	for i := range conns {
		c, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		conns[i] = c
		if _, err := c.Write([]byte(request)); err != nil {
			b.Fatal(err)
		}
	}
	for _, c := range conns {
		if err := readFirstEvent(c); err != nil {
			b.Fatal(err)
		}
	}
	after := memInUse()
	if f := os.Getenv("HEAPPROF"); f != "" {
		if out, err := os.Create(f); err == nil {
			pprof.Lookup("heap").WriteTo(out, 0)
			out.Close()
		}
	}
	if os.Getenv("DUMP") != "" {
		pprof.Lookup("goroutine").WriteTo(os.Stderr, 1)
	}
	for _, c := range conns {
		c.Close()
	}
	for deadline := time.Now().Add(10 * time.Second); runtime.NumGoroutine() > base; {
		if time.Now().After(deadline) {
			b.Fatalf("%d goroutines left after the streams closed", runtime.NumGoroutine()-base)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return float64(after.StackInuse-before.StackInuse) / openStreams, float64(after.HeapInuse-before.HeapInuse) / openStreams
}

// memInUse is the memory statistics after two collections: the first
// shrinks idle goroutines' stacks, the second frees what the first left.
func memInUse() runtime.MemStats {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m
}

// readFirstEvent reads a streamed answer's head and first SSE event.
func readFirstEvent(c net.Conn) error {
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReaderSize(c, 4096)
	var seen []byte
	for !bytes.Contains(seen, []byte("data: ")) || !bytes.HasSuffix(seen, []byte("\n\n")) {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return fmt.Errorf("reading the first event: %w (got %q)", err, seen)
		}
		seen = append(seen, line...)
	}
	if !bytes.Contains(seen, []byte(" 200 ")) {
		return fmt.Errorf("not a 200: %q", seen)
	}
	return nil
}

// bareSlowStream is the baseline: a chat stream's first event, then one
// event every 5 s on a single timer, as a hand-written server would.
func bareSlowStream(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	event := []byte("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" lorem\"},\"finish_reason\":null}]}\n\n")
	t := time.NewTimer(0)
	defer t.Stop()
	for range 100 {
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
		if _, err := w.Write(event); err != nil {
			return
		}
		w.(http.Flusher).Flush()
		t.Reset(5 * time.Second)
	}
}
