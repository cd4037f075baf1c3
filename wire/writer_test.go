package wire

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestWriterDefersHeaderUntilFirstBodyEvent(t *testing.T) {
	rec := httptest.NewRecorder()
	w := NewWriter(rec)
	h := http.Header{"Content-Type": {"text/event-stream"}}
	if err := w.Send(Event{Kind: Head, Status: 200, Header: h, Stream: OpenAIChat}); err != nil {
		t.Fatal(err)
	}
	if w.Started() || rec.Flushed {
		t.Fatal("header went out before any body event")
	}
	// A stage may still replace the status before the body starts.
	if err := w.Send(Event{Kind: Head, Status: 429, Header: http.Header{"Retry-After": {"1"}}, Stream: OpenAIChat}); err != nil {
		t.Fatal(err)
	}
	if err := w.Send(Event{Kind: SSE, Data: []byte(`{"x":1}`)}); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 429 || !rec.Flushed {
		t.Fatalf("status %d flushed %v, want 429 and flushed", rec.Code, rec.Flushed)
	}
	if rec.Header().Get("Content-Type") != "" || rec.Header().Get("Retry-After") != "1" {
		t.Fatalf("the second head did not replace the first: %v", rec.Header())
	}
	if err := w.Send(Event{Kind: Head, Status: 500}); err == nil {
		t.Fatal("a head after the body started was accepted")
	}
	if err := w.Send(DoneEvent()); err != nil {
		t.Fatal(err)
	}
	if err := w.Send(Event{Kind: End}); err != nil {
		t.Fatal(err)
	}
	if got, want := rec.Body.String(), "data: {\"x\":1}\n\ndata: [DONE]\n\n"; got != want {
		t.Fatalf("body %q, want %q", got, want)
	}
	if w.Events() != 2 || w.Stream() != OpenAIChat {
		t.Fatalf("events %d stream %v", w.Events(), w.Stream())
	}
	if err := w.Send(Event{Kind: Chunk, Data: []byte("x")}); !errors.Is(err, ErrEnded) {
		t.Fatalf("send after end: %v", err)
	}
}

func TestWriterSendsRawEventsVerbatim(t *testing.T) {
	rec := httptest.NewRecorder()
	w := NewWriter(rec)
	raw := []byte("event: ping\r\ndata: {}\r\n\r\n")
	if err := w.Send(Event{Kind: SSE, Name: "ignored", Data: []byte("ignored"), Raw: raw}); err != nil {
		t.Fatal(err)
	}
	if rec.Body.String() != string(raw) {
		t.Fatalf("body %q", rec.Body.String())
	}
}

func TestEndWithoutBodyWritesStatus(t *testing.T) {
	rec := httptest.NewRecorder()
	w := NewWriter(rec)
	_ = w.Send(Event{Kind: Head, Status: 204})
	_ = w.Send(Event{Kind: End})
	if rec.Code != 204 || !w.Ended() {
		t.Fatalf("code %d", rec.Code)
	}
}

func TestStreamTerminalEvents(t *testing.T) {
	cases := []struct {
		s    Stream
		ev   Event
		want bool
	}{
		{OpenAIChat, DoneEvent(), true},
		{OpenAIChat, Event{Kind: SSE, Data: []byte(`{"choices":[]}`)}, false},
		{OpenAIResponses, Event{Kind: SSE, Name: "response.completed"}, true},
		{OpenAIResponses, Event{Kind: SSE, Name: "response.incomplete"}, true},
		{OpenAIResponses, Event{Kind: SSE, Name: "response.output_text.delta"}, false},
		{Anthropic, Event{Kind: SSE, Name: "message_stop"}, true},
		{Anthropic, Event{Kind: SSE, Name: "message_delta"}, false},
		{NotStream, Event{Kind: End}, false},
	}
	for _, c := range cases {
		if got := c.s.Terminal(c.ev); got != c.want {
			t.Errorf("%v.Terminal(%s %q) = %v", c.s, c.ev.Kind, c.ev.Name, got)
		}
	}
}

func TestChunkFlushOnRequest(t *testing.T) {
	rec := httptest.NewRecorder()
	w := NewWriter(rec)
	_ = w.Send(Event{Kind: Head, Header: http.Header{"Content-Length": {"2"}}})
	_ = w.Send(Event{Kind: Chunk, Data: []byte("a")})
	if rec.Flushed {
		t.Fatal("a sized body's chunk was flushed unasked")
	}
	_ = w.Send(Event{Kind: Chunk, Data: []byte("b"), Flush: true})
	if !rec.Flushed {
		t.Fatal("a chunk that asked to be flushed was not")
	}
}
