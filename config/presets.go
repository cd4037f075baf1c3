package config

import (
	"net"
	"net/url"
	"strings"
)

// providerPresets are OpenAI-compatible hosts a config may declare by
// name alone (groq: {}): their upstream and dialect are filled in. Unlike
// openai and anthropic they are not there unless declared, so a config
// that does not name them neither routes nor intercepts their hosts. Each
// upstream is the base URL the host's own docs give the OpenAI SDKs,
// without its /v1: clients send /v1/… under it.
var providerPresets = map[string]ProviderSpec{
	"groq":       {Upstream: "https://api.groq.com/openai", Dialect: "openai"},
	"mistral":    {Upstream: "https://api.mistral.ai", Dialect: "openai"},
	"together":   {Upstream: "https://api.together.xyz", Dialect: "openai"},
	"openrouter": {Upstream: "https://openrouter.ai/api", Dialect: "openai"},
	"deepseek":   {Upstream: "https://api.deepseek.com", Dialect: "openai"},
	"ollama":     {Upstream: "http://127.0.0.1:11434", Dialect: "openai"},
}

// withPreset fills what p leaves empty from the preset named name, if
// there is one; what the config says wins.
func withPreset(name string, p ProviderSpec) ProviderSpec {
	preset, ok := providerPresets[name]
	if !ok {
		return p
	}
	if p.Upstream == "" {
		p.Upstream = preset.Upstream
	}
	if p.Dialect == "" {
		p.Dialect = preset.Dialect
	}
	return p
}

// realHosts are the hosts of the real API a known provider or a preset
// stands for, none for any other name: their requests are the
// provider's even when the upstream is set elsewhere (a gateway, a test
// server). The slice is the caller's.
func realHosts(name string) []string {
	if hosts, ok := knownProviders[name]; ok {
		return append([]string(nil), hosts...)
	}
	if preset, ok := providerPresets[name]; ok {
		if u, err := url.Parse(preset.Upstream); err == nil {
			return []string{u.Hostname()}
		}
	}
	return nil
}

// loopbackHost reports a host name or glob that names this machine.
func loopbackHost(h string) bool {
	h = strings.Trim(h, "[]")
	if ip := net.ParseIP(h); ip != nil {
		return ip.IsLoopback()
	}
	return h == "localhost" || strings.HasSuffix(h, ".localhost")
}
