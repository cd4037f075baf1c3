package faults

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/config/units"
	"github.com/llm-simulator/llm-simulator/wire"
)

func TestStreamModes(t *testing.T) {
	chat, anth, resp := fxChat(), fxAnthropic(), fxResponses()
	keep := wire.Event{Kind: wire.SSE, Raw: []byte(": keep-alive\n\n")}
	chatKeep := slices.Concat(chat[:2], []wire.Event{keep}, chat[2:]) // head, e0, keep-alive, e1…e4, [DONE], end
	stall := &StreamStall{AfterEvents: 2, Duration: units.Duration(5 * time.Second)}
	cases := []struct {
		name     string
		src      []wire.Event
		fault    Stream
		want     []wire.Event // what the client reads
		err      error        // returned to the source
		terminal bool         // the client got the terminal event
		bad      int          // events whose data is not JSON, [DONE] aside
	}{
		{"truncate chat", chat, Stream{TruncateAfterEvents: 3}, chat[1:4], ErrCut, false, 0},
		{"truncate chat at [DONE]", chat, Stream{TruncateAfterEvents: 5}, chat[1:6], ErrCut, false, 0},
		{"truncate beyond the stream", chat, Stream{TruncateAfterEvents: 6}, chat, nil, true, 0},
		{"truncate anthropic", anth, Stream{TruncateAfterEvents: 4}, anth[1:5], ErrCut, false, 0},
		{"truncate responses", resp, Stream{TruncateAfterEvents: 2}, resp[1:3], ErrCut, false, 0},
		{"truncate counts keep-alives", chatKeep, Stream{TruncateAfterEvents: 2}, chatKeep[1:3], ErrCut, false, 0},
		{"malformed chat", chat, Stream{MalformedAfterEvents: 2}, fxReplace(chat, 3, fxCorrupt(chat[3])), nil, true, 1},
		{"malformed skips a keep-alive", chatKeep, Stream{MalformedAfterEvents: 1},
			fxReplace(chatKeep, 3, fxCorrupt(chatKeep[3])), nil, true, 1},
		{"malformed anthropic", anth, Stream{MalformedAfterEvents: 3}, fxReplace(anth, 4, fxCorrupt(anth[4])), nil, true, 1},
		{"drop done chat", chat, Stream{DropDone: true}, chat[1:6], nil, false, 0},
		{"drop done anthropic", anth, Stream{DropDone: true}, anth[1:8], nil, false, 0},
		{"drop done responses", resp, Stream{DropDone: true}, resp[1:5], nil, false, 0},
		{"stall", chat, Stream{Stall: stall}, chat, nil, true, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.fault.Validate(); err != nil {
				t.Fatal(err)
			}
			x, clk := testExchange("openai")
			rec, w := recorder()
			s := c.fault.Wrap(context.Background(), x, w)
			n, err := fxPlay(s, c.src)
			if err != c.err {
				t.Fatalf("source got %v, want %v", err, c.err)
			}
			// the Head and the events the client got went through; the next was cut
			if wantN := len(c.want) + 1; c.err == ErrCut && n != wantN {
				t.Fatalf("source sent %d events before the cut, want %d", n, wantN)
			}
			if got, want := rec.Body.String(), fxWire(c.want...); got != want {
				t.Fatalf("client read\n%q\nwant\n%q", got, want)
			}
			if !w.Ended() {
				t.Fatal("the response was not ended")
			}
			if got := fxTerminal(t, c.src[0].Stream, rec.Body.Bytes()); got != c.terminal {
				t.Fatalf("terminal event sent: %v, want %v", got, c.terminal)
			}
			if got := fxNotJSON(t, c.src[0].Stream, rec.Body.Bytes()); got != c.bad {
				t.Fatalf("%d events are not JSON, want %d", got, c.bad)
			}
			if c.err == ErrCut {
				if s.Send(c.src[1]) != ErrCut || s.Send(wire.Event{Kind: wire.End}) != ErrCut {
					t.Fatal("a send after the cut did not return ErrCut")
				}
			}
			wantSleeps := []time.Duration(nil)
			if c.fault.Stall != nil {
				wantSleeps = []time.Duration{c.fault.Stall.Duration.D()}
			}
			if got := clk.Sleeps(); !slices.Equal(got, wantSleeps) {
				t.Fatalf("slept %v, want %v", got, wantSleeps)
			}
		})
	}
}
