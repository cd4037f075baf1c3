package proxy

import (
	"context"
	"errors"

	"github.com/llm-simulator/llm-simulator/cassette"
	"github.com/llm-simulator/llm-simulator/faults"
	"github.com/llm-simulator/llm-simulator/wire"
)

// recordTap hands every event the upstream sends to the recorder before
// the faults see it, so a recording holds what the provider said, not
// what a fault made of it.
type recordTap struct {
	next wire.Sink
	rec  *cassette.Recorder
	x    *exchange
}

func (t *recordTap) Send(ev wire.Event) error {
	t.rec.Observe(ev, t.x.fx.Clock.Now())
	return t.next.Send(ev)
}

// forwardAndRecord forwards the request and records the answer; the
// recording is kept only when the answer reached the client whole.
// Anything that cut it short — the client gone, the upstream breaking
// off, a fault ending the stream — drops it.
func (f *Front) forwardAndRecord(ctx context.Context, x *exchange, ups *Upstreams, out wire.Sink) (err error) {
	if f.Cassettes == nil {
		return f.forward(ctx, x, ups, out)
	}
	rec := f.Cassettes.Record(&x.cass.req, x.fx.Clock.Now())
	x.cass.recorder = rec // the relay taps the upstream's answer, not our own errors
	done := false
	defer func() {
		if !done { // an abort unwinds through here
			rec.Discard("the connection was aborted")
		}
	}()
	err = f.forward(ctx, x, ups, out)
	done = true
	switch {
	case err != nil:
		rec.Discard(discardReason(ctx, err))
	case !x.cass.relayed:
		rec.Discard("the upstream did not answer")
	case !x.out.Ended():
		rec.Discard("the response did not reach its end")
	default:
		if file, cerr := rec.Commit(); cerr != nil && !errors.Is(cerr, cassette.ErrIncomplete) {
			f.Log.Warn().Err(cerr).Msg("a recording could not be stored")
		} else if cerr == nil {
			f.Log.Debug().Str("file", file).Str("path", x.tgt.path).Msg("recorded")
		}
	}
	return err
}

func discardReason(ctx context.Context, err error) string {
	switch {
	case ctx.Err() != nil:
		return "the client went away"
	case errors.Is(err, faults.ErrCut):
		return "a fault cut the response short"
	}
	return "the response failed: " + err.Error()
}
