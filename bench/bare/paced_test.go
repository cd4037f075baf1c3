package main

import (
	"testing"
	"time"
)

// TestPacingShapesAChatStream checks the schedule bench/scale.sh asks for:
// role and first token together after first, a gap before each further
// token, finish reason and [DONE] right after the last one.
func TestPacingShapesAChatStream(t *testing.T) {
	p := pacing{first: 100 * time.Millisecond, gap: 100 * time.Millisecond, head: 2, tail: 2}
	const n = 6 // role, 2 more tokens after the first, finish, [DONE]
	want := []time.Duration{100, 100, 200, 300, 300, 300}
	at := time.Unix(0, 0).Add(p.first)
	for i := range n {
		at = p.due(i, n, at)
		if got := at.Sub(time.Unix(0, 0)); got != want[i]*time.Millisecond {
			t.Errorf("event %d due at %v, want %v", i, got, want[i]*time.Millisecond)
		}
	}
}

func TestSplitEvents(t *testing.T) {
	got := splitEvents([]byte("data: a\n\ndata: b\n\ndata: [DONE]\n\n"))
	if len(got) != 3 || string(got[2]) != "data: [DONE]\n\n" {
		t.Errorf("splitEvents = %q", got)
	}
}
