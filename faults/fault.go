package faults

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"

	"github.com/llm-simulator/llm-simulator/internal/clock"
	"github.com/llm-simulator/llm-simulator/internal/dist"
	"github.com/llm-simulator/llm-simulator/wire"
)

// Fault is one configured fault. It acts through the optional interfaces
// Admitter and Stage.
type Fault interface {
	// Kind is the fault's name in the config, e.g. "latency".
	Kind() string
}

// Admitter acts before the source. It may wait, or answer through out in
// the source's place, in which case it returns answered; an error means
// the client is gone (ctx ended, or out failed).
type Admitter interface {
	Fault
	Admit(ctx context.Context, x *Exchange, out wire.Sink) (answered bool, err error)
}

// Stage acts on the response on its way out: it wraps the sink the source
// writes to.
type Stage interface {
	Fault
	Wrap(ctx context.Context, x *Exchange, next wire.Sink) wire.Sink
}

// ErrCut is what a stage returns to stop the source when a fault ends
// the response early on purpose (a truncated stream): the front treats it
// as a response delivered as intended, not as a failure.
var ErrCut = errors.New("faults: response ended early by a fault")

// Source says where a response comes from; some faults act differently on
// a simulated response, whose timing they can set, than on one passed
// through.
type Source uint8

// The sources.
const (
	Simulated Source = iota
	Forwarded
	Replayed
)

// Exchange is one request as faults see it, and what they may leave on it.
type Exchange struct {
	// Set by the front before any fault runs.
	Dialect wire.Dialect
	// Provider is the config's name for the provider (openai, groq, …);
	// Dialect is the API it speaks.
	Provider     string
	Method, Path string
	Model        string
	Stream       bool // the request asked for a stream
	Scope        string
	Rule         string
	Header       http.Header // the request's headers
	PromptTokens int         // estimated
	MaxTokens    int         // asked for; 0 when unknown
	RequestID    string      // for answers given in the source's place
	Source       Source
	Rand         *rand.Rand // this request's fault stream: rolls and draws
	Clock        clock.Clock
	// Abort drops the connection — closed, or reset with an RST when reset
	// is set — and does not return.
	Abort func(reset bool)

	// ResponseHeader holds headers faults add to whatever answers the
	// request, the source or a fault (a rate limit's x-ratelimit-*). The
	// front merges them into the response's Head.
	ResponseHeader http.Header
	// TTFT and ITL, when set by a fault, replace the simulator's timing.
	TTFT, ITL dist.Dist
	// Fired lists the kinds of the faults that fired, in order, for the
	// x-llmsim-faults header.
	Fired []string
	// Ending says what ended the response before its end, when something
	// did: set through End, the first caller winning, for the request's
	// record. Zero: nothing did (so far).
	Ending Ending

	done []func(Outcome)
}

// Ending is what ended a response before its end, as the request's
// record reports it.
type Ending uint8

// The endings. A fault sets one before it acts, so the record says what
// the client saw: a truncated stream is cut, even though it ends with a
// clean end of body; an abort that cuts a body short is cut, not aborted.
const (
	NotEnded Ending = iota
	// EndedCut: the response started and was ended early — a truncated
	// stream or body, an error event in place of the rest, an upstream
	// that broke off.
	EndedCut
	// EndedAborted: the connection was closed with no further response.
	EndedAborted
	// EndedReset: the connection, or HTTP/2 stream, was reset.
	EndedReset
	// EndedHung: nothing was sent until the client left or the hang's
	// bound closed the connection.
	EndedHung
)

// End notes what ended the response, unless something already did.
func (x *Exchange) End(e Ending) {
	if x.Ending == NotEnded {
		x.Ending = e
	}
}

// Outcome is how a response ended, for faults that account for it.
type Outcome struct {
	Status           int
	Complete         bool // the response ran to its end
	PromptTokens     int
	CompletionTokens int
}

// OnDone registers f to run when the response has ended, whatever ended
// it: limiters release and count here.
func (x *Exchange) OnDone(f func(Outcome)) { x.done = append(x.done, f) }

// Finish runs the OnDone hooks, last registered first.
func (x *Exchange) Finish(o Outcome) {
	for i := len(x.done) - 1; i >= 0; i-- {
		x.done[i](o)
	}
	x.done = x.done[:0]
}
