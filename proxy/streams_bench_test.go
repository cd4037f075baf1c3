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
// same events with one timer per stream. Each iteration opens openStreams
// chat streams whose tokens come 5 s apart, reads every stream's first
// event, collects garbage (which is also when the runtime shrinks idle
// stacks) and reports the growth of the stack and heap in use per stream.
// The client is one goroutine writing and reading raw connections, so it
// adds sockets but no goroutines.
func BenchmarkOpenStreams(b *testing.B) {
	model := simulate.InstantModel()
	model.ITL = dist.Constant{V: float64(5 * time.Second)}
	model.OutputTokens = dist.Constant{V: 100}
	b.Run("bare", func(b *testing.B) { benchOpenStreams(b, http.HandlerFunc(bareSlowStream)) })
	b.Run("front", func(b *testing.B) {
		benchOpenStreams(b, observed(&Front{Sim: simulate.New(simulate.Config{Default: model}), Seed: 42}))
	})
}

func benchOpenStreams(b *testing.B, h http.Handler) {
	srv := httptest.NewServer(h)
	defer srv.Close()
	request := fmt.Sprintf("POST /v1/chat/completions HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		srv.Listener.Addr(), len(benchStream), benchStream)
	var stack, heap float64
	if os.Getenv("HEAPPROF") != "" {
		runtime.MemProfileRate = 64
	}
	base := runtime.NumGoroutine()
	iter := 0
	for b.Loop() {
		before := memInUse()
		iter++
		if os.Getenv("MAXSTACK") != "" && iter == 2 {
			debug.SetMaxStack(8192)
		}
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
			out, _ := os.Create(f)
			pprof.Lookup("heap").WriteTo(out, 0)
			out.Close()
		}
		if os.Getenv("DUMP") != "" {
			pprof.Lookup("goroutine").WriteTo(os.Stderr, 1)
		}
		b.Logf("stack %d heap %d goroutines %d", after.StackInuse-before.StackInuse, after.HeapInuse-before.HeapInuse, runtime.NumGoroutine())
		stack += float64(after.StackInuse-before.StackInuse) / openStreams
		heap += float64(after.HeapInuse-before.HeapInuse) / openStreams
		for _, c := range conns {
			c.Close()
		}
		// The next iteration measures from an idle server.
		for deadline := time.Now().Add(10 * time.Second); runtime.NumGoroutine() > base; {
			if time.Now().After(deadline) {
				b.Fatalf("%d goroutines left after the streams closed", runtime.NumGoroutine()-base)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	n := float64(b.N)
	b.ReportMetric(stack/n, "stack-B/stream")
	b.ReportMetric(heap/n, "heap-B/stream")
	b.ReportMetric((stack+heap)/n, "B/stream")
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
