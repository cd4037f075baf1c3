package faults

import (
	"bytes"
	"time"

	"github.com/llm-simulator/llm-simulator/wire"
)

// throttleSchedule is one cap's schedule: an absolute one, counted from
// base, so the rate holds over the whole response however each wait turns
// out.
type throttleSchedule struct {
	rate float64 // units per second; zero: no cap
	base time.Time
	n    int64 // units charged since base
}

// on reports whether the schedule holds anything back: a cap is set and
// something was sent.
func (p *throttleSchedule) on() bool { return p.rate > 0 && !p.base.IsZero() }

// due is when the next unit may go.
func (p *throttleSchedule) due() time.Time {
	// Multiplying first keeps whole-nanosecond answers exact.
	return p.base.Add(time.Duration(float64(p.n) * float64(time.Second) / p.rate))
}

// charge counts n units sent at t. A schedule that fell behind t — the
// source was slower than the cap — restarts there, so idle time is not
// saved up for a burst.
func (p *throttleSchedule) charge(t time.Time, n int) {
	if p.rate <= 0 || n <= 0 {
		return
	}
	if p.base.IsZero() || p.due().Before(t) {
		p.base, p.n = t, 0
	}
	p.n += int64(n)
}

// sseWireLen is the size of ev on the wire: its Raw bytes when it has them,
// else as wire.AppendSSE frames it ("event: …\n", one "data: …\n" per
// line with any CR before a LF dropped, and the blank line).
func sseWireLen(ev wire.Event) int {
	if ev.Raw != nil {
		return len(ev.Raw)
	}
	n := len(ev.Data) + 2 + len("data: ")*(1+bytes.Count(ev.Data, []byte("\n"))) -
		bytes.Count(ev.Data, []byte("\r\n"))
	if ev.Name != "" {
		n += len("event: ") + len(ev.Name) + 1
	}
	return n
}
