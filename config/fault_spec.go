package config

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/llm-simulator/llm-simulator/config/units"
	"github.com/llm-simulator/llm-simulator/faults"
	"gopkg.in/yaml.v3"
)

// The fault types are the faults package's registry (faults.Register): a
// fault's options are the fields of its own type, decoded into a new one
// from its factory and checked by its Validate; the gate's keys are
// faults.Gate's.

// FaultSpec is one fault: a one-key map naming its type, whose value holds
// the fault's own fields beside its gate (probability, after, times,
// every). Exactly one field is set; validation says so otherwise.
type FaultSpec struct {
	// Kind names the fault, as the map's key does.
	Kind string
	// Gate decides whether it fires: the gate's keys of the map's value.
	Gate faults.Gate
	// Fault is the fault, its options decoded: never bound to a store
	// itself (faults.NewInstance binds a copy when it keeps state), so
	// any number of rule sets may be built from it.
	Fault faults.Fault
	// Digest identifies the fault's content, set when it is checked: its
	// state (a gate's counts, a limiter's windows) survives a reload
	// exactly when it is unchanged.
	Digest uint64

	// named are the kinds the map names, those with a null value left
	// out, in the file's order: Check accepts exactly one.
	named []string
	// problems are what decoding found wrong, positioned: kept here for
	// the checks to report (checkFaults), as yaml.v3 drops from a list
	// an element whose UnmarshalYAML fails, and the faults of a rule
	// must stay in step with its nodes.
	problems []string
}

// gateType is the gate's schema: its keys sit beside every fault's own.
var gateType = reflect.TypeFor[faults.Gate]()

// UnmarshalYAML implements yaml.Unmarshaler: each kind the map names is
// decoded — the gate's keys into the gate, the others into a new fault
// of that kind — and the first is kept. The schema check (checkFault)
// has already refused unknown kinds and keys. What else is wrong is kept
// for the checks, not returned.
func (s *FaultSpec) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		s.problems = units.Messages(units.Errorf(n, "a fault is a one-key map naming its type, one of: %v", faults.Kinds()))
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolved(n.Content[i+1])
		if isNull(v) {
			continue // names no fault, as if it were absent
		}
		factory, ok := faults.Lookup(k.Value)
		if !ok {
			s.problems = append(s.problems, units.Messages(units.Errorf(k, "unknown fault type %q", k.Value))...)
			continue
		}
		f := factory()
		gate, err := decodeFault(v, f)
		s.problems = append(s.problems, units.Messages(err)...)
		if s.named = append(s.named, k.Value); len(s.named) == 1 {
			s.Kind, s.Gate, s.Fault = k.Value, gate, f
		}
	}
	return nil
}

// decodeFault decodes a fault's value: the gate's keys into the gate, the
// rest into f. A fault whose value is not a mapping of options (latency:
// a distribution) decodes itself, from a node holding the rest.
func decodeFault(n *yaml.Node, f faults.Fault) (faults.Gate, error) {
	var gate faults.Gate
	if n.Kind != yaml.MappingNode {
		return gate, n.Decode(f)
	}
	gateKeys := yamlFields(gateType)
	gn := &yaml.Node{Kind: yaml.MappingNode, Line: n.Line, Column: n.Column}
	rest := &yaml.Node{Kind: yaml.MappingNode, Line: n.Line, Column: n.Column}
	for i := 0; i+1 < len(n.Content); i += 2 {
		target := rest
		if _, ok := gateKeys[n.Content[i].Value]; ok {
			target = gn
		}
		target.Content = append(target.Content, n.Content[i], n.Content[i+1])
	}
	var problems []string
	if err := gn.Decode(&gate); err != nil {
		problems = append(problems, units.Messages(err)...)
	}
	if err := rest.Decode(f); err != nil {
		problems = append(problems, units.Messages(err)...)
	}
	if len(problems) > 0 {
		return gate, &yaml.TypeError{Errors: problems}
	}
	return gate, nil
}

// Check checks the fault — that the map names one kind, its options as
// the fault's Validate sees them, its gate — and returns it with its
// gate. The fault returned is the spec's own.
func (s *FaultSpec) Check() (faults.Fault, faults.Gate, error) {
	switch len(s.named) {
	case 0:
		return nil, faults.Gate{}, fmt.Errorf("a fault names its type, one of: %v", faults.Kinds())
	case 1:
	default:
		return nil, faults.Gate{}, fmt.Errorf("a fault is a one-key map naming one type; this one names %v", inRegistryOrder(s.named))
	}
	if v, ok := s.Fault.(faults.Validator); ok {
		if err := v.Validate(); err != nil {
			// Faults' own messages may already name their kind.
			return nil, faults.Gate{}, fmt.Errorf("%s: %s", s.Kind, strings.TrimPrefix(err.Error(), s.Kind+": "))
		}
	}
	if err := s.Gate.Validate(); err != nil {
		return nil, faults.Gate{}, fmt.Errorf("%s: %w", s.Kind, err)
	}
	return s.Fault, s.Gate, nil
}

// inRegistryOrder sorts kinds as the registry lists them.
func inRegistryOrder(kinds []string) []string {
	order := faults.Kinds()
	out := slices.Clone(kinds)
	slices.SortFunc(out, func(a, b string) int { return slices.Index(order, a) - slices.Index(order, b) })
	return out
}
