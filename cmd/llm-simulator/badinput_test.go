package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// badInputConfig is small limits and short server timeouts, so the
// corpus exercises each one quickly; a body rule makes matching read
// the body, and the journal keeps bodies, so both see the bad ones too.
const badInputConfig = `version: 1
max_request_body: 20MiB
log: {level: debug, format: json}
journal: {bodies: true}
server: {read_header_timeout: 500ms, read_body_timeout: 1s, max_header_bytes: 16KiB}
simulate:
  ttft: {dist: constant, value: 0s}
  itl: {dist: constant, value: 0s}
  output_tokens: {dist: constant, value: 5}
rules:
  - name: by-body
    match: {body: {metadata.user_id: "nobody-*"}}
    action: simulate
`

// badClient gives up on a hung answer rather than hang the test.
var badClient = &http.Client{Timeout: 20 * time.Second}

// viaProxy sends every request to the binary as an absolute-URI proxy
// request: the URL's host is never dialled.
func viaProxy(proxyAddr string) *http.Client {
	u := &url.URL{Scheme: "http", Host: proxyAddr}
	return &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{Proxy: http.ProxyURL(u)}}
}

// chatPath and chatBody are each provider's chat call.
var (
	chatPath = map[string]string{"openai": "/v1/chat/completions", "anthropic": "/v1/messages",
		"azure": "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"}
	apiHost  = map[string]string{"openai": "api.openai.com", "anthropic": "api.anthropic.com", "azure": "myres.openai.azure.com"}
	goodBody = map[string]string{
		"openai":    `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`,
		"anthropic": `{"model":"claude-sonnet-4-5","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}`,
		"azure":     `{"messages":[{"role":"user","content":"hi"}]}`,
	}
)

// send makes one request; provider picks the anthropic-version header.
func send(t *testing.T, c *http.Client, base, provider, method, path, ctype string, body io.Reader) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if provider == "anthropic" {
		req.Header.Set("Anthropic-Version", "2023-06-01")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", method, path, err)
	}
	return resp.StatusCode, data
}

// checkShape fails unless body is the provider's error object, every
// field the SDKs read present.
func checkShape(t *testing.T, provider string, body []byte) {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("the error body is not JSON: %v: %q", err, body)
	}
	e, _ := v["error"].(map[string]any)
	msg, _ := e["message"].(string)
	typ, _ := e["type"].(string)
	if e == nil || msg == "" || typ == "" {
		t.Fatalf("no error.message and error.type: %s", body)
	}
	if provider == "anthropic" {
		if v["type"] != "error" {
			t.Fatalf("an Anthropic error without type \"error\": %s", body)
		}
		return
	}
	for _, k := range []string{"param", "code"} {
		if _, ok := e[k]; !ok {
			t.Fatalf("an OpenAI error without error.%s: %s", k, body)
		}
	}
}

// stillServes fails unless both providers' chat calls succeed: the
// process survived the bad input before it.
func stillServes(t *testing.T, base string) {
	t.Helper()
	for _, p := range []string{"openai", "anthropic"} {
		if status, body := send(t, badClient, base, p, "POST", chatPath[p], "application/json", strings.NewReader(goodBody[p])); status != 200 {
			t.Fatalf("a good %s call after bad input: %d %s", p, status, body)
		}
	}
}

// nested is a chat call with a member nested depth arrays deep.
func nested(provider string, depth int) string {
	good := goodBody[provider]
	return good[:len(good)-1] + `,"metadata":` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + "}"
}

