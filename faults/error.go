package faults

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/llm-simulator/llm-simulator/wire"
)

// Error answers with an error in the request's provider's own shape: its
// usual body for Status (see wire.Canned) unless Message, Type or Code
// say otherwise.
type Error struct {
	Status  int
	Code    string // picks among errors sharing a status, or overrides the code
	Type    string
	Message string
	Header  http.Header
	// RetryAfter, when set, is sent as retry-after (whole seconds, rounded
	// up) and, for OpenAI and Azure, retry-after-ms.
	RetryAfter time.Duration
	// ShouldRetry, when set, is sent as x-should-retry, which the official
	// SDKs obey over their own judgement.
	ShouldRetry *bool
}

var _ Admitter = (*Error)(nil)

// Kind implements Fault.
func (*Error) Kind() string { return "error" }

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
	ae.Header = e.Header.Clone()
	if ae.Header == nil {
		ae.Header = http.Header{}
	}
	if e.RetryAfter > 0 {
		RetryAfter(ae, d, e.RetryAfter)
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
