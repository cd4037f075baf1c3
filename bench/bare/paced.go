package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"time"
)

// pacing is when a paced stream's events go out.
type pacing struct {
	first time.Duration // from the request's arrival to the first event
	gap   time.Duration // between events
	head  int           // events sent together at first
	tail  int           // last events sent right after the one before them
}

// due is when event i of n goes out, given when event i-1 did (or, for
// the first, when the request arrived plus first).
func (p pacing) due(i, n int, prev time.Time) time.Time {
	if i >= max(p.head, 1) && i < n-p.tail {
		return prev.Add(p.gap)
	}
	return prev
}

// splitEvents cuts an event stream after each blank line.
func splitEvents(body []byte) [][]byte {
	var events [][]byte
	for _, ev := range bytes.SplitAfter(body, []byte("\n\n")) {
		if len(ev) > 0 {
			events = append(events, ev)
		}
	}
	return events
}

// pacedStream writes events on p's schedule, flushing each; a client that
// goes away ends it. With plain set, requests not asking for a stream get
// plain's answer instead.
func pacedStream(events [][]byte, header http.Header, p pacing, plain http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		at := time.Now().Add(p.first)
		if plain != nil {
			req, _ := io.ReadAll(r.Body)
			if !bytes.Contains(req, []byte(`"stream":true`)) {
				plain(w, r)
				return
			}
		} else {
			_, _ = io.Copy(io.Discard, r.Body)
		}
		copyHeader(w.Header(), header)
		f := w.(http.Flusher)
		t := time.NewTimer(time.Hour)
		defer t.Stop()
		for i, ev := range events {
			at = p.due(i, len(events), at)
			if !sleepUntil(r.Context(), t, at) {
				return
			}
			if _, err := w.Write(ev); err != nil {
				return
			}
			f.Flush()
		}
	}
}

// sleepUntil waits on t until at, reporting false if ctx ended first.
func sleepUntil(ctx context.Context, t *time.Timer, at time.Time) bool {
	d := time.Until(at)
	if d <= 0 {
		return ctx.Err() == nil
	}
	t.Reset(d)
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// jsonHandler answers with the body in file, and the headers in
// headerFile (curl -D format; application/json when there is none).
func jsonHandler(file, headerFile string) (http.HandlerFunc, error) {
	body, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	header, err := readHeaders(headerFile)
	if err != nil {
		return nil, err
	}
	return plainHandler(body, header), nil
}
