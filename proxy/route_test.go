package proxy

import (
	"net/http/httptest"
	"strings"
	"testing"
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
	}
	for _, c := range cases {
		r := httptest.NewRequest(c.method, c.path, nil)
		for k, v := range c.header {
			r.Header.Set(k, v)
		}
		if p, path := route(r); p != c.provider || path != c.apiPath {
			t.Errorf("%s %s %v: routed to %s %s, want %s %s", c.method, c.path, c.header, p, path, c.provider, c.apiPath)
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
	} {
		rec := httptest.NewRecorder()
		body := `{"model":"m","messages":[{"role":"user","content":"` + string(make([]byte, 100)) + `"}]}`
		f.ServeHTTP(rec, httptest.NewRequest("POST", c.path, strings.NewReader(body)))
		if rec.Code != 413 || !strings.Contains(rec.Body.String(), c.want) {
			t.Errorf("%s: %d %s", c.path, rec.Code, rec.Body)
		}
	}
}
