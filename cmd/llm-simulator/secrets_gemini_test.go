package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
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
	b, dir := startSecretsBinary(t, strings.Replace(secretsConfig, "providers:\n",
		"providers:\n  gemini: {upstream: \"UPSTREAM\", ca_file: ./upstream-ca.pem}\n", 1))
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
	checkAdminClean(t, admin, explain, "gemini-2.5-flash", find)
	checkCassettesClean(t, dir, find)
	b.stop(t)
	checkLogClean(t, b.log.String(), find)
	b.checkNoPanic(t)
}
