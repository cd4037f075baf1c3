package main

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// subBits sets the histogram's precision: 2^subBits buckets per power of
// two, so a bucket is narrower than 1/1024 of the values it holds (100 ms
// lands in a bucket 65 µs wide, reported by its midpoint: ±33 µs).
const subBits = 10

// nBuckets covers every positive int64: exact below 2^subBits ns, then
// 2^subBits buckets for each further power of two.
const nBuckets = (65 - subBits) << subBits

// hist is a log-linear histogram of durations that goroutines add to at
// once without a lock, and without allocating: one atomic add a sample.
type hist struct {
	counts [nBuckets]atomic.Uint64
}

// bucketOf is the index of d's bucket; negative durations count as zero.
func bucketOf(d time.Duration) int {
	v := uint64(max(d, 0))
	if v < 1<<subBits {
		return int(v)
	}
	e := bits.Len64(v) - subBits - 1 // v>>e has subBits+1 bits
	return e<<subBits + int(v>>e)
}

// bucketMid is the middle of bucket i's range, in nanoseconds.
func bucketMid(i int) float64 {
	if i < 1<<subBits {
		return float64(i)
	}
	e := i>>subBits - 1
	m := uint64(i - e<<subBits)
	return float64(m<<e) + float64(uint64(1)<<e)/2
}

func (h *hist) add(d time.Duration) { h.counts[bucketOf(d)].Add(1) }

// bucket is one non-empty bucket of a histogram as reports carry it.
type bucket struct {
	Index int    `json:"i"`
	Count uint64 `json:"n"`
}

// sparse is h's non-empty buckets in order, for a report.
func (h *hist) sparse() []bucket {
	var out []bucket
	for i := range h.counts {
		if n := h.counts[i].Load(); n > 0 {
			out = append(out, bucket{i, n})
		}
	}
	return out
}

// merge adds a report's buckets to h.
func (h *hist) merge(bs []bucket) {
	for _, b := range bs {
		if b.Index >= 0 && b.Index < nBuckets {
			h.counts[b.Index].Add(b.Count)
		}
	}
}

// stats summarises a histogram in milliseconds.
type stats struct {
	Count uint64  `json:"count"`
	P50   float64 `json:"p50_ms"`
	P99   float64 `json:"p99_ms"`
	P999  float64 `json:"p999_ms"`
	Max   float64 `json:"max_ms"`
}

// total is how many samples h holds.
func (h *hist) total() uint64 {
	var n uint64
	for i := range h.counts {
		n += h.counts[i].Load()
	}
	return n
}

func (h *hist) stats() stats {
	total := h.total()
	s := stats{Count: total}
	if total == 0 {
		return s
	}
	s.P50, s.P99, s.P999 = h.quantile(0.50, total), h.quantile(0.99, total), h.quantile(0.999, total)
	for i := nBuckets - 1; i >= 0; i-- {
		if h.counts[i].Load() > 0 {
			s.Max = bucketMid(i) / 1e6
			break
		}
	}
	return s
}

// quantile is the midpoint, in milliseconds, of the bucket holding the
// sample of rank ceil(q·total).
func (h *hist) quantile(q float64, total uint64) float64 {
	rank := uint64(math.Ceil(q * float64(total)))
	var seen uint64
	for i := range h.counts {
		if seen += h.counts[i].Load(); seen >= max(rank, 1) {
			return bucketMid(i) / 1e6
		}
	}
	return 0
}
