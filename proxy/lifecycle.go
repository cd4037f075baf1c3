package proxy

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"

	"github.com/llm-simulator/llm-simulator/simulate"
	"github.com/llm-simulator/llm-simulator/wire"
)

// ErrDraining is why the requests still running at the drain deadline
// were ended.
var ErrDraining = errors.New("llm-simulator is shutting down")

// life is the context every request's derives from: ending it ends them
// all at once, which http.Server.Shutdown does not do for a running
// handler (an SSE stream runs until it ends by itself).
type life struct {
	once   sync.Once
	ctx    context.Context
	cancel context.CancelCauseFunc
}

func (f *Front) lifeContext() context.Context {
	f.life.once.Do(func() { f.life.ctx, f.life.cancel = context.WithCancelCause(context.Background()) })
	return f.life.ctx
}

// BaseContext is the base of every request's context, for the servers'
// BaseContext: EndStreams ends what derives from it.
func (f *Front) BaseContext(net.Listener) context.Context { return f.lifeContext() }

// EndStreams ends every request still running, at the drain deadline: a
// stream ends with the provider's in-stream error event, an answer not
// yet begun is the provider's 503, and forwards stop waiting on their
// upstream. Never a silent cut.
func (f *Front) EndStreams() {
	f.lifeContext()
	f.life.cancel(ErrDraining)
}

// draining reports whether ctx was ended by EndStreams.
func draining(ctx context.Context) bool {
	return ctx.Err() != nil && errors.Is(context.Cause(ctx), ErrDraining)
}

// endDrained finishes a response the drain deadline interrupted, in the
// provider's words.
func (f *Front) endDrained(x *exchange, sim *simulate.Simulator, provider string) {
	out := &x.out
	e := &wire.APIError{Status: http.StatusServiceUnavailable,
		Message: "llm-simulator is shutting down: the response was ended at the drain deadline; retry it"}
	switch {
	case out.Ended():
		return
	case !out.Started():
		e.Header = http.Header{"Retry-After": {"1"}}
		_ = wire.WriteError(out, sim.Dialect(provider), e, x.req.RequestID)
	case out.Stream() != wire.NotStream:
		if out.Send(out.Stream().ErrorEvent(e, out.Events())) == nil {
			_ = out.Send(wire.Event{Kind: wire.End})
		}
	}
	// A plain body already under way cannot say more: it ends cut short,
	// as its Content-Length tells the client.
}
