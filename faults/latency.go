package faults

import (
	"context"
	"time"

	"github.com/llm-simulator/llm-simulator/internal/dist"
	"github.com/llm-simulator/llm-simulator/wire"
)

// Latency delays the response before its first byte by a draw from D, in
// nanoseconds.
type Latency struct {
	D dist.Dist
}

var _ Admitter = (*Latency)(nil)

// Kind implements Fault.
func (*Latency) Kind() string { return "latency" }

// Admit implements Admitter.
func (l *Latency) Admit(ctx context.Context, x *Exchange, _ wire.Sink) (bool, error) {
	d := time.Duration(l.D.Sample(x.Rand))
	return false, x.Clock.Sleep(ctx, d)
}
