package proxy

import (
	"testing"

	"github.com/llm-simulator/llm-simulator/config"
)

// A reload keeps the transport, and so the pooled connections, of a
// provider whose settings did not change, and builds a new one for a
// provider that did.
func TestUpstreamsKeepUnchangedTransports(t *testing.T) {
	build := func(yaml string, prev *Upstreams) *Upstreams {
		t.Helper()
		cfg, err := config.Parse("c.yaml", []byte(yaml), config.Options{})
		if err != nil {
			t.Fatal(err)
		}
		u, err := NewUpstreams(cfg, prev)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	first := build("version: 1\n", nil)
	second := build("version: 1\nproviders:\n  anthropic: {upstream: \"https://127.0.0.1:9\"}\n", first)
	if second.Named("openai").transport != first.Named("openai").transport || second.origin != first.origin {
		t.Error("an unchanged provider got a new transport")
	}
	if second.Named("anthropic").transport == first.Named("anthropic").transport {
		t.Error("a changed provider kept its old transport")
	}
	if got := second.Named("anthropic").Base.String(); got != "https://127.0.0.1:9" {
		t.Errorf("anthropic base %s", got)
	}
	first.Retire(second) // closes the old anthropic transport's idle connections; must not touch the kept ones
	if up := second.ForHost("api.anthropic.com:443"); up == nil || up.Name != "anthropic" {
		t.Errorf("api.anthropic.com belongs to %+v", up)
	}
	if second.ForHost("example.com") != nil || second.Deny {
		t.Error("example.com is nobody's; upstreams are allowed by default")
	}
}
