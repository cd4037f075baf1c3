package config

import (
	"errors"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"
)

func TestIssueSampleLoads(t *testing.T) {
	cfg, err := Load("testdata/issue2-sample.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Seed != 42 || cfg.Simulate.Text.Mode != "lorem" || len(cfg.Simulate.Models) != 1 {
		t.Fatalf("decoded %+v", cfg)
	}
	r := rand.New(rand.NewPCG(1, 1))
	if v := cfg.Simulate.TTFT.Dist.Sample(r); v != 0 {
		t.Errorf("ttft draws %v, want 0", v)
	}
	if v := cfg.Simulate.OutputTokens.Dist.Sample(r); v != 10 {
		t.Errorf("output_tokens draws %v, want 10", v)
	}
	mini := cfg.Simulate.Models[0]
	if mini.Pattern != "gpt-4o-mini" || mini.Spec.TTFT == nil || mini.Spec.OutputTokens != nil {
		t.Errorf("override %+v", mini)
	}
	if cfg.Listen != DefaultListen || cfg.DrainTimeout.D() != 30*time.Second || cfg.MaxRequestBody != 32<<20 || cfg.Runtime.GCPercent != 400 {
		t.Errorf("defaults not applied: %+v", cfg)
	}
}

func TestEnvExpansion(t *testing.T) {
	env := map[string]string{"PORT": "9999", "TOKEN": "s3cret", "EMPTY": ""}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	src := "version: 1\nseed: ${SEED:-7}\nlisten: 127.0.0.1:${PORT}\nadmin: {token: \"${TOKEN}\"}\nsimulate: {fixed_text: \"$${NOT} ${EMPTY:-dflt}\"}\n"
	cfg, err := Parse("env.yaml", []byte(src), Options{LookupEnv: lookup})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Seed != 7 || cfg.Listen != "127.0.0.1:9999" || cfg.Admin.Token != "s3cret" || *cfg.Simulate.FixedText != "${NOT} dflt" {
		t.Fatalf("expanded to %+v (fixed_text %q)", cfg, *cfg.Simulate.FixedText)
	}
	_, err = Parse("env.yaml", []byte("version: 1\nlisten: ${NOPE}\n"), Options{LookupEnv: lookup})
	wantErrors(t, err, "env.yaml:2:9: environment variable NOPE is not set")
}

