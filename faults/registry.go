package faults

import (
	"fmt"
	"slices"
	"sync"
)

// The faults the config accepts, by the name a rule gives them, in the
// order the docs and the config's messages list them. A fault is one
// file — its type, whose fields are its options, its checks and what it
// does — and one line here.
func init() {
	Register("latency", func() Fault { return new(Latency) })
	Register("ttft", func() Fault { return new(TTFT) })
	Register("itl", func() Fault { return new(ITL) })
	Register("error", func() Fault { return new(Error) })
	Register("raw", func() Fault { return new(Raw) })
	Register("content", func() Fault { return new(Content) })
	Register("body", func() Fault { return new(Body) })
	Register("abort", func() Fault { return new(Abort) })
	Register("hang", func() Fault { return new(Hang) })
	Register("stream", func() Fault { return new(Stream) })
	Register("throttle", func() Fault { return new(Throttle) })
	Register("rate_limit", func() Fault { return new(RateLimit) })
	Register("backpressure", func() Fault { return new(Backpressure) })
}

// A Factory makes a fault of one kind, a pointer to its type with no
// option set, for the config to decode the fault's options into: its
// fields, with their yaml tags, are the fault's keys in a rule (the gate's
// — probability, after, times, every — sit beside them, and are the
// config's). Each call returns a new value.
type Factory func() Fault

// Validator is a fault whose options can be wrong in ways their types do
// not say. The config calls Validate once the options are decoded and
// refuses the file, at the fault's line, with its message, which uses
// the config's names for the options.
type Validator interface {
	Validate() error
}

var registry struct {
	mu     sync.RWMutex // guards kinds and byKind
	kinds  []string     // in registration order
	byKind map[string]Factory
}

// Register makes kind a fault the config accepts, made by factory. It
// panics when kind is registered already or factory's faults name
// another kind: a mistake in the program, found as it starts.
func Register(kind string, factory Factory) {
	if got := factory().Kind(); got != kind {
		panic(fmt.Sprintf("faults: %q registered with a factory of %q faults", kind, got))
	}
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if _, dup := registry.byKind[kind]; dup {
		panic(fmt.Sprintf("faults: %q registered twice", kind))
	}
	if registry.byKind == nil {
		registry.byKind = map[string]Factory{}
	}
	registry.byKind[kind] = factory
	registry.kinds = append(registry.kinds, kind)
}

// Lookup returns the factory of the faults of kind.
func Lookup(kind string) (Factory, bool) {
	registry.mu.RLock()
	defer registry.mu.RUnlock()
	f, ok := registry.byKind[kind]
	return f, ok
}

// Kinds lists the kinds registered, in the order they were. The slice is
// the caller's.
func Kinds() []string {
	registry.mu.RLock()
	defer registry.mu.RUnlock()
	return slices.Clone(registry.kinds)
}
