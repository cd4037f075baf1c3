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

// A Sleeper waits as Clock.Sleep does, sleep after sleep on its one timer,
// and returns at once with the context's error when it is cancelled.
func TestSleeperReusesItsTimer(t *testing.T) {
	s := Sleeper{Clock: Real{}}
	for range 3 {
		start := time.Now()
		if err := s.Sleep(context.Background(), 5*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		if waited := time.Since(start); waited < 5*time.Millisecond {
			t.Fatalf("woke after %v, before the 5ms asked", waited)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled sleep returned %v", err)
	}
	// The stopped timer is reused as well.
	if err := s.Sleep(context.Background(), time.Millisecond); err != nil {
		t.Fatal(err)
	}
	m := NewManual(time.Unix(0, 0))
	ms := Sleeper{Clock: m}
	ms.Sleep(context.Background(), time.Second)
	if got := m.Sleeps(); len(got) != 1 || got[0] != time.Second {
		t.Fatalf("a Sleeper on a Manual clock sleeps on it; got %v", got)
	}
}

// BenchmarkSleeper: a stream's gap on one reused timer against a new timer
// per gap (Real.Sleep).
func BenchmarkSleeper(b *testing.B) {
	ctx := context.Background()
	b.Run("reused", func(b *testing.B) {
		s := Sleeper{Clock: Real{}}
		b.ReportAllocs()
		for b.Loop() {
			s.Sleep(ctx, time.Microsecond)
		}
	})
	b.Run("per-sleep", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Real{}.Sleep(ctx, time.Microsecond)
		}
	})
}
