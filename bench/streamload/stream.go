package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"github.com/llm-simulator/llm-simulator/internal/clock"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// readBuf is each worker's read buffer: a few events of a chat stream.
const readBuf = 4096

// tally is what all streams add to. Counters are atomics; errs is rare.
type tally struct {
	opened, completed, failed, cut atomic.Int64
	live                           atomic.Int64 // streams between their first event and their end
	workersOpen                    atomic.Int64 // workers that have had a stream's first event
	// Every event is a stream's first or follows a gap: the events
	// received are the two histograms' counts added.
	ttft, gap hist

	mu   sync.Mutex // guards errs
	errs map[string]int64
}

// fail counts a stream that ended badly, or a dial that failed; once the
// run is over, an ended stream was cut, not failed.
func (t *tally) fail(ctx context.Context, err error) {
	if ctx.Err() != nil {
		t.cut.Add(1)
		return
	}
	t.failed.Add(1)
	key := errKey(err)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.errs == nil {
		t.errs = map[string]int64{}
	}
	if _, ok := t.errs[key]; ok || len(t.errs) < 20 {
		t.errs[key]++
	}
}

// errKey names an error without the addresses and ports that would make
// every occurrence distinct.
func errKey(err error) string {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Op + ": " + oe.Err.Error()
	}
	return err.Error()
}

// loader runs the streams: a worker per stream slot, each on its own
// connection.
type loader struct {
	addr      string        // host:port dialed
	request   []byte        // the whole HTTP/1.1 request, written as is
	method    *http.Request // its method, for http.ReadResponse
	maxEvents int           // end a stream after this many events; 0: read to its end
	once      bool          // a worker runs one stream, then stops
	tally
}

// worker runs streams one after another on a connection from d, redialing
// when one cannot carry the next, until ctx ends (or after one stream,
// with once).
func (l *loader) worker(ctx context.Context, d *net.Dialer) {
	buf := make([]byte, readBuf)
	var (
		nc     net.Conn
		br     *bufio.Reader
		stop   func() bool
		opened bool // this worker has had a stream's first event
	)
	hangUp := func() {
		if nc != nil {
			stop()
			_ = nc.Close()
			nc = nil
		}
	}
	defer hangUp()
	for ctx.Err() == nil {
		if nc == nil {
			c, err := d.DialContext(ctx, "tcp", l.addr)
			if err != nil {
				l.fail(ctx, err)
				if l.once || sleep(ctx, 100*time.Millisecond) != nil {
					return
				}
				continue
			}
			nc = c
			// The run's end unblocks a read in progress.
			stop = context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) })
			if br == nil {
				br = bufio.NewReaderSize(nc, readBuf)
			} else {
				br.Reset(nc)
			}
		}
		if !l.stream(ctx, nc, br, buf, &opened) {
			hangUp()
		}
		if l.once {
			return
		}
	}
}

// stream sends one request on nc and times its answer's events: the
// first from the moment the request went out, each further one from the
// one before. Events are counted by the blank lines that end them; those
// that arrive in one read share its timestamp, so the gaps between them
// are zero, as the client saw them. stream reports whether nc can carry
// another request; it sets *opened at the first event.
func (l *loader) stream(ctx context.Context, nc net.Conn, br *bufio.Reader, buf []byte, opened *bool) bool {
	start := time.Now()
	if _, err := nc.Write(l.request); err != nil {
		l.fail(ctx, err)
		return false
	}
	resp, err := http.ReadResponse(br, l.method)
	if err != nil {
		l.fail(ctx, err)
		return false
	}
	if resp.StatusCode != http.StatusOK {
		l.fail(ctx, fmt.Errorf("status %d", resp.StatusCode))
		return false
	}
	var (
		sc     eventScanner
		events int
		prev   time.Time
	)
	defer func() {
		if events > 0 {
			l.live.Add(-1)
		}
	}()
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			now := time.Now()
			for range sc.count(buf[:n]) {
				if events == 0 {
					l.ttft.add(now.Sub(start))
					l.opened.Add(1)
					l.live.Add(1)
					if !*opened {
						*opened = true
						l.workersOpen.Add(1)
					}
				} else {
					l.gap.add(now.Sub(prev))
				}
				prev = now
				if events++; events == l.maxEvents {
					l.completed.Add(1)
					return false // the rest of the answer is still on the wire
				}
			}
		}
		switch {
		case err == io.EOF && events > 0:
			l.completed.Add(1)
			return !resp.Close
		case err == io.EOF:
			l.fail(ctx, errors.New("an answer with no event"))
			return false
		case err != nil:
			l.fail(ctx, err)
			return false
		}
	}
}

// eventScanner counts server-sent events in a byte stream cut anywhere:
// an event ends at a blank line that follows at least one line of it.
type eventScanner struct {
	midLine bool // the last byte seen was inside a line
	pending bool // a line has been seen since the last event ended
}

func (s *eventScanner) count(p []byte) int {
	n := 0
	for _, b := range p {
		switch b {
		case '\n':
			if !s.midLine && s.pending {
				n++
				s.pending = false
			}
			s.midLine = false
		case '\r':
		default:
			s.midLine, s.pending = true, true
		}
	}
	return n
}

// sleep waits d or until ctx ends, as the server's real clock does.
func sleep(ctx context.Context, d time.Duration) error { return clock.Real{}.Sleep(ctx, d) }
