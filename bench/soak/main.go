// Command soak runs llm-simulator for a long time under mixed traffic —
// chat and streams for both providers, error faults, cut streams, rate
// limits by API key (with new keys all along), latency — while the
// config is reloaded (SIGHUP and the admin endpoint, in turn) and the
// admin API toggles a rule and adds and deletes temporary faults. It
// samples the process's resident memory, live heap and goroutines at the
// start (after a warm-up), the middle and the end, each time with the
// traffic paused so that in-flight requests do not count, prints them,
// and exits 1 if they grew past the tolerances, if a 5xx came without a
// fault to explain it, or if the log shows a panic.
//
//	go build -o /tmp/llm-simulator ./cmd/llm-simulator
//	go run ./bench/soak -bin /tmp/llm-simulator -duration 10m
//
// bench/soak.sh does both.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	o := options{}
	flag.StringVar(&o.bin, "bin", "", "the llm-simulator binary (required)")
	flag.DurationVar(&o.duration, "duration", 10*time.Minute, "how long the traffic runs")
	flag.IntVar(&o.workers, "workers", 16, "concurrent clients, each sending one request after another")
	flag.Float64Var(&o.rssGrowth, "rss-growth", 1.25, "the end's resident memory may be this many times the start's…")
	flag.Int64Var(&o.rssSlackMiB, "rss-slack", 16, "…plus this many MiB")
	flag.IntVar(&o.goroutineSlack, "goroutine-slack", 20, "the end may have this many more goroutines than the start")
	flag.Parse()
	if o.bin == "" {
		fmt.Fprintln(os.Stderr, "soak: -bin is required")
		os.Exit(2)
	}
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

type options struct {
	bin            string
	duration       time.Duration
	workers        int
	rssGrowth      float64
	rssSlackMiB    int64
	goroutineSlack int
}

func run(ctx context.Context, o options) error {
	dir, err := os.MkdirTemp("", "llmsim-soak-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	p, err := startProcess(o.bin, dir)
	if err != nil {
		return err
	}
	defer p.kill()
	fmt.Printf("soak: %v of traffic from %d clients, pid %d, proxy %s, admin %s\n", o.duration, o.workers, p.cmd.Process.Pid, p.proxy, p.admin)

	ctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	t := newTraffic(p, o.workers)
	done := make(chan struct{})
	go func() { t.run(ctx); close(done) }()
	c := &churn{p: p}
	go c.run(ctx)

	// The start sample comes after a warm-up: pools, caches and the
	// heap's goal settle in the first tenth.
	start := time.Now()
	var samples []sample
	for _, at := range []struct {
		name  string
		after time.Duration
	}{{"start", o.duration / 10}, {"middle", o.duration / 2}, {"end", o.duration - 2*time.Second}} {
		time.Sleep(time.Until(start.Add(at.after)))
		s, err := t.quiesced(func() (sample, error) { return p.sample(at.name) })
		if err != nil {
			return err
		}
		samples = append(samples, s)
		fmt.Println(s)
	}
	<-done
	cancel()
	return verdict(o, samples, t.counts(), c.counts(), p)
}

// verdict prints the traffic's tally and fails the run on growth, on a
// 5xx no fault explains, or on a panic in the log.
func verdict(o options, samples []sample, traffic, churn string, p *process) error {
	fmt.Println("traffic:", traffic)
	fmt.Println("churn:  ", churn)
	first, last := samples[0], samples[len(samples)-1]
	var problems []string
	rssLimit := int64(float64(first.rss)*o.rssGrowth) + o.rssSlackMiB<<20
	if last.rss > rssLimit {
		problems = append(problems, fmt.Sprintf("resident memory grew from %s to %s (limit %s)", mib(first.rss), mib(last.rss), mib(rssLimit)))
	}
	if last.goroutines > first.goroutines+o.goroutineSlack {
		problems = append(problems, fmt.Sprintf("goroutines grew from %d to %d (limit +%d)", first.goroutines, last.goroutines, o.goroutineSlack))
	}
	if n := p.unexplained.Load(); n > 0 {
		problems = append(problems, fmt.Sprintf("%d answers were 5xx with no fault to explain them", n))
	}
	if line := p.panicLine(); line != "" {
		problems = append(problems, "the log shows a panic: "+line)
	}
	if len(problems) > 0 {
		return fmt.Errorf("FAIL: %v", problems)
	}
	fmt.Printf("PASS: resident memory %s → %s (limit %s), goroutines %d → %d (limit +%d)\n",
		mib(first.rss), mib(last.rss), mib(rssLimit), first.goroutines, last.goroutines, o.goroutineSlack)
	return nil
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
