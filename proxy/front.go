package proxy

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/llm-simulator/llm-simulator/internal/canon"
	"github.com/llm-simulator/llm-simulator/simulate"
	"github.com/llm-simulator/llm-simulator/wire"
	"github.com/rs/zerolog"
)

// Front is the http.Handler every proxied request enters by.
type Front struct {
	// Sim answers every request. Required.
	Sim *simulate.Simulator
	// Seed is the config seed each request's RNG derives from.
	Seed uint64
	// MaxBody is the largest request body read; a larger one gets the
	// provider's 413. Zero means 32 MiB.
	MaxBody int64
	// Log receives errors and, when AccessLog is set, one line per
	// request. The zero Logger discards.
	Log zerolog.Logger
	// AccessLog logs every request at info level.
	AccessLog bool

	occ occurrences
}

// identitySkip are the request members that do not change an answer's
// content: a streamed call and the same call unstreamed get the same
// words, and "user" only tags the caller.
var identitySkip = []string{"stream", "stream_options", "user"}

// exchange is the per-request state the front owns: the body, the
// simulator's request and the Writer. It is pooled; nothing keeps any of
// it once ServeHTTP returns.
type exchange struct {
	body bytes.Buffer
	req  simulate.Request
	out  wire.Writer
}

var exchanges = sync.Pool{New: func() any { return new(exchange) }}

// release pools x, unless an outsized body grew its buffer: one 32 MiB
// upload must not pin 32 MiB for good.
func (x *exchange) release() {
	x.req = simulate.Request{}
	x.out.Reset(nil)
	if x.body.Cap() > 1<<20 {
		return
	}
	x.body.Reset()
	exchanges.Put(x)
}

// ServeHTTP implements http.Handler.
func (f *Front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var start time.Time
	if f.AccessLog {
		start = time.Now()
	}
	provider, path := route(r)
	x := exchanges.Get().(*exchange)
	defer x.release()
	out := &x.out
	out.Reset(w)
	defer f.recoverPanic(out, provider)

	if err := f.readBody(&x.body, r.Body); err != nil {
		f.refuseBody(r.Context(), out, provider, err)
		return
	}
	body := x.body.Bytes()
	seed, exchangeID := f.identity(r.Method, path, body)
	req := &x.req
	*req = simulate.Request{Provider: provider, Method: r.Method, Path: path, Query: r.URL.RawQuery,
		Header: r.Header, Body: body, Seed: seed, Exchange: exchangeID}
	err := f.Sim.Serve(r.Context(), req, out)
	if err != nil && !isClientGone(r.Context(), err) {
		f.Log.Error().Err(err).Str("path", r.URL.Path).Msg("response failed")
	}
	if f.AccessLog {
		f.Log.Info().Str("provider", provider).Str("method", r.Method).Str("path", path).
			Int("status", out.Status()).Int64("bytes", out.Bytes()).Dur("duration", time.Since(start)).
			Bool("complete", out.Ended()).Msg("request")
	}
}

// identity derives the call's seed from what the request means — method,
// path and body without the members in identitySkip — and how many times
// that request, streamed or not, has been seen; and the exchange, which
// also tells a streamed call from its unstreamed twin.
func (f *Front) identity(method, path string, body []byte) (seed, exchange uint64) {
	h, stream := canon.HashFlag(body, "stream", identitySkip...)
	h ^= (canon.HashString(method) ^ canon.HashString(path)*31) * 0x9e3779b97f4a7c15
	key := h
	if stream {
		key = ^h
	}
	n := f.occ.next(key)
	return simulate.Seed(f.Seed, h, n), simulate.Seed(f.Seed, key, n)
}

var errBodyTooLarge = errors.New("request body too large")

func (f *Front) readBody(buf *bytes.Buffer, body io.Reader) error {
	limit := f.MaxBody
	if limit <= 0 {
		limit = 32 << 20
	}
	n, err := buf.ReadFrom(io.LimitReader(body, limit+1))
	if err != nil {
		return err
	}
	if n > limit {
		return errBodyTooLarge
	}
	return nil
}

func (f *Front) refuseBody(ctx context.Context, out wire.Sink, provider string, err error) {
	d := f.Sim.Dialect(provider)
	e := &wire.APIError{Status: http.StatusBadRequest, Message: "The request body could not be read."}
	if errors.Is(err, errBodyTooLarge) {
		e = &wire.APIError{Status: http.StatusRequestEntityTooLarge, Type: d.ErrorType(http.StatusRequestEntityTooLarge),
			Message: "Request exceeds the maximum allowed number of bytes."}
	}
	if werr := wire.WriteError(out, d, e, ""); werr != nil && !isClientGone(ctx, werr) {
		f.Log.Debug().Err(werr).Msg("refusing a request body")
	}
}

// recoverPanic keeps a bug from dropping the connection unanswered: the
// client gets the provider's 500 if nothing was sent yet, and the bug is
// logged. http.ErrAbortHandler is the deliberate way to reset a stream and
// passes through.
func (f *Front) recoverPanic(out *wire.Writer, provider string) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	f.Log.Error().Interface("panic", v).Msg("bug: a request handler panicked")
	if out.Started() {
		panic(http.ErrAbortHandler)
	}
	_ = wire.WriteError(out, f.Sim.Dialect(provider), &wire.APIError{Status: http.StatusInternalServerError}, "")
}

// isClientGone reports whether err only says the client went away.
func isClientGone(ctx context.Context, err error) bool {
	return ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, http.ErrHandlerTimeout)
}
