package rules

import (
	"github.com/llm-simulator/llm-simulator/config"
)

// TempFaultSpec is a temporary fault checked and ready for AddFault: the
// body as the config reads it, its match compiled.
type TempFaultSpec struct {
	config.TempFaultSpec
	match matcher
}

// ParseFault checks a temporary fault given as JSON (or YAML):
//
//	{"match": {"model": "gpt-*"}, "faults": [{"error": {"status": 503}}],
//	 "ttl": "2m", "scope": "t1"}
//
// as config.ParseTempFault does (match and faults are written and checked
// as in a rule of the config file; ttl is required, up to 24h); the error
// is an ErrorList positioned in the body, named "request body".
func (o *Overlays) ParseFault(body []byte) (TempFaultSpec, error) {
	return parseTempFault(config.BodyName, body, true)
}

// parseTempFault is ParseFault for a body named name; needTTL is false
// for the state file, which keeps the expiry instead.
func parseTempFault(name string, body []byte, needTTL bool) (TempFaultSpec, error) {
	spec, err := config.ParseTempFault(name, body, needTTL)
	if err != nil {
		return TempFaultSpec{}, err
	}
	m, err := compileMatch(&spec.Match)
	if err != nil {
		return TempFaultSpec{}, err
	}
	return TempFaultSpec{TempFaultSpec: spec, match: m}, nil
}
