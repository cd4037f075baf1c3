package rules

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/llm-simulator/llm-simulator/faults"
)

const toggleRules = `version: 1
rules:
  - {name: a, match: {headers: {x-t: a}}}
  - {name: b, enabled: false, match: {headers: {x-t: a}}}
  - {name: c}
`

func TestTogglesChangeMatchAndSurviveReloadsAndRestarts(t *testing.T) {
	clk := newTestClock()
	file := filepath.Join(t.TempDir(), "state.json")
	store := faults.NewStore()
	o := NewOverlays(store, clk.now, file)
	live := new(Live)
	live.SetOverlays(o)
	live.Store(mustSet(t, store, toggleRules))
	r := req("openai", "POST", "/v1/chat/completions", "{}", map[string]string{"x-t": "a"})
	step := func(what, want string) {
		t.Helper()
		if got := matchName(live.Load(), r); got != want {
			t.Fatalf("%s: matched %q, want %q", what, got, want)
		}
	}
	step("as the file says", "a")
	if err := o.SetEnabled("a", false); err != nil {
		t.Fatal(err)
	}
	step("a toggled off", "c")
	if live.Load().Enabled(0) || !live.Base().Enabled(0) || !live.Base().Rules[0].Enabled {
		t.Fatal("the toggle should show in the set in force only")
	}
	if err := o.SetEnabled("b", true); err != nil {
		t.Fatal(err)
	}
	step("b, disabled in the file, toggled on", "b")
	live.Store(mustSet(t, store, toggleRules))
	step("after a reload", "b")

	restarted := NewOverlays(faults.NewStore(), clk.now, file)
	if err := restarted.Load(); err != nil {
		t.Fatal(err)
	}
	next := new(Live)
	next.SetOverlays(restarted)
	next.Store(mustSet(t, faults.NewStore(), toggleRules))
	if got := matchName(next.Load(), r); got != "b" {
		t.Fatalf("after a restart: matched %q", got)
	}

	if ok, err := o.Untoggle("b"); !ok || err != nil {
		t.Fatal(ok, err)
	}
	step("b given back to the file", "c")
	if err := o.SetEnabled("ghost", false); err != nil {
		t.Fatal(err)
	}
	if got := live.StaleToggles(); !reflect.DeepEqual(got, []string{"ghost"}) {
		t.Fatalf("stale toggles %v", got)
	}
}

func TestLiveWithoutOverlaysStoresTheSetItself(t *testing.T) {
	live := new(Live)
	set := mustSet(t, faults.NewStore(), toggleRules)
	live.Store(set)
	if live.Load() != set || live.Base() != set || live.Load().Overlays() != nil {
		t.Fatal("a Live without overlays should put the set itself in force")
	}
	if live.StaleToggles() != nil {
		t.Fatal("no overlays, no stale toggles")
	}
}

func TestCountersSurviveReloadsAndToggles(t *testing.T) {
	store := faults.NewStore()
	o := NewOverlays(store, nil, "")
	live := new(Live)
	live.SetOverlays(o)
	live.Store(mustSet(t, store, toggleRules))
	a := live.Load().Rules[0]
	a.CountMatch()
	a.CountMatch()
	a.CountFault("error")
	a.CountFault("rate_limit")
	a.CountFault("rate_limit")
	a.CountFault("surprise")
	want := map[string]uint64{"error": 1, "rate_limit": 2, "other": 1}
	check := func(what string, r *Rule) {
		t.Helper()
		if c := r.Counters(); c.Matched() != 2 || !reflect.DeepEqual(c.Faults(), want) {
			t.Fatalf("%s: matched %d faults %v", what, c.Matched(), c.Faults())
		}
	}
	check("counted", a)
	_ = o.SetEnabled("a", false)
	check("after a toggle", live.Load().Rules[0])
	live.Store(mustSet(t, store, toggleRules))
	check("after a reload", live.Load().Rules[0])
	if live.Load().Rules[0] == a {
		t.Fatal("the reload kept the old rule")
	}
	live.Store(mustSet(t, store, "version: 1\nrules:\n  - {name: c}\n"))
	live.Store(mustSet(t, store, toggleRules))
	if n := live.Load().Rules[0].Counters().Matched(); n != 0 {
		t.Fatalf("a rule that left the set came back with %d matches", n)
	}
}

func TestCountingAllocatesNothing(t *testing.T) {
	set := mustSet(t, faults.NewStore(), toggleRules)
	r := set.Rules[0]
	if n := testing.AllocsPerRun(100, func() { r.CountMatch(); r.CountFault("backpressure") }); n != 0 {
		t.Fatalf("%v allocations per count", n)
	}
	var bare Rule // built by hand: counts nowhere, breaks nothing
	bare.CountMatch()
	if bare.Counters().Matched() != 0 {
		t.Fatal("a bare rule counted")
	}
}
