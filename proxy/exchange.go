package proxy

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/llm-simulator/llm-simulator/faults"
	"github.com/llm-simulator/llm-simulator/internal/telemetry"
	"github.com/llm-simulator/llm-simulator/rules"
	"github.com/llm-simulator/llm-simulator/simulate"
	"github.com/llm-simulator/llm-simulator/wire"
)

// exchange is the per-request state the front owns: the body, what
// matching, faults and the simulator see of the request, the Writer and
// the sinks around it. It is pooled; nothing keeps any of it once
// ServeHTTP returns.
type exchange struct {
	w    http.ResponseWriter
	r    *http.Request
	body bytes.Buffer
	lim  io.LimitedReader // bounds the body read; here so it is not allocated
	tgt  target
	req  simulate.Request
	mreq rules.Request
	fx   faults.Exchange
	out  wire.Writer
	head headerStage

	// The faults' random stream lives here too, so it costs no allocation.
	pcg rand.PCG
	rng rand.Rand

	// countTokens is set when a fault counts the answer's tokens: only
	// then does a forwarded answer's usage get read.
	countTokens bool

	cass recording
	// refused is set when the proxy refused to send the request on — the
	// egress policy refused its target, or upstreams: deny — and answered
	// in the source's place.
	refused bool
	// noSource is set when no source could answer — the provider has no
	// upstream to forward to, or the upstream failed before answering —
	// and the proxy's error stands in its place.
	noSource bool

	// members are the top-level body members matching reads (the rule
	// set's Members, up to five), found with the identity; their raw
	// values are in memberRaws.
	members    []string
	memberRaws [5][]byte

	// start is when the request arrived, for its record; clock reads the
	// time after it from the monotonic clock alone — half the cost of
	// time.Now, which also reads the wall clock, on every request.
	start time.Time
	clock func() time.Time

	// action is the rule's action, as the dispatcher chose it; for the
	// request's record.
	action string
	// streaming is set when the Writer started an event stream counted as
	// active in the metrics; the end of ServeHTTP counts it as ended.
	streaming bool
	// metrics is the front's, while the request is observed: the Writer's
	// start hook counts streams there.
	metrics *telemetry.Metrics
	// onStart is x.started, bound once: the method value would allocate
	// per request.
	onStart func()

	admitters []faults.Admitter
	stages    []faults.Stage
}

var exchanges = sync.Pool{New: func() any {
	x := new(exchange)
	x.fx.Abort = x.abort // bound once: the method value would allocate per request
	x.onStart = x.started
	x.clock = x.sinceStart
	return x
}}

func getExchange(w http.ResponseWriter, r *http.Request) *exchange {
	x := exchanges.Get().(*exchange)
	x.w, x.r = w, r
	x.out.Reset(w)
	x.fx.Source = sourceUndecided
	return x
}

// sourceUndecided marks x.fx.Source until the dispatcher sets it, which it
// does after the admitters: still there at the end, no source ran — a
// fault answered in its place, or the request was refused before.
const sourceUndecided faults.Source = 255

// setAction notes the action the dispatcher chose, for the record.
func (x *exchange) setAction(a string) { x.action = a }

// release pools x, unless an outsized body grew its buffer: one 32 MiB
// upload must not pin 32 MiB for good.
func (x *exchange) release() {
	abort := x.fx.Abort
	x.w, x.r = nil, nil
	x.tgt, x.req, x.mreq = target{}, simulate.Request{}, rules.Request{}
	x.fx = faults.Exchange{Abort: abort, Fired: x.fx.Fired[:0]}
	x.out.Reset(nil)
	x.head = headerStage{}
	x.countTokens = false
	x.members = nil
	clear(x.memberRaws[:])
	x.action, x.streaming, x.metrics, x.refused, x.noSource = "", false, nil, false, false
	x.start = time.Time{}
	h := x.cass.header
	clear(h)
	x.cass = recording{header: h}
	clear(x.admitters)
	clear(x.stages)
	x.admitters, x.stages = x.admitters[:0], x.stages[:0]
	if x.body.Cap() > 1<<20 {
		return
	}
	x.body.Reset()
	exchanges.Put(x)
}

// sinceStart is the time now, read as the monotonic time since start.
func (x *exchange) sinceStart() time.Time { return x.start.Add(time.Since(x.start)) }
