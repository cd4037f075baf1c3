package faults

import (
	"context"
	"net/http"
	"strconv"

	"github.com/llm-simulator/llm-simulator/wire"
)

// Raw answers with exactly the given status, headers and body: a
// gateway's HTML 502 page in front of the provider, an empty 200.
type Raw struct {
	Status      int
	ContentType string
	Body        []byte
	Header      http.Header
}

var _ Admitter = (*Raw)(nil)

// Kind implements Fault.
func (*Raw) Kind() string { return "raw" }

// Admit implements Admitter.
func (r *Raw) Admit(_ context.Context, _ *Exchange, out wire.Sink) (bool, error) {
	h := r.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	if r.ContentType != "" {
		h.Set("Content-Type", r.ContentType)
	}
	h.Set("Content-Length", strconv.Itoa(len(r.Body)))
	if err := out.Send(wire.Event{Kind: wire.Head, Status: r.Status, Header: h}); err != nil {
		return true, err
	}
	if len(r.Body) > 0 {
		if err := out.Send(wire.Event{Kind: wire.Chunk, Data: r.Body}); err != nil {
			return true, err
		}
	}
	return true, out.Send(wire.Event{Kind: wire.End})
}
