package mitm

import (
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/rules"
)

// FuzzSubtree checks that the subtree Subtree gives a host glob is sound:
// every host the glob intercepts (as rules.HostSet matches it) lies
// within it, so a CA made for the glob serves every host it matches; and
// no subtree is shorter than two labels.
func FuzzSubtree(f *testing.F) {
	for _, seed := range [][2]string{
		{"api.openai.com", "api.openai.com"}, {"*.openai.azure.com", "res.openai.azure.com"},
		{"api-*.example.com", "api-eu.x.example.com"}, {"[a-z]?.example.co", "ab.example.co"},
		{`a\*.example.com`, "a*.example.com"}, {"*.example.com.", "x.example.com."}, {"*", "www.google.com"},
		{"API.Example.COM", "api.example.com"}, {"*foo.example.com", "barfoo.example.com"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, glob, host string) {
		tree, err := Subtree(glob)
		if err != nil {
			return
		}
		if strings.Count(tree, ".") < 1 && strings.ContainsAny(glob, `*?[]\`) {
			t.Fatalf("Subtree(%q) = %q: a glob's subtree of one label", glob, tree)
		}
		set, err := rules.NewHostSet([]string{glob})
		if err != nil || strings.ContainsAny(host, ":[]/") || !set.Match(host) {
			return
		}
		if name := canonicalName(host); !permits(tree, name) {
			t.Fatalf("glob %q matches %q, outside its subtree %q", glob, name, tree)
		}
	})
}
