package sidecar

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/admin"
	"github.com/llm-simulator/llm-simulator/config"
	"go.uber.org/goleak"
)

// TestMain fails the package's tests if a goroutine Run started is still
// running when they end.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreCurrent())
}

// source is a config that a test edits as an operator edits a file:
// Load reads what it holds now.
type source struct {
	mu   sync.Mutex // guards rule and bad
	dir  string
	rule string // the one rule's name
	bad  bool   // the next Load finds a broken config
}

func (s *source) set(rule string, bad bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rule, s.bad = rule, bad
}

// Load implements Options.Load.
func (s *source) Load() (*config.Config, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	text := strings.NewReplacer("DIR", s.dir, "RULE", s.rule).Replace(`version: 1
listen: 127.0.0.1:0
admin: {listen: 127.0.0.1:0, state_file: DIR/state.json}
cache: {dir: DIR/cassettes}
server: {drain_idle_grace: 50ms}
simulate: {ttft: {dist: constant, value: 0s}, itl: {dist: constant, value: 0s}}
rules:
  - name: RULE
    respond: {text: "hello"}
`)
	if s.bad {
		text += "    faults: [{nope: {}}]\n"
	}
	return config.Parse("test.yaml", []byte(text), ConfigOptions())
}

// running is a Run under test: its proxy's address, a client of its
// admin API, and what Run returned once it has.
type running struct {
	proxy string
	admin *admin.Client
	done  chan error
}

// startRun runs Run with src's config and lc (nil for plain listeners)
// until the test ends, and returns once both listeners accept.
func startRun(t *testing.T, src *source, lc Lifecycle) *running {
	t.Helper()
	cfg, err := src.Load()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan [2]string, 1)
	r := &running{done: make(chan error, 1)}
	go func() {
		r.done <- Run(ctx, cfg, Options{Load: src.Load, Source: "test.yaml", Lifecycle: lc, Log: io.Discard,
			Ready: func(p, a string) { ready <- [2]string{p, a} }})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-r.done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	select {
	case addrs := <-ready:
		r.proxy, r.admin = addrs[0], &admin.Client{Addr: addrs[1]}
		return r
	case err := <-r.done:
		r.done <- err // for the cleanup
		t.Fatalf("Run stopped before it was ready: %v", err)
	}
	return nil
}

// rule is the rule that took a chat request.
func (r *running) rule(t *testing.T) string {
	t.Helper()
	resp, err := http.Post("http://"+r.proxy+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.Header.Get("X-Llmsim-Rule")
}

// A reload asked through the admin API reads the config again with
// Options.Load and swaps the rules whole; a config Load refuses leaves
// the one in force serving; explain answers from the rules in force.
func TestRunReloadsThroughLoad(t *testing.T) {
	src := &source{dir: t.TempDir(), rule: "first"}
	r := startRun(t, src, nil)
	ctx := t.Context()
	if got := r.rule(t); got != "first" {
		t.Fatalf("before the reload: rule %q", got)
	}
	src.set("second", false)
	view, err := r.admin.Reload(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if view.Origin != "file test.yaml" || len(view.Rules) != 1 || view.Rules[0].Name != "second" {
		t.Fatalf("after the reload the API shows %+v", view)
	}
	if got := r.rule(t); got != "second" {
		t.Fatalf("after the reload: rule %q", got)
	}
	src.set("third", true)
	var apiErr *admin.APIError
	if _, err := r.admin.Reload(ctx); !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadRequest ||
		!strings.Contains(strings.Join(apiErr.Problems, "\n"), `unknown fault type "nope"`) {
		t.Fatalf("a broken config was not refused with its problem: %v", err)
	}
	if got := r.rule(t); got != "second" {
		t.Fatalf("a broken config replaced the rules: rule %q", got)
	}
	ex, err := r.admin.Explain(ctx, &admin.ExplainRequest{URL: "/v1/chat/completions"})
	if err != nil || ex.Rule != "second" {
		t.Fatalf("explain: %+v, %v", ex, err)
	}
}

// fakeLifecycle stands in for tableflip: its upgrades answer err, and
// closing exit is a successor taking over.
type fakeLifecycle struct {
	err  error
	exit chan struct{}
}

func (*fakeLifecycle) Listen(_, network, addr string) (net.Listener, error) {
	return net.Listen(network, addr)
}
func (*fakeLifecycle) Ready() error            { return nil }
func (f *fakeLifecycle) Upgrade() error        { return f.err }
func (f *fakeLifecycle) Exit() <-chan struct{} { return f.exit }
func (*fakeLifecycle) Stop()                   {}

// An upgrade's outcome reaches the asker in our words: tableflip's
// refusal while the last process drains is a 409 that says to wait, a
// config the new process would refuse a 400 with its problems; once a
// successor has taken over, Run drains and returns.
func TestRunUpgradeOutcomes(t *testing.T) {
	src := &source{dir: t.TempDir(), rule: "first"}
	lc := &fakeLifecycle{err: errors.New("tableflip: parent hasn't exited"), exit: make(chan struct{})}
	r := startRun(t, src, lc)
	var apiErr *admin.APIError
	if _, err := r.admin.Upgrade(t.Context()); !errors.As(err, &apiErr) || apiErr.Status != http.StatusConflict ||
		!strings.Contains(apiErr.Message, "still draining; try again once it has exited") {
		t.Fatalf("a busy upgrade: %v", err)
	}
	src.set("first", true)
	if _, err := r.admin.Upgrade(t.Context()); !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadRequest {
		t.Fatalf("an upgrade to a broken config: %v", err)
	}
	close(lc.exit)
	select {
	case err := <-r.done:
		r.done <- err // for the cleanup
	case <-time.After(10 * time.Second):
		t.Fatal("Run still serves after a successor took over")
	}
}
