package proxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/llm-simulator/llm-simulator/internal/egress"
	"github.com/llm-simulator/llm-simulator/rules"
	"github.com/llm-simulator/llm-simulator/wire"
)

// forward is the forward source: it sends the request to its upstream and
// relays the answer as events, so faults act on it as on any other.
func (f *Front) forward(ctx context.Context, x *exchange, ups *Upstreams, out wire.Sink) error {
	dst, tr := x.tgt.destination(ups)
	d := f.simulator().Dialect(x.tgt.dialect)
	if ups.Deny {
		x.refused = true
		return wire.WriteError(out, d, &wire.APIError{Status: http.StatusForbidden, Type: d.ErrorType(http.StatusForbidden),
			Message: fmt.Sprintf("llm-simulator is offline (upstreams: deny): rule %q would forward this request to %s; nothing was sent.",
				x.head.rule[0], dst)}, x.req.RequestID)
	}
	if dst.Host == "" {
		x.noSource = true
		return wire.WriteError(out, d, noUpstream(d, x.tgt.provider), x.req.RequestID)
	}
	resp, err := tr.RoundTrip(x.upstreamRequest(egress.WithPolicy(ctx, ups.egressPolicy()), dst))
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if r := asRefusal(err); r != nil {
			return f.refuseEgress(x, out, r, "forward")
		}
		x.noSource = true // whatever went out, nothing came back
		return wire.WriteError(out, d, upstreamError(dst, err), x.req.RequestID)
	}
	defer resp.Body.Close()
	return f.relay(ctx, x, resp, out)
}

// destination is the URL a forward goes to, with the API path and query
// joined to the provider's base, and the transport that reaches it: the
// provider's own for its configured upstream, a guarded one — every dial
// judged by the egress policy — for a host the client named, the
// upstream's own host included.
func (t *target) destination(ups *Upstreams) (*url.URL, http.RoundTripper) {
	if t.up == nil && t.scheme == "" {
		t.up = ups.Named(t.dialect)
	}
	base := &url.URL{Scheme: t.scheme, Host: t.authority}
	var tr http.RoundTripper = ups.origin
	if t.up != nil {
		tr = t.up.guarded
		if t.up.Base.Host != "" || t.scheme == "" {
			base = t.up.Base
			if t.scheme == "" || !strings.EqualFold(rules.HostOnly(t.authority), t.up.host) {
				tr = t.up.transport
			}
		}
	}
	u := *base
	u.Path = strings.TrimSuffix(base.Path, "/") + t.path
	u.RawPath = ""
	return &u, tr
}

// noUpstream is the answer to a forward with nowhere to go: a base-URL
// request for a provider with no upstream of its own (azure, whose
// requests through the proxy go to the host they were sent to). It is a
// configuration error, not an outage: a 500 with x-should-retry: false,
// which the SDKs honour, rather than a 502 they would retry for nothing.
func noUpstream(d wire.Dialect, provider string) *wire.APIError {
	return &wire.APIError{Status: http.StatusInternalServerError, Type: d.ErrorType(http.StatusInternalServerError),
		Code: "no_upstream", Header: http.Header{"X-Should-Retry": {"false"}}, Message: fmt.Sprintf(
			"llm-simulator: provider %q has no upstream to forward this request to; set providers.%s.upstream to the resource's endpoint, or send the request through the proxy to the resource's host",
			provider, provider)}
}

// upstreamError is the provider-shaped answer to an upstream that failed
// before answering: 504 when it timed out, 502 otherwise, naming the
// upstream and the cause.
func upstreamError(dst *url.URL, err error) *wire.APIError {
	status, what := http.StatusBadGateway, "failed"
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		status, what = http.StatusGatewayTimeout, "timed out"
	}
	return &wire.APIError{Status: status, Message: fmt.Sprintf("llm-simulator: upstream %s://%s %s: %v",
		dst.Scheme, dst.Host, what, unwrapURLError(err))}
}

// unwrapURLError drops url.Error's repetition of the method and URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// upstreamRequest is the request as the upstream should see it: the body
// already read for matching, headers a reverse proxy passes on, and the
// upstream's Host.
//
// It is built field by field rather than by http.NewRequest, which would
// format the URL only to parse it back.
func (x *exchange) upstreamRequest(ctx context.Context, dst *url.URL) *http.Request {
	dst.RawQuery = x.r.URL.RawQuery
	body := x.req.Body
	req := &http.Request{Method: x.r.Method, URL: dst, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: make(http.Header, len(x.r.Header)+3), Host: dst.Host, Body: http.NoBody}
	if len(body) > 0 {
		req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	copyRequestHeader(req.Header, x.r.Header)
	x.setForwarded(req.Header)
	return req.WithContext(ctx)
}
