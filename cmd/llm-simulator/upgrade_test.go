package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// upgradeYAML answers at once by default; model slow streams 30 tokens
// 20 ms apart (0.6 s) and model hold 30 tokens 100 ms apart (3 s), both
// well under the drain timeout, so a drain never has to cut one. An idle
// connection is closed 500 ms into a drain.
const upgradeYAML = `version: 1
drain_timeout: 5s
server: {drain_idle_grace: 500ms}
reload: {watch: false}
simulate:
  ttft: {dist: constant, value: 0s}
  itl: {dist: constant, value: 0s}
  output_tokens: {dist: constant, value: 20}
  models:
    slow: {itl: {dist: constant, value: 20ms}, output_tokens: {dist: constant, value: 30}}
    hold: {itl: {dist: constant, value: 100ms}, output_tokens: {dist: constant, value: 30}}
`

const (
	// drainTimeout and idleGrace are upgradeYAML's drain_timeout and
	// server.drain_idle_grace.
	drainTimeout = 5 * time.Second
	idleGrace    = 500 * time.Millisecond
	// exitMargin is what a draining process may take beyond its drain
	// timeout to be seen gone: the exit itself and this test's 5 ms poll,
	// on two cores shared with the race detector and other packages'
	// tests. (A drain that reaches its deadline fails the test anyway:
	// the log says so.)
	exitMargin = time.Second
	// upgrades is how many upgrades follow one another.
	upgrades = 10
	// busyAt is the upgrade that also checks the 409s.
	busyAt = 4
)

// Ten upgrades one after another, each once the process before has
// exited, under 64 clients that never pause (see load.crowd) — by base
// URL over kept-alive HTTP/1.1, and as HTTPS_PROXY clients (CONNECT, TLS
// by the local CA) over h2 and over kept-alive HTTP/1.1, calls back to
// back and slow streams — a few that pause between calls, and a few
// whose connections lie idle through each drain: no call fails, though
// none is retried (a POST without an Idempotency-Key is not), no stream
// is cut, every old process is gone within the drain timeout, and the
// last one exits on SIGTERM as promptly.
//
// It takes about 20 s (with -race) and bounds itself to 3 minutes; run
// it alone with
//
//	go test -race -run TestUpgradesUnderLoad -timeout 5m ./cmd/llm-simulator
func TestUpgradesUnderLoad(t *testing.T) {
	ctx, cancel, dir, config := loadTestSetup(t)
	defer cancel()
	f := startFleet(t, dir, "--config", config, "--ca-dir", filepath.Join(dir, "ca"))
	l := newLoad(t, cancel) // after the processes: stopped before they are killed
	idle := l.crowd(t, ctx, f.ready.Listen, filepath.Join(dir, "ca", "ca.pem"), idleGrace)

	for i := range upgrades {
		took := upgradeAndWait(t, ctx, f, i == busyAt)
		t.Logf("upgrade %d: the old process was gone %v after the upgrade was answered", i+1, took.Round(time.Millisecond))
		if took > drainTimeout+exitMargin {
			t.Errorf("upgrade %d: the old process took %v to exit; drain_timeout is %v", i+1, took, drainTimeout)
		}
		idle.call(ctx)
	}
	l.finish()
	stopFleet(t, ctx, f)

	l.check(t, f.log.String())
}

