package main

import (
	"io"
	"testing"

	"github.com/llm-simulator/llm-simulator/rules"
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
		access    rules.AccessMode
		isTerm    func(io.Writer) bool
		on, brief bool
	}{
		{"auto on a terminal", "auto", "", term, true, true},
		{"auto piped", "auto", "", pipe, false, false},
		{"console on a terminal", "console", rules.AccessAuto, term, true, true},
		{"console to a file", "console", rules.AccessAuto, pipe, false, true},
		{"json on a terminal", "json", rules.AccessAuto, term, false, false},
		{"json, asked for", "json", rules.AccessOn, pipe, true, false},
		{"terminal, turned off", "auto", rules.AccessOff, term, false, true},
		{"console to a file, asked for", "console", rules.AccessOn, pipe, true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			on, brief := accessLog(rules.LogConfig{Format: c.format, Access: c.access}, io.Discard, c.isTerm)
			if on != c.on || brief != c.brief {
				t.Errorf("on %v brief %v, want %v %v", on, brief, c.on, c.brief)
			}
		})
	}
}
