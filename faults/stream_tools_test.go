package faults

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"

	"github.com/llm-simulator/llm-simulator/wire"
)

// fxPlay sends evs to s as a source does, stopping at the first error. It
// returns how many sends succeeded and that error.
func fxPlay(s wire.Sink, evs []wire.Event) (int, error) {
	for i, ev := range evs {
		if err := s.Send(ev); err != nil {
			return i, err
		}
	}
	return len(evs), nil
}

// fxWire is what a client reads for evs: SSE events as Raw or the
// Writer's framing, chunks verbatim, heads and ends nothing.
func fxWire(evs ...wire.Event) string {
	var b []byte
	for _, ev := range evs {
		switch {
		case ev.Kind == wire.SSE && ev.Raw != nil:
			b = append(b, ev.Raw...)
		case ev.Kind == wire.SSE:
			b = wire.AppendSSE(b, ev.Name, ev.Data)
		case ev.Kind == wire.Chunk:
			b = append(b, ev.Data...)
		}
	}
	return string(b)
}

// fxParse splits a client's bytes back into events, copied.
func fxParse(t *testing.T, body []byte) []wire.Event {
	t.Helper()
	var p wire.SSEParser
	var evs []wire.Event
	err := p.Feed(body, func(ev wire.Event) error {
		evs = append(evs, wire.Event{Kind: ev.Kind, Name: ev.Name, Data: bytes.Clone(ev.Data)})
		return nil
	})
	if err != nil || len(p.Pending()) != 0 {
		t.Fatalf("parse: %v, %q left over", err, p.Pending())
	}
	return evs
}

// fxTerminal reports whether the client got framing's terminal event.
func fxTerminal(t *testing.T, framing wire.Stream, body []byte) bool {
	t.Helper()
	for _, ev := range fxParse(t, body) {
		if framing.Terminal(ev) {
			return true
		}
	}
	return false
}

// fxReplace is evs with evs[i] replaced by ev.
func fxReplace(evs []wire.Event, i int, ev wire.Event) []wire.Event {
	evs = slices.Clone(evs)
	evs[i] = ev
	return evs
}

// fxCorrupt is ev as MalformedAfterEvents sends it.
func fxCorrupt(ev wire.Event) wire.Event {
	ev.Data, ev.Raw = ev.Data[:len(ev.Data)/2], nil
	return ev
}

// fxNotJSON counts the events the client got whose data does not parse,
// keep-alives and the terminal [DONE] aside.
func fxNotJSON(t *testing.T, framing wire.Stream, body []byte) int {
	t.Helper()
	n := 0
	for _, ev := range fxParse(t, body) {
		if ev.Data != nil && !framing.Terminal(ev) && !json.Valid(ev.Data) {
			n++
		}
	}
	return n
}
