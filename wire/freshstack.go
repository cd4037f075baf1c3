package wire

// OnFreshStack runs f on a goroutine of its own and waits for it: for
// work deep in a handler's call chain that needs a big stack once. Run in
// place, it would double the handler's stack for the rest of its life —
// that of a stream waiting between events included, as the collector
// halves only stacks less than a quarter used.
//
// The Writer runs a response's first flush so: it writes the header, and
// net/http's chunkWriter.writeHeader alone takes a 2.8 KiB frame at the
// bottom of our chain (front, rules, faults, emulator, writer). With it
// BenchmarkOpenStreams (proxy) gives 11.4 KiB of stack per open stream,
// as much as a bare net/http handler's 11.3, where it was 19.8. A
// goroutine costs about a microsecond; the flushes after the first run in
// place.
//
// The caller blocks until f returns, so what f touches (a ResponseWriter)
// is still used by one goroutine at a time, and a panic in f is raised
// again in the caller, where net/http recovers it as it would have.
func OnFreshStack(f func() error) error {
	type result struct {
		err   error
		panic any
	}
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() {
			r.panic = recover()
			done <- r
		}()
		r.err = f()
	}()
	r := <-done
	if r.panic != nil {
		panic(r.panic)
	}
	return r.err
}
