package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The example clients (examples/clients) run against the binary, as a
// user would run them, and print what the SDKs got.

// clientConfig answers every call with a fixed text, so a client's output
// shows the simulator answered it; nothing is forwarded.
const clientConfig = `version: 1
simulate:
  ttft: {dist: constant, value: 10ms}
  itl: {dist: constant, value: 1ms}
  text: fixed
  fixed_text: "Hello from llm-simulator."
`

const clientsDir = "../../examples/clients"

var (
	clientsOnce  sync.Once
	clientsBin   string
	clientsError error
)

// goClients builds the Go example programs once per test run and returns
// the directory holding them.
func goClients(t *testing.T) string {
	t.Helper()
	clientsOnce.Do(func() {
		dir, err := os.MkdirTemp("", "llmsim-clients")
		if err != nil {
			clientsError = err
			return
		}
		clientsBin = dir
		cmd := exec.Command("go", "build", "-o", dir+string(os.PathSeparator), "./examples/clients/go/baseurl", "./examples/clients/go/httpsproxy")
		cmd.Dir = "../.."
		if out, err := cmd.CombinedOutput(); err != nil {
			clientsError = &buildError{err, out}
		}
	})
	if clientsError != nil {
		t.Fatal(clientsError)
	}
	return clientsBin
}

// startForClients serves clientConfig from the binary and returns its
// listen address and the CA certificate's path.
func startForClients(t *testing.T) (readyLine, string) {
	t.Helper()
	dir := t.TempDir()
	config := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(config, []byte(clientConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	_, ready := startBinary(t, "--config", config, "--ca-dir", filepath.Join(dir, "ca"))
	return ready, filepath.Join(dir, "ca", "ca.pem")
}

// clientEnv is the test's environment without anything that points an
// SDK somewhere or changes what it trusts, plus extra: a client sees only
// what the example's instructions set.
func clientEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch upper := strings.ToUpper(name); {
		case strings.HasPrefix(upper, "OPENAI_"), strings.HasPrefix(upper, "ANTHROPIC_"),
			strings.HasSuffix(upper, "_PROXY"), upper == "NODE_EXTRA_CA_CERTS", upper == "SSL_CERT_FILE":
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// runClient runs a client program and returns its output, failing the
// test if it fails.
func runClient(t *testing.T, env []string, dir string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env, cmd.Dir = env, dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// wantLines fails unless out holds every line of want.
func wantLines(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w+"\n") {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

const (
	openaiChatLine       = `openai chat: "Hello from llm-simulator." (finish_reason stop)`
	openaiStreamLine     = `openai stream: "Hello from llm-simulator." (finish_reason stop)`
	anthropicMessageLine = `anthropic message: "Hello from llm-simulator." (stop_reason end_turn)`
	anthropicStreamLine  = `anthropic stream: "Hello from llm-simulator." (stop_reason end_turn)`
)

func TestClientGoBaseURL(t *testing.T) {
	bin := filepath.Join(goClients(t), "baseurl")
	ready, _ := startForClients(t)
	out := runClient(t, clientEnv("OPENAI_BASE_URL=http://"+ready.Listen+"/v1", "OPENAI_API_KEY=sk-any",
		"ANTHROPIC_BASE_URL=http://"+ready.Listen, "ANTHROPIC_API_KEY=sk-ant-any"), "", bin)
	wantLines(t, out, openaiStreamLine, anthropicMessageLine)

	// Without the base URLs it refuses, rather than call the real APIs.
	cmd := exec.Command(bin)
	cmd.Env = clientEnv("OPENAI_API_KEY=sk-any", "ANTHROPIC_API_KEY=sk-ant-any")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "OPENAI_BASE_URL is not set") {
		t.Fatalf("with no base URL: %v\n%s", err, out)
	}
}

func TestClientGoHTTPSProxy(t *testing.T) {
	bin := filepath.Join(goClients(t), "httpsproxy")
	ready, caFile := startForClients(t)
	out := runClient(t, clientEnv("HTTPS_PROXY=http://"+ready.Listen, "LLMSIM_CA_FILE="+caFile,
		"OPENAI_API_KEY=sk-any", "ANTHROPIC_API_KEY=sk-ant-any"), "", bin)
	wantLines(t, out, openaiChatLine, anthropicStreamLine)
	js := journalOf(t, ready.Admin, "", 2)
	if len(js) != 2 || js[0].Host != "api.openai.com" || js[1].Host != "api.anthropic.com" || js[0].Source != "simulated" {
		t.Fatalf("the journal: %+v", js)
	}

	cmd := exec.Command(bin)
	cmd.Env = clientEnv("LLMSIM_CA_FILE=" + caFile)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "HTTPS_PROXY is not set") {
		t.Fatalf("with no HTTPS_PROXY: %v\n%s", err, out)
	}
}

// The Node script, with the exact packages its lockfile names, installed
// from npm into a copy of the folder.
func TestClientNodeThroughProxyAgent(t *testing.T) {
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("skipped: %s is not installed on this machine, so examples/clients/node cannot be run (.ci/run installs Node)", tool)
		}
	}
	dir := t.TempDir()
	for _, name := range []string{"package.json", "package-lock.json", "proxied.mjs"} {
		if err := os.WriteFile(filepath.Join(dir, name), mustRead(t, filepath.Join(clientsDir, "node", name)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// npm keeps the test's environment: it may need a proxy to reach the
	// registry.
	runClient(t, os.Environ(), dir, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")

	ready, caFile := startForClients(t)
	out := runClient(t, clientEnv("HTTPS_PROXY=http://"+ready.Listen, "NODE_EXTRA_CA_CERTS="+caFile,
		"OPENAI_API_KEY=sk-any", "ANTHROPIC_API_KEY=sk-ant-any"), dir, "node", "proxied.mjs")
	wantLines(t, out, openaiChatLine, openaiStreamLine, anthropicMessageLine, anthropicStreamLine)
	if js := journalOf(t, ready.Admin, "", 4); len(js) != 4 || js[0].Host != "api.openai.com" || js[3].Host != "api.anthropic.com" {
		t.Fatalf("the journal: %+v", js)
	}
}
