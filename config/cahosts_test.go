package config

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// The built-in list holds every provider's API hosts and the regional
// hosts of the providers to come — never a parent domain that would take
// in an app's OAuth, STS or metadata calls — and no host twice.
func TestBuiltinCAHosts(t *testing.T) {
	hosts := BuiltinCAHosts()
	for _, want := range []string{
		"api.openai.com", "api.anthropic.com", "*.openai.azure.com", "*.cognitiveservices.azure.com",
		"generativelanguage.googleapis.com", "api.groq.com", "api.mistral.ai", "api.together.xyz",
		"openrouter.ai", "api.deepseek.com",
		"bedrock-runtime.us-east-1.amazonaws.com", "bedrock.eu-central-1.amazonaws.com",
		"bedrock-runtime.ap-southeast-7.amazonaws.com", "bedrock-mantle.us-west-2.api.aws",
		"bedrock-runtime-fips.us-east-1.amazonaws.com", "bedrock-fips.ca-central-1.amazonaws.com",
		"aiplatform.googleapis.com", "us-central1-aiplatform.googleapis.com", "europe-west4-aiplatform.googleapis.com",
	} {
		if !slices.Contains(hosts, want) {
			t.Errorf("missing %s", want)
		}
	}
	seen := map[string]bool{}
	for _, h := range hosts {
		if seen[h] {
			t.Errorf("%s listed twice", h)
		}
		seen[h] = true
		for _, parent := range []string{"googleapis.com", "amazonaws.com", "azure.com", "api.aws", "*.googleapis.com", "*.amazonaws.com", "*.azure.com"} {
			if h == parent {
				t.Errorf("the list holds the whole parent domain %s", h)
			}
		}
		if strings.Count(strings.TrimPrefix(h, "*."), ".") < 1 || ipHost(h) || loopbackHost(h) {
			t.Errorf("%s: not one API host", h)
		}
	}
	if len(hosts) != 168 {
		t.Errorf("%d built-in hosts; update this count when a region or provider is added", len(hosts))
	}
}

// A CA made for a config covers the built-in hosts, the intercepted ones
// and every provider's, but not loopback hosts or IP addresses.
func TestCAHosts(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte(`version: 1
providers:
  corp: {upstream: "https://llm.corp.example/v2", dialect: openai, hosts: [llm.corp.example, "*.llm.corp.example"]}
  gw: {upstream: "https://10.1.2.3:8443", dialect: openai}
  local: {upstream: "http://localhost:8000", dialect: openai}
intercept: {hosts: [api.openai.com, edge.example.net]}
`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	hosts := cfg.CAHosts()
	if !slices.Equal(hosts[:len(BuiltinCAHosts())], BuiltinCAHosts()) {
		t.Error("the built-in hosts do not come first")
	}
	if got, want := hosts[len(BuiltinCAHosts()):], []string{"edge.example.net", "llm.corp.example", "*.llm.corp.example"}; !slices.Equal(got, want) {
		t.Errorf("configured hosts %v, want %v", got, want)
	}
}

// An IP address cannot be intercepted: the config says so where it is
// written; a provider upstream at an IP is not intercepted by default.
func TestInterceptHostsAreNames(t *testing.T) {
	_, err := Parse("c.yaml", []byte("version: 1\nintercept: {hosts: [api.openai.com, 10.0.0.5, \"[::1]\"]}\n"), Options{})
	if err == nil || !strings.Contains(err.Error(), `c.yaml:2:37: intercept.hosts: "10.0.0.5" is an IP address`) ||
		!strings.Contains(err.Error(), `"[::1]" is an IP address`) {
		t.Errorf("IP intercept hosts: %v", err)
	}
	cfg, err := Parse("c.yaml", []byte("version: 1\nproviders:\n  gw: {upstream: \"https://10.1.2.3:8443\", dialect: openai}\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(*cfg.Intercept.Hosts, "10.1.2.3") {
		t.Errorf("an IP upstream is intercepted by default: %v", *cfg.Intercept.Hosts)
	}
}

func TestCAValidity(t *testing.T) {
	cfg, err := Parse("c.yaml", []byte("version: 1\n"), Options{})
	if err != nil || cfg.Intercept.CAValidity.D() != 365*24*time.Hour {
		t.Fatalf("default ca_validity %s, %v", cfg.Intercept.CAValidity.D(), err)
	}
	cfg, err = Parse("c.yaml", []byte("version: 1\nintercept: {ca_validity: 720h}\n"), Options{})
	if err != nil || cfg.Intercept.CAValidity.D() != 720*time.Hour {
		t.Fatalf("ca_validity 720h: %s, %v", cfg.Intercept.CAValidity.D(), err)
	}
	_, err = Parse("c.yaml", []byte("version: 1\nintercept: {ca_validity: 1h}\n"), Options{})
	if err == nil || !strings.Contains(err.Error(), "c.yaml:2:26: intercept.ca_validity must be at least 24h") {
		t.Errorf("ca_validity 1h: %v", err)
	}
}
