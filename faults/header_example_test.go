package faults

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/llm-simulator/llm-simulator/wire"
)

// This file is CREATING_FAULTS.md's worked example, which a test keeps
// equal to the guide (TestCreatingFaultsShowsTheExample): a fault as a
// new file in this package would hold it, registered for the tests
// only. header_config_test.go writes it in a config.

// Header sets response headers on whatever answers the request, the
// source or another fault, as a misbehaving gateway in front of the
// provider would.
type Header struct {
	// Set names the headers and their values. Required.
	Set map[string]string `yaml:"set"`
}

var (
	_ Stage     = (*Header)(nil)
	_ Validator = (*Header)(nil)
)

// Kind implements Fault.
func (*Header) Kind() string { return "header" }

// Validate implements Validator. Its messages use the config's names.
func (h *Header) Validate() error {
	if len(h.Set) == 0 {
		return errors.New("header: set at least one header")
	}
	return nil
}

// Wrap implements Stage. The state of one response lives in the returned
// sink, so one Header serves any number of responses at once.
func (h *Header) Wrap(_ context.Context, _ *Exchange, next wire.Sink) wire.Sink {
	return headerSet{f: h, next: next}
}

type headerSet struct {
	f    *Header
	next wire.Sink
}

func (s headerSet) Send(ev wire.Event) error {
	if ev.Kind == wire.Head {
		ev.Header = ev.Header.Clone() // sources reuse theirs
		for k, v := range s.f.Set {
			ev.Header.Set(k, v)
		}
	}
	return s.next.Send(ev)
}

// The registry line, which registry.go's init would hold.
func init() { Register("header", func() Fault { return new(Header) }) }

// What a client sees: the headers set on a plain answer and on a stream,
// whatever the answer's own, and the body untouched.
func TestHeaderSetsTheAnswersHeaders(t *testing.T) {
	f := &Header{Set: map[string]string{"x-cache": "MISS", "Server": "gateway"}}
	for _, stream := range []bool{false, true} {
		x, _ := testExchange("openai")
		rec, w := recorder()
		head := wire.Event{Kind: wire.Head, Status: http.StatusOK, Header: http.Header{"Server": {"upstream"}}}
		body := wire.Event{Kind: wire.Chunk, Data: []byte(`{"ok":true}`)}
		if stream {
			head.Stream, body = wire.OpenAIChat, wire.Event{Kind: wire.SSE, Data: []byte(`{"ok":true}`)}
		}
		sink := f.Wrap(context.Background(), x, w)
		for _, ev := range []wire.Event{head, body, {Kind: wire.End}} {
			if err := sink.Send(ev); err != nil {
				t.Fatal(err)
			}
		}
		if h := rec.Header(); h.Get("X-Cache") != "MISS" || h.Get("Server") != "gateway" || rec.Code != 200 {
			t.Errorf("stream %v: %d %v", stream, rec.Code, h)
		}
		if want := `{"ok":true}`; stream && rec.Body.String() != "data: "+want+"\n\n" || !stream && rec.Body.String() != want {
			t.Errorf("stream %v: body %q", stream, rec.Body)
		}
	}
	if err := (&Header{}).Validate(); err == nil {
		t.Error("a header fault that sets nothing is valid")
	}
}
