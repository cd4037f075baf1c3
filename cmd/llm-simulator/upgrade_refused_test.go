package main

import (
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// badRuleYAML is refused with a position: line 4, column 15.
const badRuleYAML = `version: 1
rules:
  - name: broken
    faults: [{nope: {}}]
`

// An upgrade that cannot happen says so to whoever asked, whichever way
// they asked — the admin API answers an error status with the reason,
// `ctl upgrade` exits 1 saying it, and SIGUSR2, which has no one to
// answer, logs it — and changes nothing: the pid file is the same, byte
// for byte, and the old process serves on. Two reasons: a config the new
// process would refuse, each of its errors named by file:line:col (no new
// process starts); and a new process that fails before it is ready, with
// a config the check passes (a cache directory that is a file).
func TestUpgradeRefusedSaysWhy(t *testing.T) {
	for _, tc := range []struct {
		name   string
		config func(dir, config string) string
		status int    // the admin API's
		answer string // in the admin API's answer and ctl's output; %s is the config file
		log    string // in the error line SIGUSR2 leaves
	}{
		{
			name:   "a config the new process would refuse",
			config: func(string, string) string { return badRuleYAML },
			status: http.StatusBadRequest,
			answer: `%s:4:15: unknown fault type \"nope\"`,
			log:    `%s:4:15: unknown fault type \"nope\"`,
		},
		{
			name: "a new process that fails before it is ready",
			config: func(dir, _ string) string {
				file := filepath.Join(dir, "not-a-directory")
				if err := os.WriteFile(file, nil, 0o644); err != nil {
					t.Fatal(err)
				}
				return upgradeYAML + "cache: {dir: " + file + "}\n"
			},
			status: http.StatusInternalServerError,
			answer: "the new process failed",
			log:    "upgrade failed: the new process did not become ready",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			config := filepath.Join(dir, "config.yaml")
			if err := os.WriteFile(config, []byte(upgradeYAML), 0o644); err != nil {
				t.Fatal(err)
			}
			f := startFleet(t, dir, "--config", config, "--ca-dir", filepath.Join(dir, "ca"))
			pidFile, err := os.ReadFile(f.pidFile)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(config, []byte(tc.config(dir, config)), 0o644); err != nil {
				t.Fatal(err)
			}
			answer := strings.ReplaceAll(tc.answer, "%s", config)
			unchanged := func(after string) {
				t.Helper()
				if now, _ := os.ReadFile(f.pidFile); string(now) != string(pidFile) {
					t.Fatalf("after %s the pid file holds %q, was %q", after, now, pidFile)
				}
				if pid := f.pid(t); !alive(pid) {
					t.Fatalf("after %s the process %d is gone", after, pid)
				}
				if status, _ := proxyCall(t, f.ready.Listen, nil); status != http.StatusOK {
					t.Fatalf("after %s the proxy answers %d", after, status)
				}
			}

			status, body, err := f.upgrade(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if status != tc.status || !strings.Contains(body, answer) || !strings.Contains(body, "this one keeps serving") {
				t.Errorf("the admin API: %d %s; want %d with %s, and that this process keeps serving", status, body, tc.status, answer)
			}
			unchanged("the admin API's upgrade")

			out, err := exec.Command(f.bin, "ctl", "--addr", f.ready.Admin, "upgrade").CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), strings.ReplaceAll(answer, `\"`, `"`)) {
				t.Errorf("ctl upgrade: %v\n%s\nwant exit status 1 and %s", err, out, answer)
			}
			unchanged("ctl upgrade")

			if err := syscall.Kill(f.pid(t), syscall.SIGUSR2); err != nil {
				t.Fatal(err)
			}
			waitForLogLine(t, f.log, strings.ReplaceAll(tc.log, "%s", config), `"level":"error"`, `"reason":"SIGUSR2"`)
			unchanged("SIGUSR2")
		})
	}
}

// waitForLogLine waits until a line of the log holds every part: an
// event the test can only observe through the log.
func waitForLogLine(t *testing.T, log *logBuffer, parts ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, line := range strings.Split(log.String(), "\n") {
			if containsAll(line, parts) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line holds all of %q:\n%s", parts, log)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
