package glob

import (
	"path"
	"testing"
)

// The fast forms agree with path.Match, which defines what a glob means.
func TestGlobAgreesWithPathMatch(t *testing.T) {
	patterns := []string{"gpt-4o", "gpt-4o*", "*-mini", "claude-*haiku*", "/v1/*", "/v1/chat/*", "*", "gpt-[0-9]*", "a?c", "*/completions"}
	subjects := []string{"gpt-4o", "gpt-4o-mini", "gpt-4", "claude-3-5-haiku", "claude-opus", "/v1/messages", "/v1/chat/completions", "", "abc", "gpt-5", "a/b-mini", "x/completions"}
	for _, p := range patterns {
		g, err := Compile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range subjects {
			want, _ := path.Match(p, s)
			if got := g.Match(s); got != want {
				t.Errorf("glob %q on %q: %v, path.Match says %v", p, s, got, want)
			}
		}
	}
	if _, err := Compile("gpt-["); err == nil {
		t.Error("a bad pattern compiled")
	}
}

func FuzzGlob(f *testing.F) {
	f.Add("gpt-*", "gpt-4o")
	f.Add("*x", "a/x")
	f.Fuzz(func(t *testing.T, p, s string) {
		g, err := Compile(p)
		if err != nil {
			return
		}
		want, _ := path.Match(p, s)
		if p == "" {
			want = true // "" means no constraint
		}
		if got := g.Match(s); got != want {
			t.Fatalf("glob %q on %q: %v, path.Match says %v", p, s, got, want)
		}
	})
}
