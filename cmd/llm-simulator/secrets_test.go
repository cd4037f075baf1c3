package main

import (
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/proxy"
	"github.com/llm-simulator/llm-simulator/simulate"
)

// secretsConfig takes a request by its x-action header through every
// action, at debug level with access lines and journal bodies on: the
// settings under which a leak would show.
const secretsConfig = `version: 1
log: {level: debug, format: json, access: true}
journal: {bodies: true}
providers:
  openai: {upstream: "UPSTREAM", ca_file: ./upstream-ca.pem}
  anthropic: {upstream: "UPSTREAM", ca_file: ./upstream-ca.pem}
  azure: {upstream: "UPSTREAM", ca_file: ./upstream-ca.pem}
cache: {dir: ./cassettes}
intercept: {ca_dir: ./ca}
simulate:
  ttft: {dist: constant, value: 0s}
  itl: {dist: constant, value: 0s}
  output_tokens: {dist: constant, value: 5}
rules:
  - {name: sim, match: {headers: {x-action: simulate}}, action: simulate}
  - {name: fwd, match: {headers: {x-action: forward}}, action: forward}
  - {name: rec, match: {headers: {x-action: record}}, action: record, cassette: {timing: instant}}
  - {name: rep, match: {headers: {x-action: replay}}, action: replay, cassette: {timing: instant}}
  - {name: miss, match: {headers: {x-action: miss}}, action: replay}
  - {name: err, match: {headers: {x-action: error}}, faults: [{error: {status: 429, retry_after: 1s}}]}
  - {name: rl, match: {headers: {x-action: limit}}, faults: [{rate_limit: {requests_per_minute: 1, key: api_key}}]}
  - {name: abort, match: {headers: {x-action: abort}}, faults: [{stream: {truncate_after_events: 2}}]}
`

// The distinctive keys, each as an app sends it.
var secrets = []struct{ name, value string }{
	{"bearer", "sk-SECRET-bearer-7f3a9c"},
	{"x-api-key", "sk-ant-SECRET-xapikey-51d2"},
	{"api-key", "az-SECRET-apikey-c0ffee"},
	{"query", "AIza-SECRET-query-8e8e"},
}

// withSecret sets secret s on req the way its name says.
func withSecret(req *http.Request, s int) {
	v := secrets[s].value
	switch secrets[s].name {
	case "bearer":
		req.Header.Set("Authorization", "Bearer "+v)
	case "x-api-key":
		req.Header.Set("X-Api-Key", v)
	case "api-key":
		req.Header.Set("Api-Key", v)
	case "query":
		q := req.URL.RawQuery
		if q != "" {
			q += "&"
		}
		req.URL.RawQuery = q + "key=" + v
	}
}

// findSecret returns the first secret in text, or "".
func findSecret(text string) string {
	for _, s := range secrets {
		if strings.Contains(text, s.value) || strings.Contains(text, strings.TrimPrefix(s.value, "sk-")) {
			return s.value
		}
	}
	return ""
}

