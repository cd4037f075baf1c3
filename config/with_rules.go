package config

import (
	"reflect"

	"gopkg.in/yaml.v3"
)

// rulesBody is the second shape a rules body may take, {"rules": [...]}.
type rulesBody struct {
	Rules []RuleSpec `yaml:"rules"`
}

var (
	rulesType     = reflect.TypeFor[[]RuleSpec]()
	rulesBodyType = reflect.TypeFor[rulesBody]()
)

// WithRules returns a copy of c whose rules are those of body, which the
// admin API was given: JSON or YAML, a list of rules or {"rules": [...]},
// each rule written as in the config file. They are checked by the code
// that checks the file's rules, with the same messages, positioned in the
// body (file name "request body"); the error is an ErrorList. ${ENV} is
// not expanded: the body comes from a client, and the environment is the
// operator's. Everything but the rules is c's; the copy's Warnings are
// the body's. c is unchanged.
func (c *Config) WithRules(body []byte, opts Options) (*Config, error) {
	e := &errs{file: BodyName}
	root := parseBody(body, e)
	if root == nil {
		return nil, e.list
	}
	seq := root
	switch root.Kind {
	case yaml.SequenceNode:
		checkSchema(root, rulesType, "rules", e)
	case yaml.MappingNode:
		checkSchema(root, rulesBodyType, "", e)
		if seq = lookupKey(root, "rules"); seq == nil {
			e.at(root, `"rules" is missing: the body is a list of rules, or {"rules": [...]}`)
		}
	default:
		e.at(root, `the body is a list of rules, or {"rules": [...]}; got %s`, describe(root))
	}
	if len(e.list) > 0 {
		return nil, e.list.sorted()
	}
	n := *c
	n.Rules, n.Warnings = nil, nil
	if err := seq.Decode(&n.Rules); err != nil {
		e.fromYAML(err)
	}
	n.applyRuleDefaults()
	n.checkRuleList(seq, opts, e)
	if len(e.list) > 0 {
		return nil, e.list.sorted()
	}
	n.Warnings.sorted()
	return &n, nil
}
