package telemetry

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// rec is a record numbered i, arriving i seconds after t0.
func rec(i int, scope, rule string) *Record {
	return &Record{Time: t0.Add(time.Duration(i) * time.Second), RequestID: fmt.Sprint(i), Scope: scope, Rule: rule}
}

func ids(rs []Record) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.RequestID
	}
	return out
}

func fill(j *Journal, n int) {
	for i := range n {
		j.Add(rec(i, "", "r"))
	}
}

func TestJournalWraps(t *testing.T) {
	for _, tc := range []struct {
		name       string
		size, adds int
		want       []string
	}{
		{"empty", 3, 0, nil},
		{"part full", 3, 2, []string{"0", "1"}},
		{"full", 3, 3, []string{"0", "1", "2"}},
		{"wrapped", 3, 5, []string{"2", "3", "4"}},
		{"wrapped twice", 3, 7, []string{"4", "5", "6"}},
		{"size zero", 0, 4, nil},
		{"size negative", -1, 4, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := NewJournal(tc.size)
			fill(j, tc.adds)
			if got := ids(j.Query(Query{AnyScope: true})); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			if j.Len() != len(tc.want) {
				t.Errorf("Len %d, want %d", j.Len(), len(tc.want))
			}
		})
	}
}

func TestJournalZeroValueKeepsNothing(t *testing.T) {
	var j Journal
	j.Add(rec(1, "", ""))
	if got := j.Query(Query{AnyScope: true}); len(got) != 0 {
		t.Errorf("got %v", got)
	}
}

func TestJournalQuery(t *testing.T) {
	j := NewJournal(10)
	j.Add(rec(0, "", "a"))
	j.Add(rec(1, "s1", "a"))
	j.Add(rec(2, "s2", "b"))
	j.Add(rec(3, "s1", "b"))
	j.Add(rec(4, "", "b"))
	j.Add(rec(5, "s1", "a"))
	for _, tc := range []struct {
		name string
		q    Query
		want []string
	}{
		{"unscoped", Query{}, []string{"0", "4"}},
		{"any scope", Query{AnyScope: true}, []string{"0", "1", "2", "3", "4", "5"}},
		{"any scope ignores Scope", Query{AnyScope: true, Scope: "s2"}, []string{"0", "1", "2", "3", "4", "5"}},
		{"scope", Query{Scope: "s1"}, []string{"1", "3", "5"}},
		{"scope and rule", Query{Scope: "s1", Rule: "a"}, []string{"1", "5"}},
		{"rule", Query{AnyScope: true, Rule: "b"}, []string{"2", "3", "4"}},
		{"since is inclusive", Query{AnyScope: true, Since: t0.Add(3 * time.Second)}, []string{"3", "4", "5"}},
		{"limit keeps the newest", Query{AnyScope: true, Limit: 2}, []string{"4", "5"}},
		{"limit after filters", Query{Scope: "s1", Limit: 2}, []string{"3", "5"}},
		{"limit above count", Query{Scope: "s1", Limit: 20}, []string{"1", "3", "5"}},
		{"no match", Query{Scope: "nope"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ids(j.Query(tc.q)); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// A query's records are copies: changing them leaves the journal alone.
func TestJournalQueryCopies(t *testing.T) {
	j := NewJournal(2)
	j.Add(rec(0, "", "a"))
	j.Query(Query{})[0].Rule = "changed"
	if got := j.Query(Query{})[0].Rule; got != "a" {
		t.Errorf("rule %q", got)
	}
}

func TestJournalClearScope(t *testing.T) {
	j := NewJournal(4)
	for i, s := range []string{"a", "b", "a", "", "b", "a"} { // wraps: keeps 2..5
		j.Add(rec(i, s, ""))
	}
	j.ClearScope("a")
	if got, want := ids(j.Query(Query{AnyScope: true})), []string{"3", "4"}; !slices.Equal(got, want) {
		t.Fatalf("after clearing a: %v, want %v", got, want)
	}
	// The ring goes on in order after a clear.
	j.Add(rec(6, "c", ""))
	j.Add(rec(7, "c", ""))
	j.Add(rec(8, "c", ""))
	if got, want := ids(j.Query(Query{AnyScope: true})), []string{"4", "6", "7", "8"}; !slices.Equal(got, want) {
		t.Fatalf("after adding: %v, want %v", got, want)
	}
	j.ClearScope("")
	if got, want := ids(j.Query(Query{AnyScope: true})), []string{"4", "6", "7", "8"}; !slices.Equal(got, want) {
		t.Errorf("clearing the unscoped: %v, want %v", got, want)
	}
	j.ClearScope("b")
	if got, want := ids(j.Query(Query{AnyScope: true})), []string{"6", "7", "8"}; !slices.Equal(got, want) {
		t.Errorf("clearing b: %v, want %v", got, want)
	}
}

func TestJournalClearAll(t *testing.T) {
	j := NewJournal(3)
	fill(j, 5)
	j.ClearAll()
	if j.Len() != 0 || len(j.Query(Query{AnyScope: true})) != 0 {
		t.Fatal("records left")
	}
	fill(j, 2)
	if got := ids(j.Query(Query{AnyScope: true})); !slices.Equal(got, []string{"0", "1"}) {
		t.Errorf("after clear: %v", got)
	}
}

func TestJournalResize(t *testing.T) {
	for _, tc := range []struct {
		name       string
		size, adds int
		to         int
		want       []string
	}{
		{"shrink keeps the newest", 5, 7, 2, []string{"5", "6"}},
		{"grow keeps all", 3, 5, 6, []string{"2", "3", "4"}},
		{"same size", 3, 5, 3, []string{"2", "3", "4"}},
		{"to none", 3, 5, 0, nil},
		{"from none", 0, 5, 3, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := NewJournal(tc.size)
			fill(j, tc.adds)
			j.Resize(tc.to)
			if got := ids(j.Query(Query{AnyScope: true})); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			if j.Size() != max(tc.to, 0) {
				t.Errorf("Size %d", j.Size())
			}
			// Adding goes on after the kept ones, the oldest dropped first.
			for i := range tc.to + 1 {
				j.Add(rec(100+i, "", "r"))
			}
			got := ids(j.Query(Query{AnyScope: true}))
			if len(got) != tc.to || (tc.to > 0 && got[len(got)-1] != fmt.Sprint(100+tc.to)) {
				t.Errorf("after adds: %v", got)
			}
		})
	}
}

func TestJournalConcurrent(t *testing.T) {
	j := NewJournal(64)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				j.Add(rec(g*1000+i, fmt.Sprint(g%2), "r"))
				if i%50 == 0 {
					_ = j.Query(Query{Scope: "1", Limit: 5})
				}
				if i == 250 && g == 0 {
					j.ClearScope("0")
					j.Resize(32)
				}
			}
		})
	}
	wg.Wait()
	if j.Len() != 32 {
		t.Errorf("Len %d, want 32", j.Len())
	}
}
