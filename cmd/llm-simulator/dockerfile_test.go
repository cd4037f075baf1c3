package main

import (
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/admin"
)

// The Dockerfile cannot be built on this machine (no container runtime),
// so these tests check what a build would depend on: the same build
// command as the Makefile's, no cgo, a default command that serves off
// loopback, and a build context that keeps every input.

// dockerInstruction is one Dockerfile instruction, continuation lines
// joined.
type dockerInstruction struct{ op, args string }

func dockerfile(t *testing.T) []dockerInstruction {
	t.Helper()
	data, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var out []dockerInstruction
	var cur string
	for _, line := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimSpace(line)
		if cur == "" && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if strings.HasSuffix(trimmed, "\\") {
			cur += strings.TrimSuffix(trimmed, "\\") + " "
			continue
		}
		cur += trimmed
		op, args, _ := strings.Cut(cur, " ")
		out = append(out, dockerInstruction{strings.ToUpper(op), strings.TrimSpace(args)})
		cur = ""
	}
	return out
}

// dockerLast is the args of the last instruction op, "" if none.
func dockerLast(ins []dockerInstruction, op string) string {
	args := ""
	for _, in := range ins {
		if in.op == op {
			args = in.args
		}
	}
	return args
}

func TestDockerfileBuildsAsTheMakefileDoes(t *testing.T) {
	mk, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	ldflags := regexp.MustCompile(`(?m)^LDFLAGS\s*:=\s*(.+)$`).FindStringSubmatch(string(mk))
	build := regexp.MustCompile(`(?m)^\s*\$\(GO\) build (.+)$`).FindStringSubmatch(string(mk))
	if ldflags == nil || build == nil {
		t.Fatal("the Makefile has no LDFLAGS or no build rule: this test reads them")
	}
	// The Makefile's $(VERSION) is the Dockerfile's build argument.
	wantLdflags := strings.ReplaceAll(strings.TrimSpace(ldflags[1]), "$(VERSION)", "${VERSION}")
	makeArgs := strings.Fields(build[1])
	wantPkg := makeArgs[len(makeArgs)-1]

	var run string
	for _, in := range dockerfile(t) {
		if in.op == "RUN" && strings.Contains(in.args, "go build") {
			run = in.args
		}
	}
	if run == "" {
		t.Fatal("the Dockerfile has no RUN … go build")
	}
	for _, want := range []string{"CGO_ENABLED=0 ", "-trimpath", `-ldflags "` + wantLdflags + `"`} {
		if !strings.Contains(run, want) {
			t.Errorf("the Dockerfile's build lacks %q (the Makefile builds with LDFLAGS %q):\n%s", want, wantLdflags, run)
		}
	}
	if !strings.Contains(build[1], "-trimpath") {
		t.Errorf("the Makefile no longer builds with -trimpath; bring the Dockerfile in step: %s", build[1])
	}
	if f := strings.Fields(run); f[len(f)-1] != wantPkg {
		t.Errorf("the Dockerfile builds %s, the Makefile %s", f[len(f)-1], wantPkg)
	}
}

// The image's default command must start: its flags parse, the embedded
// config loads, the proxy listens where EXPOSE says on every interface,
// and the admin API stays where it needs no token.
func TestDockerfileDefaultCommandServesOffLoopback(t *testing.T) {
	ins := dockerfile(t)
	var cmd, entry []string
	if err := json.Unmarshal([]byte(dockerLast(ins, "CMD")), &cmd); err != nil {
		t.Fatalf("CMD is not in exec form: %v", err)
	}
	if err := json.Unmarshal([]byte(dockerLast(ins, "ENTRYPOINT")), &entry); err != nil || len(entry) != 1 {
		t.Fatalf("ENTRYPOINT is not the binary alone in exec form: %v %q", err, entry)
	}
	if copyTo := strings.Fields(dockerLast(ins, "COPY")); copyTo[len(copyTo)-1] != entry[0] {
		t.Errorf("the last COPY puts the binary at %s, ENTRYPOINT runs %s", copyTo[len(copyTo)-1], entry[0])
	}
	o, err := parseFlags(cmd, os.Stderr)
	if err != nil {
		t.Fatalf("CMD %q: %v", cmd, err)
	}
	cfg, _, err := loadConfig(o)
	if err != nil {
		t.Fatalf("CMD %q does not load: %v", cmd, err)
	}
	host, port, _ := net.SplitHostPort(cfg.Listen)
	if host != "0.0.0.0" && host != "" {
		t.Errorf("the proxy listens on %s: unreachable from outside the container", cfg.Listen)
	}
	if expose := dockerLast(ins, "EXPOSE"); expose != port && expose != port+"/tcp" {
		t.Errorf("EXPOSE %s, but the proxy listens on port %s", expose, port)
	}
	if err := admin.CheckExposure(cfg.Admin.Listen, cfg.Admin.Token); err != nil {
		t.Errorf("the default command would refuse to start: %v", err)
	}
	user, _, _ := strings.Cut(dockerLast(ins, "USER"), ":")
	if uid, err := strconv.Atoi(user); err != nil || uid == 0 {
		t.Errorf("USER %q: want a numeric user other than root (runAsNonRoot verifies a number)", user)
	}
	from := dockerLast(ins, "FROM")
	if !strings.HasPrefix(from, "gcr.io/distroless/static") && from != "scratch" {
		t.Errorf("the image runs on %s; a static binary wants distroless static or scratch", from)
	}
}

