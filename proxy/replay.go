package proxy

import (
	"context"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/llm-simulator/llm-simulator/cassette"
	"github.com/llm-simulator/llm-simulator/internal/dist"
	"github.com/llm-simulator/llm-simulator/simulate"
	"github.com/llm-simulator/llm-simulator/wire"
)

// replay is the cassette source: the recorded head and body, paced as the
// rule's timing says, through the same sinks as any other answer.
func (f *Front) replay(ctx context.Context, x *exchange, m *simulate.Model, out wire.Sink) error {
	rec := x.cass.hit
	p := replayPace{x: x, ctx: ctx, start: x.fx.Clock.Now(), timing: x.cass.spec.Timing, speed: x.cass.spec.Speed}
	if p.timing == "simulated" {
		p.simulated(m, rec)
	}
	head := x.replayHead(rec)
	if err := p.wait(rec.HeadAt, 0); err != nil {
		return err
	}
	if err := out.Send(head); err != nil {
		return err
	}
	var u *usageScan
	if x.countTokens {
		u = new(usageScan)
	}
	for i := range rec.Events {
		ev := &rec.Events[i]
		if err := p.wait(ev.At, i+1); err != nil {
			return err
		}
		if ev.Kind == wire.SSE {
			u.event(ev.Data)
		} else {
			u.body(ev.Data)
		}
		if err := out.Send(ev.Wire()); err != nil {
			return err
		}
	}
	if u != nil {
		u.finishBody()
		x.req.Usage.PromptTokens, x.req.Usage.CompletionTokens = u.prompt, u.completion
	}
	if err := p.wait(rec.EndAt, len(rec.Events)+1); err != nil {
		return err
	}
	return out.Send(wire.Event{Kind: wire.End})
}

// replayHead is the recorded head in a header map of the exchange's own,
// since the sinks after it add to the head's headers. A plain body gets
// its length back; an event stream its framing, for stream faults.
func (x *exchange) replayHead(rec *cassette.Recording) wire.Event {
	h := x.cass.header
	if h == nil {
		h = make(http.Header, len(rec.Header)+4)
		x.cass.header = h
	}
	for k, v := range rec.Header {
		h[k] = v
	}
	stream := wire.NotStream
	if isEventStream(h.Get("Content-Type")) {
		stream = streamOf(x.tgt.dialect, x.tgt.path)
	} else {
		n := 0
		for i := range rec.Events {
			n += len(rec.Events[i].Data)
		}
		h["Content-Length"] = []string{strconv.Itoa(n)}
	}
	return wire.Event{Kind: wire.Head, Status: rec.Status, Header: h, Stream: stream}
}

// replayPace spends a replay's time. Original and scaled timing keep the
// recorded offsets (divided by the speed) on an absolute schedule, so the
// time spent writing does not add up; simulated timing draws a time to
// first event and the gaps between events from the simulation model.
type replayPace struct {
	x      *exchange
	ctx    context.Context
	start  time.Time
	timing string
	speed  float64
	// at is the simulated schedule: the offset of the head, of each event
	// and of the end, by position.
	at []time.Duration
}

// wait sleeps until the piece at position i, recorded at offset, is due.
func (p *replayPace) wait(offset time.Duration, i int) error {
	switch p.timing {
	case "instant":
		return p.ctx.Err()
	case "scaled":
		offset = time.Duration(float64(offset) / p.speed)
	case "simulated":
		offset = p.at[i]
	}
	d := offset - p.x.fx.Clock.Now().Sub(p.start)
	if d <= 0 {
		return p.ctx.Err()
	}
	return p.x.fx.Clock.Sleep(p.ctx, d)
}

// simulated lays out a simulated schedule: the head and first event after
// the model's time to first token, each further event of a stream one
// inter-token gap later; a plain body after as long as a stream of its
// completion tokens would take. The ttft and itl faults' distributions
// win over the model's, as they do for simulated answers.
func (p *replayPace) simulated(m *simulate.Model, rec *cassette.Recording) {
	ttft, itl := m.TTFT, m.ITL
	if p.x.fx.TTFT != nil {
		ttft = p.x.fx.TTFT
	}
	if p.x.fx.ITL != nil {
		itl = p.x.fx.ITL
	}
	r := p.x.fx.Rand
	p.at = make([]time.Duration, len(rec.Events)+2)
	first := draw(ttft, r)
	if !isEventStream(rec.Header.Get("Content-Type")) {
		var u usageScan
		for i := range rec.Events {
			u.body(rec.Events[i].Data)
		}
		u.finishBody()
		for range max(u.completion-1, 0) {
			first += draw(itl, r)
		}
		for i := range p.at {
			p.at[i] = first
		}
		return
	}
	p.at[0], p.at[1] = first, first
	for i := 2; i < len(p.at)-1; i++ {
		p.at[i] = p.at[i-1] + draw(itl, r)
	}
	p.at[len(p.at)-1] = p.at[len(p.at)-2]
}

func draw(d dist.Dist, r *rand.Rand) time.Duration {
	v := d.Sample(r)
	if v <= 0 || math.IsNaN(v) {
		return 0
	}
	return time.Duration(v)
}
