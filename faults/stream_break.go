package faults

import (
	"context"
	"fmt"

	"github.com/llm-simulator/llm-simulator/wire"
)

// streamBreak is one response's pass through a Stream fault.
type streamBreak struct {
	ctx  context.Context
	x    *Exchange
	f    *Stream
	next wire.Sink
	at   int // events to pass before the mode acts; -1: none (DropDone)

	framing wire.Stream // from the Head; NotStream passes everything
	// sent counts the SSE events passed on, comment-only keep-alives
	// included: the client's transport reads those too, and a count of
	// what went out is what a user can check against a capture.
	sent int
	// numbered counts the events with data, which the Responses API
	// numbers (sequence_number); keep-alives carry no number.
	numbered int
	fired    bool // the mode has acted: each acts once
	cut      bool // the fault ended the response: the source must stop
}

// Send implements wire.Sink.
func (b *streamBreak) Send(ev wire.Event) error {
	switch {
	case b.cut:
		return ErrCut
	case ev.Kind == wire.Head:
		b.framing = ev.Stream
	case ev.Kind == wire.SSE && b.framing != wire.NotStream:
		return b.event(ev)
	}
	return b.next.Send(ev)
}

// event handles one SSE event. A mode acts on the event after the first
// `at`, so it only fires when there is something left to break: a stream
// that ends by itself within `at` events goes through whole.
func (b *streamBreak) event(ev wire.Event) error {
	f := b.f
	if f.DropDone && b.framing.Terminal(ev) {
		b.x.End(EndedCut) // the stream ends unterminated, as a cut one does
		return nil
	}
	if b.fired || b.at < 0 || b.sent < b.at {
		return b.pass(ev)
	}
	switch {
	case f.TruncateAfterEvents > 0:
		return b.end()
	case f.ResetAfterEvents > 0:
		b.x.End(EndedReset)
		b.x.Abort(true)
		return b.end() // not reached: Abort does not return
	case f.ErrorAfterEvents > 0:
		if err := b.next.Send(b.framing.ErrorEvent(f.streamError(b.framing), b.numbered)); err != nil {
			return err
		}
		return b.end()
	case f.MalformedAfterEvents > 0:
		if len(ev.Data) == 0 {
			return b.pass(ev) // a keep-alive has nothing to cut: the next event takes the hit
		}
		ev.Data, ev.Raw = ev.Data[:len(ev.Data)/2], nil // half a JSON object never parses
	case f.Stall != nil:
		if err := b.x.Clock.Sleep(b.ctx, f.Stall.Duration.D()); err != nil {
			return fmt.Errorf("faults: stream stall: %w", err)
		}
	}
	b.fired = true
	return b.pass(ev)
}

func (b *streamBreak) pass(ev wire.Event) error {
	if err := b.next.Send(ev); err != nil {
		return err
	}
	b.sent++
	if len(ev.Data) > 0 {
		b.numbered++
	}
	return nil
}

// end closes the response early and tells the source to stop.
func (b *streamBreak) end() error {
	b.cut = true
	b.x.End(EndedCut)
	if err := b.next.Send(wire.Event{Kind: wire.End}); err != nil {
		return err
	}
	return ErrCut
}
