package config

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// A named OpenAI-compatible host needs no more than its name; what the
// config gives wins over the preset; a name with no preset still has to
// say where it lives and what it speaks.
func TestProviderPresets(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte(`version: 1
providers:
  groq: {}
  openrouter: {hosts: [openrouter.ai, "*.openrouter.ai"]}
  mistral: {upstream: "https://mistral.internal"}
  ollama: {}
`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]struct{ upstream, dialect, hosts string }{
		"groq":       {"https://api.groq.com/openai", "openai", "api.groq.com"},
		"openrouter": {"https://openrouter.ai/api", "openai", "openrouter.ai *.openrouter.ai"},
		"mistral":    {"https://mistral.internal", "openai", "api.mistral.ai mistral.internal"},
		"ollama":     {"http://127.0.0.1:11434", "openai", "127.0.0.1"},
	} {
		p := cfg.Providers[name]
		if p.Upstream != want.upstream || p.Dialect != want.dialect || strings.Join(p.Hosts, " ") != want.hosts {
			t.Errorf("%s: %+v, want %+v", name, p, want)
		}
	}
	if _, ok := cfg.Providers["together"]; ok {
		t.Error("a preset the config does not name is there anyway")
	}
	_, err = Parse("c.yaml", []byte("version: 1\nproviders:\n  acme: {}\n"), Options{})
	if err == nil || !strings.Contains(err.Error(), `c.yaml:3:9: provider "acme" needs an upstream URL`) ||
		!strings.Contains(err.Error(), `say which API it speaks: dialect: one of [`) {
		t.Errorf("a provider with neither upstream nor dialect: %v", err)
	}
}

// Unless intercept.hosts is given, the hosts of every declared provider
// are intercepted (so HTTPS_PROXY works for them as for OpenAI's) — but
// not loopback ones, which clients reach directly; a list given is the
// whole list.
func TestProviderHostsInterceptedByDefault(t *testing.T) {
	providers := `version: 1
providers:
  openai: {upstream: "https://127.0.0.1:8443"}
  groq: {upstream: "https://gw.example/groq", hosts: [api.groq.com], dialect: openai}
  vllm: {upstream: "http://localhost:8000", dialect: openai}
  mine: {upstream: "https://llm.corp.example/openai", dialect: openai}
`
	cfg, err := Parse("c.yaml", []byte(providers), Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Azure's *.cognitiveservices.azure.com, a built-in provider's host,
	// stays out: DefaultInterceptHosts leaves it out on purpose.
	want := append(slices.Clone(DefaultInterceptHosts), "api.groq.com", "llm.corp.example")
	if got := *cfg.Intercept.Hosts; !slices.Equal(got, want) {
		t.Errorf("intercepted %v, want %v", got, want)
	}
	explicit, err := Parse("c.yaml", []byte(providers+"intercept: {hosts: [api.openai.com]}\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := *explicit.Intercept.Hosts; !slices.Equal(got, []string{"api.openai.com"}) {
		t.Errorf("an explicit list grew: %v", got)
	}
	for h, want := range map[string]bool{"127.0.0.1": true, "::1": true, "[::1]": true, "localhost": true,
		"a.localhost": true, "10.0.0.5": false, "api.groq.com": false, "localhost.example": false} {
		if loopbackHost(h) != want {
			t.Errorf("loopbackHost(%q) = %v", h, !want)
		}
	}
}

// An upstream that ends in /v1 loads, with a warning at its line: the
// client's /v1/… would be joined to it.
func TestUpstreamEndingInV1Warns(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte("version: 1\nproviders:\n  together: {upstream: \"https://api.together.xyz/v1\"}\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0].Error(), "c.yaml:3:24:") ||
		!strings.Contains(cfg.Warnings[0].Error(), "ends in /v1") {
		t.Errorf("warnings: %v", cfg.Warnings)
	}
}

// The providers config docs/providers.md (linked from the README) shows
// is this fixture, as it is, and loads with what its comments promise.
func TestReadmeProvidersConfig(t *testing.T) {
	doc, err := os.ReadFile("../docs/providers.md")
	if err != nil {
		t.Fatal(err)
	}
	fixture, err := os.ReadFile("testdata/providers-readme.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "```yaml\n"+string(fixture)+"```") {
		t.Error("docs/providers.md does not show config/testdata/providers-readme.yaml as it is")
	}
	cfg, err := Load("testdata/providers-readme.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if g, o := cfg.Providers["groq"], cfg.Providers["ollama"]; g.Upstream != "https://api.groq.com/openai" || g.Dialect != "openai" ||
		o.Upstream != "http://127.0.0.1:11434" || o.Dialect != "openai" {
		t.Errorf("presets: groq %+v, ollama %+v", g, o)
	}
	if len(cfg.Warnings) != 0 || !slices.Contains(*cfg.Intercept.Hosts, "api.groq.com") || slices.Contains(*cfg.Intercept.Hosts, "127.0.0.1") {
		t.Errorf("warnings %v, intercepted %v", cfg.Warnings, *cfg.Intercept.Hosts)
	}
}
