package proxy

import (
	"net/http"
	"strings"

	"github.com/llm-simulator/llm-simulator/rules"
	"github.com/llm-simulator/llm-simulator/wire"
)

// target is where a request was going and the API it speaks.
type target struct {
	provider string // the config's provider name; the dialect for a host no provider claims
	dialect  string // openai, anthropic or gemini: the simulator's and the error bodies' shape
	path     string // the API path, prefix removed
	host     string // the host it was meant for: the proxied host, or the provider's upstream host
	up       *Upstream
	// scheme and authority are where a proxied request for a host no
	// provider claims was going: a forward goes there. "" otherwise.
	scheme, authority string
}

// targetOf decides a request's provider, dialect and API path.
//
// A request through the proxy (absolute-form for HTTP_PROXY, or decrypted
// from an intercepted CONNECT) belongs to the provider whose hosts claim
// its host. A base-URL request is routed by an explicit prefix
// (/openai/…, /anthropic/…, or any provider's name); then by headers only
// Anthropic or Gemini clients send (anthropic-version, x-api-key;
// x-goog-api-key); then by the path (/v1/messages… is Anthropic's,
// /v1beta/… and /v1/models/{model}:method Gemini's). Everything else is
// OpenAI's. This keeps
// Anthropic's GET /v1/models, sent with anthropic-version, from being
// taken for OpenAI's.
func targetOf(r *http.Request, ups *Upstreams) target {
	if scheme, host, ok := proxied(r); ok {
		if up := ups.ForHost(host); up != nil {
			return target{provider: up.Name, dialect: apiDialect(up.Dialect, r.URL.Path), path: r.URL.Path, host: rules.HostOnly(host), up: up}
		}
		d := dialectOf(r, r.URL.Path)
		return target{provider: d, dialect: d, path: r.URL.Path, host: rules.HostOnly(host), scheme: scheme, authority: host}
	}
	p := r.URL.Path
	if name, rest, ok := prefixed(p); ok {
		if up := ups.Named(name); up != nil {
			return target{provider: name, dialect: apiDialect(up.Dialect, rest), path: rest, host: up.host, up: up}
		}
	}
	d := dialectOf(r, p)
	t := target{provider: d, dialect: d, path: p}
	if t.up = ups.Named(d); t.up != nil {
		t.host = t.up.host
	}
	return t
}

// proxied reports the scheme and host a request through the proxy was
// sent to.
func proxied(r *http.Request) (scheme, host string, ok bool) {
	if r.URL.Scheme != "" && r.URL.Host != "" {
		return r.URL.Scheme, r.URL.Host, true
	}
	if r.TLS != nil && intercepted(r.Context()) {
		return "https", r.Host, true
	}
	return "", "", false
}

// prefixed splits /name/rest into name and /rest.
func prefixed(p string) (name, rest string, ok bool) {
	if len(p) < 2 || p[0] != '/' {
		return "", "", false
	}
	i := strings.IndexByte(p[1:], '/')
	if i < 0 {
		return "", "", false
	}
	return p[1 : i+1], p[i+1:], true
}

// dialectOf tells Anthropic's and Gemini's requests from OpenAI's by
// header and path.
func dialectOf(r *http.Request, p string) string {
	if r.Header.Get("X-Goog-Api-Key") != "" || wire.IsGeminiPath(p) {
		return "gemini"
	}
	if r.Header.Get("Anthropic-Version") != "" || r.Header.Get("X-Api-Key") != "" {
		return "anthropic"
	}
	if p == "/v1/messages" || strings.HasPrefix(p, "/v1/messages/") {
		return "anthropic"
	}
	return "openai"
}
