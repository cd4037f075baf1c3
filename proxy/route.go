package proxy

import (
	"net/http"
	"strings"
)

// route decides a request's provider and the API path the provider sees.
//
// An explicit prefix wins (/openai/…, /anthropic/…); then headers that only
// Anthropic clients send (anthropic-version, x-api-key); then the path
// (/v1/messages… is Anthropic's). Everything else is OpenAI's. This keeps
// Anthropic's GET /v1/models, sent with anthropic-version, from being
// taken for OpenAI's.
func route(r *http.Request) (provider, path string) {
	p := r.URL.Path
	for _, prefix := range [...]string{"openai", "anthropic"} {
		if rest, ok := strings.CutPrefix(p, "/"+prefix+"/"); ok {
			return prefix, "/" + rest
		}
	}
	if r.Header.Get("Anthropic-Version") != "" || r.Header.Get("X-Api-Key") != "" {
		return "anthropic", p
	}
	if p == "/v1/messages" || strings.HasPrefix(p, "/v1/messages/") {
		return "anthropic", p
	}
	return "openai", p
}
