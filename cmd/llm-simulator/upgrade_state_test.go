package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// The runtime changes made through the admin API — a toggle, a temporary
// fault — are there in the process an upgrade starts, as are the
// cassettes.
func TestUpgradeKeepsRuntimeState(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(config, []byte(adminRules), 0o644); err != nil {
		t.Fatal(err)
	}
	pidFile := filepath.Join(dir, "pid")
	_, ready := startBinary(t, "--config", config, "--pid-file", pidFile, "--ca-dir", filepath.Join(dir, "ca"))
	t.Cleanup(func() { killPidFile(pidFile) })
	first := readPid(t, pidFile)

	if status, _ := adminCall(t, ready.Admin, "POST", "/api/v1/rules/boom/disable", ""); status != 200 {
		t.Fatalf("disable: %d", status)
	}
	if status, _ := adminCall(t, ready.Admin, "POST", "/api/v1/faults", `{"faults":[{"error":{"status":418}}],"ttl":"10m","scope":"kept"}`); status != http.StatusCreated {
		t.Fatalf("add a fault: %d", status)
	}
	if status, v := adminCall(t, ready.Admin, "POST", "/api/v1/upgrade", ""); status != 200 {
		t.Fatalf("upgrade: %d %v", status, v)
	}
	if second := readPid(t, pidFile); second == first {
		t.Fatalf("the pid file still names %d", first)
	}
	if status, rule := proxyCall(t, ready.Listen, map[string]string{"X-Test": "boom"}); status != 200 || rule != "rest" {
		t.Errorf("the toggle was lost: %d by %q", status, rule)
	}
	if status, _ := proxyCall(t, ready.Listen, map[string]string{"X-Llmsim-Scope": "kept"}); status != 418 {
		t.Errorf("the temporary fault was lost: %d", status)
	}
}

func readPid(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatalf("pid file %q: %v", data, err)
	}
	return pid
}

// killPidFile ends the process the pid file names: after an upgrade it is
// no longer the test's child, so startBinary's cleanup cannot reach it.
func killPidFile(path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		return
	}
	if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && pid > 1 {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}
