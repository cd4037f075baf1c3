package main

import (
	"fmt"
	"os"
	"testing"
)

// TestMain points the user config directory, where the interception CA
// is created on first run, at a temporary one: tests, and the binaries
// they start, never write to the real user's.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "llm-simulator-test-config-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("XDG_CONFIG_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
