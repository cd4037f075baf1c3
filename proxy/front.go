package proxy

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/llm-simulator/llm-simulator/cassette"
	"github.com/llm-simulator/llm-simulator/faults"
	"github.com/llm-simulator/llm-simulator/internal/canon"
	"github.com/llm-simulator/llm-simulator/internal/clock"
	"github.com/llm-simulator/llm-simulator/internal/telemetry"
	"github.com/llm-simulator/llm-simulator/rules"
	"github.com/llm-simulator/llm-simulator/simulate"
	"github.com/llm-simulator/llm-simulator/wire"
	"github.com/rs/zerolog"
)

// Front is the http.Handler every proxied request enters by.
type Front struct {
	// Sim answers requests until SetSimulator replaces it. One of the two
	// is required.
	Sim *simulate.Simulator
	// Rules is the live rule set; nil means no rules: every request is
	// simulated, no fault fires. The set's faults keep their state in the
	// store it was built with.
	Rules *rules.Live
	// Clock is the faults' and limiters' time; nil means wall-clock time.
	Clock clock.Clock
	// Seed is the config seed each request's random streams derive from.
	Seed uint64
	// MaxBody is the largest request body read; a larger one gets the
	// provider's 413. Zero means 32 MiB.
	MaxBody int64
	// ReadBodyTimeout bounds reading a request's body once its headers
	// are in, so that a client sending it a byte a minute cannot hold a
	// connection for good; it gets the provider's 400. Zero means no
	// bound.
	ReadBodyTimeout time.Duration
	// TunnelIdleTimeout closes a blind CONNECT tunnel in which no byte has
	// moved either way for this long. Zero means never.
	TunnelIdleTimeout time.Duration
	// Log receives errors and, when AccessLog is set, one line per
	// request. The zero Logger discards.
	Log zerolog.Logger
	// AccessLog logs requests at info level, one line each, as LogSample
	// says. The line never carries a header or a body.
	AccessLog bool
	// AccessConsole makes the access line brief, for a person at a
	// terminal: "POST /v1/chat/completions 429 12.3ms" with the rule, the
	// action, the faults that fired and how an unfinished response ended.
	// False: every field of the request's record, for a machine.
	AccessConsole bool
	// LogSample logs one access line in every LogSample requests; errors
	// (a status of 400 or more, or an incomplete response) are always
	// logged. 1 or less: every request.
	LogSample int

	// Journal, when set, keeps a record of every request; nil keeps none.
	Journal *telemetry.Journal
	// JournalBodies keeps the request bodies in the journal.
	JournalBodies bool
	// JournalMaxBody cuts longer bodies kept in the journal. Zero means
	// 64 KiB.
	JournalMaxBody int
	// Metrics, when set, counts every request; nil counts nothing.
	Metrics *telemetry.Metrics

	// Upstreams are where forwards go, until SetUpstreams replaces them;
	// nil means the real OpenAI, Anthropic and Gemini APIs.
	Upstreams *Upstreams
	// Intercept, when set, terminates the TLS of CONNECT requests to its
	// hosts; nil tunnels every CONNECT.
	Intercept *Interceptor
	// Cassettes hold the recordings record rules write and replay rules
	// answer from; nil: every replay misses and nothing is recorded.
	Cassettes *cassette.Store
	// ForgetScopes forgets, in every store, the state of the scopes idle
	// accepts: the front calls it for scopes that have carried no request
	// for the time SetScopeIdle gave. Nil: scopes are not tracked, and
	// their state is kept.
	ForgetScopes func(idle func(scope string) bool)

	sim      atomic.Pointer[simulate.Simulator]
	ups      atomic.Pointer[Upstreams]
	derived  atomic.Pointer[derived]
	caps     capacities
	occ      occurrences
	tunnels  tunnels
	scopes   scopes
	life     life
	logSeq   atomic.Uint64 // requests considered for a sampled access line
	refusals refusalLog    // egress refusals, logged at most refusalLogBurst a minute
}