// waitForTraffic waits until the clients have made n calls, so the first
// upgrade happens under load.
func waitForTraffic(t *testing.T, ctx context.Context, l *load, n int64) {
	t.Helper()
	for l.viaDirect.Load()+l.viaProxy.Load() < n {
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for the clients: %v; %s", context.Cause(ctx), l.report())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// upgradeAndWait upgrades once — while checking the 409s, when busy —
// checks that the pid file names a new, live process, and returns how
// long the old one took to exit once the upgrade was answered.
func upgradeAndWait(t *testing.T, ctx context.Context, f *fleet, busy bool) time.Duration {
	t.Helper()
	old := f.pid(t)
	var answered time.Time
	if busy {
		answered = upgradeWhileBusy(t, ctx, f)
	} else {
		if status, body, err := f.upgrade(ctx); err != nil || status != http.StatusOK {
			t.Fatalf("upgrade: %d %s %v\n%s", status, body, err, f.log)
		}
		answered = time.Now()
	}
	if now := f.pid(t); now == old || !alive(now) {
		t.Fatalf("after the upgrade the pid file names %d (was %d, exited: %v)", now, old, !alive(now))
	}
	if _, err := waitGone(ctx, old); err != nil {
		t.Fatalf("%v\n%s", err, f.log)
	}
	return time.Since(answered)
}

// upgradeWhileBusy upgrades with two calls at once, then calls the new
// process before the old one has exited: one call succeeds, the others
// get a 409 saying why. A 3 s stream held open on the old process keeps it
// draining throughout, whichever process answers each call: the old one
// (an upgrade under way, or done) or the new one (its predecessor still
// draining). The held stream must then finish whole. It returns when
// the upgrade was answered.
func upgradeWhileBusy(t *testing.T, ctx context.Context, f *fleet) time.Time {
	t.Helper()
	held := holdStream(t, ctx, f.ready.Listen)
	defer held.Body.Close()
	type answer struct {
		status int
		body   string
		at     time.Time
	}
	answers := make(chan answer, 2)
	for range 2 {
		go func() {
			status, body, err := f.upgrade(ctx)
			if err != nil {
				body = err.Error()
			}
			answers <- answer{status, body, time.Now()}
		}()
	}
	got := []answer{<-answers, <-answers}
	// The old process may take a call or two more before it closes its
	// end of the admin listener ("handed over"); then the new one answers.
	var status int
	var body string
	for status == 0 || strings.Contains(body, "handed over") {
		var err error
		if status, body, err = f.upgrade(ctx); err != nil {
			t.Fatal(err)
		}
	}
	got = append(got, answer{status, body, time.Now()})
	sort.Slice(got, func(i, j int) bool { return got[i].status < got[j].status })
	if got[0].status != http.StatusOK || got[1].status != http.StatusConflict || got[2].status != http.StatusConflict {
		t.Fatalf("three upgrade calls, two at once: want one 200 and two 409s, got %+v\n%s", got, f.log)
	}
	for _, a := range got[1:] {
		if !strings.Contains(a.body, "under way") && !strings.Contains(a.body, "still draining") &&
			!strings.Contains(a.body, "handed over") && !strings.Contains(a.body, "not ready") {
			t.Errorf("a 409 that does not say why: %s", a.body)
		}
	}
	if !strings.Contains(got[2].body, "still draining") {
		t.Errorf("the new process should say the old one still drains: %s", got[2].body)
	}
	t.Logf("409s: %s; %s", strings.TrimSpace(got[1].body), strings.TrimSpace(got[2].body))
	rest, err := io.ReadAll(held.Body)
	if err != nil || !strings.HasSuffix(string(rest), "data: [DONE]\n\n") {
		t.Errorf("the stream held across the upgrade did not finish: %v …%q", err, rest[max(0, len(rest)-80):])
	}
	return got[0].at
}

// holdStream starts a stream of model hold and reads its first event.
func holdStream(t *testing.T, ctx context.Context, listen string) *http.Response {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+listen+"/v1/chat/completions",
		strings.NewReader(`{"model":"hold","stream":true,"messages":[{"role":"user","content":"hi"}]}`))
	resp, err := freshClient.Do(req) // a connection of its own
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("hold stream: %d", resp.StatusCode)
	}
	r := bufio.NewReader(resp.Body)
	if _, err := r.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	resp.Body = struct {
		io.Reader
		io.Closer
	}{r, resp.Body}
	return resp
}

// stopFleet sends SIGTERM to the serving process and checks that it is
// gone within the drain timeout.
func stopFleet(t *testing.T, ctx context.Context, f *fleet) {
	t.Helper()
	pid := f.pid(t)
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	took, err := waitGone(ctx, pid)
	if err != nil {
		t.Fatalf("%v\n%s", err, f.log)
	}
	t.Logf("SIGTERM: the last process was gone in %v", took.Round(time.Millisecond))
	if took > drainTimeout+exitMargin {
		t.Errorf("the last process took %v to exit after SIGTERM; drain_timeout is %v", took, drainTimeout)
	}
}
