package faults

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/llm-simulator/llm-simulator/config/units"
	"github.com/llm-simulator/llm-simulator/wire"
)

// Throttle caps the rate the response leaves at. It slows it as a slow
// provider or a congested link would: tokens trickle in at the cap, a
// large body arrives piece by piece, and the client's read or total
// timeout may fire.
// The first event goes at once; after that nothing leaves faster than
// either cap on average, and time a slow source lost is not saved up for
// a burst.
//
// BytesPerSecond paces every body byte: SSE events as framed on the wire,
// and body chunks, split into pieces of a tenth of a second's worth so the
// cap holds within a large one. EventsPerSecond paces SSE events only: how
// a plain body happens to be chunked means nothing to a client.
type Throttle struct {
	// BytesPerSecond caps bytes per second ("16KiB"). Default none.
	BytesPerSecond units.Size `yaml:"bytes_per_second"`
	// EventsPerSecond caps events per second. Default none.
	EventsPerSecond float64 `yaml:"events_per_second"`
}

var (
	_ Stage     = (*Throttle)(nil)
	_ Validator = (*Throttle)(nil)
)

// throttlePiece is how much time's worth of bytes a chunk is cut into:
// short enough that a client sees a steady trickle, long enough that a
// fast cap does not turn a body into thousands of writes.
const throttlePiece = 100 * time.Millisecond

// Kind implements Fault.
func (*Throttle) Kind() string { return "throttle" }

// Validate implements Validator: some cap is set, and none is negative.
func (t *Throttle) Validate() error {
	eps := t.EventsPerSecond
	if t.BytesPerSecond < 0 || !(eps >= 0) || math.IsInf(eps, 0) {
		return errors.New("throttle: rates must be finite and not negative")
	}
	if t.BytesPerSecond == 0 && eps == 0 {
		return errors.New("throttle: set bytes_per_second or events_per_second")
	}
	return nil
}

// Wrap implements Stage.
func (t *Throttle) Wrap(ctx context.Context, x *Exchange, next wire.Sink) wire.Sink {
	th := &throttled{ctx: ctx, x: x, next: next, piece: math.MaxInt,
		bytes: throttleSchedule{rate: float64(t.BytesPerSecond)}, events: throttleSchedule{rate: t.EventsPerSecond}}
	if t.BytesPerSecond > 0 {
		th.piece = max(1, int(float64(t.BytesPerSecond)*throttlePiece.Seconds()))
	}
	return th
}

// throttled is one response's pass through a Throttle: its two schedules.
type throttled struct {
	ctx           context.Context
	x             *Exchange
	next          wire.Sink
	bytes, events throttleSchedule
	piece         int // the most bytes of a chunk sent at once
}

// Send implements wire.Sink. The Head and End pass at once: only the body
// is paced.
func (t *throttled) Send(ev wire.Event) error {
	switch ev.Kind {
	case wire.SSE:
		if err := t.wait(sseWireLen(ev), 1); err != nil {
			return err
		}
	case wire.Chunk:
		return t.chunk(ev)
	}
	return t.next.Send(ev)
}

func (t *throttled) chunk(ev wire.Event) error {
	data := ev.Data
	for len(data) > 0 {
		n := min(len(data), t.piece)
		if err := t.wait(n, 0); err != nil {
			return err
		}
		ev.Data, ev.Flush = data[:n], true // a throttled body trickles out
		if err := t.next.Send(ev); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

// wait holds a send of n bytes and events events until both schedules
// allow it, and charges it to them at the time it was due, so the sleeps'
// own overshoot does not add up.
func (t *throttled) wait(n, events int) error {
	now := t.x.Clock.Now()
	at := now
	if t.bytes.on() && t.bytes.due().After(at) {
		at = t.bytes.due()
	}
	if events > 0 && t.events.on() && t.events.due().After(at) {
		at = t.events.due()
	}
	if d := at.Sub(now); d > 0 {
		if err := t.x.Clock.Sleep(t.ctx, d); err != nil {
			return fmt.Errorf("faults: throttle: %w", err)
		}
	}
	t.bytes.charge(at, n)
	t.events.charge(at, events)
	return nil
}