// SetSimulator swaps the simulator (a reload changed its config);
// requests in flight finish on the one they started with.
func (f *Front) SetSimulator(s *simulate.Simulator) { f.sim.Store(s) }

// DrainTunnels waits for the blind CONNECT tunnels to end until ctx does,
// then closes those still open: http.Server.Shutdown leaves hijacked
// connections alone.
func (f *Front) DrainTunnels(ctx context.Context) { f.tunnels.drain(ctx) }

// SetUpstreams swaps the upstreams (a reload changed the providers).
func (f *Front) SetUpstreams(u *Upstreams) { f.ups.Store(u) }

func (f *Front) upstreams() *Upstreams {
	if u := f.ups.Load(); u != nil {
		return u
	}
	if f.Upstreams != nil {
		return f.Upstreams
	}
	return defaultUpstreams()
}

func (f *Front) simulator() *simulate.Simulator {
	if s := f.sim.Load(); s != nil {
		return s
	}
	return f.Sim
}

// identitySkip are the request members that do not change an answer's
// content: a streamed call and the same call unstreamed get the same
// words, and "user" only tags the caller.
var identitySkip = []string{"stream", "stream_options", "user"}

// ServeHTTP implements http.Handler.
func (f *Front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodConnect {
		f.connect(w, r)
		return
	}
	observed := f.observed()
	ups := f.upstreams()
	x := getExchange(w, r)
	if observed {
		x.start = time.Now()
	}
	x.tgt = targetOf(r, ups)
	provider, path := x.tgt.dialect, x.tgt.path
	defer x.release()
	if observed {
		// Deferred before recoverPanic, so it runs after: it sees the 500
		// a bug gets, and runs while an abort unwinds.
		f.watch(x)
		defer f.account(x)
	}
	sim := f.simulator()
	defer f.recoverPanic(x, sim, provider)

	if ref := asRefusal(f.checkTarget(x, ups)); ref != nil {
		_ = f.refuseEgress(x, &x.out, ref, "request")
		return
	}
	if e := scopeTooLong(r.Header); e != nil {
		f.refuse(r.Context(), &x.out, sim, provider, e)
		return
	}
	if err := f.readBody(x, r); err != nil {
		f.refuseBody(r.Context(), &x.out, sim, provider, err)
		return
	}
	x.req = simulate.Request{Provider: provider, Method: r.Method, Path: path, Query: r.URL.RawQuery,
		Header: r.Header, Body: x.body.Bytes()}
	f.identity(x, r.Method)
	err := f.dispatch(r.Context(), x, sim, ups)
	if draining(r.Context()) {
		if x.out.Started() && !x.out.Ended() {
			x.fx.End(faults.EndedCut) // the drain ends what the source had not
		}
		f.endDrained(x, sim, provider)
		return
	}
	if err != nil && !errors.Is(err, faults.ErrCut) && !isClientGone(r.Context(), err) {
		f.Log.Error().Err(err).Str("path", r.URL.Path).Msg("response failed")
	}
}

// identity derives the call's seed from what the request means — method,
// path and body without the members in identitySkip — and how many times
// that request, streamed or not, has been seen; and the exchange, which
// also tells a streamed call from its unstreamed twin. The same pass
// finds the body members matching reads (the model, and those the rules'
// body conditions start at), which it would otherwise look for in another
// scan of the body.
func (f *Front) identity(x *exchange, method string) {
	names := f.ruleSet().Members()
	x.members = names[:min(len(names), len(x.memberRaws))]
	h, stream, _ := canon.HashCapture(x.req.Body, "stream", x.members, x.memberRaws[:len(x.members)], identitySkip...)
	path, pathStream := x.tgt.identityPath()
	stream = stream || pathStream
	h ^= (canon.HashString(method) ^ canon.HashString(path)*31) * 0x9e3779b97f4a7c15
	key := h
	if stream {
		key = ^h
	}
	n := f.occ.next(key)
	x.req.Seed, x.req.Exchange = simulate.Seed(f.Seed, h, n), simulate.Seed(f.Seed, key, n)
}

