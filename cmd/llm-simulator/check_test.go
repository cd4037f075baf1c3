package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/sidecar"
)

func TestEmbeddedDefaultIsValid(t *testing.T) {
	cfg, err := config.Parse("default.yaml", defaultConfig, sidecar.ConfigOptions())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "127.0.0.1:8080" || cfg.Admin.Listen != "127.0.0.1:9090" {
		t.Fatalf("default listens on %s and %s, want 127.0.0.1:8080 and :9090", cfg.Listen, cfg.Admin.Listen)
	}
}

// Every YAML file the project ships passes check.
func TestShippedConfigsPassCheck(t *testing.T) {
	files := []string{"default.yaml", "../../bench/config.yaml", "../../config/testdata/issue2-sample.yaml"}
	for _, f := range files {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), []string{"check", f}, stdio{&out, &errOut}); err != nil {
			t.Errorf("check %s: %v\n%s", f, err, errOut.String())
			continue
		}
		if !strings.Contains(out.String(), ": ok (") {
			t.Errorf("check %s printed %q", f, out.String())
		}
	}
}

func TestCheckReportsEveryError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(path, []byte("version: 1\nlisen: x\nsimulate:\n  ttft: {dist: normal, mean: 1s}\n"), 0o644)
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"check", path}, stdio{&out, &errOut}); err == nil {
		t.Fatal("check accepted a bad file")
	}
	for _, want := range []string{path + `:2:1: unknown field "lisen"`} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("output %q lacks %q", errOut.String(), want)
		}
	}
}

func TestVersionFlag(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"--version"}, stdio{&out, &out}); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^llm-simulator \S+\n$`).MatchString(out.String()) {
		t.Fatalf("--version printed %q", out.String())
	}
}

func TestBadFlagsAreUsageErrors(t *testing.T) {
	var out bytes.Buffer
	for _, args := range [][]string{{"--nope"}, {"extra"}, {"--seed", "x"}, {"check"}} {
		if err := run(context.Background(), args, stdio{&out, &out}); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
}
