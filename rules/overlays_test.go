package rules

import (
	"encoding/json"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/faults"
)

func TestTempFaultHoldsForItsScopeAndMatchUntilItsExpiry(t *testing.T) {
	clk := newTestClock()
	store := faults.NewStore()
	o := NewOverlays(store, clk.now, "")
	tf := addFault(t, o, `{"match":{"model":"gpt-*"},"faults":[{"error":{"status":503}}],"ttl":"2s","scope":"t1"}`)
	if !regexp.MustCompile(`^f-[0-9a-f]{6}$`).MatchString(tf.ID) {
		t.Fatalf("id %q", tf.ID)
	}
	if !tf.Expires.Equal(t0.Add(2*time.Second)) || tf.Left != 2*time.Second || tf.Scope != "t1" || tf.Match.Scope != "t1" {
		t.Fatalf("added %+v", tf)
	}
	cases := []struct {
		name         string
		scope, model string
		want         int
	}{
		{"its scope and model", "t1", "gpt-4o", 1},
		{"another scope", "t2", "gpt-4o", 0},
		{"no scope", "", "gpt-4o", 0},
		{"another model", "t1", "claude-sonnet-4-5", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := o.FaultsFor(scoped(c.scope, c.model))
			if len(got) != c.want {
				t.Fatalf("%d faults, want %d", len(got), c.want)
			}
			if c.want == 1 && (got[0].Fault.Kind() != "error" || !strings.HasPrefix(got[0].ID, "overlay "+tf.ID+"/0/")) {
				t.Fatalf("fault %s %s", got[0].Fault.Kind(), got[0].ID)
			}
		})
	}
	in := o.FaultsFor(scoped("t1", "gpt-4o"))[0]
	if !fire(in, "t1") || store.Len() != 1 {
		t.Fatalf("the fault did not fire or keep its state (%d states)", store.Len())
	}
	clk.set(tf.Expires.Add(-time.Nanosecond))
	if len(o.FaultsFor(scoped("t1", "gpt-4o"))) != 1 {
		t.Fatal("gone a nanosecond before its expiry")
	}
	if got := o.Faults(); len(got) != 1 || got[0].Left != time.Nanosecond {
		t.Fatalf("listed %+v", got)
	}
	clk.set(tf.Expires)
	if len(o.FaultsFor(scoped("t1", "gpt-4o"))) != 0 {
		t.Fatal("still in force at its expiry")
	}
	if got := o.Faults(); len(got) != 0 || store.Len() != 0 {
		t.Fatalf("expired fault listed (%v) or its state kept (%d)", got, store.Len())
	}
}

func TestTempFaultWithoutScopeHoldsForEveryScope(t *testing.T) {
	o := NewOverlays(faults.NewStore(), nil, "")
	addFault(t, o, "match: {path: /v1/chat/*, provider: openai}\nfaults: [{latency: {dist: constant, value: 1ms}}, {abort: {}}]\nttl: 1m\n")
	for _, scope := range []string{"", "a", "b"} {
		if n := len(o.FaultsFor(scoped(scope, "m"))); n != 2 {
			t.Fatalf("scope %q: %d faults", scope, n)
		}
	}
	r := scoped("", "m")
	r.Provider = "anthropic"
	if n := len(o.FaultsFor(r)); n != 0 {
		t.Fatalf("another provider: %d faults", n)
	}
}

func TestFaultsForWithNoneAllocatesNothing(t *testing.T) {
	o := NewOverlays(faults.NewStore(), nil, "")
	r := scoped("t1", "gpt-4o")
	var none *Overlays
	var bare *Set
	if n := testing.AllocsPerRun(100, func() { o.FaultsFor(r); none.FaultsFor(r); bare.Overlays().FaultsFor(r) }); n != 0 {
		t.Fatalf("%v allocations", n)
	}
}