var errBodyTooLarge = errors.New("request body too large")

func (f *Front) readBody(x *exchange, r *http.Request) (err error) {
	limit := f.MaxBody
	if limit <= 0 {
		limit = 32 << 20
	}
	if f.ReadBodyTimeout > 0 && r.ContentLength != 0 { // a bodiless request costs no deadline
		// The deadline is lifted once the body is in: left on, it would
		// end the connection's background read, and with it the
		// request's context, in the middle of a long stream. After a
		// failed read it stays, so that net/http's attempt to read the
		// rest of the body (to keep the connection) fails at once and
		// the connection closes after the 400, rather than wait for good.
		rc := http.NewResponseController(x.w)
		now := x.start // the request's arrival, read once when observed
		if now.IsZero() {
			now = time.Now()
		}
		if rc.SetReadDeadline(now.Add(f.ReadBodyTimeout)) == nil {
			defer func() {
				if err == nil {
					_ = rc.SetReadDeadline(time.Time{})
				}
			}()
		}
	}
	if cl := r.ContentLength; cl > 0 && cl <= limit {
		return readKnownLength(&x.body, r.Body, int(cl))
	}
	x.lim = io.LimitedReader{R: r.Body, N: limit + 1}
	n, err := x.body.ReadFrom(&x.lim)
	x.lim.R = nil
	if err != nil {
		return err
	}
	if n > limit {
		return errBodyTooLarge
	}
	return nil
}

// readKnownLength reads a body of a declared length into exactly that
// much room: ReadFrom keeps 512 bytes spare, which an open stream holds
// for its whole life (BenchmarkOpenStreams). net/http ends the body at its
// Content-Length.
func readKnownLength(dst *bytes.Buffer, body io.Reader, n int) error {
	dst.Grow(n)
	b := dst.AvailableBuffer()[:n]
	m, err := io.ReadFull(body, b)
	dst.Write(b[:m])
	return err
}

func (f *Front) refuseBody(ctx context.Context, out wire.Sink, sim *simulate.Simulator, provider string, err error) {
	d := sim.Dialect(provider)
	e := &wire.APIError{Status: http.StatusBadRequest, Message: "The request body could not be read."}
	if errors.Is(err, errBodyTooLarge) {
		e = &wire.APIError{Status: http.StatusRequestEntityTooLarge, Type: d.ErrorType(http.StatusRequestEntityTooLarge),
			Message: "Request exceeds the maximum allowed number of bytes."}
	}
	f.refuse(ctx, out, sim, provider, e)
}

// refuse answers a request the front will not take with e, in its
// provider's dialect.
func (f *Front) refuse(ctx context.Context, out wire.Sink, sim *simulate.Simulator, provider string, e *wire.APIError) {
	if werr := wire.WriteError(out, sim.Dialect(provider), e, ""); werr != nil && !isClientGone(ctx, werr) {
		f.Log.Debug().Err(werr).Msg("refusing a request")
	}
}

// recoverPanic keeps a bug from dropping the connection unanswered: the
// client gets the provider's 500 if nothing was sent yet, and the bug is
// logged. http.ErrAbortHandler is the deliberate way to reset a stream and
// passes through.
func (f *Front) recoverPanic(x *exchange, sim *simulate.Simulator, provider string) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	f.Log.Error().Interface("panic", v).Msg("bug: a request handler panicked")
	out := &x.out
	if out.Started() {
		x.fx.End(faults.EndedAborted)
		panic(http.ErrAbortHandler)
	}
	_ = wire.WriteError(out, sim.Dialect(provider), &wire.APIError{Status: http.StatusInternalServerError}, "")
}

// isClientGone reports whether err only says the client went away.
func isClientGone(ctx context.Context, err error) bool {
	return ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, http.ErrHandlerTimeout)
}