// API keys sent every way the providers take them, through every action
// — simulate, forward to an upstream, record, replay, a replay miss, an
// error fault, a rate limit by key, a cut stream — appear in no answer
// (body or header), no log line at debug level, no metric, no cassette
// and no admin response: the journal with bodies, the config, explain.
// The interception CA's key is 0600 and never logged either.
func TestSecretsGoNowhere(t *testing.T) {
	b, dir := startSecretsBinary(t, secretsConfig)
	base, admin := "http://"+b.ready.Listen, "http://"+b.ready.Admin

	// seen is every answer, to search at the end.
	var seen strings.Builder
	call := func(method, url, action string, s int, body string) int {
		req, err := http.NewRequest(method, url, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Action", action)
		if strings.HasSuffix(url, "/v1/messages") || strings.Contains(url, "/v1/messages?") {
			req.Header.Set("Anthropic-Version", "2023-06-01")
		}
		withSecret(req, s)
		resp, err := badClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", action, url, err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Fprintf(&seen, "%s %s %d %v\n%s\n", action, url, resp.StatusCode, resp.Header, data)
		return resp.StatusCode
	}
	want := map[string]int{"simulate": 200, "forward": 200, "record": 200, "replay": 200, "miss": 404, "error": 429, "abort": 200}
	for s := range secrets {
		for p, path := range chatPath {
			if p == "openai" && secrets[s].name == "x-api-key" {
				continue // x-api-key says Anthropic: on an OpenAI path, a 404
			}
			for _, stream := range []string{"false", "true"} {
				body := strings.Replace(goodBody[p], `"hi"`, fmt.Sprintf(`"hi %d"`, s), 1)
				body = body[:len(body)-1] + `,"stream":` + stream + "}"
				for _, action := range []string{"simulate", "forward", "record", "replay", "error", "abort"} {
					if got := call("POST", base+path, action, s, body); got != want[action] {
						t.Errorf("%s %s %s stream %s: %d, want %d", secrets[s].name, p, action, stream, got, want[action])
					}
				}
				if got := call("POST", base+path, "miss", s, strings.Replace(body, "hi", "never recorded", 1)); got != want["miss"] {
					t.Errorf("%s %s miss: %d", secrets[s].name, p, got)
				}
				for range 2 { // the second is over the limit: a 429 by key
					call("POST", base+path, "limit", s, body)
				}
			}
		}
	}
	if strings.Count(seen.String(), " 429 ") < (2*len(secrets)-1)*2*2 {
		t.Errorf("the rate limit by key refused too few calls:\n%.2000s", seen.String())
	}
	if leak := findSecret(seen.String()); leak != "" {
		t.Errorf("an answer carries %q", leak)
	}

	explain := fmt.Sprintf(`{"method":"POST","url":"/v1/chat/completions?key=%s","headers":{"Authorization":"Bearer %s","X-Api-Key":%q,"x-action":"limit"},"body":{"model":"gpt-4o"}}`,
		secrets[3].value, secrets[0].value, secrets[1].value)
	checkAdminClean(t, admin, explain, "never recorded", findSecret, "/api/v1/config", "/api/v1/rules", "/api/v1/faults")
	checkCassettesClean(t, dir, findSecret)

	b.stop(t)
	log := b.log.String()
	if !strings.Contains(log, `"level":"debug"`) && !strings.Contains(log, `"rule":"fwd"`) {
		t.Errorf("the log has neither debug nor access lines, so it proves nothing:\n%.1000s", log)
	}
	checkLogClean(t, log, findSecret)
	b.checkNoPanic(t)
	checkCAKey(t, filepath.Join(dir, "ca", "ca-key.pem"), log+seen.String())
}

// checkCAKey fails unless the interception CA's key, created at the
// start, is readable by its owner alone and no line of it is in text.
func checkCAKey(t *testing.T, path, text string) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("the CA key was not created: %v", err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("the CA key is mode %v, want 0600", mode)
	}
	key, _ := os.ReadFile(path)
	for _, line := range strings.Split(string(key), "\n") {
		if len(line) >= 16 && !strings.HasPrefix(line, "-----") && strings.Contains(text, line) {
			t.Errorf("a line of the CA key was logged or answered: %s", line)
		}
	}
}

// startSecretsBinary runs the binary on config, whose UPSTREAM stands for
// a local TLS simulator (its CA in the config's directory as
// upstream-ca.pem); dir is that directory.
func startSecretsBinary(t *testing.T, config string) (b *loggedBinary, dir string) {
	t.Helper()
	up := httptest.NewTLSServer(&proxy.Front{Sim: simulate.New(simulate.Config{Default: simulate.InstantModel()}), Seed: 3})
	t.Cleanup(up.Close)
	dir = t.TempDir()
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: up.Certificate().Raw})
	if err := os.WriteFile(filepath.Join(dir, "upstream-ca.pem"), caPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte(strings.ReplaceAll(config, "UPSTREAM", up.URL)), 0o644); err != nil {
		t.Fatal(err)
	}
	return startLogged(t, "--config", cfg), dir
}

// checkAdminClean reads the journal, the metrics, explain (with the
// explain body given) and the extra GET paths from the admin listener:
// all must answer 200 and carry nothing find finds; the journal must
// hold journalHas, or it proves nothing.
func checkAdminClean(t *testing.T, admin, explain, journalHas string, find func(string) string, extra ...string) {
	t.Helper()
	calls := []struct{ method, path, body string }{{"GET", "/api/v1/requests", ""}, {"GET", "/metrics", ""}, {"POST", "/api/v1/explain", explain}}
	for _, p := range extra {
		calls = append(calls, struct{ method, path, body string }{"GET", p, ""})
	}
	for _, c := range calls {
		req, _ := http.NewRequest(c.method, admin+c.path, strings.NewReader(c.body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := badClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s %s: %d %.300s", c.method, c.path, resp.StatusCode, data)
		}
		if c.path == "/api/v1/requests" && !strings.Contains(string(data), journalHas) {
			t.Errorf("the journal lacks %q, so it proves nothing: %.300s", journalHas, data)
		}
		if leak := find(string(data) + fmt.Sprint(resp.Header)); leak != "" {
			t.Errorf("%s %s carries %q", c.method, c.path, leak)
		}
	}
}

// checkCassettesClean fails if a cassette under dir holds what find
// finds, or if there is none.
func checkCassettesClean(t *testing.T, dir string, find func(string) string) {
	t.Helper()
	files := 0
	_ = filepath.Walk(filepath.Join(dir, "cassettes"), func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		files++
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if leak := find(string(data)); leak != "" {
			t.Errorf("the cassette %s holds %q", path, leak)
		}
		return nil
	})
	if files == 0 {
		t.Error("nothing was recorded, so the cassettes prove nothing")
	}
}

// checkLogClean fails for every log line carrying what find finds.
func checkLogClean(t *testing.T, log string, find func(string) string) {
	t.Helper()
	for _, line := range strings.Split(log, "\n") {
		if leak := find(line); leak != "" {
			t.Errorf("a log line carries %q: %s", leak, line)
		}
	}
}
