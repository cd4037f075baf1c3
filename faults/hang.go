package faults

import (
	"context"
	"time"

	"github.com/llm-simulator/llm-simulator/config/units"
	"github.com/llm-simulator/llm-simulator/wire"
)

// Hang sends nothing until the client gives up. It accepts the request,
// and after Max closes the connection, so that a client with no timeout
// does not hold a connection for ever.
type Hang struct {
	// Max bounds the hang, then the connection is closed. Default 10m.
	Max units.Duration `yaml:"max"`
}

var _ Admitter = (*Hang)(nil)

// DefaultHangMax bounds a hang when the config gives no max.
const DefaultHangMax = 10 * time.Minute

// Kind implements Fault.
func (*Hang) Kind() string { return "hang" }

// Admit implements Admitter.
func (h *Hang) Admit(ctx context.Context, x *Exchange, _ wire.Sink) (bool, error) {
	max := h.Max.D()
	if max <= 0 {
		max = DefaultHangMax
	}
	x.End(EndedHung) // whoever leaves first, the client saw nothing
	if err := x.Clock.Sleep(ctx, max); err != nil {
		return true, err // the client gave up: the point of the fault
	}
	x.Abort(false)
	return true, nil
}
