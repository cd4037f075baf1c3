package faults

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/llm-simulator/llm-simulator/config/units"
	"github.com/llm-simulator/llm-simulator/wire"
)

// Error answers with the provider's own error for a status. The body is
// the provider's usual one for Status (see wire.Canned), in the request's
// provider's own shape, unless Message, Type or Code say otherwise. A
// RetryAfter is sent as retry-after in whole seconds, rounded up, and for
// OpenAI and Azure as retry-after-ms too; ShouldRetry overrides the
// official SDKs' own judgement.
type Error struct {
	// Status is the HTTP status. Required.
	Status int `yaml:"status"`
	// Code picks among a status's errors (OpenAI 429: rate_limit_exceeded
	// or insufficient_quota) or sets the code. Default: the usual one.
	Code string `yaml:"code"`
	// Type overrides the error type.
	Type string `yaml:"type"`
	// Message overrides the message.
	Message string `yaml:"message"`
	// Headers are added to the answer.
	Headers map[string]string `yaml:"headers"`
	// RetryAfter sets retry-after (and retry-after-ms for OpenAI).
	RetryAfter units.Duration `yaml:"retry_after"`
	// ShouldRetry sets x-should-retry, which the official SDKs obey.
	ShouldRetry *bool `yaml:"should_retry"`
}

var (
	_ Admitter  = (*Error)(nil)
	_ Validator = (*Error)(nil)
)

// Kind implements Fault.
func (*Error) Kind() string { return "error" }

// Validate implements Validator.
func (e *Error) Validate() error {
	if e.Status < 400 || e.Status > 599 {
		return fmt.Errorf("status %d is not an error status (400..599)", e.Status)
	}
	return nil
}

// Admit implements Admitter.
func (e *Error) Admit(_ context.Context, x *Exchange, out wire.Sink) (bool, error) {
	return true, wire.WriteError(out, x.Dialect, e.apiError(x.Dialect), x.RequestID)
}

func (e *Error) apiError(d wire.Dialect) *wire.APIError {
	ae := wire.Canned(d, e.Status, e.Code)
	if e.Message != "" {
		ae.Message = e.Message
	}
	if e.Type != "" {
		ae.Type = e.Type
	}
	if e.Code != "" {
		ae.Code = e.Code
	}
	ae.Header = make(http.Header, len(e.Headers))
	for k, v := range e.Headers {
		ae.Header.Set(k, v)
	}
	if e.RetryAfter > 0 {
		RetryAfter(ae, d, e.RetryAfter.D())
	}
	if e.ShouldRetry != nil {
		ae.Header.Set("X-Should-Retry", strconv.FormatBool(*e.ShouldRetry))
	}
	return ae
}

// RetryAfter tells a client when to retry, as d does: the standard
// retry-after header in whole seconds (rounded up, at least 1), and for
// OpenAI and Azure the millisecond retry-after-ms their SDKs read first;
// Gemini sends no header, only the body's RetryInfo, which ae.RetryAfter
// fills.
func RetryAfter(ae *wire.APIError, d wire.Dialect, after time.Duration) {
	ae.RetryAfter = after
	if d.Name() == "gemini" {
		return
	}
	if ae.Header == nil {
		ae.Header = http.Header{}
	}
	ae.Header.Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(after.Seconds())))))
	if d.Name() == "openai" || d.Name() == "azure" {
		ae.Header.Set("Retry-After-Ms", strconv.FormatInt(after.Milliseconds(), 10))
	}
}
