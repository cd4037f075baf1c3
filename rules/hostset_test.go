package rules

import "testing"

func TestHostSet(t *testing.T) {
	s, err := NewHostSet([]string{"api.openai.com", "*.openai.azure.com", "API.Anthropic.com"})
	if err != nil {
		t.Fatal(err)
	}
	for host, want := range map[string]bool{
		"api.openai.com":          true,
		"api.openai.com:443":      true,
		"API.OPENAI.COM":          true,
		"api.anthropic.com":       true,
		"my.openai.azure.com:443": true,
		"openai.azure.com":        false,
		"api.openai.com.evil.io":  false,
		"example.com":             false,
		"[::1]:443":               false,
		"":                        false,
	} {
		if got := s.Match(host); got != want {
			t.Errorf("Match(%q) = %v, want %v", host, got, want)
		}
	}
	if (HostSet{}).Match("api.openai.com") || !(HostSet{}).Empty() {
		t.Error("an empty set matches nothing")
	}
	ip, _ := NewHostSet([]string{"127.0.0.1", "::1"})
	if !ip.Match("127.0.0.1:8443") || !ip.Match("[::1]:443") || !ip.Match("::1") {
		t.Error("IP hosts")
	}
}
