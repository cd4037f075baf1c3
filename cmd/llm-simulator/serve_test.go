package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// startServe runs serve in-process on loopback ports chosen by the kernel
// and returns the addresses once both listeners accept connections.
func startServe(t *testing.T, config string) (proxyAddr, adminAddr string, stop func() error) {
	t.Helper()
	proxyAddr, adminAddr, stop, _ = startServeLogged(t, config)
	return proxyAddr, adminAddr, stop
}

// logBuffer is the served process's log, safe to read while it writes.
type logBuffer struct {
	mu  sync.Mutex // guards buf
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// waitForLog waits until the log holds want: an event the test can only
// observe through the log.
func waitForLog(t *testing.T, log *logBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(log.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the log never said %q:\n%s", want, log)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func startServeLogged(t *testing.T, config string) (proxyAddr, adminAddr string, stop func() error, log *logBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan [2]string, 1)
	done := make(chan error, 1)
	log = &logBuffer{}
	o := &options{config: config, listen: "127.0.0.1:0", adminListen: "127.0.0.1:0"}
	go func() {
		done <- serve(ctx, o, stdio{out: io.Discard, err: log}, func(p, a string) { ready <- [2]string{p, a} })
	}()
	select {
	case addrs := <-ready:
		stopped := false
		stop = func() error {
			if stopped {
				return nil
			}
			stopped = true
			cancel()
			return <-done
		}
		t.Cleanup(func() { _ = stop() })
		return addrs[0], addrs[1], stop, log
	case err := <-done:
		cancel()
		t.Fatalf("serve stopped before it was ready: %v\n%s", err, log)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("serve never became ready")
	}
	return "", "", nil, nil
}

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestServesTheEmbeddedDefault(t *testing.T) {
	proxyAddr, adminAddr, _ := startServe(t, "")
	for _, url := range []string{"http://" + adminAddr + "/healthz", "http://" + adminAddr + "/readyz", "http://" + proxyAddr + "/v1/models"} {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", url, resp.StatusCode)
		}
	}
}

// A shutdown lets a stream that is under way finish, and refuses new work.
func TestShutdownDrainsInFlightStreams(t *testing.T) {
	cfg := writeConfig(t, `version: 1
simulate:
  ttft: {dist: constant, value: 0s}
  itl: {dist: constant, value: 40ms}
  output_tokens: {dist: constant, value: 10}
`)
	proxyAddr, adminAddr, stop := startServe(t, cfg)
	_, r := beginStream(t, proxyAddr)
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	rest, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("stream cut by the shutdown: %v", err)
	}
	if !bytes.HasSuffix(rest, []byte("data: [DONE]\n\n")) {
		t.Fatalf("stream did not finish: …%q", rest[max(0, len(rest)-80):])
	}
	if err := <-stopped; err != nil {
		t.Fatalf("serve returned %v", err)
	}
	if _, err := http.Get("http://" + adminAddr + "/healthz"); err == nil {
		t.Fatal("the admin listener still answers after shutdown")
	}
}

func TestRefusesABadConfigWithPositions(t *testing.T) {
	cfg := writeConfig(t, "version: 1\nsimulate: {txt: lorem}\n")
	var stderr bytes.Buffer
	err := serve(context.Background(), &options{config: cfg}, stdio{out: io.Discard, err: &stderr}, nil)
	if err == nil {
		t.Fatal("started with a bad config")
	}
	if want := cfg + `:2:12: unknown field "txt" in simulate`; !strings.Contains(stderr.String(), want) {
		t.Fatalf("stderr %q does not contain %q", stderr.String(), want)
	}
}

// A stream longer than drain_timeout does not hold the process: the drain
// gives up at the deadline and closes what is left.
func TestDrainTimeoutBoundsShutdown(t *testing.T) {
	cfg := writeConfig(t, `version: 1
drain_timeout: 300ms
simulate:
  ttft: {dist: constant, value: 0s}
  itl: {dist: constant, value: 1s}
  output_tokens: {dist: constant, value: 100}
`)
	proxyAddr, _, stop := startServe(t, cfg)
	beginStream(t, proxyAddr)
	start := time.Now()
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	// 100 tokens a second apart would take 99 s; the drain must end near
	// its 300 ms deadline (the tolerance allows for a slow machine).
	if took := time.Since(start); took < 300*time.Millisecond || took > 10*time.Second {
		t.Fatalf("shutdown took %v with drain_timeout 300ms", took)
	}
}

// beginStream opens a chat stream on addr and reads until it has begun
// (its first line); the rest is the caller's to read from the reader.
// The response is closed when the test ends.
func beginStream(t *testing.T, addr string) (*http.Response, *bufio.Reader) {
	t.Helper()
	resp, err := http.Post("http://"+addr+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	r := bufio.NewReader(resp.Body)
	if _, err := r.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	return resp, r
}
