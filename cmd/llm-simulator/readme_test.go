package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/wire"
)

// readmePages are the pages whose shell commands a newcomer copies: the
// README and the docs it sends them to first. Every command in their sh
// blocks runs in TestReadmeCommands, as written.
var readmePages = []string{"README.md", "docs/simulation.md", "docs/routing.md", "docs/admin.md", "docs/troubleshooting.md"}

// Every command of readmePages runs verbatim — only the ports differ —
// with the llm-simulator the README installs on PATH, in a directory that
// holds the examples and the configs the pages tell the reader to save.
// A block's commands talk to the server the block starts (`llm-simulator
// [--config FILE] &`), else to one serving the embedded default config.
// A curl must answer 2xx unless its line ends in `# STATUS`.
func TestReadmeCommands(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed on this machine, so the README's curl examples cannot be run; .ci/run installs it")
	}
	binary(t)
	dir := readmeWorkdir(t)
	found := 0
	for _, page := range readmePages {
		for i, block := range shellBlocks(t, page) {
			found += len(block)
			t.Run(fmt.Sprintf("%s#%d", filepath.Base(page), i+1), func(t *testing.T) {
				s := &readmeSession{t: t, dir: dir}
				for _, line := range block {
					s.run(line)
				}
			})
		}
	}
	if found < 30 {
		t.Fatalf("found %d commands in %v; the extraction is broken", found, readmePages)
	}
}

// The README's install commands put llm-simulator where the README says
// it lands: `make install` is go install with `make build`'s flags (its
// recipe is checked, not run: a -trimpath build of everything costs
// minutes here), and go install into a GOBIN gives a binary that answers
// --version from PATH.
func TestReadmeInstall(t *testing.T) {
	var installs []string
	for _, block := range shellBlocks(t, "README.md") {
		for _, line := range block {
			if isInstall(line) {
				installs = append(installs, line)
			}
		}
	}
	first := shellBlocks(t, "README.md")[0]
	if len(installs) == 0 || !isInstall(first[0]) || !strings.Contains(string(mustRead(t, "../../README.md")), "go install ./cmd/llm-simulator") {
		t.Fatalf("the README installs with %q, its first commands are %q; it must open with make install and name go install ./cmd/llm-simulator", installs, first)
	}
	gobin := t.TempDir()
	for _, line := range installs {
		cmdline := line
		if line == "make install" {
			recipe := runIn(t, "../..", nil, "make -n install")
			build := runIn(t, "../..", nil, "make -n build")
			if !strings.Contains(recipe, "go install -trimpath -ldflags") || !strings.Contains(build, "go build -trimpath -ldflags") ||
				ldflagsOf(recipe) != ldflagsOf(build) || !strings.Contains(recipe, "./cmd/llm-simulator") {
				t.Fatalf("make install does not build as make build does:\n%s\n%s", recipe, build)
			}
			cmdline = "go install ./cmd/llm-simulator"
		}
		runIn(t, "../..", []string{"GOBIN=" + gobin}, cmdline)
	}
	env := []string{"PATH=" + gobin + string(os.PathListSeparator) + os.Getenv("PATH")}
	if out := runIn(t, t.TempDir(), env, "llm-simulator --version"); !strings.HasPrefix(out, "llm-simulator ") {
		t.Fatalf("llm-simulator --version from GOBIN: %q", out)
	}
}