// The image's admin API is reachable from inside the container only, and
// no token is baked into the image; the recipe its comment gives — the
// token from a mounted secret file named by $LLMSIM_ADMIN_TOKEN_FILE,
// the admin API off loopback — starts, with that token required.
func TestDockerfileAdminStaysInsideUnlessGivenAToken(t *testing.T) {
	ins := dockerfile(t)
	var cmd []string
	if err := json.Unmarshal([]byte(dockerLast(ins, "CMD")), &cmd); err != nil {
		t.Fatalf("CMD is not in exec form: %v", err)
	}
	o, err := parseFlags(cmd, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _, err := loadConfig(o)
	if err != nil {
		t.Fatal(err)
	}
	if !admin.IsLoopback(cfg.Admin.Listen) || cfg.Admin.Token != "" {
		t.Errorf("the default command serves the admin API on %s (token set: %v): want loopback, inside the container only", cfg.Admin.Listen, cfg.Admin.Token != "")
	}
	_, adminPort, _ := net.SplitHostPort(cfg.Admin.Listen)
	for _, in := range ins {
		if in.op == "EXPOSE" && strings.Contains(" "+in.args+" ", " "+adminPort) {
			t.Errorf("EXPOSE %s publishes the admin port", in.args)
		}
		if (in.op == "ENV" || in.op == "ARG") && strings.Contains(strings.ToUpper(in.args), "TOKEN") {
			t.Errorf("%s %s bakes an admin token into the image", in.op, in.args)
		}
	}

	secret := filepath.Join(t.TempDir(), "llm-simulator-admin-token")
	if err := os.WriteFile(secret, []byte("from-a-docker-secret\n"), 0o400); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LLMSIM_ADMIN_TOKEN_FILE", secret)
	o, err = parseFlags(append(cmd, "--admin-listen=0.0.0.0:9090"), os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	if cfg, _, err = loadConfig(o); err != nil {
		t.Fatal(err)
	}
	if cfg.Admin.Token != "from-a-docker-secret" || len(cfg.Warnings) != 0 {
		t.Errorf("the token from $LLMSIM_ADMIN_TOKEN_FILE: %q, warnings %v", cfg.Admin.Token, cfg.Warnings)
	}
	if err := admin.CheckExposure(cfg.Admin.Listen, cfg.Admin.Token); err != nil {
		t.Errorf("the documented recipe would not start: %v", err)
	}
}

// A dependency that needs cgo would not build with CGO_ENABLED=0: its
// package has no Go files left, or fails to load.
func TestDockerBuildNeedsNoCgo(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "-e", "-f", "{{.ImportPath}}\t{{if .Error}}{{.Error}}{{end}}", "./cmd/llm-simulator")
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if path, problem, _ := strings.Cut(line, "\t"); problem != "" {
			t.Errorf("%s does not build without cgo: %s", path, problem)
		}
	}
}

// Every file the build reads — go.mod, go.sum, each package's Go and
// embedded files — is sent to the builder.
func TestDockerignoreKeepsTheBuildInputs(t *testing.T) {
	data, err := os.ReadFile("../../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	var patterns []*regexp.Regexp
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "!") {
			t.Fatalf("exceptions (%q) are beyond this test's matcher; extend it", line)
		}
		patterns = append(patterns, dockerignorePattern(line))
	}
	cmd := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{if .Module}}{{if .Module.Main}}{{range .GoFiles}}{{$.Dir}}/{{.}}\n{{end}}{{range .EmbedFiles}}{{$.Dir}}/{{.}}\n{{end}}{{end}}{{end}}{{end}}", "./cmd/llm-simulator")
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	root, _ := filepath.Abs("../..")
	inputs := []string{"go.mod", "go.sum"}
	for _, f := range strings.Fields(string(out)) {
		rel, _ := filepath.Rel(root, f)
		inputs = append(inputs, filepath.ToSlash(rel))
	}
	if len(inputs) < 20 {
		t.Fatalf("only %d build inputs listed; the listing is broken", len(inputs))
	}
	for _, in := range inputs {
		for _, p := range patterns {
			if dockerignored(p, in) {
				t.Errorf(".dockerignore pattern %s drops %s, which the build needs", p, in)
			}
		}
	}
}

// dockerignorePattern compiles a .dockerignore line: * and ? stop at a
// slash, ** crosses them, and a leading slash means the context's root.
func dockerignorePattern(p string) *regexp.Regexp {
	p = strings.TrimPrefix(filepath.ToSlash(p), "/")
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch {
		case strings.HasPrefix(p[i:], "**/"):
			b.WriteString("(.*/)?")
			i += 2
		case strings.HasPrefix(p[i:], "**"):
			b.WriteString(".*")
			i++
		case p[i] == '*':
			b.WriteString("[^/]*")
		case p[i] == '?':
			b.WriteString("[^/]")
		default:
			b.WriteString(regexp.QuoteMeta(p[i : i+1]))
		}
	}
	return regexp.MustCompile("^" + b.String() + "$")
}

// dockerignored reports whether p drops path: the path itself or any
// folder above it.
func dockerignored(p *regexp.Regexp, path string) bool {
	for {
		if p.MatchString(path) {
			return true
		}
		i := strings.LastIndex(path, "/")
		if i < 0 {
			return false
		}
		path = path[:i]
	}
}
