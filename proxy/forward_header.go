package proxy

import (
	"net"
	"net/http"
	"net/textproto"
	"strings"
)

// hopByHop are the headers of one connection, not of the message
// (RFC 9110 7.6.1), plus the proxy's own.
var hopByHop = []string{
	"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
	"Te", "Trailer", "Transfer-Encoding", "Upgrade",
}

// copyRequestHeader copies the client's headers for the upstream, less
// hop-by-hop ones, our own x-llmsim-* controls, and Accept-Encoding: the
// transport negotiates compression itself and hands us plain bytes, which
// SSE parsing, faults and token accounting need.
func copyRequestHeader(dst, src http.Header) {
	for k, v := range src {
		if skipHeader(k, src) || k == "Accept-Encoding" || strings.HasPrefix(k, "X-Llmsim-") {
			continue
		}
		dst[k] = v
	}
}

// dropHopByHop removes hop-by-hop headers from the upstream's response
// headers, so they can go on to the client.
func dropHopByHop(h http.Header) {
	for _, name := range h["Connection"] {
		for _, k := range strings.Split(name, ",") {
			delete(h, textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(k)))
		}
	}
	for _, k := range hopByHop {
		delete(h, k)
	}
}

// skipHeader reports a hop-by-hop header, including any the Connection
// header names.
func skipHeader(k string, h http.Header) bool {
	for _, hop := range hopByHop {
		if k == hop {
			return true
		}
	}
	for _, v := range h["Connection"] {
		for _, name := range strings.Split(v, ",") {
			if textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(name)) == k {
				return true
			}
		}
	}
	return false
}

// setForwarded adds X-Forwarded-For, -Host and -Proto to h, the headers
// of x's request to the upstream, when the target says so.
func (x *exchange) setForwarded(h http.Header) {
	if x.tgt.addsForwarded() {
		setForwarded(h, x.r)
	}
}

// addsForwarded reports whether a forward of t adds X-Forwarded-*: as
// its provider's forwarded_headers says, else only when t came by base
// URL, llm-simulator being then the app's reverse proxy. A request
// through the proxy goes on as the app sent it, as a transparent proxy
// passes it on; so does one for a host no provider claims.
func (t *target) addsForwarded() bool {
	if t.up != nil && t.up.spec.ForwardedHeaders != nil {
		return *t.up.spec.ForwardedHeaders
	}
	return t.scheme == ""
}

// setForwarded adds X-Forwarded-For, -Host and -Proto as a reverse proxy
// does, extending a chain the client's request already carries.
func setForwarded(h http.Header, r *http.Request) {
	if ip, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		if prior := r.Header.Values("X-Forwarded-For"); len(prior) > 0 {
			ip = strings.Join(prior, ", ") + ", " + ip
		}
		h.Set("X-Forwarded-For", ip)
	}
	h.Set("X-Forwarded-Host", r.Host)
	proto := "http"
	if r.TLS != nil {
		proto = "https"
	}
	h.Set("X-Forwarded-Proto", proto)
}
