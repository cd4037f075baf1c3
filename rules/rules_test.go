package rules

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/faults"
)

func TestIssueContractLoads(t *testing.T) {
	cfg, err := Load("testdata/issue3-contract.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) != 0 {
		t.Errorf("warnings: %v", cfg.Warnings)
	}
	set := cfg.RuleSet(faults.NewStore(), "test", time.Now())
	kinds := map[string][]string{}
	for _, r := range set.Rules {
		for _, f := range r.Faults {
			kinds[r.Name] = append(kinds[r.Name], f.Fault.Kind())
		}
	}
	want := map[string]string{"scripted": "error", "overload": "error", "limited": "rate_limit", "cut": "stream", "slow": "latency,itl"}
	for name, k := range want {
		if got := strings.Join(kinds[name], ","); got != k {
			t.Errorf("rule %s faults %s, want %s", name, got, k)
		}
	}
	if set.Rules[4].Faults[0].Gate.Probability == nil || *set.Rules[4].Faults[0].Gate.Probability != 0.5 {
		t.Errorf("latency gate %+v", set.Rules[4].Faults[0].Gate)
	}
}

// The DESIGN.md sketch passes check without a warning.
func TestDesignSketch(t *testing.T) {
	cfg, err := Load("testdata/design-sketch.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) != 0 {
		t.Fatalf("warnings: %v", cfg.Warnings)
	}
	if got := cfg.Providers["openai"].Upstream; got != "https://api.openai.com" {
		t.Fatalf("openai upstream %q", got)
	}
}

func req(provider, method, path, body string, header map[string]string) *Request {
	h := http.Header{}
	for k, v := range header {
		h.Set(k, v)
	}
	return &Request{Provider: provider, Method: method, Path: path, Host: "api.openai.com", Header: h, Body: []byte(body)}
}

func TestMatching(t *testing.T) {
	cfg, err := Parse("m.yaml", []byte(`version: 1
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
`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	set := cfg.RuleSet(faults.NewStore(), "test", time.Now())
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
	cfg, err := Parse("r.yaml", []byte(`version: 1
rules:
  - name: convo
    respond:
      sequence:
        - tool_calls: [{name: lookup, arguments: {city: Paris}}]
        - text: "It is sunny."
`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := cfg.RuleSet(faults.NewStore(), "test", time.Now()).Rules[0]
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

func TestCatchAllWarning(t *testing.T) {
	cfg, err := Parse("w.yaml", []byte("version: 1\nrules:\n  - name: all\n  - name: never\n    match: {model: x}\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0].Error(), `w.yaml:4:5: rule "never" can never match: rule "all" before it takes every request`) {
		t.Fatalf("warnings %v", cfg.Warnings)
	}
}

// Reloading an unchanged fault keeps its state; a changed one starts anew.
func TestFaultStateSurvivesUnchangedReload(t *testing.T) {
	store := faults.NewStore()
	load := func(src string) *Set {
		cfg, err := Parse("s.yaml", []byte(src), Options{})
		if err != nil {
			t.Fatal(err)
		}
		set := cfg.RuleSet(store, "test", time.Now())
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

// The fixture is DESIGN.md's sketch verbatim, when DESIGN.md is beside the
// clone (as in CI and development).
func TestDesignSketchFixtureIsCurrent(t *testing.T) {
	design, err := os.ReadFile("../../shared/DESIGN.md")
	if err != nil {
		t.Skipf("../../shared/DESIGN.md is not beside this clone (%v); the fixture cannot be compared with it", err)
	}
	doc := string(design)
	start := strings.Index(doc, "```yaml\nversion: 1\nseed: 42\nlisten:")
	if start < 0 {
		t.Fatal("DESIGN.md no longer holds the config sketch this test looks for")
	}
	sketch := doc[start+len("```yaml\n"):]
	sketch = sketch[:strings.Index(sketch, "```")]
	fixture, err := os.ReadFile("testdata/design-sketch.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(fixture), sketch) {
		t.Fatalf("testdata/design-sketch.yaml differs from DESIGN.md's sketch:\n%s", sketch)
	}
}

// The docs the README links show the contracts users copy; they must be
// the fixtures.
func TestReadmeShowsTheContract(t *testing.T) {
	for name, page := range map[string]string{
		"issue3-contract.yaml": "docs/rules.md",
		"issue4-contract.yaml": "docs/routing.md",
		"record-replay.yaml":   "docs/record-replay.md",
	} {
		doc, err := os.ReadFile("../" + page)
		if err != nil {
			t.Fatal(err)
		}
		fixture, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(doc), "```yaml\n"+string(fixture)+"```") {
			t.Errorf("%s does not show rules/testdata/%s as it is", page, name)
		}
	}
}

// The record-and-replay config docs/record-replay.md shows loads, its cache beside the file
// and the rule's cassette options filled with their defaults.
func TestRecordReplayConfig(t *testing.T) {
	cfg, err := Load("testdata/record-replay.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Cache
	if c.Dir != filepath.Join("testdata", "cassettes") || c.Entries != 10000 || c.MaxBytes != 256<<20 ||
		len(*c.Ignore) != 1 || (*c.Ignore)[0] != "user" {
		t.Fatalf("cache %+v", c)
	}
	want := CassetteSpec{OnMiss: "error", Timing: "original", Speed: 1, AfterLast: "repeat"}
	set := cfg.RuleSet(faults.NewStore(), "test", time.Now())
	if got := set.Rules[0].Cassette; got != want || set.Rules[0].Action != "replay" {
		t.Fatalf("rule %s cassette %+v, want %+v", set.Rules[0].Action, got, want)
	}
	if got := DefaultCassette("replay_or_record"); got.OnMiss != "" || got.Timing != "original" {
		t.Fatalf("default cassette for replay_or_record %+v", got)
	}
}
