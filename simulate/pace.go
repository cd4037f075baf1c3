package simulate

import (
	"context"
	"time"

	"github.com/llm-simulator/llm-simulator/internal/clock"
)

// pacer spends a call's time: the time to first token (plus prefill), then
// one inter-token gap per further unit. It keeps an absolute schedule, so
// time spent writing does not accumulate as drift. A stream and the same
// call unstreamed draw the same gaps in the same order and so take the
// same time.
type pacer struct {
	c    *Call
	m    *Model
	next time.Time
	// late is set when the last wait found the schedule already due: a
	// zero gap after it is due too, without reading the clock — the
	// common case of a zero-latency load test, one read per token saved.
	late bool
	// sleeper waits out every gap on one timer.
	sleeper clock.Sleeper
}

func newPacer(c *Call, m *Model) *pacer {
	return &pacer{c: c, m: m, next: c.Start, sleeper: clock.Sleeper{Clock: c.Clock}}
}

// first waits until the first token is due.
func (p *pacer) first(ctx context.Context, promptTokens int) error {
	d := nanos(p.m.TTFT.Sample(p.c.timing)) + time.Duration(promptTokens)*p.m.PrefillPerToken
	return p.advance(ctx, d)
}

// gap waits until the next token is due.
func (p *pacer) gap(ctx context.Context) error {
	d := nanos(p.m.ITL.Sample(p.c.timing))
	if d == 0 && p.late {
		return ctx.Err()
	}
	p.next = p.next.Add(d)
	return p.wait(ctx)
}

// whole waits as long as a stream of units tokens would take in all: what
// a non-streamed answer costs.
func (p *pacer) whole(ctx context.Context, promptTokens, units int) error {
	d := nanos(p.m.TTFT.Sample(p.c.timing)) + time.Duration(promptTokens)*p.m.PrefillPerToken
	for i := 1; i < units; i++ {
		d += nanos(p.m.ITL.Sample(p.c.timing))
	}
	return p.advance(ctx, d)
}

// advance moves the schedule on by d and waits for it. Nothing scheduled
// at the call's start is due at once, without a clock read: a zero-delay
// answer's only one (about 80 ns here, 1% of BenchmarkFront).
func (p *pacer) advance(ctx context.Context, d time.Duration) error {
	if d == 0 && p.next.Equal(p.c.Start) {
		p.late = true
		return ctx.Err()
	}
	p.next = p.next.Add(d)
	return p.wait(ctx)
}

func (p *pacer) wait(ctx context.Context) error {
	d := p.next.Sub(p.c.Clock.Now())
	p.late = d <= 0
	if p.late {
		return ctx.Err()
	}
	return p.sleeper.Sleep(ctx, d)
}

func nanos(v float64) time.Duration {
	if v <= 0 {
		return 0
	}
	return time.Duration(v)
}