func TestBadConfigsNameFileLineAndColumn(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string
	}{
		{"unknown top key", "version: 1\nlisten: 127.0.0.1:1\nlisen: y\n",
			[]string{`bad.yaml:3:1: unknown field "lisen" in the top level`}},
		{"unknown nested key", "version: 1\nsimulate:\n  ttft: {dist: constant, value: 1s}\n  txt: lorem\n",
			[]string{`bad.yaml:4:3: unknown field "txt" in simulate`}},
		{"unknown key in a distribution", "version: 1\nsimulate:\n  itl: {dist: uniform, min: 1ms, max: 2ms, mean: 3ms}\n",
			[]string{`bad.yaml:3:44: unknown field "mean" in a uniform distribution (it takes min, max)`}},
		{"unknown key in a model override", "version: 1\nsimulate:\n  models:\n    gpt-*: {ttft: {dist: constant, value: 1s}, speed: 3}\n",
			[]string{`bad.yaml:4:48: unknown field "speed" in simulate.models.gpt-*`}},
		{"unknown distribution", "version: 1\nsimulate:\n  ttft: {dist: gamma, value: 1s}\n",
			[]string{`bad.yaml:3:16: unknown distribution "gamma"`}},
		{"missing parameter", "version: 1\nsimulate:\n  ttft: {dist: normal, mean: 1s}\n",
			[]string{`bad.yaml:3:9: normal distribution needs "stddev"`}},
		{"duration without unit", "version: 1\nsimulate:\n  ttft: {dist: constant, value: 20}\n",
			[]string{`bad.yaml:3:33: value: duration "20" has no unit`}},
		{"count given a duration", "version: 1\nsimulate:\n  output_tokens: {dist: constant, value: 20ms}\n",
			[]string{`bad.yaml:3:42: value: expected a number here, not the duration "20ms"`}},
		{"wrong scalar type", "version: 1\nseed: lots\n", []string{`bad.yaml:2:7: seed: expected an integer, got "lots"`}},
		{"mapping for a string", "version: 1\nlisten: {a: 1}\n", []string{`bad.yaml:2:9: listen: expected a string, got a mapping`}},
		{"bad text mode", "version: 1\nsimulate: {text: poetry}\n", []string{`bad.yaml:2:18: text must be one of lorem, echo, fixed, template`}},
		{"fixed without text", "version: 1\nsimulate: {text: fixed}\n", []string{`bad.yaml:2:18: simulate.text is fixed but fixed_text is not set`}},
		{"template syntax", "version: 1\nsimulate: {text: template, template: \"{{.Model\"}\n", []string{`bad.yaml:2:38: template: template: answer:1: unclosed action`}},
		{"probability range", "version: 1\nsimulate: {tool_call_probability: 1.5}\n", []string{`bad.yaml:2:11: simulate.tool_call_probability 1.5 is outside 0..1`}},
		{"bad glob", "version: 1\nsimulate:\n  models:\n    \"gpt-[\": {}\n", []string{`bad.yaml:4:5: model pattern "gpt-[" is not a valid glob`}},
		{"version missing", "seed: 1\n", []string{`bad.yaml:1:1: version is missing`}},
		{"version wrong", "version: 2\n", []string{`bad.yaml:1:10: version 2 is not supported`}},
		{"key twice", "version: 1\nseed: 1\nseed: 2\n", []string{`bad.yaml:3:1: seed is set twice`}},
		{"syntax", "version: 1\nsimulate: {text: lorem\n", []string{`bad.yaml:2:12: did not find expected ',' or '}'`}},
		{"syntax: a key out of line", "version: 1\nrules:\n  - name: x\n  action: y\n", []string{`bad.yaml:4:3: did not find expected '-' indicator`}},
		{"syntax: a second colon", "version: 1\nlisten: a: b\n", []string{`bad.yaml:2:10: mapping values are not allowed in this context`}},
		{"syntax: a quote left open", "version: 1\nseed: 1\nlisten: \"127.0.0.1:1\n", []string{`bad.yaml:3:9: found unexpected end of stream`}},
		{"syntax: a tab", "version: 1\n\tseed: 1\n", []string{`bad.yaml:2:1: found a tab character that violates indentation`}},
		{"syntax: CRLF lines", "version: 1\r\nseed: 1\r\nlisten: {a: 1\r\n", []string{`bad.yaml:3:13: did not find expected ',' or '}'`}},
		{"port out of range", "version: 1\nlisten: 127.0.0.1:99999\n",
			[]string{`bad.yaml:2:9: listen "127.0.0.1:99999": port 99999 is out of range: a port is 0 to 65535`}},
		{"no port", "version: 1\nadmin: {listen: localhost}\n",
			[]string{`bad.yaml:2:17: admin.listen "localhost": not host:port`}},
		{"bad host", "version: 1\nlisten: \"exa mple:80\"\n", []string{`bad.yaml:2:9: listen "exa mple:80": "exa mple" is neither an IP address nor a host name`}},
		{"bad IP", "version: 1\nlisten: 256.1.1.1:80\n", []string{`bad.yaml:2:9: listen "256.1.1.1:80": "256.1.1.1" is neither`}},
		{"admin open without a token", "version: 1\nadmin:\n  listen: 0.0.0.0:9090\n",
			[]string{`bad.yaml:3:11: the admin listener 0.0.0.0:9090 is not on loopback, so it needs a token`}},
		{"every problem of a rule", "version: 1\nrules:\n  - name: r\n    action: teleport\n    faults:\n      - explode: {}\n      - error: {status: 99}\n",
			[]string{`bad.yaml:4:13: action "teleport" is not one of`, `bad.yaml:6:9: unknown fault type "explode"`, `bad.yaml:7:9: rule "r": error: status 99 is not an error status`}},

		{"empty", "", []string{`bad.yaml: the file is empty`}},
		{"several at once", "version: 1\nfoo: 1\nsimulate:\n  bar: 2\n  ttft: {dist: x}\n",
			[]string{`bad.yaml:2:1: unknown field "foo"`, `bad.yaml:4:3: unknown field "bar" in simulate`}},
		{"log level", "version: 1\nlog: {level: loud}\n", []string{`bad.yaml:2:14: log.level must be debug, info, warn or error`}},
		{"negative duration", "version: 1\ndrain_timeout: -1s\n", []string{`bad.yaml:2:16: drain_timeout: duration "-1s" is negative`}},
		{"bad size", "version: 1\nmax_request_body: lots\n", []string{`bad.yaml:2:19: max_request_body: invalid size "lots"`}},
		{"gc percent", "version: 1\nruntime: {gc_percent: 5}\n", []string{`bad.yaml:2:23: runtime.gc_percent must be between 25 and 10000`}},
		{"tiny response budget", "version: 1\nsimulate: {max_response_bytes: 1KiB}\n", []string{`bad.yaml:2:32: simulate.max_response_bytes must be at least 16KiB`}},
		{"no output at all", "version: 1\nsimulate:\n  models:\n    gpt-4o: {max_output_tokens: 0}\n",
			[]string{`bad.yaml:4:33: simulate.models.gpt-4o.max_output_tokens must be 1 or more`}},
		{"scope longer than any request's", "version: 1\nrules:\n  - name: r\n    match: {scope: " + strings.Repeat("s", 257) + "}\n",
			[]string{`bad.yaml:4:12: rule "r": scope is 257 bytes long: a request's x-llmsim-scope may be at most 256, so none could match`}},
		{"negative scope_idle", "version: 1\nscope_idle: -1m\n", []string{`bad.yaml:2:13: scope_idle: duration "-1m" is negative`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte(c.src), Options{})
			wantErrors(t, err, c.want...)
		})
	}
}

