package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
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

// BenchmarkUpgrade is an upgrade's hand-over: from the admin call to the
// answer that the new process serves (it has loaded its config, taken the
// listeners and said it is ready), and then to the old process's exit.
func BenchmarkUpgrade(b *testing.B) {
	dir := b.TempDir()
	config := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(config, []byte("version: 1\ndrain_timeout: 5s\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	pidFile := filepath.Join(dir, "pid")
	cmd, ready := startBinary(b, "--config", config, "--pid-file", pidFile, "--ca-dir", filepath.Join(dir, "ca"))
	b.Cleanup(func() { killPidFile(pidFile) })
	go func() { _ = cmd.Wait() }() // the first process is ours to reap
	// A connection per call: the old process closes its idle ones as it
	// drains, and a POST sent on one would fail.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	var handover, exit time.Duration
	for b.Loop() {
		old := readPidB(b, pidFile)
		start := time.Now()
		resp, err := client.Post("http://"+ready.Admin+"/api/v1/upgrade", "application/json", nil)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("upgrade: %v %v", err, resp)
		}
		resp.Body.Close()
		handover += time.Since(start)
		for alive(old) {
			time.Sleep(time.Millisecond)
		}
		exit += time.Since(start)
	}
	b.ReportMetric(float64(handover.Microseconds())/1000/float64(b.N), "ms/handover")
	b.ReportMetric(float64(exit.Microseconds())/1000/float64(b.N), "ms/old-exit")
}

func readPidB(b *testing.B, path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		b.Fatal(err)
	}
	return pid
}

// alive reports a process that exists and is not a zombie: an old
// process reparented to an init that does not reap stays a zombie.
func alive(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	if i := strings.LastIndexByte(string(data), ')'); i >= 0 && i+2 < len(data) {
		return data[i+2] != 'Z'
	}
	return true
}
