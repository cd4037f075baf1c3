package proxy

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/llm-simulator/llm-simulator/faults"
	"github.com/llm-simulator/llm-simulator/wire"
)

// relayBufs are the read buffers of responses being relayed.
var relayBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// errSink marks an error from the sink (the client, or a fault ending the
// response) apart from one reading the upstream.
type errSink struct{ error }

func (e errSink) Unwrap() error { return e.error }

// relay sends the upstream's answer on as events: the head, then each
// server-sent event as soon as it is complete — never buffered — or the
// body in the pieces it arrives in, then the end. An upstream that breaks
// off mid-body breaks the client's response off too, so the client sees
// what the upstream did rather than a clean end.
func (f *Front) relay(ctx context.Context, x *exchange, resp *http.Response, out wire.Sink) error {
	if x.cass.recorder != nil {
		x.cass.relayed = true
		out = &recordTap{next: out, f: f, x: x}
	}
	h := resp.Header // ours to edit: it goes on as the head's, less hop-by-hop headers
	dropHopByHop(h)
	stream, sse := wire.NotStream, isEventStream(resp.Header.Get("Content-Type"))
	if sse {
		stream = streamOf(x.tgt.dialect, x.tgt.path)
		h.Del("Content-Length")
	}
	if err := out.Send(wire.Event{Kind: wire.Head, Status: resp.StatusCode, Header: h, Stream: stream}); err != nil {
		return err
	}
	var u *usageScan
	if x.countTokens {
		u = new(usageScan)
	}
	err := x.copyBody(resp.Body, out, sse, u)
	if u != nil {
		x.req.Usage.PromptTokens, x.req.Usage.CompletionTokens = u.prompt, u.completion
	}
	var sinkErr errSink
	switch {
	case err == nil:
		return out.Send(wire.Event{Kind: wire.End})
	case errors.As(err, &sinkErr):
		return sinkErr.error
	case ctx.Err() != nil:
		return ctx.Err()
	}
	f.Log.Warn().Err(err).Str("upstream", resp.Request.URL.Host).Str("path", x.tgt.path).
		Msg("the upstream broke off its answer; breaking off the client's")
	x.fx.End(faults.EndedCut)
	x.fx.Abort(false)
	return err // not reached: Abort unwinds
}

// copyBody reads the upstream's body to its end, sending it on.
func (x *exchange) copyBody(body io.Reader, out wire.Sink, sse bool, u *usageScan) error {
	bp := relayBufs.Get().(*[]byte)
	defer relayBufs.Put(bp)
	var p wire.SSEParser
	emit := func(ev wire.Event) error {
		u.event(ev.Data)
		if err := out.Send(ev); err != nil {
			return errSink{err}
		}
		return nil
	}
	for {
		n, rerr := body.Read(*bp)
		if n > 0 {
			var err error
			if sse {
				err = p.Feed((*bp)[:n], emit)
			} else {
				u.body((*bp)[:n])
				if serr := out.Send(wire.Event{Kind: wire.Chunk, Data: (*bp)[:n]}); serr != nil {
					err = errSink{serr}
				}
			}
			if err != nil {
				return err
			}
		}
		switch {
		case rerr == io.EOF:
			return x.flushPending(&p, sse, out, u)
		case rerr != nil:
			return rerr
		}
	}
}

// flushPending sends what an event stream left unterminated at its end:
// the upstream closed mid-event, and the client gets those bytes as they
// were.
func (x *exchange) flushPending(p *wire.SSEParser, sse bool, out wire.Sink, u *usageScan) error {
	if !sse {
		u.finishBody()
		return nil
	}
	if rest := p.Pending(); len(rest) > 0 {
		if err := out.Send(wire.Event{Kind: wire.Chunk, Data: rest}); err != nil {
			return errSink{err}
		}
	}
	return nil
}

// isEventStream reports a text/event-stream media type, parameters
// aside, without mime.ParseMediaType's allocations on every response.
func isEventStream(contentType string) bool {
	const sse = "text/event-stream"
	ct := strings.TrimSpace(contentType)
	if len(ct) < len(sse) || !strings.EqualFold(ct[:len(sse)], sse) {
		return false
	}
	rest := strings.TrimSpace(ct[len(sse):])
	return rest == "" || rest[0] == ';'
}

// streamOf is the framing of a provider's event stream on a path, which
// stream faults need to end it the provider's way.
func streamOf(dialect, path string) wire.Stream {
	if dialect == "azure" {
		path, _, _ = wire.AzurePath(path)
	}
	switch {
	case dialect == "anthropic":
		return wire.Anthropic
	case dialect == "gemini":
		return wire.Gemini
	case strings.HasPrefix(path, "/v1/responses"):
		return wire.OpenAIResponses
	}
	return wire.OpenAIChat
}
