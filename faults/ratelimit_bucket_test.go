package faults

import (
	"testing"
	"time"
)

func TestBucketArithmetic(t *testing.T) {
	type step struct {
		advance   time.Duration
		take      int64
		remaining int64
		debt      time.Duration
		wait1     time.Duration // wait for one unit after the step
	}
	cases := []struct {
		name  string
		limit int64
		steps []step
	}{
		{"a fresh bucket is full", 60, []step{{0, 0, 60, 0, 0}}},
		{"each request costs its share of the minute", 3, []step{
			{0, 1, 2, 20 * time.Second, 0},
			{0, 1, 1, 40 * time.Second, 0},
			{0, 1, 0, time.Minute, 20 * time.Second},
		}},
		{"refill is continuous", 3, []step{
			{0, 3, 0, time.Minute, 20 * time.Second},
			{10 * time.Second, 0, 0, 50 * time.Second, 10 * time.Second},
			{10 * time.Second, 0, 1, 40 * time.Second, 0},
			{40 * time.Second, 0, 3, 0, 0},
			{time.Hour, 0, 3, 0, 0}, // never above capacity
		}},
		{"an overdrawn bucket delays the next request", 1000, []step{
			{0, 1500, 0, 90 * time.Second, 30*time.Second + 60*time.Millisecond},
			{30 * time.Second, 0, 0, time.Minute, 60 * time.Millisecond},
			{30 * time.Second, 0, 500, 30 * time.Second, 0},
		}},
		{"costs are whole nanoseconds", 7, []step{
			{0, 1, 6, 8571428571, 0},
			{0, 6, 0, 59999999999, 8571428570},
		}},
		{"a huge take is capped", 1, []step{
			{0, 1 << 62, 0, maxDebt, maxDebt},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			now := testStart
			b := bucket{limit: c.limit}
			for i, s := range c.steps {
				now = now.Add(s.advance)
				b.take(now, s.take)
				if r, d, w := b.remaining(now), b.debt(now), b.wait(now, 1); r != s.remaining || d != s.debt || w != s.wait1 {
					t.Fatalf("step %d: remaining %d debt %v wait %v, want %d %v %v", i, r, d, w, s.remaining, s.debt, s.wait1)
				}
			}
		})
	}
}

func TestRateStateAdmitsAllOrNothing(t *testing.T) {
	s := newRateState([nLimits]int64{10, 1000, 0, 0})
	if v := s.admit(testStart, [nLimits]int64{1, 900, 900, 0}); v.refused != -1 {
		t.Fatalf("first request refused by %d", v.refused)
	}
	v := s.admit(testStart, [nLimits]int64{1, 200, 200, 0})
	if v.refused != limTokens || v.need != 200 || v.tooLarge {
		t.Fatalf("verdict %+v", v)
	}
	if got := v.view[limRequests].remaining; got != 9 {
		t.Fatalf("a refused request took a request: %d remain", got)
	}
	if v := s.admit(testStart, [nLimits]int64{1, 5000, 5000, 0}); !v.tooLarge || v.refused != limTokens {
		t.Fatalf("a request larger than the limit: %+v", v)
	}
}

func TestOpenAIDuration(t *testing.T) {
	cases := map[time.Duration]string{
		0:                                  "0s",
		time.Second:                        "1s",
		6 * time.Minute:                    "6m0s",
		59999 * time.Millisecond:           "59.999s",
		120 * time.Millisecond:             "120ms",
		time.Nanosecond:                    "1ms",
		time.Second + 100*time.Microsecond: "1.001s",
		time.Minute + 23*time.Second:       "1m23s",
		8571428572:                         "8.572s",
		2*time.Hour + 3*time.Minute + 17*time.Millisecond: "2h3m0.017s",
	}
	for d, want := range cases {
		if got := openAIDuration(d); got != want {
			t.Errorf("%d: %q, want %q", d, got, want)
		}
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 50: "50", 999: "999", 1000: "1,000", 50000: "50,000", 1234567: "1,234,567", -4000: "-4,000"} {
		if got := thousands(n); got != want {
			t.Errorf("%d: %q, want %q", n, got, want)
		}
	}
}
