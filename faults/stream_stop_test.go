package faults

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/config/units"
	"github.com/llm-simulator/llm-simulator/wire"
)

func TestStreamResetDropsTheConnection(t *testing.T) {
	for _, src := range [][]wire.Event{fxChat(), fxAnthropic(), fxResponses()} {
		t.Run(src[0].Stream.String(), func(t *testing.T) {
			x, _ := testExchange("openai")
			var reset bool
			x.Abort = func(r bool) { reset = r; panic(errAborted) }
			rec, w := recorder()
			s := (&Stream{ResetAfterEvents: 2}).Wrap(context.Background(), x, w)
			if !aborted(func() { _, _ = fxPlay(s, src) }) || !reset {
				t.Fatalf("not reset (aborted with reset=%v)", reset)
			}
			if got, want := rec.Body.String(), fxWire(src[1:3]...); got != want {
				t.Fatalf("client read %q before the reset, want %q", got, want)
			}
		})
	}
}

func TestStreamStallEndsWithTheClient(t *testing.T) {
	x, clk := testExchange("openai")
	rec, w := recorder()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	chat := fxChat()
	s := (&Stream{Stall: &StreamStall{AfterEvents: 2, Duration: units.Duration(time.Minute)}}).Wrap(ctx, x, w)
	n, err := fxPlay(s, chat)
	if n != 3 || !errors.Is(err, context.Canceled) {
		t.Fatalf("source sent %d, got %v", n, err)
	}
	if rec.Body.String() != fxWire(chat[1:3]...) || len(clk.Sleeps()) != 0 {
		t.Fatalf("client read %q; slept %v", rec.Body, clk.Sleeps())
	}
}
