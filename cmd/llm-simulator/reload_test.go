package main

import (
	"io"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

const ruleV1 = `version: 1
reload: {interval: 20ms}
simulate: {ttft: {dist: constant, value: 0s}, itl: {dist: constant, value: 0s}}
rules:
  - name: v1
    respond: {text: "first of all, a sentence long enough to take a while to stream out"}
`

// ask returns the rule that took a chat request and the answer's text.
func ask(t *testing.T, addr string) (rule, body string) {
	t.Helper()
	resp, err := http.Post("http://"+addr+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.Header.Get("X-Llmsim-Rule"), string(b)
}

// waitForRule polls until the answer comes from the named rule: the watch
// is asynchronous by nature, so the test waits on what it can observe.
func waitForRule(t *testing.T, addr, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if rule, _ := ask(t, addr); rule == want {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("rule %q never took effect", want)
}

func TestReloadOnFileChange(t *testing.T) {
	path := writeConfig(t, ruleV1)
	proxyAddr, _, _, log := startServeLogged(t, path)
	if rule, body := ask(t, proxyAddr); rule != "v1" || !strings.Contains(body, "first") {
		t.Fatalf("before: rule %q body %s", rule, body)
	}
	// A broken file keeps the rules in force.
	if err := os.WriteFile(path, []byte("version: 1\nrules: [{name: x, faults: [{nope: {}}]}]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitForLog(t, log, `unknown fault type \"nope\"`)
	waitForLog(t, log, "the config in force keeps serving")
	if rule, _ := ask(t, proxyAddr); rule != "v1" {
		t.Fatalf("a broken file replaced the rules: now %q", rule)
	}
	good := strings.Replace(strings.Replace(ruleV1, "v1", "v2", 1), "first", "second", 1)
	if err := os.WriteFile(path, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	waitForRule(t, proxyAddr, "v2")
	if _, body := ask(t, proxyAddr); !strings.Contains(body, "second") {
		t.Fatalf("after: %s", body)
	}
}

// SIGHUP reloads; a stream under way finishes on the rules it began with.
func TestReloadOnSIGHUPKeepsStreamsInFlight(t *testing.T) {
	slow := strings.Replace(ruleV1, "itl: {dist: constant, value: 0s}", "itl: {dist: constant, value: 30ms}", 1)
	slow = strings.Replace(slow, "reload: {interval: 20ms}", "reload: {watch: false}", 1)
	path := writeConfig(t, slow)
	proxyAddr, _, _ := startServe(t, path)
	resp, r := beginStream(t, proxyAddr)
	if err := os.WriteFile(path, []byte(strings.Replace(slow, "v1", "v2", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitForRule(t, proxyAddr, "v2")
	rest, err := io.ReadAll(r)
	if err != nil || !strings.HasSuffix(string(rest), "data: [DONE]\n\n") {
		t.Fatalf("the stream in flight did not finish: %v …%q", err, rest[max(0, len(rest)-60):])
	}
	if resp.Header.Get("X-Llmsim-Rule") != "v1" {
		t.Fatalf("the stream began on %q", resp.Header.Get("X-Llmsim-Rule"))
	}
}
