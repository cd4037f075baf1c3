package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"syscall"
	"time"
)

// report is a run's outcome. Its histograms let reports of several
// processes be added up exactly (mergeReports).
type report struct {
	Streams   int              `json:"streams"` // workers, -c
	Opened    int64            `json:"opened"`
	Completed int64            `json:"completed"`
	Failed    int64            `json:"failed"`
	Cut       int64            `json:"cut"`
	Events    uint64           `json:"events"`
	Errors    map[string]int64 `json:"errors,omitempty"` // failures by kind, at most 20 kinds
	Seconds   float64          `json:"seconds"`
	CPU       float64          `json:"cpu_seconds"` // the client's own, user and system
	TTFT      stats            `json:"ttft"`
	Gap       stats            `json:"gap"`
	TTFTHist  []bucket         `json:"ttft_hist"`
	GapHist   []bucket         `json:"gap_hist"`
}

func (l *loader) report(streams int, elapsed time.Duration) *report {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := &report{
		Streams: streams, Opened: l.opened.Load(), Completed: l.completed.Load(),
		Failed: l.failed.Load(), Cut: l.cut.Load(), Errors: maps.Clone(l.errs),
		Seconds: elapsed.Seconds(), CPU: cpuSeconds(), TTFTHist: l.ttft.sparse(), GapHist: l.gap.sparse(),
	}
	r.summarise(&l.ttft, &l.gap)
	return r
}

func (r *report) summarise(ttft, gap *hist) {
	r.TTFT, r.Gap = ttft.stats(), gap.stats()
	r.Events = r.TTFT.Count + r.Gap.Count
}

// mergeReports adds up the JSON reports in the named files.
func mergeReports(files []string) (*report, error) {
	if len(files) == 0 {
		return nil, errors.New("-merge: name the JSON reports to add up")
	}
	sum := &report{}
	var ttft, gap hist
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var r report
		if err := json.Unmarshal(data, &r); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		sum.Streams += r.Streams
		sum.Opened += r.Opened
		sum.Completed += r.Completed
		sum.Failed += r.Failed
		sum.Cut += r.Cut
		sum.Seconds = max(sum.Seconds, r.Seconds)
		sum.CPU += r.CPU
		for k, n := range r.Errors {
			if sum.Errors == nil {
				sum.Errors = map[string]int64{}
			}
			sum.Errors[k] += n
		}
		ttft.merge(r.TTFTHist)
		gap.merge(r.GapHist)
	}
	sum.TTFTHist, sum.GapHist = ttft.sparse(), gap.sparse()
	sum.summarise(&ttft, &gap)
	return sum, nil
}

// cpuSeconds is the CPU time this process has used, user and system.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// print writes r as JSON, or as the one-line summary.
func (r *report) print(w io.Writer, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		return enc.Encode(r)
	}
	_, err := fmt.Fprintf(w, "streams %d: opened %d, completed %d, failed %d, cut %d, events %d; "+
		"ttft p50 %.2fms p99 %.2fms; gap p50 %.2fms p99 %.2fms; client cpu %.1fs\n",
		r.Streams, r.Opened, r.Completed, r.Failed, r.Cut, r.Events,
		r.TTFT.P50, r.TTFT.P99, r.Gap.P50, r.Gap.P99, r.CPU)
	if err == nil && len(r.Errors) > 0 {
		_, err = fmt.Fprintf(w, "errors: %v\n", r.Errors)
	}
	return err
}
