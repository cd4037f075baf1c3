package rules

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/faults"
)

// benchSet is 100 rules none of which takes the benchmark's request, so
// every rule is tried: the worst case of matching.
func benchSet(b *testing.B, withBody bool) *Set {
	var y strings.Builder
	y.WriteString("version: 1\nrules:\n")
	for i := range 100 {
		switch {
		case withBody && i%2 == 0:
			fmt.Fprintf(&y, "  - {name: r%d, match: {model: \"m%d-*\", path: /v1/chat/completions}}\n", i, i)
		case withBody:
			fmt.Fprintf(&y, "  - {name: r%d, match: {body: {metadata.tenant: \"t%d\"}}}\n", i, i)
		default:
			fmt.Fprintf(&y, "  - {name: r%d, match: {path: \"/v%d/*\", headers: {x-test: \"case-%d-*\"}, provider: openai}}\n", i, i, i)
		}
	}
	cfg, err := Parse("bench.yaml", []byte(y.String()), Options{})
	if err != nil {
		b.Fatal(err)
	}
	return cfg.RuleSet(faults.NewStore(), "bench", time.Time{})
}

func benchMatch(b *testing.B, withBody bool) {
	set := benchSet(b, withBody)
	h := http.Header{"X-Test": {"other"}}
	body := []byte(`{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"metadata":{"tenant":"none"}}`)
	b.ReportAllocs()
	for b.Loop() {
		r := Request{Provider: "openai", Method: "POST", Path: "/v1/chat/completions", Host: "api.openai.com", Header: h, Body: body}
		if set.Match(&r) != nil {
			b.Fatal("a rule matched")
		}
	}
}

// BenchmarkMatch: 100 rules tried in full, for requests whose rules look
// at headers and paths only, and for rules that read the body.
func BenchmarkMatch(b *testing.B) {
	b.Run("body-free", func(b *testing.B) { benchMatch(b, false) })
	b.Run("body-reading", func(b *testing.B) { benchMatch(b, true) })
}