func TestParseFaultTakesYAMLAndKeepsTheFaultsAsJSON(t *testing.T) {
	o := NewOverlays(faults.NewStore(), nil, "")
	spec, err := o.ParseFault([]byte("faults:\n  - latency: {dist: constant, value: 250ms, probability: 0.5}\nttl: 90s\nscope: t1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if spec.TTL != 90*time.Second || spec.Scope != "t1" || spec.Match.Scope != "t1" {
		t.Fatalf("spec %+v", spec)
	}
	if got := string(spec.Faults); got != `[{"latency":{"dist":"constant","probability":0.5,"value":"250ms"}}]` {
		t.Fatalf("faults %s", got)
	}
}

func TestTempFaultJSON(t *testing.T) {
	clk := newTestClock()
	o := NewOverlays(faults.NewStore(), clk.now, "")
	addFault(t, o, `{"match":{"model":"gpt-*"},"faults":[{"error":{"status":503}}],"ttl":"2s","scope":"t1"}`)
	clk.set(t0.Add(500 * time.Millisecond))
	b, err := json.Marshal(o.Faults()[0])
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	m, _ := json.Marshal(got["match"])
	f, _ := json.Marshal(got["faults"])
	if got["ttl_left"] != "1.5s" || got["scope"] != "t1" || got["expires"] != "2026-03-04T05:06:09Z" ||
		string(m) != `{"model":"gpt-*","scope":"t1"}` || string(f) != `[{"error":{"status":503}}]` || len(got) != 6 {
		t.Fatalf("%s", b)
	}
}

func TestRemoveFaultAndReset(t *testing.T) {
	store := faults.NewStore()
	o := NewOverlays(store, nil, "")
	const body = `{"faults":[{"error":{"status":500}}],"ttl":"1h"%s}`
	t1 := addFault(t, o, strings.Replace(body, "%s", `,"scope":"t1"`, 1))
	t2 := addFault(t, o, strings.Replace(body, "%s", `,"scope":"t2"`, 1))
	all := addFault(t, o, strings.Replace(body, "%s", "", 1))
	fire(o.FaultsFor(scoped("t1", "m"))[0], "t1")
	if err := o.SetEnabled("r", false); err != nil {
		t.Fatal(err)
	}
	ids := func() []string {
		var out []string
		for _, f := range o.Faults() {
			out = append(out, f.ID)
		}
		return out
	}
	if err := o.Reset("t1", false); err != nil || strings.Join(ids(), " ") != t2.ID+" "+all.ID || store.Len() != 0 {
		t.Fatalf("after resetting t1: %v (%v), %d states", ids(), err, store.Len())
	}
	if _ = o.Reset("", false); len(ids()) != 2 {
		t.Fatal("resetting no scope dropped the faults that hold for all")
	}
	if !o.RemoveFault(t2.ID) || o.RemoveFault(t2.ID) || o.RemoveFault(t1.ID) {
		t.Fatal("RemoveFault should find t2 once, and t1 no more")
	}
	if _ = o.Reset("", true); len(ids()) != 0 || len(o.Toggles()) != 0 {
		t.Fatalf("after resetting all: faults %v toggles %v", ids(), o.Toggles())
	}
}

// A reload retains the state of the set's faults only: the temporary
// faults' is theirs to drop.
func TestTempFaultStateSurvivesAReload(t *testing.T) {
	store := faults.NewStore()
	o := NewOverlays(store, nil, "")
	addFault(t, o, `{"faults":[{"error":{"status":500,"times":1}}],"ttl":"1h"}`)
	in := o.FaultsFor(scoped("", "m"))[0]
	if !fire(in, "") {
		t.Fatal("did not fire")
	}
	ids := mustSet(t, store, toggleRules).IDs()
	store.Retain(func(id string) bool { return ids[id] })
	if fire(in, "") {
		t.Fatal("times: 1 fired again: the reload dropped its count")
	}
}

func TestAddFaultNeedsParseFault(t *testing.T) {
	o := NewOverlays(faults.NewStore(), nil, "")
	if _, err := o.AddFault(TempFaultSpec{TempFaultSpec: config.TempFaultSpec{TTL: time.Second}}); err == nil {
		t.Fatal("a hand-made spec was added")
	}
	spec, err := o.ParseFault([]byte(`{"faults":[{"abort":{}}],"ttl":"1s"}`))
	if err != nil {
		t.Fatal(err)
	}
	spec.TTL = 0
	if _, err := o.AddFault(spec); err == nil {
		t.Fatal("a fault without a ttl was added")
	}
}

// The data plane reads the overlays while the admin API changes them.
func TestOverlaysUnderConcurrentUse(t *testing.T) {
	store := faults.NewStore()
	o := NewOverlays(store, nil, "")
	live := new(Live)
	live.SetOverlays(o)
	live.Store(mustSet(t, store, toggleRules))
	done := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				r := scoped("t1", "gpt-4o")
				set := live.Load()
				if rule := set.Match(r); rule != nil {
					rule.CountMatch()
				}
				for _, in := range set.Overlays().FaultsFor(r) {
					fire(in, "t1")
				}
				set.Explain(scoped("t1", "gpt-4o"))
			}
		})
	}
	for i := range 50 {
		tf := addFault(t, o, `{"faults":[{"error":{"status":500,"times":3}}],"ttl":"1h","scope":"t1"}`)
		_ = o.SetEnabled("c", i%2 == 0)
		live.Store(mustSet(t, store, toggleRules))
		o.Faults()
		if i%3 == 0 {
			o.RemoveFault(tf.ID)
		}
	}
	_ = o.Reset("", true)
	close(done)
	readers.Wait()
}
