package config

import (
	"github.com/llm-simulator/llm-simulator/config/units"
	"gopkg.in/yaml.v3"
)

// AccessMode is log.access: whether each request gets an access line.
// The zero AccessMode is AccessAuto.
type AccessMode string

// The access modes.
const (
	// AccessAuto logs a line per request when the log is console lines
	// on a terminal, for a person to watch, and none otherwise: where a
	// machine reads the log, a line each would cost more than the request
	// at tens of thousands of requests per second.
	AccessAuto AccessMode = "auto"
	// AccessOn logs a line per request whatever the format.
	AccessOn AccessMode = "true"
	// AccessOff logs none.
	AccessOff AccessMode = "false"
)

// UnmarshalYAML implements yaml.Unmarshaler: true, false or auto.
func (a *AccessMode) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		var on bool
		switch {
		case n.Value == string(AccessAuto):
			*a = AccessAuto
			return nil
		case n.ShortTag() == "!!bool" && n.Decode(&on) == nil:
			*a = AccessOff
			if on {
				*a = AccessOn
			}
			return nil
		}
	}
	return units.Errorf(n, "log.access must be true, false or auto; got %s", describe(n))
}

// On reports whether requests get an access line, given whether the log
// is console lines on a terminal.
func (a AccessMode) On(watched bool) bool {
	switch a {
	case AccessOn:
		return true
	case AccessOff:
		return false
	}
	return watched
}
