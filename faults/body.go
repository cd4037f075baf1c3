package faults

import (
	"context"
	"errors"
	"strconv"

	"github.com/llm-simulator/llm-simulator/wire"
)

// Body cuts a non-streaming body short. It cuts it after TruncateAtBytes
// bytes.
//
// What the client experiences:
//   - by default the response says it is exactly that long (Content-Length
//     becomes the cut; a chunked body ends properly after it), so the HTTP
//     read succeeds and decoding fails: "unexpected end of JSON input";
//   - with KeepLength the original Content-Length stays and the connection
//     closes short of it (a chunked body is dropped before its last chunk),
//     so the read itself fails with an unexpected EOF, as when an upstream
//     dies mid-body.
//
// A body no longer than the cut, and any event stream (Stream's business),
// pass through untouched.
// An empty answer is the raw fault's job: TruncateAtBytes is at least 1.
type Body struct {
	// TruncateAtBytes cuts the body after N bytes. Required.
	TruncateAtBytes int `yaml:"truncate_at_bytes"`
	// KeepLength keeps the original Content-Length, so the client sees an
	// unexpected end of body. Default false: the length matches the cut.
	KeepLength bool `yaml:"keep_length"`
}

var (
	_ Stage     = (*Body)(nil)
	_ Validator = (*Body)(nil)
)

// Kind implements Fault.
func (*Body) Kind() string { return "body" }

// Validate implements Validator: the cut is at least one byte.
func (b *Body) Validate() error {
	if b.TruncateAtBytes <= 0 {
		return errors.New("body: truncate_at_bytes must be positive")
	}
	return nil
}

// Wrap implements Stage.
func (b *Body) Wrap(_ context.Context, x *Exchange, next wire.Sink) wire.Sink {
	return &bodyCut{f: b, x: x, next: next}
}

// bodyCut is one response's pass through a Body fault.
type bodyCut struct {
	f    *Body
	x    *Exchange
	next wire.Sink

	passing bool // a stream, or a body the Head says is no longer than the cut
	sized   bool // the Head declared a Content-Length
	left    int  // bytes still to pass before the cut
	cut     bool // the fault ended the response: the source must stop
}

// Send implements wire.Sink.
func (b *bodyCut) Send(ev wire.Event) error {
	switch {
	case b.cut:
		return ErrCut
	case ev.Kind == wire.Head:
		return b.head(ev)
	case ev.Kind == wire.Chunk && !b.passing:
		return b.chunk(ev)
	}
	return b.next.Send(ev)
}

func (b *bodyCut) head(ev wire.Event) error {
	b.left = b.f.TruncateAtBytes
	length, err := strconv.ParseInt(ev.Header.Get("Content-Length"), 10, 64)
	b.sized = err == nil
	b.passing = ev.Stream != wire.NotStream || (b.sized && length <= int64(b.left))
	if !b.passing && b.sized && !b.f.KeepLength {
		// A copy: the source may reuse its header, and a recorder further
		// up must keep the true length.
		ev.Header = ev.Header.Clone()
		ev.Header.Set("Content-Length", strconv.Itoa(b.left))
	}
	return b.next.Send(ev)
}

func (b *bodyCut) chunk(ev wire.Event) error {
	if len(ev.Data) <= b.left {
		b.left -= len(ev.Data)
		return b.next.Send(ev)
	}
	if b.left > 0 {
		ev.Data = ev.Data[:b.left]
		if err := b.next.Send(ev); err != nil {
			return err
		}
	}
	b.cut = true
	b.x.End(EndedCut) // a dropped connection included: what the client has is a short body
	if b.f.KeepLength && !b.sized {
		// A chunked body that ends properly is complete to the client;
		// only a dropped connection says it is short. With a length,
		// ending early is enough: net/http closes the connection when a
		// handler writes less than it declared.
		b.x.Abort(false)
	}
	if err := b.next.Send(wire.Event{Kind: wire.End}); err != nil {
		return err
	}
	return ErrCut
}
