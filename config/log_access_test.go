package config

import (
	"strings"
	"testing"
)

func TestLogAccessValues(t *testing.T) {
	for _, c := range []struct {
		yaml string
		want AccessMode
		err  string
	}{
		{"", "", ""},
		{"access: auto", AccessAuto, ""},
		{"access: true", AccessOn, ""},
		{"access: false", AccessOff, ""},
		{"access: yes", "", `log.access must be true, false or auto; got "yes"`},
		{"access: [true]", "", "log.access must be true, false or auto; got a list"},
	} {
		t.Run(c.yaml, func(t *testing.T) {
			cfg, err := Parse("t.yaml", []byte("version: 1\nlog: {"+c.yaml+"}\n"), Options{})
			switch {
			case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
				t.Errorf("error %v, want %q", err, c.err)
			case c.err == "" && err != nil:
				t.Error(err)
			case c.err == "" && cfg.Log.Access != c.want:
				t.Errorf("access %q, want %q", cfg.Log.Access, c.want)
			}
		})
	}
	if !AccessMode("").On(true) || AccessMode("").On(false) || !AccessOn.On(false) || AccessOff.On(true) {
		t.Error("On")
	}
}
