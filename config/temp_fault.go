package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"time"

	"github.com/llm-simulator/llm-simulator/config/units"
	"gopkg.in/yaml.v3"
)

// BodyName is the file name errors in an admin API body carry.
const BodyName = "request body"

// MaxTTL is the longest a temporary fault may last.
const MaxTTL = 24 * time.Hour

// TempFaultSpec is a temporary fault as the admin API gives it, checked:
// faults added to the requests a match takes, for a while.
type TempFaultSpec struct {
	// Match is the requests it holds for; Scope is folded into its Scope.
	Match MatchSpec
	// Faults are the faults as given, as JSON.
	Faults json.RawMessage
	// Specs are the faults decoded, each with its digest.
	Specs []FaultSpec
	// Scope limits the fault to one scope; "" holds for all.
	Scope string
	// TTL is how long it lasts once added.
	TTL time.Duration
}

// tempFaultBody is the schema of a temporary fault as the admin API takes
// it.
type tempFaultBody struct {
	Match  MatchSpec      `yaml:"match"`
	Faults []FaultSpec    `yaml:"faults"`
	TTL    units.Duration `yaml:"ttl"`
	Scope  string         `yaml:"scope"`
}

var tempFaultBodyType = reflect.TypeFor[tempFaultBody]()

// ParseTempFault checks a temporary fault given as JSON (or YAML) in a
// body named name:
//
//	{"match": {"model": "gpt-*"}, "faults": [{"error": {"status": 503}}],
//	 "ttl": "2m", "scope": "t1"}
//
// match and faults are written as in a rule of the config file and are
// checked by the same code, with the same messages; ttl is required
// (unless needTTL is false: a state file keeps the expiry instead), up
// to 24h; scope, optional, limits the fault to one scope, as match.scope
// does (if both are given they must agree). ${ENV} is not expanded: the
// body comes from a client, and the environment is the operator's. The
// error is an ErrorList positioned in the body.
func ParseTempFault(name string, body []byte, needTTL bool) (TempFaultSpec, error) {
	e := &errs{file: name}
	root := parseBody(body, e)
	if root == nil {
		return TempFaultSpec{}, e.list
	}
	checkSchema(root, tempFaultBodyType, "", e)
	if len(e.list) > 0 {
		return TempFaultSpec{}, e.list.sorted()
	}
	var b tempFaultBody
	if err := root.Decode(&b); err != nil {
		e.fromYAML(err)
	}
	spec := TempFaultSpec{Match: b.Match, Scope: b.Scope, TTL: b.TTL.D()}
	checkTTL(root, spec.TTL, needTTL, e)
	if n := lookupKey(root, "scope"); n != nil && b.Match.Scope != "" && b.Match.Scope != b.Scope {
		e.at(n, "scope %q and match.scope %q disagree: give one, or the same in both", b.Scope, b.Match.Scope)
	}
	if spec.Scope == "" {
		spec.Scope = b.Match.Scope
	}
	spec.Match.Scope = spec.Scope
	if err := spec.Match.Check(); err != nil {
		e.at(orNode(lookupKey(root, "match"), root), "%v", err)
	}
	spec.Specs = checkTempFaults(root, b.Faults, e)
	if len(e.list) > 0 {
		return TempFaultSpec{}, e.list.sorted()
	}
	var err error
	spec.Faults, err = nodeJSON(lookupKey(root, "faults"))
	return spec, err
}

func checkTTL(root *yaml.Node, ttl time.Duration, needTTL bool, e *errs) {
	n := lookupKey(root, "ttl")
	switch {
	case n == nil && needTTL:
		e.at(root, `ttl is missing: say how long the fault lasts, such as "ttl": "5m" (at most 24h)`)
	case n == nil:
	case ttl <= 0:
		e.at(n, "ttl must be positive")
	case ttl > MaxTTL:
		e.at(n, "ttl %v is longer than a temporary fault may last (24h)", ttl)
	}
}

// checkTempFaults checks each fault, as a rule's are, and
// notes its digest.
func checkTempFaults(root *yaml.Node, specs []FaultSpec, e *errs) []FaultSpec {
	seq := lookupKey(root, "faults")
	if seq == nil || len(specs) == 0 {
		e.at(orNode(seq, root), "faults is missing: give at least one, such as [{\"error\": {\"status\": 503}}]")
		return nil
	}
	for i := range specs {
		if i >= len(seq.Content) {
			break
		}
		e.addAll(specs[i].problems)
		if _, _, err := specs[i].Check(); err != nil {
			e.at(seq.Content[i], "%v", err)
		}
		specs[i].Digest = digest(seq.Content[i])
	}
	return specs
}

// parseBody reads an admin API body, JSON or YAML, as one YAML node; nil
// (with the reason in e) when it is not one document.
func parseBody(body []byte, e *errs) *yaml.Node {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			e.add("the body is empty")
		} else {
			e.fromYAML(err)
		}
		return nil
	}
	var extra yaml.Node
	if dec.Decode(&extra) == nil {
		e.at(&extra, "the body holds one document; this is a second")
		return nil
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	return root
}

// nodeJSON is a YAML node's value as JSON.
func nodeJSON(n *yaml.Node) (json.RawMessage, error) {
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(jsonable(v))
}
