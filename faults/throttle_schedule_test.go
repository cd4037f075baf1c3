package faults

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/config/units"
	"github.com/llm-simulator/llm-simulator/wire"
)

// Time a slow source lost is not saved up: after a pause the cap holds
// from the next event on.
func TestThrottleSavesNoBurst(t *testing.T) {
	x, clk := testExchange("openai")
	_, w := recorder()
	var got []fxSent
	s := (&Throttle{EventsPerSecond: 2}).Wrap(context.Background(), x, fxTimeline(clk, w, &got))
	chat := fxChat()
	_, _ = fxPlay(s, chat[:2])
	clk.Advance(3 * time.Second)
	_, _ = fxPlay(s, chat[2:5])
	want := []time.Duration{0, 3 * time.Second, 3500 * time.Millisecond, 4 * time.Second}
	if len(got) != len(want) {
		t.Fatalf("sent %v", got)
	}
	for i, sent := range got {
		if sent.at != want[i] {
			t.Fatalf("sent at %v, want %v", got, want)
		}
	}
}

func TestThrottleEndsWithTheClient(t *testing.T) {
	x, _ := testExchange("openai")
	_, w := recorder()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n, err := fxPlay((&Throttle{EventsPerSecond: 1}).Wrap(ctx, x, w), fxChat())
	if n != 2 || !errors.Is(err, context.Canceled) {
		t.Fatalf("source sent %d, got %v", n, err)
	}
}

func TestSSEWireLen(t *testing.T) {
	for _, ev := range []wire.Event{{Data: []byte(`{"a":1}`)}, {Name: "message_stop", Data: []byte(`{}`)},
		{Data: []byte("two\nlines")}, {Name: "x", Data: []byte("crlf\r\nline\r\n")}, {Data: []byte{}}} {
		if got, want := sseWireLen(ev), len(wire.AppendSSE(nil, ev.Name, ev.Data)); got != want {
			t.Errorf("%q %q: %d, want %d", ev.Name, ev.Data, got, want)
		}
	}
	if n := sseWireLen(wire.Event{Data: []byte("x"), Raw: []byte(": ping\r\n\r\n")}); n != 10 {
		t.Errorf("raw event: %d", n)
	}
}

func TestThrottleValidate(t *testing.T) {
	for _, c := range []struct {
		fault Throttle
		ok    bool
	}{{Throttle{BytesPerSecond: units.Size(1)}, true}, {Throttle{EventsPerSecond: 0.5}, true}, {Throttle{}, false},
		{Throttle{BytesPerSecond: -1, EventsPerSecond: 1}, false}, {Throttle{EventsPerSecond: -1}, false},
		{Throttle{EventsPerSecond: math.NaN()}, false}, {Throttle{EventsPerSecond: math.Inf(1)}, false}} {
		if err := c.fault.Validate(); (err == nil) != c.ok {
			t.Errorf("%+v: %v", c.fault, err)
		}
	}
}
