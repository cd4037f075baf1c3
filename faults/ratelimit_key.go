package faults

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
)

// partKey is the state sub-key for a request: a digest of its API key or
// header value, never the value itself. It is never empty, because the
// empty sub-key is where the instance keeps its gate's counter.
func partKey(key string, h http.Header) string {
	switch {
	case key == "api_key":
		return digest(apiKey(h))
	case strings.HasPrefix(key, "header:"):
		return digest(h.Get(strings.TrimPrefix(key, "header:")))
	}
	return partPrefix
}

// partPrefix starts every rate limit's sub-key; alone, it is the bucket of
// every request (no key, or a request without one).
const partPrefix = "rate"

// apiKey is the credential as the providers read it: OpenAI's bearer
// token, Anthropic's x-api-key, Gemini's x-goog-api-key, Azure OpenAI's
// api-key.
func apiKey(h http.Header) string {
	if a := h.Get("Authorization"); len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
		return strings.TrimSpace(a[7:])
	}
	if k := h.Get("X-Api-Key"); k != "" {
		return k
	}
	if k := h.Get("X-Goog-Api-Key"); k != "" {
		return k
	}
	return h.Get("Api-Key")
}

// digest is partPrefix, ":" and 128 bits of SHA-256 in hex; "" gives
// partPrefix alone (the requests with no key share one bucket).
func digest(s string) string {
	if s == "" {
		return partPrefix
	}
	sum := sha256.Sum256([]byte(s))
	var b [len(partPrefix) + 1 + 32]byte
	copy(b[:], partPrefix+":")
	hex.Encode(b[len(partPrefix)+1:], sum[:16])
	return string(b[:])
}
