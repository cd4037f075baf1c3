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

// Gemini's two ways to send a key: the x-goog-api-key header and the
// key= query parameter.
var geminiSecrets = []struct{ name, value string }{
	{"x-goog-api-key", "AIza-SECRET-googheader-93ab"},
	{"query", "AIza-SECRET-googquery-17cd"},
}

// Gemini keys, through every action, a streamed call and not, appear in
// no answer, no log line, no admin response (journal with bodies,
// explain) and no cassette.
func TestGeminiSecretsGoNowhere(t *testing.T) {
	up := httptest.NewTLSServer(&proxy.Front{Sim: simulate.New(simulate.Config{Default: simulate.InstantModel()}), Seed: 3})
	defer up.Close()
	dir := t.TempDir()
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: up.Certificate().Raw})
	if err := os.WriteFile(filepath.Join(dir, "upstream-ca.pem"), caPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	config := strings.Replace(secretsConfig, "providers:\n", "providers:\n  gemini: {upstream: \"UPSTREAM\", ca_file: ./upstream-ca.pem}\n", 1)
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte(strings.ReplaceAll(config, "UPSTREAM", up.URL)), 0o644); err != nil {
		t.Fatal(err)
	}
	b := startLogged(t, "--config", cfg)
	base, admin := "http://"+b.ready.Listen, "http://"+b.ready.Admin
	find := func(text string) string {
		for _, s := range geminiSecrets {
			if strings.Contains(text, s.value) {
				return s.value
			}
		}
		return ""
	}

	var seen strings.Builder
	want := map[string]int{"simulate": 200, "forward": 200, "record": 200, "replay": 200, "miss": 404, "error": 429, "abort": 200}
	for s, secret := range geminiSecrets {
		for _, method := range []string{"generateContent", "streamGenerateContent"} {
			for _, action := range []string{"simulate", "forward", "record", "replay", "error", "abort", "miss", "limit", "limit"} {
				status := want[action]
				text := fmt.Sprintf("hi %d", s)
				if action == "miss" {
					text = "never recorded"
				}
				req, _ := http.NewRequest("POST", base+"/v1beta/models/gemini-2.5-flash:"+method,
					strings.NewReader(`{"contents":[{"parts":[{"text":"`+text+`"}]}]}`))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Action", action)
				if secret.name == "query" {
					req.URL.RawQuery = "alt=sse&key=" + secret.value
				} else {
					req.Header.Set("X-Goog-Api-Key", secret.value)
				}
				resp, err := badClient.Do(req)
				if err != nil {
					t.Fatalf("%s %s: %v", action, method, err)
				}
				data, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				fmt.Fprintf(&seen, "%s %d %v\n%s\n", action, resp.StatusCode, resp.Header, data)
				if status != 0 && resp.StatusCode != status {
					t.Errorf("%s %s %s: %d, want %d: %.300s", secret.name, method, action, resp.StatusCode, status, data)
				}
			}
		}
	}
	if leak := find(seen.String()); leak != "" {
		t.Errorf("an answer carries %q", leak)
	}
	explain := fmt.Sprintf(`{"method":"POST","url":"/v1beta/models/m:generateContent?key=%s","headers":{"X-Goog-Api-Key":%q,"x-action":"replay"},"body":{"contents":[]}}`,
		geminiSecrets[1].value, geminiSecrets[0].value)
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/api/v1/requests", ""}, {"GET", "/metrics", ""}, {"POST", "/api/v1/explain", explain},
	} {
		req, _ := http.NewRequest(c.method, admin+c.path, strings.NewReader(c.body))
		resp, err := badClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s %s: %d %.300s", c.method, c.path, resp.StatusCode, data)
		}
		if c.path == "/api/v1/requests" && !strings.Contains(string(data), "gemini-2.5-flash") {
			t.Errorf("the journal does not name the path's model: %.300s", data)
		}
		if leak := find(string(data) + fmt.Sprint(resp.Header)); leak != "" {
			t.Errorf("%s %s carries %q", c.method, c.path, leak)
		}
	}
	files := 0
	_ = filepath.Walk(filepath.Join(dir, "cassettes"), func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		files++
		data, _ := os.ReadFile(path)
		if leak := find(string(data)); leak != "" {
			t.Errorf("the cassette %s holds %q", path, leak)
		}
		return nil
	})
	if files == 0 {
		t.Error("nothing was recorded, so the cassettes prove nothing")
	}
	b.stop(t)
	for _, line := range strings.Split(b.log.String(), "\n") {
		if leak := find(line); leak != "" {
			t.Errorf("a log line carries %q: %s", leak, line)
		}
	}
	b.checkNoPanic(t)
}
