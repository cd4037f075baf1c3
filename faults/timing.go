package faults

import (
	"context"
	"time"

	"github.com/llm-simulator/llm-simulator/internal/dist"
	"github.com/llm-simulator/llm-simulator/wire"
	"gopkg.in/yaml.v3"
)

// TTFT sets the time to first token (on responses passed through: a
// delay before the first event). It replaces the simulator's time to
// first token with draws from D; on a response passed through (forwarded
// or replayed) it delays the first event instead. Like latency's, its
// value in a rule is the distribution.
type TTFT struct {
	D dist.Dist
}

// ITL sets the time between tokens (on responses passed through: a delay
// between events). It replaces the simulator's time between tokens with
// draws from D; on a response passed through it delays every event after
// the first, so a recorded stream can be replayed slower than it was
// recorded. Like latency's, its value in a rule is the distribution.
type ITL struct {
	D dist.Dist
}

var (
	_ Admitter = (*TTFT)(nil)
	_ Stage    = (*TTFT)(nil)
	_ Admitter = (*ITL)(nil)
	_ Stage    = (*ITL)(nil)
)

// Kind implements Fault.
func (*TTFT) Kind() string { return "ttft" }

// Kind implements Fault.
func (*ITL) Kind() string { return "itl" }

// UnmarshalYAML reads the distribution, of durations.
func (t *TTFT) UnmarshalYAML(n *yaml.Node) error { return decodeDist(n, &t.D) }

// UnmarshalYAML reads the distribution, of durations.
func (t *ITL) UnmarshalYAML(n *yaml.Node) error { return decodeDist(n, &t.D) }

// Admit implements Admitter: it hands the distribution to the simulator.
func (t *TTFT) Admit(_ context.Context, x *Exchange, _ wire.Sink) (bool, error) {
	x.TTFT = t.D
	return false, nil
}

// Admit implements Admitter: it hands the distribution to the simulator.
func (t *ITL) Admit(_ context.Context, x *Exchange, _ wire.Sink) (bool, error) {
	x.ITL = t.D
	return false, nil
}

// Wrap implements Stage: a simulated response is already paced.
func (t *TTFT) Wrap(ctx context.Context, x *Exchange, next wire.Sink) wire.Sink {
	if x.Source == Simulated {
		return next
	}
	return &eventDelay{ctx: ctx, x: x, d: t.D, next: next, first: true}
}

// Wrap implements Stage: a simulated response is already paced.
func (t *ITL) Wrap(ctx context.Context, x *Exchange, next wire.Sink) wire.Sink {
	if x.Source == Simulated {
		return next
	}
	return &eventDelay{ctx: ctx, x: x, d: t.D, next: next}
}

// eventDelay waits a draw before body events: before the first only
// (first set), or before each one after the first.
type eventDelay struct {
	ctx   context.Context
	x     *Exchange
	d     dist.Dist
	next  wire.Sink
	first bool
	seen  int
}

func (e *eventDelay) Send(ev wire.Event) error {
	if ev.Kind == wire.SSE || ev.Kind == wire.Chunk {
		e.seen++
		if (e.first && e.seen == 1) || (!e.first && e.seen > 1) {
			if err := e.x.Clock.Sleep(e.ctx, time.Duration(e.d.Sample(e.x.Rand))); err != nil {
				return err
			}
		}
	}
	return e.next.Send(ev)
}
