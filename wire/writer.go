package wire

import (
	"cmp"
	"errors"
	"net/http"
	"sync"
	"time"
)

// ErrEnded is returned for events sent after End.
var ErrEnded = errors.New("wire: event after end of response")

// Writer is the Sink at the end of every chain: it writes events to an
// http.ResponseWriter.
//
// WriteHeader is held back until the first SSE, Chunk or End event; until
// then a further Head replaces the first one entirely. Every SSE event
// is flushed as soon as it is written; chunks are flushed when the body has
// no Content-Length (a stream of unknown length).
type Writer struct {
	rw http.ResponseWriter
	// How to flush rw, found once by Reset, without allocating where it
	// can: net/http's own writer reports flush errors; a plain Flusher does
	// not; anything else goes through ResponseController, which also
	// unwraps middleware.
	fe interface{ FlushError() error }
	fl http.Flusher
	rc *http.ResponseController

	head0       http.Header // the headers of the Head in force
	status      int
	stream      Stream
	flushChunks bool
	wroteHeader bool
	ended       bool
	flushed     bool // rw has been flushed once: its header is out

	events int   // SSE events written
	bytes  int64 // body bytes written

	// Set by TimeFirstByte and OnStart for one response; Reset clears them.
	now       func() time.Time
	onStart   func()
	firstByte time.Time
}

// NewWriter returns a Writer on rw.
func NewWriter(rw http.ResponseWriter) *Writer {
	w := new(Writer)
	w.Reset(rw)
	return w
}

// Reset makes w a fresh Writer on rw, so a front can reuse Writers; a nil
// rw only drops the reference to the last one.
func (w *Writer) Reset(rw http.ResponseWriter) {
	*w = Writer{rw: rw, status: http.StatusOK}
	switch f := rw.(type) {
	case nil:
	case interface{ FlushError() error }:
		w.fe = f
	case http.Flusher:
		w.fl = f
	default:
		w.rc = http.NewResponseController(rw)
	}
}

func (w *Writer) flush() error {
	if !w.flushed {
		w.flushed = true
		return OnFreshStack(w.flushNow)
	}
	return w.flushNow()
}

func (w *Writer) flushNow() error {
	switch {
	case w.fe != nil:
		return w.fe.FlushError()
	case w.fl != nil:
		w.fl.Flush()
		return nil
	}
	return w.rc.Flush()
}

var _ Sink = (*Writer)(nil)

// Send implements Sink.
func (w *Writer) Send(ev Event) error {
	if w.ended {
		return ErrEnded
	}
	switch ev.Kind {
	case Head:
		return w.head(ev)
	case SSE:
		return w.sse(ev)
	case Chunk:
		return w.chunk(ev.Data, ev.Flush)
	case End:
		w.ended = true
		w.writeHeader()
		return nil
	}
	return errors.New("wire: invalid event kind")
}

func (w *Writer) head(ev Event) error {
	if w.wroteHeader {
		return errors.New("wire: head after the response started")
	}
	// A later Head replaces the earlier one entirely, as a fault that turns
	// a stream into an error response needs.
	h := w.rw.Header()
	for k := range w.head0 {
		delete(h, k)
	}
	w.head0 = ev.Header
	w.status = cmp.Or(ev.Status, http.StatusOK)
	w.stream = ev.Stream
	for k, v := range ev.Header {
		h[k] = v
	}
	cl := ev.Header["Content-Length"] // heads carry canonical names
	w.flushChunks = len(cl) == 0 || cl[0] == ""
	return nil
}

func (w *Writer) writeHeader() {
	if !w.wroteHeader {
		w.wroteHeader = true
		if w.now != nil {
			w.firstByte = w.now()
		}
		if w.onStart != nil {
			w.onStart()
		}
		w.rw.WriteHeader(w.status)
		// No Head can follow: let the one in force go with its headers,
		// which a long stream would otherwise keep.
		w.head0 = nil
	}
}

// TimeFirstByte makes w read now as its status line goes out, for
// FirstByte, until the next Reset. A func, so that a front that does not
// ask pays no clock read.
func (w *Writer) TimeFirstByte(now func() time.Time) { w.now = now }

// OnStart makes w call f once, right before its status line goes out,
// until the next Reset: a front counts the streams in flight with it.
// f is called on the goroutine that sends the event.
func (w *Writer) OnStart(f func()) { w.onStart = f }

// FirstByte is when the status line went out: for a stream, with its
// first event. Zero before then, or when TimeFirstByte was not called.
func (w *Writer) FirstByte() time.Time { return w.firstByte }

// sseBufs hold SSE framing while an event is written; net/http copies it.
var sseBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

func (w *Writer) sse(ev Event) error {
	w.writeHeader()
	var err error
	if ev.Raw != nil {
		err = w.write(ev.Raw)
	} else {
		// A pooled buffer, not one per Writer: an open stream between
		// events then holds none (BenchmarkOpenStreams).
		buf := sseBufs.Get().(*[]byte)
		*buf = AppendSSE((*buf)[:0], ev.Name, ev.Data)
		err = w.write(*buf)
		sseBufs.Put(buf)
	}
	if err != nil {
		return err
	}
	w.events++
	return w.flush()
}

func (w *Writer) chunk(p []byte, flush bool) error {
	w.writeHeader()
	if err := w.write(p); err != nil {
		return err
	}
	if flush || w.flushChunks {
		return w.flush()
	}
	return nil
}

func (w *Writer) write(p []byte) error {
	n, err := w.rw.Write(p)
	w.bytes += int64(n)
	return err
}

// Started reports whether the status line has gone out: after that a fault
// can only act inside the body.
func (w *Writer) Started() bool { return w.wroteHeader }

// Status is the status sent, or to be sent.
func (w *Writer) Status() int { return w.status }

// Stream is the framing announced by the Head.
func (w *Writer) Stream() Stream { return w.stream }

// Events is the number of SSE events written so far.
func (w *Writer) Events() int { return w.events }

// Bytes is the number of body bytes written so far.
func (w *Writer) Bytes() int64 { return w.bytes }

// Ended reports whether End was sent.
func (w *Writer) Ended() bool { return w.ended }
