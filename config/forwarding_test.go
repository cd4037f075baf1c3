package config

import (
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The forwarding contract loads as written, its relative paths resolved
// against the file's directory.
func TestForwardingContractLoads(t *testing.T) {
	dir := t.TempDir()
	fixture, err := os.ReadFile("testdata/issue4-contract.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "llm-simulator.yaml")
	if err := os.WriteFile(path, fixture, 0o644); err != nil {
		t.Fatal(err)
	}
	writeTestCA(t, filepath.Join(dir, "upstream-ca.pem"))
	cfg, err := Load(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) != 0 {
		t.Errorf("warnings: %v", cfg.Warnings)
	}
	openai, anthropic := cfg.Providers["openai"], cfg.Providers["anthropic"]
	if openai.Upstream != "https://127.0.0.1:8443" || openai.CAFile != filepath.Join(dir, "upstream-ca.pem") || openai.Dialect != "openai" {
		t.Errorf("openai: %+v", openai)
	}
	if got := openai.Hosts; len(got) != 2 || got[0] != "api.openai.com" || got[1] != "127.0.0.1" {
		t.Errorf("openai hosts %v", got)
	}
	if anthropic.Upstream != "https://api.anthropic.com" || len(anthropic.Hosts) != 1 {
		t.Errorf("anthropic: %+v", anthropic)
	}
	if cfg.Intercept.CADir != filepath.Join(dir, "ca") || len(*cfg.Intercept.Hosts) != 2 {
		t.Errorf("intercept: %+v", cfg.Intercept)
	}
	if cfg.Upstreams != "allow" || openai.ResponseHeaderTimeout.D() != DefaultResponseHeaderTimeout {
		t.Errorf("defaults: upstreams %q, timeout %v", cfg.Upstreams, openai.ResponseHeaderTimeout.D())
	}
	if cfg.Rules[0].Action != "forward" || cfg.Rules[1].Action != "simulate" {
		t.Errorf("actions: %s, %s", cfg.Rules[0].Action, cfg.Rules[1].Action)
	}
}

// With no providers or intercept section, the known providers point at
// the real APIs and their hosts are intercepted; azure, which has no one
// host, has none.
func TestForwardingDefaults(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte("version: 1\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Providers["anthropic"].Upstream != "https://api.anthropic.com" || cfg.Providers["openai"].Dialect != "openai" {
		t.Errorf("providers %+v", cfg.Providers)
	}
	if g := cfg.Providers["gemini"]; g.Upstream != "https://generativelanguage.googleapis.com" || g.Dialect != "gemini" {
		t.Errorf("gemini provider %+v", g)
	}
	if h := *cfg.Intercept.Hosts; !slices.Equal(h, []string{"api.openai.com", "api.anthropic.com", "*.openai.azure.com", "generativelanguage.googleapis.com"}) {
		t.Errorf("intercept hosts %v", h)
	}
	if az := cfg.Providers["azure"]; az.Upstream != "" || az.Dialect != "azure" || len(az.Hosts) != 2 {
		t.Errorf("azure: %+v", az)
	}
	none, err := Parse("c.yaml", []byte("version: 1\nintercept: {hosts: []}\nupstreams: deny\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(*none.Intercept.Hosts) != 0 || none.Upstreams != "deny" {
		t.Errorf("explicit empty list and deny: %v %q", *none.Intercept.Hosts, none.Upstreams)
	}
}

func writeTestCA(t *testing.T, path string) {
	t.Helper()
	srv := httptest.NewTLSServer(nil)
	srv.Close()
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
