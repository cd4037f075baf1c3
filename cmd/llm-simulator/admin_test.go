package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/config"
)

// adminRules answer at once: the tests are about what takes a request.
const adminRules = `version: 1
simulate: {ttft: {dist: constant, value: 0s}, itl: {dist: constant, value: 0s}}
rules:
  - name: boom
    match: {headers: {x-test: boom}}
    faults: [{error: {status: 503}}]
  - name: once
    match: {headers: {x-test: once}}
    faults: [{error: {status: 500, times: 1}}]
  - name: rest
    action: simulate
`

// Toggling a rule at runtime changes what takes requests, counts show on
// GET /rules, and the toggle survives a reload and a restart.
func TestAdminTogglesSurviveReloadAndRestart(t *testing.T) {
	path := writeConfig(t, adminRules)
	proxyAddr, adminAddr, stop := startServe(t, path)
	boom := map[string]string{"X-Test": "boom"}
	if status, rule := proxyCall(t, proxyAddr, boom); status != 503 || rule != "boom" {
		t.Fatalf("before: %d by %q", status, rule)
	}
	if out, _, err := ctlRun(adminAddr, "rules", "disable", "boom"); err != nil || !strings.Contains(out, "disabled") {
		t.Fatalf("ctl disable: %v %s", err, out)
	}
	if status, rule := proxyCall(t, proxyAddr, boom); status != 200 || rule != "rest" {
		t.Fatalf("disabled: %d by %q", status, rule)
	}
	if status, _ := adminCall(t, adminAddr, "POST", "/api/v1/reload", ""); status != 200 {
		t.Fatalf("reload: %d", status)
	}
	_, v := adminCall(t, adminAddr, "GET", "/api/v1/rules", "")
	if field(v, "rules", 0, "enabled") != false || field(v, "rules", 0, "toggled") != true ||
		field(v, "rules", 0, "matched") != 1.0 || field(v, "rules", 0, "faults_fired", "error") != 1.0 ||
		!strings.HasPrefix(field(v, "origin").(string), "file ") {
		t.Fatalf("rules after reload: %v", v)
	}
	if state, _ := config.DefaultStateFile(path); !fileExists(state) {
		t.Fatalf("no state file at %s", state)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	proxyAddr, adminAddr, _ = startServe(t, path)
	if status, rule := proxyCall(t, proxyAddr, boom); status != 200 || rule != "rest" {
		t.Fatalf("after a restart: %d by %q", status, rule)
	}
	if status, _ := adminCall(t, adminAddr, "POST", "/api/v1/rules/nope/enable", ""); status != http.StatusNotFound {
		t.Fatalf("toggling a rule that does not exist: %d", status)
	}
}

// A temporary fault hits only its scope, is listed with its time left,
// and goes when deleted; a bad one is refused with its position.
func TestAdminTemporaryFaults(t *testing.T) {
	proxyAddr, adminAddr, _ := startServe(t, writeConfig(t, adminRules))
	status, v := adminCall(t, adminAddr, "POST", "/api/v1/faults",
		`{"match":{"scope":"t1"},"faults":[{"error":{"status":429}}],"ttl":"1m"}`)
	id, _ := field(v, "id").(string)
	if status != http.StatusCreated || id == "" {
		t.Fatalf("add: %d %v", status, v)
	}
	if status, _ := proxyCall(t, proxyAddr, map[string]string{"X-Llmsim-Scope": "t1"}); status != 429 {
		t.Fatalf("in scope: %d", status)
	}
	if status, _ := proxyCall(t, proxyAddr, map[string]string{"X-Llmsim-Scope": "t2"}); status != 200 {
		t.Fatalf("another scope: %d", status)
	}
	if _, v := adminCall(t, adminAddr, "GET", "/api/v1/faults", ""); field(v, "faults", 0, "id") != id || field(v, "faults", 0, "ttl_left") == nil {
		t.Fatalf("list: %v", v)
	}
	if status, _ := adminCall(t, adminAddr, "DELETE", "/api/v1/faults/"+id, ""); status != http.StatusNoContent {
		t.Fatalf("delete: %d", status)
	}
	if status, _ := proxyCall(t, proxyAddr, map[string]string{"X-Llmsim-Scope": "t1"}); status != 200 {
		t.Fatalf("after delete: %d", status)
	}
	status, v = adminCall(t, adminAddr, "POST", "/api/v1/faults", `{"faults":[{"nope":{}}],"ttl":"1m"}`)
	if status != http.StatusBadRequest || !strings.Contains(strings.Join(strs(field(v, "error", "errors")), "\n"), "request body:1:") {
		t.Fatalf("bad fault: %d %v", status, v)
	}
}

// Resetting a scope forgets its fault state, and only its.
func TestAdminResetScope(t *testing.T) {
	proxyAddr, adminAddr, _ := startServe(t, writeConfig(t, adminRules))
	call := func(scope string) int {
		status, _ := proxyCall(t, proxyAddr, map[string]string{"X-Test": "once", "X-Llmsim-Scope": scope})
		return status
	}
	if a1, a2, b1 := call("a"), call("a"), call("b"); a1 != 500 || a2 != 200 || b1 != 500 {
		t.Fatalf("before reset: a %d %d, b %d", a1, a2, b1)
	}
	if _, _, err := ctlRun(adminAddr, "reset", "--scope", "a"); err != nil {
		t.Fatal(err)
	}
	if a, b := call("a"), call("b"); a != 500 || b != 200 {
		t.Fatalf("after resetting a: a %d, b %d", a, b)
	}
}

// PUT /rules replaces the base set, refuses a bad one with positions, and
// the next reload from the file wins again.
func TestAdminPutRules(t *testing.T) {
	path := writeConfig(t, adminRules)
	proxyAddr, adminAddr, _ := startServe(t, path)
	status, v := adminCall(t, adminAddr, "PUT", "/api/v1/rules", `[{"name":"api-rule","faults":[{"error":{"status":418}}]}]`)
	if status != 200 || field(v, "origin") != "api" {
		t.Fatalf("put: %d %v", status, v)
	}
	if status, rule := proxyCall(t, proxyAddr, nil); status != 418 || rule != "api-rule" {
		t.Fatalf("after put: %d by %q", status, rule)
	}
	status, v = adminCall(t, adminAddr, "PUT", "/api/v1/rules", "[{\"name\": \"x\",\n \"action\": \"teleport\"}]")
	if status != 400 || !strings.Contains(strings.Join(strs(field(v, "error", "errors")), "\n"), "request body:2:") {
		t.Fatalf("bad put: %d %v", status, v)
	}
	if status, _ := adminCall(t, adminAddr, "POST", "/api/v1/reload", ""); status != 200 {
		t.Fatalf("reload: %d", status)
	}
	if _, rule := proxyCall(t, proxyAddr, nil); rule != "rest" {
		t.Fatalf("the file's rules are back? rule %q", rule)
	}
}

// With a token, every endpoint but /healthz asks for it; off loopback a
// token is required to start at all.
func TestAdminToken(t *testing.T) {
	_, adminAddr, _ := startServe(t, writeConfig(t, "version: 1\nadmin: {token: s3cret-token}\n"))
	if status, _ := adminCall(t, adminAddr, "GET", "/healthz", ""); status != 200 {
		t.Fatalf("healthz: %d", status)
	}
	for _, path := range []string{"/api/v1/rules", "/metrics", "/readyz", "/debug/pprof/"} {
		if status, _ := adminCall(t, adminAddr, "GET", path, ""); status != http.StatusUnauthorized {
			t.Errorf("%s without the token: %d", path, status)
		}
		if status, _ := adminCall(t, adminAddr, "GET", path, "", "wrong"); status != http.StatusUnauthorized {
			t.Errorf("%s with a wrong token: %d", path, status)
		}
		if status, _ := adminCall(t, adminAddr, "GET", path, "", "s3cret-token"); status != 200 {
			t.Errorf("%s with the token: %d", path, status)
		}
	}
	if _, _, err := ctlRun(adminAddr, "rules"); err == nil || !strings.Contains(err.Error(), "admin token") {
		t.Errorf("ctl without a token: %v", err)
	}
	if _, v := adminCall(t, adminAddr, "GET", "/api/v1/config", "", "s3cret-token"); field(v, "admin", "token") != "********" {
		t.Errorf("config shows the token: %v", field(v, "admin"))
	}

	o := &options{config: writeConfig(t, "version: 1\n"), listen: "127.0.0.1:0", adminListen: "0.0.0.0:0"}
	err := serve(t.Context(), o, stdio{out: &logBuffer{}, err: &logBuffer{}}, nil)
	if err == nil || !strings.Contains(err.Error(), "needs a token") {
		t.Fatalf("served off loopback without a token: %v", err)
	}
}

func strs(v any) []string {
	a, _ := v.([]any)
	var s []string
	for _, x := range a {
		s = append(s, x.(string))
	}
	return s
}

// The endpoints the other tests do not reach: clearing the journal per
// scope, purging the cache, explaining a replay miss, and what a wrong
// call gets.
func TestAdminRemainingEndpoints(t *testing.T) {
	dir := t.TempDir()
	tape := "  - name: tape\n    match: {model: \"tape-*\"}\n    action: replay\n  - name: rest\n"
	config := strings.Replace(adminRules, "  - name: rest\n", tape, 1) + "cache: {dir: " + dir + "}\n"
	proxyAddr, adminAddr, _ := startServe(t, writeConfig(t, config))
	proxyCall(t, proxyAddr, map[string]string{"X-Llmsim-Scope": "keep"})
	proxyCall(t, proxyAddr, map[string]string{"X-Llmsim-Scope": "drop"})
	if status, _ := adminCall(t, adminAddr, "DELETE", "/api/v1/requests?scope=drop", ""); status != http.StatusNoContent {
		t.Fatalf("clear a scope: %d", status)
	}
	_, v := adminCall(t, adminAddr, "GET", "/api/v1/requests", "")
	if reqs := field(v, "requests").([]any); len(reqs) != 1 || field(reqs[0], "scope") != "keep" {
		t.Fatalf("after clearing scope drop: %v", reqs)
	}
	if status, _ := adminCall(t, adminAddr, "GET", "/api/v1/requests?since=yesterday", ""); status != http.StatusBadRequest {
		t.Fatalf("a bad since: %d", status)
	}
	status, v := adminCall(t, adminAddr, "POST", "/api/v1/explain",
		`{"method":"POST","url":"https://api.openai.com/v1/chat/completions","body":{"model":"tape-1","messages":[]}}`)
	if status != 200 || field(v, "rule") != "tape" || field(v, "host") != "api.openai.com" || field(v, "cassette", "hit") != false ||
		len(strs(field(v, "cassette", "miss", "differences"))) == 0 {
		t.Fatalf("explain a replay: %d %v", status, v)
	}
	if status, v := adminCall(t, adminAddr, "DELETE", "/api/v1/cache?recordings=true", ""); status != 200 || field(v, "deleted_files") != 0.0 {
		t.Fatalf("purge: %d %v", status, v)
	}
	if status, v := adminCall(t, adminAddr, "GET", "/api/v1/nope", ""); status != http.StatusNotFound || field(v, "error", "message") == nil {
		t.Fatalf("an unknown endpoint: %d %v", status, v)
	}
	resp, err := http.Get("http://" + adminAddr + "/api/v1/cache/export")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/gzip" {
		t.Fatalf("export: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
