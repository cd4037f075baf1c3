package config

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The state directory is $XDG_STATE_HOME when it is an absolute path,
// else the platform's; the default state file is named after the config
// and differs for two configs of the same name.
func TestDefaultStateFile(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_STATE_HOME", "relative/ignored")
	if runtime.GOOS == "linux" {
		if dir, err := UserStateDir(); err != nil || dir != filepath.Join(home, ".local", "state") {
			t.Errorf("UserStateDir with $XDG_STATE_HOME relative: %q, %v", dir, err)
		}
	}
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	a, _ := DefaultStateFile("/srv/a/my config.yaml")
	b, _ := DefaultStateFile("/srv/b/my config.yaml")
	embedded, _ := DefaultStateFile("")
	dir := filepath.Join(state, "llm-simulator")
	switch {
	case filepath.Dir(a) != dir || !strings.HasPrefix(filepath.Base(a), "my_config-") || !strings.HasSuffix(a, ".state.json"):
		t.Errorf("state file %s: want %s/my_config-HASH.state.json", a, dir)
	case a == b:
		t.Errorf("two configs share %s", a)
	case embedded != filepath.Join(dir, "default.state.json"):
		t.Errorf("the embedded config's state file is %s", embedded)
	}
}

// A config loaded with no admin.state_file points at the state
// directory, and notes the file an earlier version left beside it; one
// with a state_file resolves it against its own directory, once.
func TestStateFileOfAConfig(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Chdir(t.TempDir())
	if err := os.MkdirAll("s", 0o755); err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse("s/f.yaml", []byte("version: 1\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := DefaultStateFile("s/f.yaml"); cfg.Admin.StateFile != want || cfg.Admin.LegacyStateFile() != "" || len(cfg.Warnings) != 0 {
		t.Errorf("state file %q (legacy %q, warnings %v), want %q", cfg.Admin.StateFile, cfg.Admin.LegacyStateFile(), cfg.Warnings, want)
	}
	if err := os.WriteFile("s/.f.state.json", []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, _ = Parse("s/f.yaml", []byte("version: 1\n"), Options{})
	if cfg.Admin.LegacyStateFile() != "s/.f.state.json" || len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0].Msg, "is read once at start") {
		t.Errorf("legacy %q, warnings %v", cfg.Admin.LegacyStateFile(), cfg.Warnings)
	}
	cfg, _ = Parse("s/f.yaml", []byte("version: 1\nadmin: {state_file: .f.state.json}\n"), Options{})
	if cfg.Admin.StateFile != "s/.f.state.json" || cfg.Admin.LegacyStateFile() != "" {
		t.Errorf("state_file .f.state.json of s/f.yaml is %q (legacy %q)", cfg.Admin.StateFile, cfg.Admin.LegacyStateFile())
	}
}
