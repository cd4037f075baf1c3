package config

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// writeFile writes data with mode perm into dir and returns its path.
func writeFile(t *testing.T, dir, name, data string, perm os.FileMode) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(data), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil { // past the umask
		t.Fatal(err)
	}
	return path
}

// The token is read from token_file, beside the config when relative,
// without the newline an editor or echo leaves; the config served keeps
// the path, and the token is the file's.
func TestAdminTokenFile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "admin-token", "  s3cret-from-file\n", 0o600)
	path := writeFile(t, dir, "c.yaml", "version: 1\nadmin: {token_file: admin-token}\n", 0o600)
	cfg, err := Load(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Admin.Token != "s3cret-from-file" || cfg.Admin.TokenFile != filepath.Join(dir, "admin-token") {
		t.Fatalf("token %q from file %q", cfg.Admin.Token, cfg.Admin.TokenFile)
	}
	if len(cfg.Warnings) != 0 {
		t.Fatalf("a 0600 token file warns: %v", cfg.Warnings)
	}
}

// A token file others can read loads, with a warning that says how to
// close it; Kubernetes' Secret volumes reach the file through symlinks,
// and the mode judged is the file's.
func TestAdminTokenFileReadableByAll(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir), "real-token", "tok\n", 0o644)
	if err := os.Symlink("real-token", filepath.Join(dir, "token")); err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse(filepath.Join(dir, "c.yaml"), []byte("version: 1\nadmin: {token_file: token}\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Admin.Token != "tok" || len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0].Error(), "every user") ||
		!strings.Contains(cfg.Warnings[0].Error(), "defaultMode: 0400") {
		t.Fatalf("token %q, warnings %v", cfg.Admin.Token, cfg.Warnings)
	}
}

// Options.OpenFile stands in for the filesystem, as the manifests'
// tests need.
func TestAdminTokenFileThroughOpenFile(t *testing.T) {
	files := fstest.MapFS{"secret/token": {Data: []byte("from-a-volume"), Mode: 0o400}}
	opts := Options{OpenFile: func(name string) (fs.File, error) { return files.Open(strings.TrimPrefix(name, "/")) }}
	cfg, err := Parse("c.yaml", []byte("version: 1\nadmin: {token_file: /secret/token}\n"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Admin.Token != "from-a-volume" {
		t.Fatalf("token %q", cfg.Admin.Token)
	}
}

func TestAdminConfigRefused(t *testing.T) {
	dir := t.TempDir()
	empty := writeFile(t, dir, "empty", " \n", 0o600)
	twoLines := writeFile(t, dir, "two", "one\ntwo\n", 0o600)
	cases := []struct{ name, src, want string }{
		{"token file missing", "admin: {token_file: " + filepath.Join(dir, "nope") + "}",
			"bad.yaml:2:21: admin.token_file: open " + filepath.Join(dir, "nope") + ": no such file or directory"},
		{"token file empty", "admin: {token_file: " + empty + "}", "bad.yaml:2:21: admin.token_file " + empty + ": is empty"},
		{"token file of two lines", "admin: {token_file: " + twoLines + "}", "bad.yaml:2:21: admin.token_file " + twoLines + ": holds more than one line"},
		{"token file a folder", "admin: {token_file: " + dir + "}", "bad.yaml:2:21: admin.token_file " + dir + ": is a directory"},
		{"token and token file", "admin: {token: a, token_file: " + twoLines + "}", "bad.yaml:2:31: admin: token and token_file are both set"},
		{"host with a port", "admin: {allowed_hosts: [sim.internal:9090]}", `bad.yaml:2:25: admin.allowed_hosts: "sim.internal:9090" is not a host name`},
		{"host with a scheme", "admin: {allowed_hosts: [ok.example, \"http://sim\"]}", `bad.yaml:2:37: admin.allowed_hosts: "http://sim" is not a host name`},
		{"host wildcard", "admin: {allowed_hosts: [\"*.svc\"]}", `bad.yaml:2:25: admin.allowed_hosts: "*.svc" is not a host name`},
		{"origin wildcard", "admin: {allowed_origins: [\"*\"]}", `bad.yaml:2:27: admin.allowed_origins: "*" would let every web page drive the admin API`},
		{"origin null", "admin: {allowed_origins: [\"null\"]}", `bad.yaml:2:27: admin.allowed_origins: "null" is the origin of sandboxed frames`},
		{"origin without scheme", "admin: {allowed_origins: [\"localhost:3000\"]}", `bad.yaml:2:27: admin.allowed_origins: "localhost:3000" is not an origin`},
		{"origin with a path", "admin: {allowed_origins: [\"http://localhost:3000/app\"]}", `bad.yaml:2:27: admin.allowed_origins: "http://localhost:3000/app" has more than scheme://host[:port]`},
		{"origin not http", "admin: {allowed_origins: [\"file:///x\"]}", `bad.yaml:2:27: admin.allowed_origins: "file:///x" is not an origin`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte("version: 1\n"+c.src+"\n"), Options{})
			wantErrors(t, err, c.want)
		})
	}
}

func TestAdminAllowedHostsAndOriginsLoad(t *testing.T) {
	src := "version: 1\nadmin:\n  allowed_hosts: [llm-simulator.staging.svc.cluster.local, Sim_1., 10.0.0.7]\n" +
		"  allowed_origins: [\"http://localhost:3000\", \"https://grafana.example.com/\", \"http://[::1]:8000\"]\n"
	cfg, err := Parse("ok.yaml", []byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Admin.AllowedHosts) != 3 || len(cfg.Admin.AllowedOrigins) != 3 || len(cfg.Warnings) != 0 {
		t.Fatalf("%+v %v", cfg.Admin, cfg.Warnings)
	}
}

func TestTokenFromFile(t *testing.T) {
	for in, want := range map[string]string{"tok\n": "tok", "\ttok\r\n": "tok", "a.b-c_d~e+f/g=": "a.b-c_d~e+f/g="} {
		if got, err := TokenFromFile([]byte(in)); err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "\n\n", "a\nb", "a\x00b"} {
		if got, err := TokenFromFile([]byte(in)); err == nil {
			t.Errorf("%q gave %q", in, got)
		}
	}
}
