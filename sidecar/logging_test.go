package sidecar

import (
	"io"
	"testing"

	"github.com/llm-simulator/llm-simulator/config"
)

// By default (log.access: auto) a person watching a terminal gets a brief
// access line per request, and a log read by machines gets none; true and
// false decide whatever the terminal, the format deciding the line's shape.
func TestAccessLogDecision(t *testing.T) {
	term := func(io.Writer) bool { return true }
	pipe := func(io.Writer) bool { return false }
	for _, c := range []struct {
		name      string
		format    string
		access    config.AccessMode
		isTerm    func(io.Writer) bool
		on, brief bool
	}{
		{"auto on a terminal", "auto", "", term, true, true},
		{"auto piped", "auto", "", pipe, false, false},
		{"console on a terminal", "console", config.AccessAuto, term, true, true},
		{"console to a file", "console", config.AccessAuto, pipe, false, true},
		{"json on a terminal", "json", config.AccessAuto, term, false, false},
		{"json, asked for", "json", config.AccessOn, pipe, true, false},
		{"terminal, turned off", "auto", config.AccessOff, term, false, true},
		{"console to a file, asked for", "console", config.AccessOn, pipe, true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			on, brief := accessLog(config.LogConfig{Format: c.format, Access: c.access}, io.Discard, c.isTerm)
			if on != c.on || brief != c.brief {
				t.Errorf("on %v brief %v, want %v %v", on, brief, c.on, c.brief)
			}
		})
	}
}
