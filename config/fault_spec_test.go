package config

import (
	"reflect"
	"testing"

	"github.com/llm-simulator/llm-simulator/faults"
)

// A fault's value is checked as strictly as the rest of the file: its
// keys are the gate's and the fault type's own fields, found through the
// registry, and a wrong one is reported at its line and column with the
// keys it could have been.
func TestFaultOptionsAreStrict(t *testing.T) {
	cases := []struct{ name, faults, want string }{
		{"unknown option", "- error: {status: 429, colour: red}",
			`f.yaml:5:30: unknown field "colour" in rules[0].faults[0].error (known: after, code, every, headers, message, probability, retry_after, should_retry, status, times, type)`},
		{"unknown option of a nested struct", "- stream: {stall: {after_events: 1, duration: 1s, extra: 2}}",
			`f.yaml:5:57: unknown field "extra" in rules[0].faults[0].stream.stall (known: after_events, duration)`},
		{"a gate's key of the wrong type", "- error: {status: 429, probability: x}",
			`f.yaml:5:43: rules[0].faults[0].error.probability: expected a number, got "x"`},
		{"a duration without its unit", "- hang: {max: 5}",
			`f.yaml:5:21: rules[0].faults[0].hang.max: duration "5" has no unit`},
		{"a distribution's unknown key", "- ttft: {dist: constant, value: 1s, color: 1}",
			`f.yaml:5:43: unknown field "color" in a constant distribution (it takes value)`},
		{"a distribution that is not one", "- itl: [1]",
			`f.yaml:5:14: expected a distribution such as {dist: constant, value: 200ms}`},
		{"a kind with no value names nothing", "- abort:",
			`f.yaml:5:9: rule "r": a fault names its type, one of: [latency ttft itl error raw content body abort hang stream throttle rate_limit backpressure]`},
		{"two kinds, listed as the registry lists them", "- error: {status: 500}\n        latency: {dist: constant, value: 1s}",
			`f.yaml:5:9: rule "r": a fault is a one-key map naming one type; this one names [latency error]`},
		{"a fault's own check", "- raw: {status: 700}", `f.yaml:5:9: rule "r": raw: status 700 is not an HTTP status`},
		{"the gate's check", "- content: {finish: length, times: -1}", `f.yaml:5:9: rule "r": content: times must not be negative`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("f.yaml", []byte("version: 1\nrules:\n  - name: r\n    faults:\n      "+c.faults+"\n"), Options{})
			wantErrors(t, err, c.want)
		})
	}
}

// A fault decodes into its own type, its gate beside it; an alias
// decodes as what it stands for.
func TestFaultDecodesIntoItsType(t *testing.T) {
	cfg, err := Parse("f.yaml", []byte(`version: 1
rules:
  - name: r
    faults:
      - backpressure: &bp {max_concurrency: 2, queue: 3, queue_timeout: 5s, probability: 0.5, times: 4}
      - backpressure: *bp
`), Options{})
	if err != nil {
		t.Fatal(err)
	}
	half := 0.5
	want := FaultSpec{Kind: "backpressure", Gate: faults.Gate{Probability: &half, Times: 4},
		Fault: &faults.Backpressure{MaxConcurrency: 2, Queue: 3, QueueTimeout: 5e9}, named: []string{"backpressure"}}
	for i, got := range cfg.Rules[0].Faults {
		got.Digest = 0
		if !reflect.DeepEqual(got, want) {
			t.Errorf("fault %d: %+v, want %+v", i, got, want)
		}
	}
}

// The fault a spec holds is never bound itself: a fault that keeps state
// is bound as a copy, so one config can build any number of rule sets.
func TestFaultSpecStaysUnbound(t *testing.T) {
	cfg, err := Parse("f.yaml", []byte("version: 1\nrules:\n  - name: r\n    faults: [{rate_limit: {requests_per_minute: 1}}]\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, gate, err := cfg.Rules[0].Faults[0].Check()
	if err != nil {
		t.Fatal(err)
	}
	a := faults.NewInstance(f, gate, "r/0/a", faults.NewStore())
	b := faults.NewInstance(f, gate, "r/0/a", faults.NewStore())
	if a.Fault == f || b.Fault == f || a.Fault == b.Fault {
		t.Fatal("a stateful fault was bound in place: two instances share it")
	}
	if !reflect.DeepEqual(f, &faults.RateLimit{RequestsPerMinute: 1}) {
		t.Fatalf("binding changed the config's fault: %+v", f)
	}
}
