package proxy

import (
	"net/http"
	"strings"

	"github.com/llm-simulator/llm-simulator/faults"
	"github.com/llm-simulator/llm-simulator/wire"
)

// headerStage adds to whatever answers the request — the source or a
// fault — the headers faults left on the exchange (a rate limit's
// x-ratelimit-*) and, when the rule set says so, x-llmsim-rule and
// x-llmsim-faults. It sits right before the Writer, so it sees the head
// that finally goes out.
type headerStage struct {
	next wire.Sink
	fx   *faults.Exchange
	// rule is the header's value; an array, so that as part of the pooled
	// exchange it costs no allocation per request.
	rule  [1]string
	debug bool
}

func (h *headerStage) Send(ev wire.Event) error {
	if ev.Kind != wire.Head {
		return h.next.Send(ev)
	}
	if ev.Header == nil {
		ev.Header = http.Header{}
	}
	for k, v := range h.fx.ResponseHeader {
		ev.Header[k] = v
	}
	if h.debug {
		ev.Header["X-Llmsim-Rule"] = h.rule[:]
		if len(h.fx.Fired) > 0 {
			ev.Header["X-Llmsim-Faults"] = []string{strings.Join(h.fx.Fired, ",")}
		}
	}
	return h.next.Send(ev)
}
