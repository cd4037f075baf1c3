package rules

import (
	"net/http"
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/faults"
)

func req(provider, method, path, body string, header map[string]string) *Request {
	h := http.Header{}
	for k, v := range header {
		h.Set(k, v)
	}
	return &Request{Provider: provider, Method: method, Path: path, Host: "api.openai.com", Header: h, Body: []byte(body)}
}

func TestMatching(t *testing.T) {
	cfg, err := config.Parse("m.yaml", []byte(`version: 1
providers:
  mistral: {upstream: "https://api.mistral.ai", dialect: openai}
  groq: {upstream: "https://api.groq.com/openai", dialect: openai}
rules:
  - {name: off, enabled: false}
  - {name: anthropic-stream, match: {provider: anthropic, stream: true}}
  - {name: mistral-only, match: {provider: mistral}}
  - {name: scoped, match: {scope: t1}}
  - {name: header, match: {headers: {x-test: "chaos-*"}}}
  - {name: body, match: {body: {metadata.user_id: "u-*", n: "2"}}}
  - {name: model, match: {model: "gpt-4o*", method: post, path: "/v1/chat/*"}}
  - {name: host, match: {host: "*.example.com"}}
  - {name: any}
`), config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	set := mustBuild(t, cfg, faults.NewStore(), "test")
	cases := []struct {
		r    *Request
		want string
	}{
		{req("anthropic", "POST", "/v1/messages", `{"stream":true}`, nil), "anthropic-stream"},
		{req("anthropic", "POST", "/v1/messages", `{"stream":false}`, nil), "any"},
		{req("mistral", "POST", "/v1/chat/completions", `{}`, nil), "mistral-only"},
		{req("groq", "POST", "/v1/chat/completions", `{}`, nil), "any"},
		{req("openai", "POST", "/v1/x", `{}`, map[string]string{"X-Llmsim-Scope": "t1"}), "scoped"},
		{req("openai", "POST", "/v1/x", `{}`, map[string]string{"x-test": "chaos-7"}), "header"},
		{req("openai", "POST", "/v1/x", `{}`, map[string]string{"x-test": "calm"}), "any"},
		{req("openai", "POST", "/v1/x", `{"metadata":{"user_id":"u-3"},"n":2}`, nil), "body"},
		{req("openai", "POST", "/v1/x", `{"metadata":{"user_id":"u-3"},"n":3}`, nil), "any"},
		{req("openai", "POST", "/v1/chat/completions", `{"model":"gpt-4o-mini"}`, nil), "model"},
		{req("openai", "GET", "/v1/chat/completions", `{"model":"gpt-4o-mini"}`, nil), "any"},
		{req("openai", "POST", "/v1/chat/completions", `{"model":"o3"}`, nil), "any"},
	}
	for _, c := range cases {
		if got := set.Match(c.r); got == nil || got.Name != c.want {
			t.Errorf("%s %s %s %v: matched %v, want %s", c.r.Provider, c.r.Method, c.r.Body, c.r.Header, got, c.want)
		}
	}
	host := req("openai", "POST", "/v1/x", `{}`, nil)
	host.Host = "llm.example.com"
	if got := set.Match(host); got.Name != "host" {
		t.Errorf("host rule: matched %s", got.Name)
	}
}

func TestRespondSequence(t *testing.T) {
	cfg, err := config.Parse("r.yaml", []byte(`version: 1
rules:
  - name: convo
    respond:
      sequence:
        - tool_calls: [{name: lookup, arguments: {city: Paris}}]
        - text: "It is sunny."
`), config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := mustBuild(t, cfg, faults.NewStore(), "test").Rules[0]
	first, second, third := r.Answer("a"), r.Answer("a"), r.Answer("a")
	if len(first.ToolCalls) != 1 || string(first.ToolCalls[0].Arguments) != `{"city":"Paris"}` {
		t.Fatalf("first answer %+v", first)
	}
	if *second.Text != "It is sunny." || third != second {
		t.Fatalf("second %+v third %+v", second, third)
	}
	if other := r.Answer("b"); len(other.ToolCalls) != 1 {
		t.Fatal("another scope did not start its own sequence")
	}
}

// Reloading an unchanged fault keeps its state; a changed one starts anew.
func TestFaultStateSurvivesUnchangedReload(t *testing.T) {
	store := faults.NewStore()
	load := func(src string) *Set {
		cfg, err := config.Parse("s.yaml", []byte(src), config.Options{})
		if err != nil {
			t.Fatal(err)
		}
		set := mustBuild(t, cfg, store, "test")
		ids := set.IDs()
		store.Retain(func(id string) bool { return ids[id] })
		return set
	}
	const two = "version: 1\nrules:\n  - name: r\n    faults:\n      - error: {status: 500, times: 2}\n"
	fires := func(s *Set) bool {
		x := &faults.Exchange{Rand: nil}
		x.Rand = newTestRand()
		return s.Rules[0].Faults[0].Fires(x)
	}
	a := load(two)
	if !fires(a) || !fires(a) || fires(a) {
		t.Fatal("times: 2 did not fire exactly twice")
	}
	b := load(two)
	if fires(b) {
		t.Fatal("an unchanged fault forgot it had fired twice")
	}
	c := load(strings.Replace(two, "times: 2", "times: 1", 1))
	if !fires(c) {
		t.Fatal("a changed fault kept the old fault's count")
	}
}
