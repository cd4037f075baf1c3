package proxy

import (
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3/option"
)

// Azure's base-URL requests are told from OpenAI's /openai/ prefix by
// Azure's own signs; through the proxy the resource host decides, and a
// forward goes back to that host (the azure provider has no upstream).
func TestRouteAzure(t *testing.T) {
	mitm := httptest.NewRequest("POST", "https://myres.openai.azure.com/openai/deployments/d1/chat/completions?api-version=2024-10-21", nil).
		WithContext(context.WithValue(context.Background(), interceptedKey{}, true))
	mitm.URL.Scheme, mitm.URL.Host = "", ""
	cases := []struct {
		name, path      string
		header          map[string]string
		dialect, apiDst string
		dst             string
	}{
		{name: "deployment path", path: "/openai/deployments/d1/chat/completions?api-version=2024-10-21", dialect: "azure", apiDst: "/openai/deployments/d1/chat/completions"},
		{name: "deployment path without api-version", path: "/openai/deployments/d1/embeddings", dialect: "azure", apiDst: "/openai/deployments/d1/embeddings"},
		{name: "v1 with api-key", path: "/openai/v1/chat/completions", header: map[string]string{"api-key": "k"}, dialect: "azure", apiDst: "/openai/v1/chat/completions"},
		{name: "responses with api-version", path: "/openai/responses?api-version=2025-03-01-preview", dialect: "azure", apiDst: "/openai/responses"},
		{name: "explicit prefix", path: "/azure/openai/deployments/d1/chat/completions?api-version=2024-10-21", dialect: "azure", apiDst: "/openai/deployments/d1/chat/completions"},
		{name: "the openai prefix stays OpenAI's", path: "/openai/v1/chat/completions", header: map[string]string{"authorization": "Bearer k"}, dialect: "openai", apiDst: "/v1/chat/completions"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("POST", c.path, nil)
		for k, v := range c.header {
			r.Header.Set(k, v)
		}
		if tg := targetOf(r, defaultUpstreams()); tg.dialect != c.dialect || tg.provider != c.dialect || tg.path != c.apiDst {
			t.Errorf("%s: routed to %s/%s %s, want %s %s", c.name, tg.provider, tg.dialect, tg.path, c.dialect, c.apiDst)
		}
	}
	tg := targetOf(mitm, defaultUpstreams())
	if tg.provider != "azure" || tg.dialect != "azure" || tg.host != "myres.openai.azure.com" {
		t.Fatalf("intercepted Azure request: %+v", tg)
	}
	dst, _ := tg.destination(defaultUpstreams())
	if want := "https://myres.openai.azure.com/openai/deployments/d1/chat/completions"; dst.String() != want {
		t.Errorf("forwarded to %s, want %s", dst, want)
	}
}

// A base-URL Azure request that a forward rule takes, with no azure
// upstream configured, is a configuration error: a 500 that says what to
// set and that no client should retry (x-should-retry: false, not the
// 502 the SDKs retry), journalled as answered by no source; it dials
// nothing.
func TestAzureForwardWithoutUpstream(t *testing.T) {
	s := newStack(t, "version: 1\ndefault_action: forward\n", nil, journaled)
	resp, err := s.srv.Client().Post(s.srv.URL+azureConfPath("d1", "chat/completions"), "application/json",
		strings.NewReader(`{"messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || resp.Header.Get("X-Should-Retry") != "false" || !strings.Contains(string(body), "set providers.azure.upstream") {
		t.Fatalf("%d %v %s", resp.StatusCode, resp.Header, body)
	}
	if rec := lastRecord(t, s.front.Journal); rec.Source != "none" || rec.Status != 500 || rec.Action != "forward" {
		t.Errorf("journalled as %+v", rec)
	}
}

// The OpenAI SDK, configured for Azure with its default retries, takes
// the missing upstream's 500 at its word and does not retry it: the proxy
// sees one request.
func TestAzureSDKDoesNotRetryAMissingUpstream(t *testing.T) {
	s := newStack(t, "version: 1\ndefault_action: forward\n", nil, journaled)
	c := azureClient(s, option.WithMaxRetries(2))
	_, err := c.Chat.Completions.New(context.Background(), chatParams("d1"))
	apiErr := asOpenAIError(t, err)
	if apiErr.StatusCode != 500 || !strings.Contains(apiErr.Message, "providers.azure.upstream") {
		t.Fatalf("%d %q", apiErr.StatusCode, apiErr.Message)
	}
	if n := s.front.Journal.Len(); n != 1 {
		t.Errorf("the proxy saw %d requests: the SDK retried a configuration error", n)
	}
}

// A forwarded or replayed Azure stream is framed by its operation, so
// stream faults end it as Azure would.
func TestAzureStreamFraming(t *testing.T) {
	for path, want := range map[string]string{
		"/openai/responses":                       "openai-responses",
		"/openai/v1/responses":                    "openai-responses",
		"/openai/deployments/d1/chat/completions": "openai-chat",
		"/openai/v1/completions":                  "openai-chat",
	} {
		if got := streamOf("azure", path).String(); got != want {
			t.Errorf("%s: %s, want %s", path, got, want)
		}
	}
}
