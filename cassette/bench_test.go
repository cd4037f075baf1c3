package cassette

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
)

// benchRequests records n typical chat streams (50 events) and returns
// their requests.
func benchRequests(b *testing.B, dir string, n int) []*Request {
	s := open(b, Options{Dir: dir})
	reqs := make([]*Request, n)
	for i := range reqs {
		reqs[i] = chat("gpt-4o", fmt.Sprintf("Tell me about the number %d, in a few words, please.", i), true)
		record(b, s, reqs[i], chatStream(50, "word"))
	}
	return reqs
}

// BenchmarkReplayHit is 64 clients replaying cached recordings at once.
func BenchmarkReplayHit(b *testing.B) {
	dir := b.TempDir()
	reqs := benchRequests(b, dir, 100)
	s := open(b, Options{Dir: dir})
	var client atomic.Int64
	b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0)))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		scope := fmt.Sprintf("client-%d", client.Add(1))
		for i := 0; pb.Next(); i++ {
			if _, miss, err := s.Replay(reqs[i%len(reqs)], scope, RepeatLast); miss != nil || err != nil {
				b.Fatal(miss, err)
			}
		}
	})
}

// BenchmarkKey keys a typical streamed chat request.
func BenchmarkKey(b *testing.B) {
	k := newSettings(Options{KeyHeaders: []string{"X-Test-Id"}}).keyer
	r := chat("gpt-4o", "Tell me about the number 42, in a few words, please.", true)
	r.Query = "api-version=2024-10-21"
	r.Header.Set("X-Test-Id", "test-1")
	b.SetBytes(int64(len(r.Body)))
	b.ReportAllocs()
	for b.Loop() {
		k.key(r)
	}
}

// BenchmarkCachedEntryMemory measures the heap a loaded, cached 50-event
// chat stream costs, index entry included, beside what Recording.Size
// estimates.
func BenchmarkCachedEntryMemory(b *testing.B) {
	const n = 200
	dir := b.TempDir()
	benchRequests(b, dir, n)
	var heap, estimate float64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		s := open(b, Options{Dir: dir})
		runtime.GC()
		runtime.ReadMemStats(&after)
		st := s.Stats()
		if st.CachedEntries != n {
			b.Fatalf("%d cached, want %d", st.CachedEntries, n)
		}
		heap = float64(after.HeapAlloc-before.HeapAlloc) / n
		estimate = float64(st.CachedBytes) / n
		runtime.KeepAlive(s)
	}
	b.ReportMetric(heap, "heap-bytes/entry")
	b.ReportMetric(estimate, "size-bytes/entry")
}

// BenchmarkLoad opens a cassette of 200 chat streams: the start-up cost
// per recording file.
func BenchmarkLoad(b *testing.B) {
	const n = 200
	dir := b.TempDir()
	benchRequests(b, dir, n)
	b.ReportAllocs()
	for b.Loop() {
		open(b, Options{Dir: dir})
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/file")
}
