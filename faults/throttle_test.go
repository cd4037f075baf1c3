package faults

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/config/units"
	"github.com/llm-simulator/llm-simulator/internal/clock"
	"github.com/llm-simulator/llm-simulator/wire"
)

// fxSent is one body event as it left a stage: when (on the manual
// clock, from the start) and how many bytes of data.
type fxSent struct {
	at time.Duration
	n  int
}

// fxTimeline passes events on to next, noting when each body event went.
func fxTimeline(clk *clock.Manual, next wire.Sink, log *[]fxSent) wire.Sink {
	return wire.SinkFunc(func(ev wire.Event) error {
		if ev.Kind == wire.SSE || ev.Kind == wire.Chunk {
			*log = append(*log, fxSent{clk.Now().Sub(testStart), len(ev.Data)})
		}
		return next.Send(ev)
	})
}

// fxEvenly is the timeline of src's SSE events sent one per gap(i), where
// gap(i) is the wait after event i.
func fxEvenly(src []wire.Event, gap func(ev wire.Event) time.Duration) []fxSent {
	var out []fxSent
	var at time.Duration
	for _, ev := range src {
		if ev.Kind == wire.SSE {
			out = append(out, fxSent{at, len(ev.Data)})
			at += gap(ev)
		}
	}
	return out
}

func TestThrottlePaces(t *testing.T) {
	ms := time.Millisecond
	chunks := []wire.Event{{Kind: wire.Head, Status: 200, Header: http.Header{"Content-Type": {"application/octet-stream"}}},
		{Kind: wire.Chunk, Data: []byte(strings.Repeat("a", 250))}, {Kind: wire.Chunk, Data: []byte("tail of the body, 30 bytes....")},
		{Kind: wire.End}}
	framed := func(ev wire.Event) time.Duration { // one millisecond a byte: 1000 B/s
		if ev.Raw != nil {
			return time.Duration(len(ev.Raw)) * ms
		}
		return time.Duration(len(wire.AppendSSE(nil, ev.Name, ev.Data))) * ms
	}
	chat, anth := fxChat(), fxAnthropic()
	cases := []struct {
		name  string
		fault Throttle
		src   []wire.Event
		want  []fxSent
	}{
		{"byte cap splits chunks", Throttle{BytesPerSecond: units.Size(1000)}, chunks,
			[]fxSent{{0, 100}, {100 * ms, 100}, {200 * ms, 50}, {250 * ms, 30}}},
		{"event cap", Throttle{EventsPerSecond: 4}, chat,
			fxEvenly(chat, func(wire.Event) time.Duration { return 250 * ms })},
		{"byte cap on framed events", Throttle{BytesPerSecond: units.Size(1000)}, anth, fxEvenly(anth, framed)},
		{"byte cap on raw events", Throttle{BytesPerSecond: units.Size(1000)}, chat, fxEvenly(chat, framed)},
		{"the tighter cap holds", Throttle{BytesPerSecond: units.Size(1000), EventsPerSecond: 20}, anth,
			fxEvenly(anth, func(ev wire.Event) time.Duration { return max(50*ms, framed(ev)) })},
		{"event cap leaves chunks alone", Throttle{EventsPerSecond: 1}, chunks, []fxSent{{0, 250}, {0, 30}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.fault.Validate(); err != nil {
				t.Fatal(err)
			}
			x, clk := testExchange("openai")
			plain, pw := recorder()
			_, _ = fxPlay(pw, c.src)
			rec, w := recorder()
			var got []fxSent
			n, err := fxPlay(c.fault.Wrap(context.Background(), x, fxTimeline(clk, w, &got)), c.src)
			if n != len(c.src) || err != nil {
				t.Fatalf("source sent %d, got %v", n, err)
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("sent at %v\nwant %v", got, c.want)
			}
			var slept time.Duration
			for _, d := range clk.Sleeps() {
				slept += d
			}
			if slept != c.want[len(c.want)-1].at {
				t.Fatalf("slept %v in all, want %v", slept, c.want[len(c.want)-1].at)
			}
			if rec.Body.String() != plain.Body.String() {
				t.Fatalf("client read %q, want %q", rec.Body, plain.Body)
			}
		})
	}
}
