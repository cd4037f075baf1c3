package main

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain points the user config directory, where the interception CA
// is created on first run, and the user state directory, where the state
// files are kept, at temporary ones: tests, and the binaries they start,
// never write to the real user's. A goroutine the tests leave
// running fails the run, as goleak.VerifyTestMain would; those already
// running before the tests began (package initialisation's) are not
// counted.
func TestMain(m *testing.M) {
	initial := goleak.IgnoreCurrent()
	dir, err := os.MkdirTemp("", "llm-simulator-test-config-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("XDG_CONFIG_HOME", dir)
	os.Setenv("XDG_STATE_HOME", dir+"/state") // the admin API's state files
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(initial); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: errors on successful test run: %v\n", err)
			code = 1
		}
	}
	os.RemoveAll(dir)
	os.Exit(code)
}
