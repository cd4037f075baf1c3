package proxy

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/config"
)

func TestRoute(t *testing.T) {
	cases := []struct {
		method, path string
		header       map[string]string
		provider     string
		apiPath      string
	}{
		{"POST", "/v1/chat/completions", nil, "openai", "/v1/chat/completions"},
		{"GET", "/v1/models", nil, "openai", "/v1/models"},
		{"GET", "/v1/models", map[string]string{"anthropic-version": "2023-06-01"}, "anthropic", "/v1/models"},
		{"GET", "/v1/models", map[string]string{"x-api-key": "k"}, "anthropic", "/v1/models"},
		{"POST", "/v1/messages", nil, "anthropic", "/v1/messages"},
		{"POST", "/v1/messages/count_tokens", nil, "anthropic", "/v1/messages/count_tokens"},
		{"POST", "/v1/messagesx", nil, "openai", "/v1/messagesx"},
		{"POST", "/anthropic/v1/messages", nil, "anthropic", "/v1/messages"},
		{"GET", "/openai/v1/models", map[string]string{"anthropic-version": "2023-06-01"}, "openai", "/v1/models"},
		{"POST", "/v1beta/models/gemini-2.5-flash:streamGenerateContent", nil, "gemini", "/v1beta/models/gemini-2.5-flash:streamGenerateContent"},
		{"GET", "/v1beta/models", nil, "gemini", "/v1beta/models"},
		{"POST", "/v1/models/gemini-2.0-flash:countTokens", nil, "gemini", "/v1/models/gemini-2.0-flash:countTokens"},
		{"GET", "/v1/models", map[string]string{"x-goog-api-key": "k"}, "gemini", "/v1/models"},
		{"GET", "/v1/models/ft:gpt-4o-mini:org::abc", nil, "openai", "/v1/models/ft:gpt-4o-mini:org::abc"},
		{"POST", "/gemini/v1beta/models/m:generateContent", nil, "gemini", "/v1beta/models/m:generateContent"},
		{"POST", "/v1beta/openai/chat/completions", nil, "openai", "/v1beta/openai/chat/completions"},
		{"POST", "/gemini/v1beta/openai/chat/completions", nil, "openai", "/v1beta/openai/chat/completions"},
	}
	for _, c := range cases {
		r := httptest.NewRequest(c.method, c.path, nil)
		for k, v := range c.header {
			r.Header.Set(k, v)
		}
		if tg := targetOf(r, defaultUpstreams()); tg.dialect != c.provider || tg.path != c.apiPath {
			t.Errorf("%s %s %v: routed to %s %s, want %s %s", c.method, c.path, c.header, tg.dialect, tg.path, c.provider, c.apiPath)
		}
	}
}

