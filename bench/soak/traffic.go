package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// traffic is the clients: each sends one request after another, of a
// kind drawn at random, until the context ends.
type traffic struct {
	p       *process
	workers int
	tr      *http.Transport
	client  *http.Client
	// pause is held for reading by every request in flight; a sample
	// takes it for writing, so it sees the process with none.
	pause sync.RWMutex

	ok, limited, clientErr, faultErr, sendErr, bodyErr atomic.Int64
}

func newTraffic(p *process, workers int) *traffic {
	tr := &http.Transport{MaxIdleConnsPerHost: workers, DisableCompression: true}
	return &traffic{p: p, workers: workers, tr: tr, client: &http.Client{Transport: tr, Timeout: time.Minute}}
}

func (t *traffic) run(ctx context.Context) {
	var wg sync.WaitGroup
	for i := range t.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 42))
			for ctx.Err() == nil {
				t.pause.RLock()
				t.one(ctx, rng)
				t.pause.RUnlock()
			}
		}()
	}
	wg.Wait()
}

// quiesced runs f with no request in flight and no idle connection
// open, after a second for the process's goroutines to wind down.
func (t *traffic) quiesced(f func() (sample, error)) (sample, error) {
	t.pause.Lock()
	defer t.pause.Unlock()
	t.tr.CloseIdleConnections()
	time.Sleep(time.Second)
	return f()
}

var soakHeaders = []string{"", "", "errors", "cut", "limited", "slow", "temp"}

// one sends one request: a provider, streamed or not, a rule by its
// x-soak header, and an API key of many.
func (t *traffic) one(ctx context.Context, rng *rand.Rand) {
	anthropic := rng.IntN(2) == 0
	stream := rng.IntN(2) == 0
	key := fmt.Sprintf("sk-soak-%d", rng.IntN(50000))
	path, body := "/v1/chat/completions", fmt.Sprintf(`{"model":"gpt-4o-mini","stream":%v,"messages":[{"role":"user","content":"soak %d"}]}`, stream, rng.IntN(100))
	if anthropic {
		path, body = "/v1/messages", fmt.Sprintf(`{"model":"claude-sonnet-4-5","max_tokens":64,"stream":%v,"messages":[{"role":"user","content":"soak %d"}]}`, stream, rng.IntN(100))
	} else if rng.IntN(10) == 0 {
		path, body = "/v1/embeddings", `{"model":"text-embedding-3-small","input":"soak"}`
	}
	req, err := http.NewRequestWithContext(ctx, "POST", "http://"+t.p.proxy+path, strings.NewReader(body))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if anthropic {
		req.Header.Set("X-Api-Key", key)
		req.Header.Set("Anthropic-Version", "2023-06-01")
	} else {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if h := soakHeaders[rng.IntN(len(soakHeaders))]; h != "" {
		req.Header.Set("X-Soak", h)
	}
	resp, err := t.client.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			t.sendErr.Add(1)
		}
		return
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil && ctx.Err() == nil {
		t.bodyErr.Add(1) // a cut stream may end so
	}
	switch s := resp.StatusCode; {
	case s < 300:
		t.ok.Add(1)
	case s == 429:
		t.limited.Add(1)
	case s < 500:
		t.clientErr.Add(1)
	case resp.Header.Get("X-Llmsim-Faults") != "":
		t.faultErr.Add(1)
	default:
		t.p.unexplained.Add(1)
	}
}

func (t *traffic) counts() string {
	return fmt.Sprintf("%d ok, %d 429, %d other 4xx, %d 5xx from faults, %d 5xx unexplained, %d send errors, %d cut bodies",
		t.ok.Load(), t.limited.Load(), t.clientErr.Load(), t.faultErr.Load(), t.p.unexplained.Load(), t.sendErr.Load(), t.bodyErr.Load())
}
