package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/wire"
)

// Every curl example in the README works verbatim against a live server
// started on the embedded default config (only the ports differ), the
// built binary on PATH for the examples that ask it where its CA is.
func TestReadmeCurlExamples(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed on this machine, so the README's curl examples cannot be run; .ci/run installs it")
	}
	examples := readmeCurls(t)
	if len(examples) < 5 {
		t.Fatalf("found %d curl examples in README.md; the extraction is broken", len(examples))
	}
	proxyAddr, adminAddr, _ := startServe(t, "")
	path := filepath.Dir(binary(t)) + string(os.PathListSeparator) + os.Getenv("PATH")
	for _, ex := range examples {
		t.Run(ex, func(t *testing.T) {
			cmdline := strings.NewReplacer("127.0.0.1:8080", proxyAddr, "127.0.0.1:9090", adminAddr).Replace(ex)
			cmd := exec.Command("sh", "-c", cmdline+" --fail-with-body")
			cmd.Env = append(os.Environ(), "PATH="+path)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			checkAnswer(t, out)
		})
	}
}

// readmeCurls returns the README's lines that are curl commands.
func readmeCurls(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "curl ") {
			out = append(out, line)
		}
	}
	return out
}

// checkAnswer asserts the output is one JSON document or a complete event
// stream of JSON events.
func checkAnswer(t *testing.T, out []byte) {
	t.Helper()
	if json.Valid(out) {
		return
	}
	var p wire.SSEParser
	events := 0
	err := p.Feed(out, func(ev wire.Event) error {
		events++
		if ev.Data != nil && string(ev.Data) != "[DONE]" && !json.Valid(ev.Data) {
			t.Errorf("event data is not JSON: %s", ev.Data)
		}
		return nil
	})
	if err != nil || events == 0 || len(bytes.TrimSpace(p.Pending())) != 0 {
		t.Fatalf("neither JSON nor a complete event stream: %q", out)
	}
}
