package faults

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

func fireSequence(g Gate, n int, scope string, s *Store) string {
	in := NewInstance(&Abort{}, g, "rule/0/x", s)
	out := ""
	for i := range n {
		x, _ := testExchange("openai")
		x.Rand = rand.New(rand.NewPCG(uint64(i), 7)) // each request its own stream
		x.Scope = scope
		if in.Fires(x) {
			out += "F"
		} else {
			out += "."
		}
	}
	return out
}

func TestGateCounts(t *testing.T) {
	half, never := 0.5, 0.0
	cases := []struct {
		gate Gate
		want string
	}{
		{Gate{}, "FFFFFFFF"},
		{Gate{Times: 2}, "FF......"},
		{Gate{After: 3}, "...FFFFF"},
		{Gate{After: 1, Times: 2}, ".FF....."},
		{Gate{Every: 3}, "..F..F.."},
		{Gate{After: 2, Every: 2, Times: 2}, "...F.F.."},
		{Gate{Probability: &never}, "........"},
	}
	for i, c := range cases {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			if got := fireSequence(c.gate, 8, "", NewStore()); got != c.want {
				t.Fatalf("fired %s, want %s", got, c.want)
			}
		})
	}
	got := fireSequence(Gate{Probability: &half}, 400, "", NewStore())
	if n := strings.Count(got, "F"); n < 150 || n > 250 {
		t.Fatalf("probability 0.5 fired %d of 400", n)
	}
}

// Scopes count apart, so parallel tests do not see each other's faults.
func TestGateCountsPerScope(t *testing.T) {
	s := NewStore()
	g := Gate{Times: 1}
	if a, b := fireSequence(g, 2, "t1", s), fireSequence(g, 2, "t2", s); a != "F." || b != "F." {
		t.Fatalf("scope t1 %s, t2 %s", a, b)
	}
}

func TestStoreRetain(t *testing.T) {
	s := NewStore()
	fireSequence(Gate{}, 1, "", s)
	fireSequence(Gate{}, 1, "other", s)
	s.Retain(func(id string) bool { return id != "rule/0/x" })
	if s.Len() != 0 {
		t.Fatalf("%d states survived", s.Len())
	}
}

func TestGateValidate(t *testing.T) {
	bad := 1.5
	for _, g := range []Gate{{Probability: &bad}, {After: -1}, {Times: -1}, {Every: -2}} {
		if g.Validate() == nil {
			t.Errorf("%+v accepted", g)
		}
	}
}
