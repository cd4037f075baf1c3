package faults

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/llm-simulator/llm-simulator/wire"
)

// RateLimit is a provider-faithful rate limit with its headers. It
// limits requests and tokens per minute the way the providers describe
// theirs: each limit a bucket refilled continuously, so a spent limit
// comes back in full over a minute; a limit of 0 is none. Each provider
// the rule takes has buckets of its own, as each provider has its own
// quota; within them each kind of limit (requests, tokens, …) is a bucket
// by itself. A request takes one request and its prompt tokens at
// admission, and its completion tokens when it ends (which may overdraw
// the buckets and delay later requests). Every response the rule takes
// carries the provider's rate-limit headers; a request over a limit gets
// the provider's 429.
//
// Key partitions the limits: "" per rule and scope, "api_key" per API
// key, "header:NAME" per value of a request header. Keys and values are
// kept only as digests, so no secret sits in state, and a key's buckets
// are forgotten once they are full again and none of its requests is in
// flight, so an app that sends endless keys does not grow the store
// without end.
type RateLimit struct {
	// RequestsPerMinute limits requests. Default none.
	RequestsPerMinute int `yaml:"requests_per_minute"`
	// TokensPerMinute limits prompt plus completion tokens. Default none.
	TokensPerMinute int `yaml:"tokens_per_minute"`
	// InputTokensPerMinute limits prompt tokens (Anthropic). Default none.
	InputTokensPerMinute int `yaml:"input_tokens_per_minute"`
	// OutputTokensPerMinute limits completion tokens (Anthropic). Default
	// none.
	OutputTokensPerMinute int `yaml:"output_tokens_per_minute"`
	// Key partitions the limit: empty (per rule and scope), api_key, or
	// header:NAME. Default empty.
	Key string `yaml:"key"`

	// in keeps the buckets: a RateLimit not bound by NewInstance has
	// nowhere to count and lets every request through.
	in *Instance
}

var (
	_ Admitter  = (*RateLimit)(nil)
	_ Validator = (*RateLimit)(nil)
	_ stateful  = (*RateLimit)(nil)
)

// Kind implements Fault.
func (*RateLimit) Kind() string { return "rate_limit" }

func (r *RateLimit) boundTo(in *Instance) Fault {
	bound := *r
	bound.in = in
	return &bound
}

// Validate implements Validator: some limit is set, none is negative,
// and the key is one of the three forms.
func (r *RateLimit) Validate() error {
	l := r.limits()
	if min(l[0], l[1], l[2], l[3]) < 0 {
		return errors.New("a limit per minute must not be negative")
	}
	if max(l[0], l[1], l[2], l[3]) == 0 {
		return errors.New("set at least one of requests_per_minute, tokens_per_minute, input_tokens_per_minute, output_tokens_per_minute")
	}
	switch name, isHeader := strings.CutPrefix(r.Key, "header:"); {
	case r.Key == "", r.Key == "api_key", isHeader && name != "":
		return nil
	}
	return fmt.Errorf("key %q is not empty, api_key or header:NAME", r.Key)
}

// Admit implements Admitter.
func (r *RateLimit) Admit(_ context.Context, x *Exchange, out wire.Sink) (bool, error) {
	if r.in == nil {
		return false, nil
	}
	p := int64(max(0, x.PromptTokens))
	st := r.state(x)
	v := st.admit(x.Clock.Now(), [nLimits]int64{1, p, p, 0})
	for v.stale { // the store forgot that state as this request found it
		st = r.state(x)
		v = st.admit(x.Clock.Now(), [nLimits]int64{1, p, p, 0})
	}
	if x.ResponseHeader == nil {
		x.ResponseHeader = http.Header{}
	}
	setRateHeaders(x.ResponseHeader, x.Dialect, &v)
	if v.refused < 0 {
		x.OnDone(func(o Outcome) { st.settle(x.Clock.Now(), int64(max(0, o.CompletionTokens))) })
		return false, nil
	}
	ae := refusal(x, &v)
	setRateHeaders(ae.Header, x.Dialect, &v)
	return true, wire.WriteError(out, x.Dialect, ae, x.RequestID)
}

func (r *RateLimit) limits() [nLimits]int64 {
	return [nLimits]int64{int64(r.RequestsPerMinute), int64(r.TokensPerMinute),
		int64(r.InputTokensPerMinute), int64(r.OutputTokensPerMinute)}
}

// state is the buckets of the request's rule, scope, provider and key.
func (r *RateLimit) state(x *Exchange) *rateState {
	create := func() any {
		st := newRateState(r.limits())
		st.clock = x.Clock
		st.expires = r.Key != ""
		st.provider = x.Provider
		return st
	}
	return r.in.ProviderState(x, partKey(r.Key, x.Header), create).(*rateState)
}