// Requests through the proxy belong to the provider claiming their host;
// a host no provider claims is forwarded to itself.
func TestRouteProxied(t *testing.T) {
	cfg, err := config.Parse("c.yaml", []byte(`version: 1
providers:
  groq: {upstream: "https://api.groq.com/openai", dialect: openai}
  openrouter: {}
  ollama: {}
  vllm: {upstream: "http://127.0.0.1:8000", dialect: openai}
`), config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ups, err := NewUpstreams(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	abs := httptest.NewRequest("GET", "http://api.anthropic.com/v1/models", nil)
	mitm := httptest.NewRequest("POST", "https://api.openai.com/v1/messages", nil).WithContext(context.WithValue(context.Background(), interceptedKey{}, true))
	mitm.URL.Scheme, mitm.URL.Host = "", "" // as a server sees an origin-form request
	other := httptest.NewRequest("POST", "http://llm.internal:8000/v1/messages", nil)
	groq := httptest.NewRequest("POST", "/groq/v1/chat/completions", nil)
	// Through the proxy, a client of an upstream with a path sends that
	// path: the API path is what follows it, the forward keeps it whole.
	groqProxied := httptest.NewRequest("POST", "http://api.groq.com/openai/v1/chat/completions", nil)
	groqMITM := httptest.NewRequest("POST", "https://api.groq.com/openai/v1/models", nil).WithContext(context.WithValue(context.Background(), interceptedKey{}, true))
	groqMITM.URL.Scheme, groqMITM.URL.Host = "", ""
	groqBare := httptest.NewRequest("GET", "http://api.groq.com/openaix/v1/models", nil)
	routerPrefixed := httptest.NewRequest("POST", "/openrouter/api/v1/chat/completions", nil)
	// Two local servers on one host name: the port tells them apart.
	toOllama := httptest.NewRequest("POST", "http://127.0.0.1:11434/v1/chat/completions", nil)
	toVLLM := httptest.NewRequest("POST", "http://127.0.0.1:8000/v1/chat/completions", nil)
	gem := httptest.NewRequest("POST", "https://generativelanguage.googleapis.com/v1beta/models/m:generateContent?alt=sse", nil)
	cases := []struct {
		r                                  *http.Request
		provider, dialect, path, host, dst string
	}{
		{abs, "anthropic", "anthropic", "/v1/models", "api.anthropic.com", "https://api.anthropic.com/v1/models"},
		{mitm, "openai", "openai", "/v1/messages", "api.openai.com", "https://api.openai.com/v1/messages"},
		{other, "anthropic", "anthropic", "/v1/messages", "llm.internal", "http://llm.internal:8000/v1/messages"},
		{groq, "groq", "openai", "/v1/chat/completions", "api.groq.com", "https://api.groq.com/openai/v1/chat/completions"},
		{groqProxied, "groq", "openai", "/v1/chat/completions", "api.groq.com", "https://api.groq.com/openai/v1/chat/completions"},
		{groqMITM, "groq", "openai", "/v1/models", "api.groq.com", "https://api.groq.com/openai/v1/models"},
		{groqBare, "groq", "openai", "/openaix/v1/models", "api.groq.com", "https://api.groq.com/openai/openaix/v1/models"},
		{routerPrefixed, "openrouter", "openai", "/v1/chat/completions", "openrouter.ai", "https://openrouter.ai/api/v1/chat/completions"},
		{toOllama, "ollama", "openai", "/v1/chat/completions", "127.0.0.1", "http://127.0.0.1:11434/v1/chat/completions"},
		{toVLLM, "vllm", "openai", "/v1/chat/completions", "127.0.0.1", "http://127.0.0.1:8000/v1/chat/completions"},
		{gem, "gemini", "gemini", "/v1beta/models/m:generateContent", "generativelanguage.googleapis.com",
			"https://generativelanguage.googleapis.com/v1beta/models/m:generateContent"},
	}
	for _, c := range cases {
		tg := targetOf(c.r, ups)
		if tg.provider != c.provider || tg.dialect != c.dialect || tg.path != c.path || tg.host != c.host {
			t.Errorf("%s %s: %+v", c.r.Method, c.r.URL, tg)
		}
		if dst, _ := tg.destination(ups); dst.String() != c.dst {
			t.Errorf("%s %s: forwarded to %s, want %s", c.r.Method, c.r.URL, dst, c.dst)
		}
	}
}

// A body over the limit gets the provider's 413, in its shape.
func TestBodyLimit(t *testing.T) {
	f := newTestFront()
	f.MaxBody = 64
	for _, c := range []struct{ path, want string }{
		{"/v1/chat/completions", `"type": "invalid_request_error"`},
		{"/v1/messages", `"type":"request_too_large"`},
		{"/v1beta/models/m:generateContent", `"code": 413`},
	} {
		rec := httptest.NewRecorder()
		body := `{"model":"m","messages":[{"role":"user","content":"` + string(make([]byte, 100)) + `"}]}`
		f.ServeHTTP(rec, httptest.NewRequest("POST", c.path, strings.NewReader(body)))
		if rec.Code != 413 || !strings.Contains(rec.Body.String(), c.want) {
			t.Errorf("%s: %d %s", c.path, rec.Code, rec.Body)
		}
	}
}
