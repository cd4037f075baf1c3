package main

import (
	"math"
	"testing"
	"time"
)

func TestBucketsHoldTheirValues(t *testing.T) {
	for _, d := range []time.Duration{0, 1, 127, 128, 129, 255, 256, 1000, time.Millisecond,
		100 * time.Millisecond, 5 * time.Second, time.Hour, math.MaxInt64} {
		i := bucketOf(d)
		mid := bucketMid(i)
		if rel := math.Abs(mid-float64(d)) / max(float64(d), 1); rel > 1.0/(1<<subBits) {
			t.Errorf("%v: bucket %d's middle is %.0f, %.2f%% off", d, i, mid, rel*100)
		}
		if i < 0 || i >= nBuckets {
			t.Errorf("%v: bucket %d out of range", d, i)
		}
	}
	for i := 1; i < nBuckets; i++ {
		if bucketMid(i) <= bucketMid(i-1) {
			t.Fatalf("bucket %d's middle %.0f is not above bucket %d's %.0f", i, bucketMid(i), i-1, bucketMid(i-1))
		}
	}
}

func TestQuantilesAndMerge(t *testing.T) {
	var a, b, sum hist
	for i := 1; i <= 990; i++ {
		a.add(100 * time.Millisecond)
	}
	for i := 1; i <= 10; i++ {
		b.add(200 * time.Millisecond)
	}
	sum.merge(a.sparse())
	sum.merge(b.sparse())
	s := sum.stats()
	if s.Count != 1000 || math.Abs(s.P50-100) > 0.5 || math.Abs(s.P99-100) > 0.5 || math.Abs(s.P999-200) > 1 || math.Abs(s.Max-200) > 1 {
		t.Errorf("stats = %+v, want 1000 samples, p50 and p99 100ms, p99.9 and max 200ms", s)
	}
}

func TestEventScanner(t *testing.T) {
	tests := []struct {
		name   string
		chunks []string
		want   []int
	}{
		{"one event a read", []string{"data: a\n\n", "data: b\n\n"}, []int{1, 1}},
		{"two in one read", []string{"data: a\n\ndata: b\n\n"}, []int{2}},
		{"split anywhere", []string{"data: a\n", "\nda", "ta: b\n\n"}, []int{0, 1, 1}},
		{"crlf", []string{"event: x\r\ndata: a\r\n\r\n"}, []int{1}},
		{"extra blank lines dispatch nothing", []string{"\n\ndata: a\n\n\n\n"}, []int{1}},
		{"multi-line event", []string{"event: e\ndata: 1\ndata: 2\n\n"}, []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s eventScanner
			for i, c := range tt.chunks {
				if got := s.count([]byte(c)); got != tt.want[i] {
					t.Errorf("read %d (%q): %d events, want %d", i, c, got, tt.want[i])
				}
			}
		})
	}
}

func TestScanningAllocatesNothing(t *testing.T) {
	var s eventScanner
	var h hist
	p := []byte("data: {\"choices\":[{\"delta\":{\"content\":\"lorem\"}}]}\n\n")
	if n := testing.AllocsPerRun(100, func() { s.count(p); h.add(time.Millisecond) }); n != 0 {
		t.Errorf("%v allocations an event", n)
	}
}
