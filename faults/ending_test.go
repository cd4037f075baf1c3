package faults

import (
	"context"
	"testing"

	"github.com/llm-simulator/llm-simulator/config/units"
	"github.com/llm-simulator/llm-simulator/wire"
)

// Each fault that ends a response early says how, for the request's
// record: what the client saw, not how the handler unwound.
func TestFaultsSayHowTheyEndedAResponse(t *testing.T) {
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	for _, c := range []struct {
		name string
		run  func(x *Exchange, w *wire.Writer)
		want Ending
	}{
		{"hang, the client gives up", func(x *Exchange, w *wire.Writer) { _, _ = (&Hang{}).Admit(gone, x, w) }, EndedHung},
		{"hang, max reached", func(x *Exchange, w *wire.Writer) {
			aborted(func() { _, _ = (&Hang{Max: units.Duration(1)}).Admit(context.Background(), x, w) })
		}, EndedHung},
		{"stream truncated", func(x *Exchange, w *wire.Writer) {
			_, _ = fxPlay((&Stream{TruncateAfterEvents: 2}).Wrap(context.Background(), x, w), fxChat())
		}, EndedCut},
		{"stream error event", func(x *Exchange, w *wire.Writer) {
			_, _ = fxPlay((&Stream{ErrorAfterEvents: 2}).Wrap(context.Background(), x, w), fxChat())
		}, EndedCut},
		{"stream without its terminal event", func(x *Exchange, w *wire.Writer) {
			_, _ = fxPlay((&Stream{DropDone: true}).Wrap(context.Background(), x, w), fxChat())
		}, EndedCut},
		{"stream reset", func(x *Exchange, w *wire.Writer) {
			aborted(func() { _, _ = fxPlay((&Stream{ResetAfterEvents: 2}).Wrap(context.Background(), x, w), fxChat()) })
		}, EndedReset},
		{"stream malformed, not ended", func(x *Exchange, w *wire.Writer) {
			_, _ = fxPlay((&Stream{MalformedAfterEvents: 2}).Wrap(context.Background(), x, w), fxChat())
		}, NotEnded},
	} {
		t.Run(c.name, func(t *testing.T) {
			x, _ := testExchange("openai")
			_, w := recorder()
			c.run(x, w)
			if x.Ending != c.want {
				t.Errorf("ending %d, want %d", x.Ending, c.want)
			}
		})
	}
}

// The first fault to end a response names the ending: an abort that
// follows a cut does not make it an abort.
func TestEndingFirstWins(t *testing.T) {
	var x Exchange
	x.End(EndedCut)
	x.End(EndedAborted)
	if x.Ending != EndedCut {
		t.Errorf("ending %d", x.Ending)
	}
}
