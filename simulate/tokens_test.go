package simulate

import (
	"strings"
	"testing"
)

func TestCountTokens(t *testing.T) {
	cases := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"Hello", 1},
		{"Hello world", 2},
		{"Hello, world!", 4},
		{`{"city":"Paris"}`, 5}, // {" city ":" Paris "}
		{"...!!!", 2},
		{"international", 3},
		{"12345", 2},
		{"a\n\nb", 3},
		{"日本語", 3},
		{"  indented", 3}, // " ", " indent", "ed"
		{"naïve café", 2},
		{"😀", 1},
	}
	for _, c := range cases {
		if got := CountTokens(c.in); got != c.want {
			t.Errorf("CountTokens(%q) = %d, want %d (pieces %q)", c.in, got, c.want, splitTokens(c.in))
		}
	}
}

func TestSplitTokensReassembles(t *testing.T) {
	for _, s := range []string{"The quick brown fox, 2024-01-02.\n\n  Done 日本 😀", "\xff\xfe bad utf8", "   "} {
		pieces := splitTokens(s)
		if strings.Join(pieces, "") != s {
			t.Errorf("pieces of %q do not reassemble: %q", s, pieces)
		}
		if len(pieces) != CountTokens(s) {
			t.Errorf("split and count disagree on %q", s)
		}
	}
}

func FuzzSplitTokens(f *testing.F) {
	f.Add("hello world 123")
	f.Fuzz(func(t *testing.T, s string) {
		pieces := splitTokens(s)
		if strings.Join(pieces, "") != s {
			t.Fatalf("pieces of %q do not reassemble", s)
		}
		for _, p := range pieces {
			if p == "" {
				t.Fatalf("empty piece in %q", s)
			}
		}
	})
}
