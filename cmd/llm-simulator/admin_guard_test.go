package main

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/config"
)

// rawAdmin sends one request to the admin listener as a browser or a
// tool would: headers are name, value pairs, "Host" sets the Host.
func rawAdmin(t *testing.T, adminAddr, method, path, body string, headers ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+adminAddr+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i] == "Host" {
			req.Host = headers[i+1]
		} else {
			req.Header.Add(headers[i], headers[i+1])
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// adminState is what a refused call must not change: the rules with
// their toggles, the temporary faults, the journal, the state file.
func adminState(t *testing.T, adminAddr, stateFile string) string {
	t.Helper()
	var b strings.Builder
	for _, path := range []string{"/api/v1/rules", "/api/v1/faults", "/api/v1/requests"} {
		_, body := rawAdmin(t, adminAddr, "GET", path, "")
		b.WriteString(body)
	}
	if data, err := os.ReadFile(stateFile); err == nil {
		b.WriteString("state file: " + string(data))
	}
	return b.String()
}

// What a web page open in the developer's browser can send to the admin
// listener on loopback — a form post, a no-cors fetch, a multipart
// upload, a cross-site read, a DNS-rebinding page's calls — is refused
// by the real process, and nothing changes: no toggle, no fault, no
// state file. ctl, curl with JSON, and calls by IP or localhost work.
func TestAdminRefusesWhatAWebPageSends(t *testing.T) {
	path := writeConfig(t, adminRules)
	stateFile, _ := config.DefaultStateFile(path)
	proxyAddr, adminAddr, _, log := startServeLogged(t, path)
	proxyCall(t, proxyAddr, map[string]string{"X-Llmsim-Scope": "s1"})
	_, port, _ := net.SplitHostPort(adminAddr)
	before := adminState(t, adminAddr, stateFile)
	fault := `{"match":{},"faults":[{"error":{"status":500}}],"ttl":"1h"}`
	for _, c := range []struct {
		name, method, path, body string
		headers                  []string
		status                   int
	}{
		{"a form's text/plain fault", "POST", "/api/v1/faults", fault, []string{"Content-Type", "text/plain;charset=UTF-8"}, 415},
		{"a form's urlencoded toggle", "POST", "/api/v1/rules/boom/disable", "a=b", []string{"Content-Type", "application/x-www-form-urlencoded"}, 415},
		{"a multipart import", "POST", "/api/v1/cache/import", "--x--", []string{"Content-Type", "multipart/form-data; boundary=x"}, 415},
		{"a body-less reset", "POST", "/api/v1/reset", "", nil, 415},
		{"a body-less journal clear", "DELETE", "/api/v1/requests", "", nil, 415},
		{"YAML rules as text/plain", "PUT", "/api/v1/rules", "- name: x\n", []string{"Content-Type", "text/plain"}, 415},
		{"a foreign page's JSON fault", "POST", "/api/v1/faults", fault, []string{"Content-Type", "application/json", "Origin", "http://evil.example"}, 403},
		{"a foreign page reading the config", "GET", "/api/v1/config", "", []string{"Origin", "http://evil.example"}, 403},
		{"a cross-site read without Origin", "GET", "/api/v1/requests", "", []string{"Sec-Fetch-Site", "cross-site"}, 403},
		{"a rebinding page's fault", "POST", "/api/v1/faults", fault, []string{"Content-Type", "application/json", "Host", "rebind.evil.example:" + port}, 421},
		{"a rebinding page's read", "GET", "/api/v1/requests", "", []string{"Host", "rebind.evil.example:" + port}, 421},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, body := rawAdmin(t, adminAddr, c.method, c.path, c.body, c.headers...)
			if status != c.status || !strings.Contains(body, `"message"`) {
				t.Fatalf("%d %s, want %d with a JSON error", status, body, c.status)
			}
			if after := adminState(t, adminAddr, stateFile); after != before {
				t.Fatalf("the refused call changed the state:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
	if _, err := os.Stat(stateFile); err == nil {
		t.Fatal("a refused call wrote the state file")
	}
	for _, want := range []string{`"level":"warn"`, `"message":"admin request refused"`, `"origin":"http://evil.example"`, `"host":"rebind.evil.example:` + port} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("the log lacks %s", want)
		}
	}

	// Calls by IP (v4, v6) and localhost pass; ctl works unchanged.
	for _, host := range []string{"127.0.0.1:" + port, "[::1]:" + port, "localhost:" + port, "LOCALHOST"} {
		if status, body := rawAdmin(t, adminAddr, "GET", "/readyz", "", "Host", host); status != 200 {
			t.Errorf("Host %s: %d %s", host, status, body)
		}
	}
	if status, body := rawAdmin(t, adminAddr, "POST", "/api/v1/faults", fault, "Content-Type", "application/json; charset=utf-8"); status != 201 {
		t.Errorf("curl's JSON fault: %d %s", status, body)
	}
	if out, _, err := ctlRun(adminAddr, "rules", "disable", "boom"); err != nil || !strings.Contains(out, "disabled") {
		t.Errorf("ctl disable: %v %s", err, out)
	}
	rules := writeFile(t, "rules.yaml", "- name: from-ctl\n  faults: [{error: {status: 418}}]\n")
	if out, _, err := ctlRun(adminAddr, "rules", "put", rules); err != nil || !strings.Contains(out, "from-ctl") {
		t.Errorf("ctl rules put of YAML: %v %s", err, out)
	}
	if _, _, err := ctlRun(adminAddr, "reset"); err != nil {
		t.Errorf("ctl reset: %v", err)
	}
	if _, err := os.Stat(stateFile); err != nil {
		t.Errorf("the accepted calls wrote no state file: %v", err)
	}
}

// The token from admin.token_file (a mounted secret), taken with the
// bearer scheme in any case; ctl reads the same file; a name listed in
// allowed_hosts and an origin in allowed_origins are let in.
func TestAdminTokenFileAndAllowances(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "admin-token"), []byte("t0ken-from-a-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	config := "version: 1\nadmin:\n  token_file: admin-token\n  allowed_hosts: [llm-simulator.staging.svc]\n" +
		"  allowed_origins: [\"http://localhost:3000\"]\n"
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	_, adminAddr, _ := startServe(t, path)
	_, port, _ := net.SplitHostPort(adminAddr)
	for _, c := range []struct {
		name    string
		headers []string
		status  int
	}{
		{"no token", nil, 401},
		{"the token's file path as token", []string{"Authorization", "Bearer admin-token"}, 401},
		{"the token cut short", []string{"Authorization", "Bearer t0ken-from-a-secre"}, 401},
		{"lowercase bearer", []string{"Authorization", "bearer t0ken-from-a-secret"}, 200},
		{"an allowed host", []string{"Authorization", "Bearer t0ken-from-a-secret", "Host", "LLM-Simulator.staging.svc:" + port}, 200},
		{"a host not allowed", []string{"Authorization", "Bearer t0ken-from-a-secret", "Host", "llm-simulator.prod.svc:" + port}, 421},
		{"an allowed origin", []string{"Authorization", "Bearer t0ken-from-a-secret", "Origin", "http://localhost:3000"}, 200},
		{"an origin not allowed", []string{"Authorization", "Bearer t0ken-from-a-secret", "Origin", "http://localhost:3001"}, 403},
	} {
		if status, body := rawAdmin(t, adminAddr, "GET", "/api/v1/rules", "", c.headers...); status != c.status {
			t.Errorf("%s: %d %s, want %d", c.name, status, body, c.status)
		}
	}
	if _, v := adminCall(t, adminAddr, "GET", "/api/v1/config", "", "t0ken-from-a-secret"); field(v, "admin", "token") != "********" ||
		field(v, "admin", "token_file") != filepath.Join(dir, "admin-token") {
		t.Errorf("the config in force shows %v", field(v, "admin"))
	}
	tokenFile := filepath.Join(dir, "admin-token")
	if out, _, err := ctlRun(adminAddr, "--token-file", tokenFile, "rules", "disable", "default"); err == nil || !strings.Contains(err.Error(), "no rule") {
		t.Errorf("ctl --token-file did not reach the API: %v %s", err, out)
	}
	if _, _, err := ctlRun(adminAddr, "--token-file", tokenFile, "status"); err != nil {
		t.Errorf("ctl --token-file status: %v", err)
	}
	if _, _, err := ctlRun(adminAddr, "--token-file", tokenFile, "--token", "x", "status"); err == nil || !strings.Contains(err.Error(), "not both") {
		t.Errorf("ctl with the token twice: %v", err)
	}
	if _, _, err := ctlRun(adminAddr, "--token-file", filepath.Join(dir, "nope"), "status"); err == nil || !strings.Contains(err.Error(), "token file") {
		t.Errorf("ctl with a missing token file: %v", err)
	}
}

// writeFile writes a test file and returns its path.
func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