// What the schema check refuses is reported once: the checks that run
// after it, over the rest of the file, do not trip on it again (a bad
// version is not also "not supported", a fault without its bad part is
// not also "not an error status").
func TestSchemaProblemsAreReportedOnce(t *testing.T) {
	src := "version: one\nseed: many\nlog: {level: [a]}\nrules:\n  - name: r\n    faults:\n      - error: {status: x, probability: 2}\n      - latency: {dist: constant, value: 1s}\n"
	_, err := Parse("bad.yaml", []byte(src), Options{})
	want := []string{
		`bad.yaml:1:10: version: expected an integer, got "one"`,
		`bad.yaml:2:7: seed: expected an integer, got "many"`,
		`bad.yaml:3:14: log.level: expected a string, got a list`,
		`bad.yaml:7:25: rules[0].faults[0].error.status: expected an integer, got "x"`,
	}
	wantErrors(t, err, want...)
	if list := err.(ErrorList); len(list) != len(want) {
		t.Fatalf("%d problems, want %d:\n%v", len(list), len(want), err)
	}
}

func TestTemplatesRunOnSampleData(t *testing.T) {
	sample := struct{ Model string }{"m"}
	ok := "version: 1\nsimulate: {text: template, template: \"hi {{.Model}}\"}\n"
	if _, err := Parse("t.yaml", []byte(ok), Options{TemplateData: sample}); err != nil {
		t.Fatal(err)
	}
	bad := "version: 1\nsimulate: {text: template, template: \"hi {{.Modle}}\"}\n"
	_, err := Parse("t.yaml", []byte(bad), Options{TemplateData: sample})
	wantErrors(t, err, `t.yaml:2:38: template: template: answer:1:5: executing "answer" at <.Modle>: can't evaluate field Modle`)
}

// The bounds on answers and scopes have defaults that change no answer a
// real provider would give.
func TestBoundsDefaults(t *testing.T) {
	cfg, err := Parse("d.yaml", []byte("version: 1\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ScopeIdle.D() != 10*time.Minute || cfg.Simulate.MaxResponseBytes != 8<<20 || cfg.Simulate.MaxOutputTokens != nil {
		t.Fatalf("scope_idle %v, max_response_bytes %d, max_output_tokens %v", cfg.ScopeIdle.D(), cfg.Simulate.MaxResponseBytes, cfg.Simulate.MaxOutputTokens)
	}
	cfg, err = Parse("s.yaml", []byte("version: 1\nscope_idle: 30s\nsimulate: {max_response_bytes: 1MiB, max_output_tokens: 4096}\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ScopeIdle.D() != 30*time.Second || cfg.Simulate.MaxResponseBytes != 1<<20 || *cfg.Simulate.MaxOutputTokens != 4096 {
		t.Fatalf("scope_idle %v, max_response_bytes %d, max_output_tokens %v", cfg.ScopeIdle.D(), cfg.Simulate.MaxResponseBytes, *cfg.Simulate.MaxOutputTokens)
	}
}

func TestSizesAndDurations(t *testing.T) {
	cfg, err := Parse("s.yaml", []byte("version: 1\nmax_request_body: 64MiB\ndrain_timeout: 1.5s\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MaxRequestBody != 64<<20 || cfg.DrainTimeout.D() != 1500*time.Millisecond {
		t.Fatalf("got %d %v", cfg.MaxRequestBody, cfg.DrainTimeout.D())
	}
}

// wantErrors asserts err is an ErrorList whose messages start with want,
// in order.
func wantErrors(t *testing.T, err error, want ...string) {
	t.Helper()
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("error %v is not an ErrorList", err)
	}
	if len(list) < len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(list), len(want), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(list[i].Error(), w) {
			t.Errorf("error %d:\n got %s\nwant %s…", i, list[i], w)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load("testdata/nope.yaml", Options{})
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v", err)
	}
}
