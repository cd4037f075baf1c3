package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds llm-simulator once per test run, as users run it.
func binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "llmsim-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "llm-simulator")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = &buildError{err, out}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

type buildError struct {
	err error
	out []byte
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + string(e.out) }

// readyLine is the log line that says the process serves.
type readyLine struct {
	Message string `json:"message"`
	Listen  string `json:"listen"`
	Admin   string `json:"admin"`
}

// startBinary execs the binary on kernel-chosen loopback ports and waits
// for its ready line on stderr.
//
// Its stderr is a pipe of the test's own rather than exec's StderrPipe,
// which Wait closes once the process exits: the processes an upgrade
// starts inherit that stderr and outlive the first, and a Go program
// whose stderr is a closed pipe dies of SIGPIPE at its next log line.
func startBinary(t testing.TB, args ...string) (*exec.Cmd, readyLine) {
	t.Helper()
	cmd := exec.Command(binary(t), append([]string{"--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"}, args...)...)
	stderr, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close() // the processes hold the write end
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait(); _ = stderr.Close() })
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		var l readyLine
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.Message == "ready" {
			go func() { _, _ = io.Copy(io.Discard, stderr) }()
			return cmd, l
		}
	}
	t.Fatalf("the process exited without a ready line: %v", sc.Err())
	return nil, readyLine{}
}

func TestBinaryServesAndExitsCleanlyOnSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd, ready := startBinary(t)
			resp, err := http.Get("http://" + ready.Listen + "/v1/models")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("GET /v1/models: %d", resp.StatusCode)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			select {
			case err := <-exited:
				if err != nil {
					t.Fatalf("exit after %v: %v", sig, err)
				}
			case <-time.After(20 * time.Second):
				t.Fatalf("still running 20s after %v", sig)
			}
		})
	}
}

// BenchmarkColdStart is exec to the first answered request: the issue asks
// for under 1 s and aims far lower.
func BenchmarkColdStart(b *testing.B) {
	binary(b)
	var total time.Duration
	for b.Loop() {
		start := time.Now()
		cmd, ready := startBinary(b)
		resp, err := http.Get("http://" + ready.Listen + "/v1/models")
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		total += time.Since(start)
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/first-request")
}