// The examples call the command the README installs, as the README does,
// not a build of their own or go run.
func TestExamplesCallTheInstalledCommand(t *testing.T) {
	other := regexp.MustCompile(`go run \S*cmd/llm-simulator|\./bin/llm-simulator|make run\b`)
	calls := 0
	err := filepath.WalkDir("../../examples", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() && d.Name() == "node_modules" {
			return cmp.Or(err, filepath.SkipDir)
		}
		if d.IsDir() || strings.HasSuffix(path, "_test.go") || strings.HasSuffix(path, ".json") {
			return nil
		}
		text := string(mustRead(t, path))
		calls += strings.Count(text, "llm-simulator --config ") + strings.Count(text, "llm-simulator ctl ") + strings.Count(text, "llm-simulator ca ")
		if m := other.FindString(text); m != "" {
			t.Errorf("%s runs %q: call llm-simulator, which the README installs", path, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls < 10 {
		t.Fatalf("found %d calls of llm-simulator in examples/; the search is broken", calls)
	}
}

// Every config the README shows whole (a block opening with `version: 1`,
// or with `# NAME.yaml` for one the reader saves) passes check as shown.
func TestReadmeConfigsPassCheck(t *testing.T) {
	n := 0
	for _, page := range []string{"README.md", "docs/simulation.md"} {
		for _, cfg := range yamlBlocks(t, page) {
			if !strings.HasPrefix(cfg.text, "version: 1") && cfg.name == "" {
				continue
			}
			n++
			path := filepath.Join(t.TempDir(), "shown.yaml")
			if err := os.WriteFile(path, []byte(cfg.text), 0o644); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(binary(t), "check", path).CombinedOutput(); err != nil || !strings.Contains(string(out), ": ok (") {
				t.Errorf("%s: a config it shows fails check: %v\n%s\n%s", page, err, out, cfg.text)
			}
		}
	}
	if n < 3 {
		t.Fatalf("checked %d configs; the extraction is broken", n)
	}
}

// readmeSession runs one block's commands in order.
type readmeSession struct {
	t     *testing.T
	dir   string
	ready *readyLine
}

// curlStatus is a curl line's trailing "# 429": the status it shows.
var curlStatus = regexp.MustCompile(`\s+#\s*(\d{3})\b[^']*$`)

func (s *readmeSession) run(line string) {
	t := s.t
	t.Helper()
	env, rest := splitAssignments(line)
	switch {
	case isInstall(line):
		return // TestReadmeInstall
	case strings.HasPrefix(rest, "llm-simulator") && strings.HasSuffix(rest, "&"):
		s.start(env, strings.TrimSpace(strings.TrimSuffix(rest, "&")))
	case strings.HasPrefix(rest, "llm-simulator ctl "):
		s.serving()
		s.shell(line)
	case strings.HasPrefix(rest, "llm-simulator ") || strings.HasPrefix(rest, "export "):
		s.shell(line)
	case strings.HasPrefix(rest, "curl "):
		s.serving()
		s.curl(line)
	default:
		t.Fatalf("%q: the README test does not know how to run this command; teach it or leave the command out", line)
	}
}

// serving starts the default server for a block that starts none.
func (s *readmeSession) serving() {
	if s.ready == nil {
		s.start(nil, "llm-simulator")
	}
}

// start runs a server command line with the test's ports and waits for
// its ready line; the block's later commands talk to it.
func (s *readmeSession) start(env []string, cmdline string) {
	t := s.t
	t.Helper()
	sh := strings.Join(env, " ") + " exec " + cmdline + " --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0"
	cmd := s.command(context.Background(), sh)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		var l readyLine
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.Message == "ready" {
			go func() { _, _ = io.Copy(io.Discard, stderr) }()
			s.ready = &l
			return
		}
	}
	t.Fatalf("%s: exited without a ready line", cmdline)
}

// command is sh -c cmdline in the work directory, the README's ports
// mapped to the block's server, its admin address in the environment.
func (s *readmeSession) command(ctx context.Context, cmdline string) *exec.Cmd {
	env := readmeEnv(s.dir)
	if s.ready != nil {
		cmdline = strings.NewReplacer("127.0.0.1:8080", s.ready.Listen, "127.0.0.1:9090", s.ready.Admin).Replace(cmdline)
		env = append(env, "LLMSIM_ADMIN_ADDR="+s.ready.Admin)
	}
	cmd := exec.CommandContext(ctx, "sh", "-c", cmdline)
	cmd.Dir, cmd.Env = s.dir, env
	return cmd
}

// shell runs a command that must succeed.
func (s *readmeSession) shell(line string) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if out, err := s.command(ctx, line).CombinedOutput(); err != nil {
		s.t.Fatalf("%s: %v\n%s", line, err, out)
	}
}

// curl runs a curl line and checks its status and that its body is JSON
// or a complete event stream.
func (s *readmeSession) curl(line string) {
	t := s.t
	t.Helper()
	want := "2"
	if m := curlStatus.FindStringSubmatchIndex(line); m != nil {
		want = line[m[2]:m[3]]
		line = line[:m[0]]
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := s.command(ctx, line+` -w '\n%{http_code}'`).Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", line, err, out)
	}
	i := bytes.LastIndexByte(out, '\n')
	body, status := out[:max(i, 0)], string(out[i+1:])
	if !strings.HasPrefix(status, want) {
		t.Fatalf("%s: status %s, want %s…\n%s", line, status, want, body)
	}
	checkAnswer(t, body)
}

// readmeWorkdir is a directory holding the examples and the configs the
// pages save (a yaml block opening with `# NAME.yaml`), as the reader's
// checkout would.
func readmeWorkdir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, sub := range []string{"examples/drills", "examples/providers"} {
		files, _ := filepath.Glob(filepath.Join("../..", sub, "*.yaml"))
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if err := os.WriteFile(filepath.Join(dir, sub, filepath.Base(f)), mustRead(t, f), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, page := range readmePages {
		for _, cfg := range yamlBlocks(t, page) {
			if cfg.name != "" {
				if err := os.WriteFile(filepath.Join(dir, cfg.name), []byte(cfg.text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return dir
}

// readmeEnv is the commands' environment: the built binary first on PATH,
// state under dir, no admin address or token from the test's own.
func readmeEnv(dir string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LLMSIM_") && !strings.HasPrefix(kv, "PATH=") && !strings.HasPrefix(kv, "XDG_STATE_HOME=") {
			env = append(env, kv)
		}
	}
	return append(env, "PATH="+filepath.Dir(binPath)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"XDG_STATE_HOME="+filepath.Join(dir, ".state"))
}

// runIn runs cmdline with sh in dir and returns its output; it must
// succeed.
func runIn(t *testing.T, dir string, env []string, cmdline string) string {
	t.Helper()
	cmd := exec.Command("sh", "-c", cmdline)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", cmdline, err, out)
	}
	return string(out)
}

var ldflagsRE = regexp.MustCompile(`-ldflags '([^']*)'`)

func ldflagsOf(recipe string) string {
	if m := ldflagsRE.FindStringSubmatch(recipe); m != nil {
		return m[1]
	}
	return ""
}

func isInstall(line string) bool {
	return line == "make install" || strings.HasPrefix(line, "go install ")
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
