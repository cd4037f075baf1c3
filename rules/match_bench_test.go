package rules

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/config"
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
	cfg, err := config.Parse("bench.yaml", []byte(y.String()), config.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return mustBuild(b, cfg, faults.NewStore(), "bench")
}

func benchMatch(b *testing.B, withBody bool) {
	benchMatchSet(b, benchSet(b, withBody))
}

func benchMatchSet(b *testing.B, set *Set) {
	b.Helper()
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

// BenchmarkMatchOverlays is BenchmarkMatch's body-free case on the set a
// Live puts in force with overlays that hold nothing, then with every rule
// toggled on: matching must cost what it costs on the plain set.
func BenchmarkMatchOverlays(b *testing.B) {
	live := func(b *testing.B) (*Live, *Overlays) {
		store := faults.NewStore()
		o := NewOverlays(store, nil, "")
		l := new(Live)
		l.SetOverlays(o)
		l.Store(benchSet(b, false))
		return l, o
	}
	b.Run("empty", func(b *testing.B) {
		l, _ := live(b)
		benchMatchSet(b, l.Load())
	})
	b.Run("toggled", func(b *testing.B) {
		l, o := live(b)
		for _, r := range l.Base().Rules {
			if err := o.SetEnabled(r.Name, true); err != nil {
				b.Fatal(err)
			}
		}
		benchMatchSet(b, l.Load())
	})
}

// BenchmarkFaultsFor is the data plane's look at the temporary faults:
// none, and one that does not hold for the request.
func BenchmarkFaultsFor(b *testing.B) {
	r := Request{Provider: "openai", Method: "POST", Path: "/v1/chat/completions", Header: http.Header{}, Body: []byte(`{"model":"gpt-4o"}`)}
	o := NewOverlays(faults.NewStore(), nil, "")
	b.Run("none", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if o.FaultsFor(&r) != nil {
				b.Fatal("a fault")
			}
		}
	})
	b.Run("one-elsewhere", func(b *testing.B) {
		spec, err := o.ParseFault([]byte(`{"faults":[{"abort":{}}],"ttl":"1h","scope":"other"}`))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := o.AddFault(spec); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if o.FaultsFor(&r) != nil {
				b.Fatal("a fault")
			}
		}
	})
}
