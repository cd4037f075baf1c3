package clock

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestRealSleepEndsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := (Real{}).Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep on a done context returned %v", err)
	}
	if err := (Real{}).Sleep(context.Background(), 0); err != nil {
		t.Fatalf("a zero sleep returned %v", err)
	}
}

func TestManualClock(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := NewManual(start)
	_ = c.Sleep(context.Background(), 2*time.Second)
	c.Advance(time.Minute)
	_ = c.Sleep(context.Background(), -time.Second)
	if got, want := c.Now(), start.Add(time.Minute+2*time.Second); !got.Equal(want) {
		t.Fatalf("now %v, want %v", got, want)
	}
	if s := c.Sleeps(); len(s) != 2 || s[0] != 2*time.Second {
		t.Fatalf("sleeps %v", s)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if c.Sleep(ctx, time.Second) == nil {
		t.Fatal("a done context slept")
	}
}
