package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/config"
)

// stateCase serves the config s/f.yaml, given as a relative path from a
// working directory of the test's own, and disables the rule "boom"
// through ctl, which saves the state.
func stateCase(t *testing.T, config string, before func(dir string)) (dir string, log *logBuffer) {
	t.Helper()
	dir = t.TempDir()
	t.Chdir(dir)
	if err := os.Mkdir("s", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("s/f.yaml", []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	if before != nil {
		before(dir)
	}
	_, adminAddr, _, log := startServeLogged(t, "s/f.yaml")
	if out, errOut, err := ctlRun(adminAddr, "rules", "disable", "boom"); err != nil {
		t.Fatalf("ctl: %v\n%s%s", err, out, errOut)
	}
	return dir, log
}

// By default the state lives under the user's state directory, in a file
// of the config's own, and nothing is written beside the config or
// anywhere in the working directory.
func TestStateFileUnderTheUserStateDirectory(t *testing.T) {
	dir, _ := stateCase(t, adminRules, nil)
	want, err := config.DefaultStateFile(filepath.Join(dir, "s", "f.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(want, os.Getenv("XDG_STATE_HOME")+string(filepath.Separator)) || !strings.HasPrefix(filepath.Base(want), "f-") {
		t.Fatalf("the state file %s is not under $XDG_STATE_HOME, named after f.yaml", want)
	}
	if !fileExists(want) {
		t.Fatalf("no state file at %s", want)
	}
	if got := dirNames(t, filepath.Join(dir, "s")); !slices.Equal(got, []string{"f.yaml"}) {
		t.Errorf("the config's directory holds %v", got)
	}
	if got := dirNames(t, dir); !slices.Equal(got, []string{"s"}) {
		t.Errorf("the working directory holds %v", got)
	}
	other, _ := config.DefaultStateFile(filepath.Join(dir, "t", "f.yaml"))
	if other == want {
		t.Errorf("two configs named f.yaml share the state file %s", want)
	}
}

// admin.state_file puts the state where it says, relative to the config
// file (s/.f.state.json, not s/s/.f.state.json).
func TestStateFileBesideTheConfigWhenAsked(t *testing.T) {
	dir, _ := stateCase(t, adminRules+"admin: {state_file: .f.state.json}\n", nil)
	if !fileExists(filepath.Join(dir, "s", ".f.state.json")) {
		t.Fatalf("no state file beside the config: s holds %v", dirNames(t, filepath.Join(dir, "s")))
	}
	if _, err := os.Stat(filepath.Join(dir, "s", "s")); err == nil {
		t.Error("s/s/ was made: the state file's path was resolved twice")
	}
	if fileExists(mustDefaultStateFile(t, filepath.Join(dir, "s", "f.yaml"))) {
		t.Error("a state file was written under the state directory too")
	}
}

// A state file an earlier version kept beside the config is taken over
// once: its toggles hold, its state is saved in the new place, and the
// log says where it now lives.
func TestStateFileOfAnEarlierVersionIsTakenOver(t *testing.T) {
	const old = `{"version": 1, "toggles": {"once": false}, "faults": []}`
	dir, log := stateCase(t, adminRules, func(string) {
		if err := os.WriteFile("s/.f.state.json", []byte(old), 0o644); err != nil {
			t.Fatal(err)
		}
	})
	now := mustDefaultStateFile(t, filepath.Join(dir, "s", "f.yaml"))
	data, err := os.ReadFile(now)
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Toggles map[string]bool `json:"toggles"`
	}
	if err := json.Unmarshal(data, &st); err != nil || st.Toggles["once"] || st.Toggles["boom"] || len(st.Toggles) != 2 {
		t.Fatalf("the new state file holds %s (%v): want the old toggle and the new", data, err)
	}
	want := "s/.f.state.json, where an earlier version kept the runtime state, is read once at start: its toggles and temporary faults are kept in " + now
	if !strings.Contains(log.String(), want) {
		t.Errorf("the log does not say %q:\n%s", want, log)
	}
}

func mustDefaultStateFile(t *testing.T, file string) string {
	t.Helper()
	f, err := config.DefaultStateFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// The systemd unit's filesystem is read-only but for its StateDirectory:
// the interception CA (the user config directory) and the state files
// (the user state directory) must both be there.
func TestSystemdUnitKeepsStateInItsStateDirectory(t *testing.T) {
	unit := readUnit(t, "../../examples/systemd/llm-simulator.service")
	env := map[string]string{}
	for _, kv := range strings.Fields(unit["Environment"]) {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	dir := "/var/lib/" + unit["StateDirectory"]
	if unit["StateDirectory"] == "" || env["XDG_CONFIG_HOME"] != dir || env["XDG_STATE_HOME"] != dir {
		t.Fatalf("StateDirectory %q, Environment %q: XDG_CONFIG_HOME and XDG_STATE_HOME must both be %s", unit["StateDirectory"], unit["Environment"], dir)
	}
}
