package faults

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/llm-simulator/llm-simulator/wire"
)

// Raw answers with exactly the given status, headers and body. It is
// what a gateway in front of the provider sends — its HTML 502 page, an
// empty 200 — rather than the provider's own error.
type Raw struct {
	// Status is the HTTP status. Default 200.
	Status int `yaml:"status"`
	// ContentType is sent as Content-Type. Default none.
	ContentType string `yaml:"content_type"`
	// Body is sent as it is. Default empty.
	Body string `yaml:"body"`
	// Headers are added to the answer.
	Headers map[string]string `yaml:"headers"`
}

var (
	_ Admitter  = (*Raw)(nil)
	_ Validator = (*Raw)(nil)
)

// Kind implements Fault.
func (*Raw) Kind() string { return "raw" }

// status is the status sent: Status, or 200.
func (r *Raw) status() int { return cmp.Or(r.Status, http.StatusOK) }

// Validate implements Validator.
func (r *Raw) Validate() error {
	if s := r.status(); s < 100 || s > 599 {
		return fmt.Errorf("status %d is not an HTTP status", s)
	}
	return nil
}

// Admit implements Admitter.
func (r *Raw) Admit(_ context.Context, _ *Exchange, out wire.Sink) (bool, error) {
	h := make(http.Header, len(r.Headers)+2)
	for k, v := range r.Headers {
		h.Set(k, v)
	}
	if r.ContentType != "" {
		h.Set("Content-Type", r.ContentType)
	}
	h.Set("Content-Length", strconv.Itoa(len(r.Body)))
	if err := out.Send(wire.Event{Kind: wire.Head, Status: r.status(), Header: h}); err != nil {
		return true, err
	}
	if len(r.Body) > 0 {
		if err := out.Send(wire.Event{Kind: wire.Chunk, Data: []byte(r.Body)}); err != nil {
			return true, err
		}
	}
	return true, out.Send(wire.Event{Kind: wire.End})
}
