package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
)

// memoryKB reads a /proc/<pid>/status field in kB: VmRSS (resident now)
// or VmHWM (the most it has been resident).
func memoryKB(t *testing.T, pid int, field string) int {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc to read the process's memory from: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			if err != nil {
				t.Fatal(err)
			}
			return kb
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

// geminiBatchBody is a batchEmbedContents body of n short requests.
func geminiBatchBody(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"requests":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"content":{"parts":[{"text":"item %d"}]}}`, i)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// Small requests cannot make the binary build huge answers or keep
// memory: a 20,000- and a 200,000-item Gemini batch, a thousand requests
// each with its own 200 KB scope, a million embedding inputs and a
// max_tokens of 1e9 are each refused with the provider's 400 (a 2 MiB
// scope, over the header limit, with 431), and the process's resident
// memory — now and at its highest — stays under 100 MB throughout.
func TestSmallRequestsCannotHoldMemory(t *testing.T) {
	cmd, ready := startBinary(t)
	pid, base := cmd.Process.Pid, "http://"+ready.Listen
	start := memoryKB(t, pid, "VmRSS")
	client := &http.Client{}
	send := func(path string, body []byte, header map[string]string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", base+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		got, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(got)
	}
	batch := "/v1beta/models/gemini-embedding-001:batchEmbedContents"
	for _, n := range []int{20000, 200000} {
		status, body := send(batch, geminiBatchBody(n), nil)
		if status != 400 || !strings.Contains(body, "at most 100 requests can be in one batch") || !strings.Contains(body, `"status": "INVALID_ARGUMENT"`) {
			t.Fatalf("a batch of %d: %d %.300s", n, status, body)
		}
	}
	if status, body := send(strings.Replace(batch, "gemini-embedding-001", "text-embedding-004", 1), geminiBatchBody(100), nil); status != 200 || len(body) > 8<<20 {
		t.Fatalf("a batch of 100: %d, %d bytes", status, len(body))
	}
	chat := []byte(`{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`)
	for i := range 1000 {
		scope := strconv.Itoa(i) + strings.Repeat("s", 200<<10)
		status, body := send("/v1/chat/completions", chat, map[string]string{"X-Llmsim-Scope": scope})
		if status != 400 || !strings.Contains(body, "a scope may be at most 256 bytes") || !strings.Contains(body, `"invalid_request_error"`) {
			t.Fatalf("a 200 KB scope: %d %.300s", status, body)
		}
	}
	if status, _ := send("/v1/chat/completions", chat, map[string]string{"X-Llmsim-Scope": strings.Repeat("s", 2<<20)}); status != 431 {
		t.Fatalf("a 2 MiB scope, over the header limit: %d, want 431", status)
	}
	inputs := `{"model":"text-embedding-3-small","input":[` + strings.TrimSuffix(strings.Repeat(`"a",`, 1000000), ",") + `]}`
	if status, body := send("/v1/embeddings", []byte(inputs), nil); status != 400 || !strings.Contains(body, `"param": "input"`) {
		t.Fatalf("a million embedding inputs: %d %.300s", status, body)
	}
	huge := []byte(`{"model":"gpt-4o","max_tokens":1000000000,"messages":[{"role":"user","content":"hi"}]}`)
	if status, body := send("/v1/chat/completions", huge, nil); status != 400 || !strings.Contains(body, "max_tokens is too large: 1000000000") {
		t.Fatalf("max_tokens 1e9: %d %.300s", status, body)
	}
	rss, peak := memoryKB(t, pid, "VmRSS"), memoryKB(t, pid, "VmHWM")
	t.Logf("resident memory: %d kB at start, %d kB after, %d kB at the highest", start, rss, peak)
	if rss > 100<<10 || peak > 100<<10 {
		t.Fatalf("resident memory %d kB now, %d kB at the highest: over 100 MB", rss, peak)
	}
}
