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
// what a fault made of it. It commits the recording when the upstream's
// answer ends, before the end goes on to the client: a client that calls
// again as soon as it has its answer finds the recording there.
type recordTap struct {
	next    wire.Sink
	f       *Front
	x       *exchange
	framing wire.Stream // from the head
}

func (t *recordTap) Send(ev wire.Event) error {
	c := &t.x.cass
	c.recorder.Observe(ev, t.x.fx.Clock.Now())
	switch {
	case ev.Kind == wire.Head:
		t.framing = ev.Stream
	case ev.Kind == wire.End:
		t.f.commit(t.x)
	}
	err := t.next.Send(ev)
	if err == nil && t.framing.Terminal(ev) {
		c.terminal = true
	}
	return err
}

// forwardAndRecord forwards the request and records the answer. Only an
// answer the upstream completed and every fault let through to its end is
// kept; anything that cut it short — the client gone, the upstream
// breaking off, a fault ending the stream, an error of ours in the
// upstream's place — drops it. So does an error answer of the upstream's
// (not 2xx), unless the rule's cassette says record_errors; a 2xx answer
// to a replay_or_record that found a recorded error replaces it.
func (f *Front) forwardAndRecord(ctx context.Context, x *exchange, ups *Upstreams, out wire.Sink) error {
	if f.Cassettes == nil {
		return f.forward(ctx, x, ups, out)
	}
	opts := cassette.RecordOptions{Errors: x.cass.spec.RecordErrors, Replaces: x.cass.replaces}
	x.cass.recorder = f.Cassettes.Record(&x.cass.req, x.fx.Clock.Now(), opts) // the relay taps the upstream's answer
	defer func() {
		if !x.cass.committed { // an abort unwinds through here too
			x.cass.recorder.Discard("the connection was aborted")
		}
	}()
	err := f.forward(ctx, x, ups, out)
	if !x.cass.committed && x.cass.terminal && ctx.Err() != nil {
		// The client had the stream's terminal event and left before the
		// upstream's end of body: a whole answer, as SDKs read it.
		x.cass.recorder.Observe(wire.Event{Kind: wire.End}, x.fx.Clock.Now())
		f.commit(x)
	}
	if !x.cass.committed {
		x.cass.recorder.Discard(discardReason(ctx, x, err))
		x.cass.committed = true // discarded: nothing left to do
	}
	return err
}

// commit stores the recording once the upstream's answer has ended.
func (f *Front) commit(x *exchange) {
	x.cass.committed = true
	file, err := x.cass.recorder.Commit()
	switch {
	case err == nil:
		f.Log.Debug().Str("file", file).Str("provider", x.tgt.provider).Str("dialect", x.tgt.dialect).
			Str("path", x.tgt.path).Msg("recorded")
	case !errors.Is(err, cassette.ErrIncomplete) && !errors.Is(err, cassette.ErrNotKept):
		f.Log.Warn().Err(err).Msg("a recording could not be stored")
	}
}

func discardReason(ctx context.Context, x *exchange, err error) string {
	switch {
	case !x.cass.relayed:
		return "the upstream did not answer"
	case ctx.Err() != nil:
		return "the client went away"
	case errors.Is(err, faults.ErrCut):
		return "a fault cut the response short"
	case err != nil:
		return "the response failed: " + err.Error()
	}
	return "the response did not reach its end"
}
