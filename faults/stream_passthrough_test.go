package faults

import (
	"context"
	"reflect"
	"testing"

	"github.com/llm-simulator/llm-simulator/config/units"
	"github.com/llm-simulator/llm-simulator/wire"
)

// Every fault leaves alone the responses it is not for, to the byte and
// the header: stream faults a plain body, the body fault a stream.
func TestStageFaultsPassOtherResponsesThrough(t *testing.T) {
	stall := &StreamStall{Duration: units.Duration(1)}
	streamFaults := []Stage{&Stream{TruncateAfterEvents: 1}, &Stream{ResetAfterEvents: 1}, &Stream{ErrorAfterEvents: 1},
		&Stream{MalformedAfterEvents: 1}, &Stream{Stall: stall}, &Stream{DropDone: true}}
	bodyFaults := []Stage{&Body{TruncateAtBytes: 1}, &Body{TruncateAtBytes: 1, KeepLength: true}}
	cases := []struct {
		name   string
		faults []Stage
		src    []wire.Event
	}{
		{"sized json", streamFaults, fxJSON(true)},
		{"chunked json", streamFaults, fxJSON(false)},
		{"chat", bodyFaults, fxChat()},
		{"anthropic", bodyFaults, fxAnthropic()},
		{"responses", bodyFaults, fxResponses()},
	}
	for _, c := range cases {
		plain, pw := recorder()
		if _, err := fxPlay(pw, c.src); err != nil {
			t.Fatal(err)
		}
		for _, f := range c.faults {
			t.Run(c.name+"/"+f.Kind(), func(t *testing.T) {
				x, clk := testExchange("openai")
				rec, w := recorder()
				var n int
				var err error
				if aborted(func() { n, err = fxPlay(f.Wrap(context.Background(), x, w), c.src) }) {
					t.Fatal("aborted")
				}
				if n != len(c.src) || err != nil || len(clk.Sleeps()) != 0 {
					t.Fatalf("source sent %d, got %v; slept %v", n, err, clk.Sleeps())
				}
				if rec.Body.String() != plain.Body.String() || !reflect.DeepEqual(rec.Header(), plain.Header()) {
					t.Fatalf("got %v %q, want %v %q", rec.Header(), rec.Body, plain.Header(), plain.Body)
				}
			})
		}
	}
}
