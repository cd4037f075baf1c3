package cassette

import (
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
)

// IsSecretHeader reports a header that is never stored: one of
// DefaultRedact, or a name that says it carries a credential (containing
// "api-key", "api_key", "apikey", "secret" or "password", or the word
// "token"). Rate-limit headers such as X-Ratelimit-Remaining-Tokens are
// not secrets: "tokens" there counts model tokens.
func IsSecretHeader(name string) bool {
	for _, h := range DefaultRedact {
		if strings.EqualFold(name, h) {
			return true
		}
	}
	lower := strings.ToLower(name)
	for _, part := range []string{"api-key", "api_key", "apikey", "secret", "password"} {
		if strings.Contains(lower, part) {
			return true
		}
	}
	for word := range strings.FieldsFuncSeq(lower, func(r rune) bool { return r == '-' || r == '_' }) {
		if word == "token" {
			return true
		}
	}
	return false
}

// secretParams are query parameters that carry credentials: Gemini and
// Azure accept the API key in the URL.
var secretParams = []string{"key", "api-key", "api_key", "access_token", "token"}

// isSecretParam reports a secret query parameter, by its name as it
// appears in the query (decoded only when escaped, which is rare).
func isSecretParam(name string) bool {
	if strings.ContainsAny(name, "%+") {
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
	}
	for _, p := range secretParams {
		if strings.EqualFold(name, p) {
			return true
		}
	}
	return false
}

// forEachParam calls fn with each non-empty "name=value" of a raw query
// and its name.
func forEachParam(q string, fn func(param, name string)) {
	for q != "" {
		param := q
		if i := strings.IndexByte(q, '&'); i >= 0 {
			param, q = q[:i], q[i+1:]
		} else {
			q = ""
		}
		if param == "" {
			continue
		}
		name := param
		if i := strings.IndexByte(param, '='); i >= 0 {
			name = param[:i]
		}
		fn(param, name)
	}
}

// publicQuery is q less its secret parameters, the rest in their order.
func publicQuery(q string) string {
	var kept []string
	dropped := false
	forEachParam(q, func(param, name string) {
		if isSecretParam(name) {
			dropped = true
			return
		}
		kept = append(kept, param)
	})
	if !dropped {
		return q
	}
	return strings.Join(kept, "&")
}

// keyHeaderValues copies the key headers present in h. Secret ones never
// reach here: settings leaves them out of the key headers.
func keyHeaderValues(h http.Header, names []string) http.Header {
	var out http.Header
	for _, name := range names {
		if v, ok := h[name]; ok {
			if out == nil {
				out = make(http.Header, len(names))
			}
			out[name] = append([]string(nil), v...)
		}
	}
	return out
}

// hopByHop are the headers of one connection, not of the message (RFC
// 9110 7.6.1).
var hopByHop = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// storedResponseHeader copies the response headers worth replaying: not
// the hop-by-hop ones nor those Connection names, not secrets, not the
// ones in redact (Content-Length and Date among them: replay recomputes
// the one and the other would lie).
func storedResponseHeader(h http.Header, redact map[string]bool) http.Header {
	drop := map[string]bool{}
	for _, v := range h.Values("Connection") {
		for name := range strings.SplitSeq(v, ",") {
			drop[textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(name))] = true
		}
	}
	for _, name := range hopByHop {
		drop[name] = true
	}
	var out http.Header // nil when nothing is kept, as a loaded file gives it
	for k, v := range h {
		ck := textproto.CanonicalMIMEHeaderKey(k)
		if drop[ck] || redact[ck] || IsSecretHeader(ck) || strings.HasPrefix(ck, "Proxy-") {
			continue
		}
		if out == nil {
			out = make(http.Header, len(h))
		}
		out[ck] = append(out[ck], v...)
	}
	return out
}
