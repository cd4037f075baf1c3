package faults_test

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/faults"
	"github.com/llm-simulator/llm-simulator/rules"
	"github.com/llm-simulator/llm-simulator/wire"
)

// The worked example of CREATING_FAULTS.md, registered (by
// header_example_test.go) and nothing else done: a config takes it with
// its gate, checks its keys strictly and its options with its Validate,
// and a rule set runs it.
func TestHeaderFaultThroughAConfig(t *testing.T) {
	cfg, err := config.Parse("h.yaml", []byte(`version: 1
rules:
  - name: gateway
    faults:
      - header: {set: {x-cache: MISS}, probability: 0.5}
`), config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	set, err := rules.Build(cfg, faults.NewStore(), "test", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	in := set.Rules[0].Faults[0]
	stage, ok := in.Fault.(faults.Stage)
	if !ok || in.Fault.Kind() != "header" || in.Gate.Probability == nil || *in.Gate.Probability != 0.5 {
		t.Fatalf("built %#v, gate %+v", in.Fault, in.Gate)
	}
	var got http.Header
	sink := stage.Wrap(context.Background(), &faults.Exchange{}, wire.SinkFunc(func(ev wire.Event) error {
		got = ev.Header
		return nil
	}))
	if err := sink.Send(wire.Event{Kind: wire.Head, Status: 200, Header: http.Header{}}); err != nil || got.Get("X-Cache") != "MISS" {
		t.Fatalf("header %v, err %v", got, err)
	}

	for src, want := range map[string]string{
		"- header: {sett: {a: b}}": `h.yaml:5:18: unknown field "sett" in rules[0].faults[0].header (known: after, every, probability, set, times)`,
		"- header: {}":             `h.yaml:5:9: rule "gateway": header: set at least one header`,
	} {
		_, err := config.Parse("h.yaml", []byte("version: 1\nrules:\n  - name: gateway\n    faults:\n      "+src+"\n"), config.Options{})
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: %v, want %s", src, err, want)
		}
	}
}

// CREATING_FAULTS.md shows the example as header_example_test.go holds
// it, so the guide's code is code that compiles and passes its tests.
func TestCreatingFaultsShowsTheExample(t *testing.T) {
	src, err := os.ReadFile("header_example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	guide, err := os.ReadFile("../CREATING_FAULTS.md")
	if err != nil {
		t.Fatal(err)
	}
	code := string(src)
	start, end := strings.Index(code, "// Header sets response headers"), strings.Index(code, "// The registry line")
	if start < 0 || end < start {
		t.Fatal("header_example_test.go no longer holds the example as this test expects")
	}
	if example := strings.TrimSpace(code[start:end]); !strings.Contains(string(guide), "```go\n"+example+"\n```") {
		t.Errorf("CREATING_FAULTS.md does not show the example as faults/header_example_test.go has it:\n%s", example)
	}
}
