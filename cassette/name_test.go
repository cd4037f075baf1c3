package cassette

import (
	"strings"
	"testing"
)

func TestValidName(t *testing.T) {
	cases := []struct {
		name string
		ok   bool
	}{
		{"", true},
		{"suite-a", true},
		{"suite/test-1", true},
		{"Suite_2/v1.0/case-3", true},
		{".hidden", true},
		{strings.Repeat("a", 200), true},
		{strings.Repeat("a", 201), false},
		{"/abs", false},
		{`\abs`, false},
		{"a//b", false},
		{"a/", false},
		{".", false},
		{"..", false},
		{"a/../b", false},
		{"a/./b", false},
		{"a b", false},
		{"a\\b", false},
		{"naïve", false},
		{"a:b", false},
	}
	for _, c := range cases {
		if err := ValidName(c.name); (err == nil) != c.ok {
			t.Errorf("ValidName(%q) = %v, want ok %v", c.name, err, c.ok)
		}
	}
}

func TestIsSecretHeader(t *testing.T) {
	cases := []struct {
		name   string
		secret bool
	}{
		{"Authorization", true},
		{"authorization", true},
		{"X-API-KEY", true},
		{"Api-Key", true},
		{"Cookie", true},
		{"Set-Cookie", true},
		{"Openai-Organization", true},
		{"X-Goog-Api-Key", true},
		{"X-Custom-Apikey", true},
		{"X-Client-Secret", true},
		{"X-Auth-Token", true},
		{"X_Session_Token", true},
		{"X-Db-Password", true},
		{"Content-Type", false},
		{"X-Test-Id", false},
		{"X-Ratelimit-Remaining-Tokens", false},
		{"Anthropic-Ratelimit-Input-Tokens-Limit", false},
		{"Openai-Processing-Ms", false},
	}
	for _, c := range cases {
		if got := IsSecretHeader(c.name); got != c.secret {
			t.Errorf("IsSecretHeader(%q) = %v, want %v", c.name, got, c.secret)
		}
	}
}

func TestFileName(t *testing.T) {
	cases := []struct {
		path string
		want string
	}{
		{"/v1/chat/completions", "v1-chat-completions-0123456789ab-2.json"},
		{"/v1beta/models/gemini-2.0:generateContent", "v1beta-models-gemini-2-0-generateContent-0123456789ab-2.json"},
		{"/", "request-0123456789ab-2.json"},
		{"/" + strings.Repeat("x", 100), strings.Repeat("x", 64) + "-0123456789ab-2.json"},
	}
	for _, c := range cases {
		if got := fileName(c.path, 0x0123456789abcdef, 2); got != c.want {
			t.Errorf("fileName(%q) = %s, want %s", c.path, got, c.want)
		}
	}
}

func TestPublicQuery(t *testing.T) {
	cases := map[string]string{
		"":                              "",
		"a=1&b=2":                       "a=1&b=2",
		"key=s&a=1":                     "a=1",
		"a=1&API_KEY=s&token&b=2":       "a=1&b=2",
		"api%2Dkey=s&access_token=t&c=": "c=",
	}
	for q, want := range cases {
		if got := publicQuery(q); got != want {
			t.Errorf("publicQuery(%q) = %q, want %q", q, got, want)
		}
	}
}