// Malformed, truncated, mistyped, oversized, badly encoded and deeply
// nested bodies, wrong content types, unknown endpoints and methods, for
// both providers, by base URL and through the proxy: each gets the
// provider's error with the right 4xx (or, where the providers accept
// it, an answer), the process keeps serving after each, and nothing in
// its log says it panicked.
func TestBadInputCorpus(t *testing.T) {
	b := startLogged(t, "--config", writeConfig(t, badInputConfig))
	base := "http://" + b.ready.Listen
	over := strings.Repeat(" ", 21<<20) // past max_request_body
	type bad struct {
		name, method, path, ctype, body string
		chunked                         bool // no Content-Length: the limit must hold while reading
		status                          int
	}
	corpus := func(p string) []bad {
		chat := chatPath[p]
		return []bad{
			{"truncated JSON", "POST", chat, "application/json", goodBody[p][:20], false, 400},
			{"not JSON", "POST", chat, "application/json", "model=gpt-4o&messages=hi", false, 400},
			{"empty body", "POST", chat, "application/json", "", false, 400},
			{"a JSON array", "POST", chat, "application/json", "[]", false, 400},
			{"a JSON string", "POST", chat, "application/json", `"hi"`, false, 400},
			{"wrong member types", "POST", chat, "application/json", `{"model":5,"messages":"hi","max_tokens":"x"}`, false, 400},
			{"a huge number", "POST", chat, "application/json", strings.Replace(goodBody[p], `"hi"`, `"hi"}],"temperature":1e999999,"x":[{"a":1`, 1), false, 400},
			{"form content type", "POST", chat, "application/x-www-form-urlencoded", "a=b&c=d", false, 400},
			{"multipart content type", "POST", chat, "multipart/form-data; boundary=x", "--x\r\n\r\nhi\r\n--x--\r\n", false, 400},
			// The providers read the body whatever its stated type; so does
			// the simulator.
			{"JSON sent as text/plain", "POST", chat, "text/plain", goodBody[p], false, 200},
			{"invalid UTF-8 outside strings", "POST", chat, "application/json", goodBody[p][:len(goodBody[p])-1] + "\xff}", false, 400},
			{"invalid UTF-8 inside strings", "POST", chat, "application/json", strings.Replace(goodBody[p], "hi", "h\xff\xfei\xc3\x28", 1), false, 200},
			{"NUL in a string", "POST", chat, "application/json", strings.Replace(goodBody[p], "hi", "h\x00i", 1), false, 400},
			{"nested 20,000 deep", "POST", chat, "application/json", nested(p, 20000), false, 400},
			{"nested 8 million deep", "POST", chat, "application/json", nested(p, 8<<20), false, 400},
			{"over max_request_body", "POST", chat, "application/json", over, false, 413},
			{"over max_request_body, chunked", "POST", chat, "application/json", over, true, 413},
			{"unknown endpoint", "POST", "/v1/nope", "application/json", "{}", false, 404},
			{"path traversal", "GET", "/v1/../../etc/passwd", "", "", false, 404},
			{"wrong method", "DELETE", chat, "", "", false, 405},
			{"unknown method", "BREW", chat, "", "", false, 405},
		}
	}
	for _, form := range []string{"base URL", "proxy"} {
		for _, p := range []string{"openai", "anthropic"} {
			for _, c := range corpus(p) {
				t.Run(form+"/"+p+"/"+c.name, func(t *testing.T) {
					client, host := badClient, base
					if form == "proxy" {
						if len(c.body) > 1<<20 {
							t.Skip("the big bodies take the same path through the proxy; once is enough")
						}
						client, host = viaProxy(b.ready.Listen), "http://"+apiHost[p]
					}
					var body io.Reader = strings.NewReader(c.body)
					if c.chunked {
						body = io.MultiReader(body) // hides the length
					}
					status, got := send(t, client, host, p, c.method, c.path, c.ctype, body)
					if status != c.status {
						t.Fatalf("status %d, want %d: %.300s", status, c.status, got)
					}
					if status >= 400 {
						checkShape(t, p, got)
					} else if !json.Valid(got) || !utf8.Valid(got) {
						t.Fatalf("the answer is not valid UTF-8 JSON: %.300q", got)
					}
					stillServes(t, base)
				})
			}
		}
	}
	t.Run("admin", func(t *testing.T) { badAdminInput(t, b.ready.Admin) })
	stillServes(t, base)
	b.stop(t)
	b.checkNoPanic(t)
}

// badAdminInput sends the admin API malformed and outsized bodies: each
// gets a 4xx with a JSON body, never a 5xx.
func badAdminInput(t *testing.T, adminAddr string) {
	for _, c := range []struct{ method, path, body string }{
		{"POST", "/api/v1/faults", `{"fault":`},
		{"POST", "/api/v1/faults", `{"fault":{"error":{"status":"x"}}}`},
		{"POST", "/api/v1/faults", strings.Repeat("[", 100000)},
		{"POST", "/api/v1/explain", `not json`},
		{"POST", "/api/v1/explain", `{"body":` + strings.Repeat("[", 100000) + `}`},
		{"PUT", "/api/v1/rules", "rules: [\x00"},
		{"PUT", "/api/v1/rules", strings.Repeat("a", 40<<20)},
		{"POST", "/api/v1/rules/nope/frobnicate", ""},
		{"DELETE", "/api/v1/faults/../../x", ""},
		{"POST", "/api/v1/cache/import", "not a tar"},
	} {
		req, _ := http.NewRequest(c.method, "http://"+adminAddr+c.path, strings.NewReader(c.body))
		// The type each route reads, so the bad body reaches its handler.
		req.Header.Set("Content-Type", "application/json")
		if c.path == "/api/v1/cache/import" {
			req.Header.Set("Content-Type", "application/gzip")
		}
		resp, err := badClient.Do(req)
		if err != nil {
			// A body far over the limit may be cut off mid-send: a clean close.
			if len(c.body) > 1<<20 {
				continue
			}
			t.Fatalf("%s %s: %v", c.method, c.path, err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode < 400 || resp.StatusCode >= 500 {
			t.Errorf("%s %s %.40q: %d %.200s", c.method, c.path, c.body, resp.StatusCode, data)
		} else if !json.Valid(bytes.TrimSpace(data)) && resp.StatusCode != 404 {
			t.Errorf("%s %s: %d with a body that is not JSON: %.200q", c.method, c.path, resp.StatusCode, data)
		}
	}
}
