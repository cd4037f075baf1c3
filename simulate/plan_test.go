package simulate

import (
	"slices"
	"testing"
)

func TestCutAtStop(t *testing.T) {
	pieces := []string{"Hello", " world", ".", " How", " are", " you"}
	cases := []struct {
		stops []string
		kept  []string
		seq   string
		used  int
	}{
		{nil, pieces, "", 6},
		{[]string{"xyz"}, pieces, "", 6},
		{[]string{" How"}, []string{"Hello", " world", "."}, " How", 4},
		{[]string{"ld. H"}, []string{"Hello", " wor"}, "ld. H", 4},
		{[]string{"you", "o w"}, []string{"Hell"}, "o w", 2},
		{[]string{"Hello"}, nil, "Hello", 1},
	}
	for _, c := range cases {
		kept, seq, used := cutAtStop(pieces, c.stops, len(pieces))
		if !slices.Equal(kept, c.kept) || seq != c.seq || used != c.used {
			t.Errorf("stops %q: got %q %q %d, want %q %q %d", c.stops, kept, seq, used, c.kept, c.seq, c.used)
		}
	}
}
