package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// adminCall sends an admin API request, a JSON one when it changes
// state, and decodes the JSON answer.
func adminCall(t *testing.T, adminAddr, method, path, body string, token ...string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+adminAddr+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(token) > 0 {
		req.Header.Set("Authorization", "Bearer "+token[0])
	}
	if method != http.MethodGet && method != http.MethodHead {
		req.Header.Set("Content-Type", "application/json") // as ctl sends it
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var v map[string]any
	if len(bytes.TrimSpace(data)) > 0 && json.Unmarshal(data, &v) != nil {
		v = map[string]any{"raw": string(data)}
	}
	return resp.StatusCode, v
}

// proxyCall sends a chat request through the proxy, with headers, and
// returns the status and the rule that took it.
func proxyCall(t *testing.T, proxyAddr string, headers map[string]string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", "http://"+proxyAddr+"/v1/chat/completions",
		strings.NewReader(`{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`))
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("X-Llmsim-Rule")
}

// ctlRun runs `llm-simulator ctl ARGS…` in-process against adminAddr and
// returns what it printed and its error.
func ctlRun(adminAddr string, args ...string) (stdout, stderr string, err error) {
	var out, errb bytes.Buffer
	err = run(context.Background(), append([]string{"ctl", "--addr", adminAddr}, args...), stdio{out: &out, err: &errb})
	return out.String(), errb.String(), err
}

// field walks a decoded JSON value along keys and indexes.
func field(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}
