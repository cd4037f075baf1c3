package faults

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/llm-simulator/llm-simulator/config/units"
	"github.com/llm-simulator/llm-simulator/wire"
)

// Backpressure is a concurrency limit with a bounded queue. It serves at
// most MaxConcurrency requests at once per rule and scope; up to Queue
// more wait, first come first served, for at most QueueTimeout of wall-
// clock time. The wait happens before the source, so it counts toward
// the client's time to first token, as a provider's queue does. A request
// that finds the queue full, or waits too long, gets the provider's
// overload answer: for OpenAI-style providers 503 (server_error, "The
// server is overloaded or not ready yet.") unless Status is 429, the
// canned rate-limit error; Anthropic always answers 529
// overloaded_error; Azure's default is its 429 "experiencing high demand".
type Backpressure struct {
	// MaxConcurrency is how many requests are served at once. Required.
	MaxConcurrency int `yaml:"max_concurrency"`
	// Queue is how many more may wait. Default 0: none wait.
	Queue int `yaml:"queue"`
	// QueueTimeout bounds a wait. Default 30s.
	QueueTimeout units.Duration `yaml:"queue_timeout"`
	// Status is OpenAI's overload status: 503 (default) or 429. Anthropic
	// always answers 529.
	Status int `yaml:"status"`

	// in keeps the limiters: a Backpressure not bound by NewInstance has
	// nowhere to queue and lets every request through.
	in *Instance
}

var (
	_ Admitter  = (*Backpressure)(nil)
	_ Validator = (*Backpressure)(nil)
	_ stateful  = (*Backpressure)(nil)
)

// DefaultQueueTimeout bounds a wait when the config gives no
// queue_timeout.
const DefaultQueueTimeout = 30 * time.Second

// overloadRetryAfter is the retry-after sent with an overload answer:
// short, because a queue drains in seconds.
const overloadRetryAfter = time.Second

// Kind implements Fault.
func (*Backpressure) Kind() string { return "backpressure" }

func (b *Backpressure) boundTo(in *Instance) Fault {
	bound := *b
	bound.in = in
	return &bound
}

// Validate implements Validator: the sizes are in range, and the status
// is one OpenAI answers overload with.
func (b *Backpressure) Validate() error {
	switch {
	case b.MaxConcurrency < 1:
		return errors.New("max_concurrency must be at least 1")
	case b.Queue < 0 || b.QueueTimeout < 0:
		return errors.New("queue and queue_timeout must not be negative")
	case b.Status != 0 && b.Status != http.StatusServiceUnavailable && b.Status != http.StatusTooManyRequests:
		return fmt.Errorf("status %d is not 503 or 429", b.Status)
	}
	return nil
}

// Admit implements Admitter. The slot is held until the response ends.
func (b *Backpressure) Admit(ctx context.Context, x *Exchange, out wire.Sink) (bool, error) {
	if b.in == nil {
		return false, nil
	}
	release, err := b.limiter(x).Acquire(ctx)
	switch {
	case err == nil:
		x.OnDone(func(Outcome) { release() })
		return false, nil
	case errors.Is(err, ErrQueueFull), errors.Is(err, ErrQueueTimeout):
		return true, wire.WriteError(out, x.Dialect, Overloaded(x.Dialect, b.Status), x.RequestID)
	}
	return false, err // the client went away while queued
}

func (b *Backpressure) limiter(x *Exchange) *Limiter {
	// Not the empty sub-key: the instance keeps its gate's counter there.
	return b.in.State(x, "queue", func() any {
		return NewLimiter(b.MaxConcurrency, b.Queue, cmp.Or(b.QueueTimeout.D(), DefaultQueueTimeout))
	}).(*Limiter)
}

// Overloaded is the provider's "try again shortly" when capacity is
// exhausted — a backpressure queue here, a model's max_concurrency in
// the front: OpenAI's 503 (status, when not zero, in its place),
// Anthropic's 529, Azure's 429 "high demand" unless status is given,
// Gemini's 503 UNAVAILABLE; with x-should-retry, so the official SDKs
// retry it whatever their own rules say, and a one-second retry-after.
func Overloaded(d wire.Dialect, status int) *wire.APIError {
	code := cmp.Or(status, http.StatusServiceUnavailable)
	if d.Name() == "anthropic" {
		code = 529
	}
	ae := wire.Canned(d, code, "")
	if d.Name() == "azure" && status == 0 {
		ae = wire.AzureOverloaded()
	}
	ae.Header = http.Header{"X-Should-Retry": {"true"}}
	RetryAfter(ae, d, overloadRetryAfter)
	return ae
}
