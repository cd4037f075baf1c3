package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// loggedBinary is the binary with every line of its stderr kept, for the
// tests that assert what it did or did not log.
type loggedBinary struct {
	cmd   *exec.Cmd
	ready readyLine
	log   *logBuffer
	eof   chan struct{} // closed when the log ends: the process has exited
}

// startLogged starts the binary as startBinary does and keeps its log.
func startLogged(t *testing.T, args ...string) *loggedBinary {
	t.Helper()
	b := &loggedBinary{log: &logBuffer{}, eof: make(chan struct{})}
	b.cmd = exec.Command(binary(t), append([]string{"--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"}, args...)...)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	b.cmd.Stderr = w
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { _ = b.cmd.Process.Kill(); _ = b.cmd.Wait(); <-b.eof })
	readyc := make(chan readyLine, 1)
	go func() {
		defer close(b.eof)
		defer r.Close()
		sc := bufio.NewScanner(r)
		sc.Buffer(nil, 4<<20)
		sent := false
		for sc.Scan() {
			_, _ = b.log.Write(append(sc.Bytes(), '\n'))
			var l readyLine
			if !sent && json.Unmarshal(sc.Bytes(), &l) == nil && l.Message == "ready" {
				readyc <- l
				sent = true
			}
		}
	}()
	select {
	case b.ready = <-readyc:
	case <-b.eof:
		t.Fatalf("the process exited without a ready line:\n%s", b.log)
	case <-time.After(30 * time.Second):
		t.Fatalf("no ready line in 30s:\n%s", b.log)
	}
	return b
}

// stop ends the process with SIGTERM and waits for it and for the last
// line of its log; it fails the test if the exit was not clean.
func (b *loggedBinary) stop(t *testing.T) {
	t.Helper()
	if err := b.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := b.cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v\n%s", err, b.log)
	}
	<-b.eof
}

// checkNoPanic fails the test if the log shows a panic, a recovered one
// (the front logs "bug: a request handler panicked") or a fatal error.
func (b *loggedBinary) checkNoPanic(t *testing.T) {
	t.Helper()
	for _, line := range strings.Split(b.log.String(), "\n") {
		for _, bad := range []string{"panic", "goroutine ", "fatal error"} {
			if strings.Contains(line, bad) {
				t.Errorf("the log shows %q: %s", bad, line)
			}
		}
	}
}
