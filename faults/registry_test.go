package faults

import (
	"slices"
	"testing"
)

// Every kind the config accepts is registered once, in the order the
// docs list them, and its factory makes a new fault of that kind.
func TestRegistry(t *testing.T) {
	want := []string{"latency", "ttft", "itl", "error", "raw", "content", "body",
		"abort", "hang", "stream", "throttle", "rate_limit", "backpressure"}
	if got := Kinds(); !slices.Equal(got[:len(want)], want) {
		t.Fatalf("kinds %v, want %v first", got, want)
	}
	for _, kind := range Kinds() {
		factory, ok := Lookup(kind)
		if !ok {
			t.Fatalf("%s: no factory", kind)
		}
		a, b := factory(), factory()
		if a.Kind() != kind || a == b {
			t.Errorf("%s: the factory makes %q faults, or the same one twice", kind, a.Kind())
		}
	}
	if _, ok := Lookup("explode"); ok {
		t.Error("an unknown kind has a factory")
	}
}

func TestRegisterRefusesMistakes(t *testing.T) {
	for name, register := range map[string]func(){
		"a kind twice":             func() { Register("error", func() Fault { return new(Error) }) },
		"a factory of other kinds": func() { Register("oops", func() Fault { return new(Error) }) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("registered")
				}
			}()
			register()
		})
	}
	if _, ok := Lookup("oops"); ok {
		t.Fatal("a refused kind was kept")
	}
}
