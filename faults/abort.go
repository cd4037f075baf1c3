package faults

import (
	"context"

	"github.com/llm-simulator/llm-simulator/wire"
)

// Abort drops the connection with no response. It closes it, or resets
// it with an RST (HTTP/2: the stream is reset).
type Abort struct {
	// Reset sends an RST instead of closing cleanly. Default false.
	Reset bool `yaml:"reset"`
}

var _ Admitter = (*Abort)(nil)

// Kind implements Fault.
func (*Abort) Kind() string { return "abort" }

// Admit implements Admitter. It does not return: Exchange.Abort unwinds
// the handler.
func (a *Abort) Admit(_ context.Context, x *Exchange, _ wire.Sink) (bool, error) {
	x.Abort(a.Reset)
	return true, nil
}
