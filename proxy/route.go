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
	dialect  string // openai, anthropic, azure or gemini: the simulator's and the error bodies' shape
	path     string // the API path, prefix removed
	host     string // the host it was meant for: the proxied host, or the provider's upstream host
	up       *Upstream
	// scheme and authority are where a proxied request was going: a
	// forward goes there when no provider claims the host, or its provider
	// has no upstream of its own (azure). "" for a base-URL request.
	scheme, authority string
}

// targetOf decides a request's provider, dialect and API path.
//
// A request through the proxy (absolute-form for HTTP_PROXY, or decrypted
// from an intercepted CONNECT) belongs to the provider whose hosts claim
// its host; the provider's base path, when the path starts with it, is
// not part of the API path (Upstream.apiPath). A base-URL request is
// routed by an explicit prefix (/openai/…, /anthropic/…, or any
// provider's name) — except that an /openai/… path in Azure's form is
// Azure's (see azureBaseURL); then by headers only Anthropic or Gemini
// clients send (anthropic-version, x-api-key; x-goog-api-key); then by
// the path (/v1/messages… is Anthropic's, /v1beta/… and
// /v1/models/{model}:method Gemini's). Everything else is OpenAI's. This
// keeps
// Anthropic's GET /v1/models, sent with anthropic-version, from being
// taken for OpenAI's.
func targetOf(r *http.Request, ups *Upstreams) target {
	if scheme, host, ok := proxied(r); ok {
		if up := ups.ForHost(host); up != nil {
			return target{provider: up.Name, dialect: apiDialect(up.Dialect, r.URL.Path), path: up.apiPath(r.URL.Path), host: rules.HostOnly(host), up: up,
				scheme: scheme, authority: host}
		}
		d := dialectOf(r, r.URL.Path)
		return target{provider: d, dialect: d, path: r.URL.Path, host: rules.HostOnly(host), scheme: scheme, authority: host}
	}
	p := r.URL.Path
	if azureBaseURL(r, p) {
		return azureTarget(p, ups)
	}
	if name, rest, ok := prefixed(p); ok {
		if up := ups.Named(name); up != nil {
			return target{provider: name, dialect: apiDialect(up.Dialect, rest), path: up.apiPath(rest), host: up.host, up: up}
		}
	}
	d := dialectOf(r, p)
	t := target{provider: d, dialect: d, path: p}
	if t.up = ups.Named(d); t.up != nil {
		t.host = t.up.host
	}
	return t
}

// pathModel is the model and stream flag t's path gives, for the APIs
// that put them there rather than in the body: Gemini's
// /v1beta/models/{model}:streamGenerateContent, and an Azure deployment
// path's deployment (whose body need not name a model; Azure ignores one
// that does). Matching, the journal and explain then read them as they
// read the body's for the other dialects.
func (t *target) pathModel() (model string, stream bool) {
	switch t.dialect {
	case "gemini":
		_, method, _ := wire.GeminiMethod(t.path)
		return wire.GeminiModel(t.path), method == geminiStreamMethod
	case "azure":
		_, deployment, _ := wire.AzurePath(t.path)
		return deployment, false
	}
	return "", false
}

// proxied reports the scheme and host a request through the proxy was
// sent to.
func proxied(r *http.Request) (scheme, host string, ok bool) {
	if r.URL.Scheme != "" && r.URL.Host != "" && !addressedToSelf(r) {
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
	// Indexed by their canonical names: Header.Get would canonicalise
	// the names again on every request.
	if len(r.Header["X-Goog-Api-Key"]) > 0 || wire.IsGeminiPath(p) {
		return "gemini"
	}
	if len(r.Header["Anthropic-Version"]) > 0 || len(r.Header["X-Api-Key"]) > 0 {
		return "anthropic"
	}
	if p == "/v1/messages" || strings.HasPrefix(p, "/v1/messages/") {
		return "anthropic"
	}
	return "openai"
}
