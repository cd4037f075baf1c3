package telemetry

import (
	"testing"
	"time"
)

// BenchmarkObserve is the metrics' cost per request once its label
// tuples have been seen: the target is no allocation.
func BenchmarkObserve(b *testing.B) {
	m := NewMetrics("bench")
	r := streamRecord()
	m.Observe(r)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.Observe(r)
		}
	})
}

// BenchmarkJournalAdd is the journal's cost per request: one lock and a
// copy into a slot.
func BenchmarkJournalAdd(b *testing.B) {
	j := NewJournal(1000)
	r := &Record{Time: time.Now(), RequestID: "chatcmpl-1", Method: "POST", Path: "/v1/chat/completions",
		Provider: "openai", Model: "gpt-4o", Rule: "default", Action: "simulate", Source: "simulated", Status: 200}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			j.Add(r)
		}
	})
}
