package wire

import (
	"net/http/httptest"
	"testing"
	"time"
)

func TestWriterFirstByteAndOnStart(t *testing.T) {
	rec := httptest.NewRecorder()
	w := NewWriter(rec)
	at := time.Date(2026, 1, 1, 0, 0, 1, 0, time.UTC)
	calls, starts := 0, 0
	w.TimeFirstByte(func() time.Time { calls++; return at })
	w.OnStart(func() {
		starts++
		if rec.Code != 200 || w.FirstByte() != at {
			t.Error("OnStart ran after the header, or before the time was taken")
		}
	})
	_ = w.Send(Event{Kind: Head, Status: 200, Stream: OpenAIChat})
	if starts != 0 || !w.FirstByte().IsZero() {
		t.Fatal("a head alone started the response")
	}
	for range 3 {
		_ = w.Send(Event{Kind: SSE, Data: []byte("{}")})
	}
	_ = w.Send(Event{Kind: End})
	if calls != 1 || starts != 1 || w.FirstByte() != at {
		t.Fatalf("clock read %d times, OnStart %d times, first byte %v", calls, starts, w.FirstByte())
	}

	// Reset turns both off.
	w.Reset(httptest.NewRecorder())
	_ = w.Send(Event{Kind: End})
	if calls != 1 || starts != 1 || !w.FirstByte().IsZero() {
		t.Fatal("Reset kept the clock or the hook")
	}
}

// A Writer not asked to time its first byte reports none.
func TestWriterUntimed(t *testing.T) {
	w := NewWriter(httptest.NewRecorder())
	_ = w.Send(Event{Kind: End})
	if !w.FirstByte().IsZero() {
		t.Fatal("an untimed writer has a first byte")
	}
}
