package faults

import (
	"context"
	"time"

	"github.com/llm-simulator/llm-simulator/config/units"
	"github.com/llm-simulator/llm-simulator/internal/dist"
	"github.com/llm-simulator/llm-simulator/wire"
	"gopkg.in/yaml.v3"
)

// Latency delays the response before its first byte by a draw from a
// distribution. In a rule its value is the distribution, the gate's keys
// beside it: {dist: lognormal, median: 400ms, p99: 2s, probability: 0.5}.
// D draws nanoseconds.
type Latency struct {
	D dist.Dist
}

var _ Admitter = (*Latency)(nil)

// Kind implements Fault.
func (*Latency) Kind() string { return "latency" }

// UnmarshalYAML reads the distribution, of durations.
func (l *Latency) UnmarshalYAML(n *yaml.Node) error { return decodeDist(n, &l.D) }

// decodeDist reads the distribution of a fault whose value is one
// (latency, ttft, itl).
func decodeDist(n *yaml.Node, d *dist.Dist) error {
	if n.Kind != yaml.MappingNode {
		return units.Errorf(n, "expected a distribution such as {dist: constant, value: 200ms}")
	}
	v, err := units.ParseDist(n, true)
	*d = v
	return err
}

// Admit implements Admitter.
func (l *Latency) Admit(ctx context.Context, x *Exchange, _ wire.Sink) (bool, error) {
	d := time.Duration(l.D.Sample(x.Rand))
	return false, x.Clock.Sleep(ctx, d)
}
