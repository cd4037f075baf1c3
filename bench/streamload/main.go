// Command streamload holds many server-sent-event streams open at once and
// times them as a client sees them: the time to the first event (from the
// request's last byte written) and every gap between events. It is the
// load generator of bench/scale.sh.
//
//	streamload -url http://127.0.0.1:8080/v1/chat/completions -body "$req" \
//	    -c 9000 -rate 1000 -src 127.0.0.2,127.0.0.3 -d 60s
//
// Each of the -c workers keeps one stream open on its own keep-alive
// connection (HTTP/1.1, one request at a time) and asks for the next as
// soon as one ends, until the run ends: after -d, on SIGINT or SIGTERM,
// or, with -once, when every worker's single stream has ended. Workers
// start at -rate a second, and take their source addresses from -src in
// turn, so one client can hold more connections to one server than one
// address has ephemeral ports. -events ends each stream after that many
// events (closing its connection, as a client that stops reading does).
//
// Once every worker has had a stream open — has had its first event — it
// says so on stderr ("all N streams open"), so a script can measure the
// server then; every
// -progress it prints a line of counts. At the end it prints one line —
//
//	streams 9000: opened 9000, completed 0, failed 0, cut 9000, events 171000;
//	ttft p50 0.41ms p99 3.20ms; gap p50 5000.10ms p99 5001.90ms; client cpu 4.2s
//
// — or, with -json, a report carrying its histograms, which -merge adds
// up exactly: runs of several processes make one summary.
//
//	streamload -merge a.json b.json
//
// Streams count as opened once their first event arrives; completed when
// the server ended them (or at -events); failed when anything else ended
// them, or a dial failed, before the run's end; cut when the run's end
// did. A worker that cannot dial tries again every 100 ms.
//
// Timing is what the client sees, so the client must not skew it: a
// worker reads into one buffer and scans it for blank lines, events are
// timed with one monotonic clock read per read(2), and histograms are
// lock-free arrays of counters, so an event allocates nothing.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "streamload:", err)
		os.Exit(1)
	}
}

func run() error {
	target := flag.String("url", "", "the URL streams are POSTed to (http only)")
	body := flag.String("body", "", "the request body (JSON)")
	bodyFile := flag.String("body-file", "", "read the request body from this file")
	conc := flag.Int("c", 100, "streams held open at once, one connection each")
	srcs := flag.String("src", "", "comma-separated source IPs, used in turn (default: the kernel's choice)")
	rate := flag.Float64("rate", 2000, "workers started a second while ramping up; 0: all at once")
	dur := flag.Duration("d", 0, "how long the run lasts from its start; 0: until signalled, or with -once until every stream ended")
	maxEvents := flag.Int("events", 0, "end each stream after this many events; 0: read it to its end")
	once := flag.Bool("once", false, "each worker runs one stream, then stops")
	jsonOut := flag.Bool("json", false, "print a JSON report, histograms included, instead of one line")
	merge := flag.Bool("merge", false, "add up the JSON reports named as arguments and print their summary")
	progress := flag.Duration("progress", 5*time.Second, "how often to print counts on stderr; 0: never")
	dialTimeout := flag.Duration("dial-timeout", 10*time.Second, "bound on connecting")
	flag.Parse()

	if *merge {
		r, err := mergeReports(flag.Args())
		if err != nil {
			return err
		}
		return r.print(os.Stdout, *jsonOut)
	}
	if *bodyFile != "" {
		b, err := os.ReadFile(*bodyFile)
		if err != nil {
			return err
		}
		*body = string(b)
	}
	l, err := newLoader(*target, *body)
	if err != nil {
		return err
	}
	l.maxEvents, l.once = *maxEvents, *once
	dialers, err := newDialers(*srcs, *dialTimeout)
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *dur > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *dur)
		defer cancel()
	}
	start := time.Now()
	done := make(chan struct{})
	go func() { l.watch(ctx, *conc, start, *progress, done) }()
	var wg sync.WaitGroup
	for i := 0; i < *conc && ctx.Err() == nil; i++ {
		if *rate > 0 {
			_ = sleep(ctx, time.Until(start.Add(time.Duration(float64(i)/(*rate)*float64(time.Second)))))
		}
		d := dialers[i%len(dialers)]
		wg.Go(func() { l.worker(ctx, d) })
	}
	wg.Wait()
	close(done)
	r := l.report(*conc, time.Since(start))
	return r.print(os.Stdout, *jsonOut)
}

// newLoader prepares the one request every stream sends.
func newLoader(target, body string) (*loader, error) {
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("-url %q: want http://host:port/path", target)
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	req := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"+
		"Accept: text/event-stream\r\nContent-Length: %d\r\n\r\n%s", u.RequestURI(), u.Host, len(body), body)
	return &loader{addr: addr, request: []byte(req), method: &http.Request{Method: http.MethodPost}}, nil
}

// newDialers makes a dialer per source address, or one letting the
// kernel choose.
func newDialers(srcs string, timeout time.Duration) ([]*net.Dialer, error) {
	if srcs == "" {
		return []*net.Dialer{{Timeout: timeout}}, nil
	}
	var ds []*net.Dialer
	for _, s := range strings.Split(srcs, ",") {
		ip := net.ParseIP(strings.TrimSpace(s))
		if ip == nil {
			return nil, fmt.Errorf("-src: %q is not an IP address", s)
		}
		ds = append(ds, &net.Dialer{Timeout: timeout, LocalAddr: &net.TCPAddr{IP: ip}})
	}
	return ds, nil
}

// watch prints progress on stderr, and once the line scripts wait for:
// every worker has had a stream open.
func (l *loader) watch(ctx context.Context, conc int, start time.Time, every time.Duration, done <-chan struct{}) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	allOpen, last := false, time.Now()
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			return
		case now := <-tick.C:
			live := l.live.Load()
			if !allOpen && l.workersOpen.Load() >= int64(conc) {
				allOpen = true
				fmt.Fprintf(os.Stderr, "streamload: all %d streams open after %.1fs\n", conc, now.Sub(start).Seconds())
			}
			if every > 0 && now.Sub(last) >= every {
				last = now
				fmt.Fprintf(os.Stderr, "streamload: %.0fs: %d open, %d opened, %d failed, %d events\n",
					now.Sub(start).Seconds(), live, l.opened.Load(), l.failed.Load(), l.ttft.total()+l.gap.total())
			}
		}
	}
}
