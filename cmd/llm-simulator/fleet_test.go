package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// fleet is the binary as an upgraded service runs: the first process,
// started by the test, and each one an upgrade starts after it, known
// through the pid file. They all write to one stderr pipe, as with
// startBinary; the fleet keeps every line, for failure messages, and
// reaps the first process as soon as it exits.
type fleet struct {
	bin     string
	pidFile string
	ready   readyLine  // the first process's; upgrades keep both addresses
	log     *logBuffer // every process's log, for failure messages
	mu      sync.Mutex // guards seen
	seen    []int      // every pid the pid file has named
}

// startFleet starts the binary with --pid-file in dir and args, on
// kernel-chosen loopback ports, and waits for its ready line. Every
// process the fleet comes to hold is killed when the test ends.
func startFleet(t *testing.T, dir string, args ...string) *fleet {
	t.Helper()
	f := &fleet{bin: binary(t), pidFile: filepath.Join(dir, "pid"), log: &logBuffer{}}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	args = append([]string{"--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--pid-file", f.pidFile}, args...)
	cmd := exec.Command(f.bin, args...)
	cmd.Stderr = w // an *os.File: handed over as is, no copying goroutine for Wait to wait on
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	f.note(cmd.Process.Pid)
	t.Cleanup(f.killAll)
	// The first process is the test's child: reaped here. Its successors
	// are orphaned to init when their parent exits.
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	readyc := make(chan readyLine, 1)
	go f.readLog(r, readyc)
	select {
	case f.ready = <-readyc:
	case <-exited:
		t.Fatalf("the process exited without a ready line:\n%s", f.log)
	case <-time.After(30 * time.Second):
		t.Fatalf("no ready line in 30s:\n%s", f.log)
	}
	if pid := f.pid(t); pid != cmd.Process.Pid {
		t.Fatalf("the pid file names %d, the process is %d", pid, cmd.Process.Pid)
	}
	return f
}

// readLog keeps every line of r and sends the first ready line on ready.
func (f *fleet) readLog(r *os.File, ready chan<- readyLine) {
	defer r.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	sent := false
	for sc.Scan() {
		fmt.Fprintf(f.log, "%s\n", sc.Bytes())
		var l readyLine
		if !sent && json.Unmarshal(sc.Bytes(), &l) == nil && l.Message == "ready" {
			ready <- l
			sent = true
		}
	}
}

// pid is the process the pid file names now, noted for the cleanup.
func (f *fleet) pid(t *testing.T) int {
	t.Helper()
	pid := readPid(t, f.pidFile)
	f.note(pid)
	return pid
}

func (f *fleet) note(pid int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seen = append(f.seen, pid)
}

// killAll kills every process of the fleet still running — the pid file
// names the newest even when the test did not read it — checking that a
// pid is still our binary, not a stranger that reused the number.
func (f *fleet) killAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	pids := f.seen
	if data, err := os.ReadFile(f.pidFile); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil {
			pids = append(pids, pid)
		}
	}
	for _, pid := range pids {
		if exe, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/exe"); err == nil && exe == f.bin {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

// exited reports whether every thread of process pid has exited: no
// such process, or a zombie — one orphaned to an init that does not reap
// stays one — with no thread but its first. A Go program's first thread
// turns zombie while its others are still on their way out, still
// holding its files and its children; the one thread left says they are
// gone too.
func exited(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return true
	}
	status := string(data)
	return strings.Contains(status, "\nState:\tZ") && strings.Contains(status, "\nThreads:\t1\n")
}

// waitGone polls until pid has exited and says how long that took; a
// process's end cannot be waited on when it is not our child.
func waitGone(ctx context.Context, pid int) (time.Duration, error) {
	start := time.Now()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !exited(pid) {
		select {
		case <-ctx.Done():
			return time.Since(start), fmt.Errorf("waiting for pid %d to exit: %w", pid, context.Cause(ctx))
		case <-tick.C:
		}
	}
	return time.Since(start), nil
}

// freshClient makes each call on a new connection: the process that
// answered the last call may be draining, and a POST sent on a kept-alive
// connection just as it closes it would fail (a POST is not replayed).
var freshClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

// upgrade POSTs /api/v1/upgrade and returns the status and the body.
func (f *fleet) upgrade(ctx context.Context) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+f.ready.Admin+"/api/v1/upgrade", nil)
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := freshClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}
