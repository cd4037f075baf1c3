package main

import (
	"bufio"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/llm-simulator/llm-simulator/config"
)

// The systemd unit in examples/ is what users install: its ExecStart must
// parse as this binary's flags, its reload must be this binary's `ctl
// upgrade` (whose exit status says whether the upgrade happened: a signal
// would make every reload a success), its PIDFile the file the binary
// writes, and it must give a drain room to finish and the process room
// for its streams.
func TestSystemdUnitMatchesTheBinary(t *testing.T) {
	unit := readUnit(t, "../../examples/systemd/llm-simulator.service")
	exec := strings.Fields(unit["ExecStart"])
	if len(exec) == 0 || !strings.HasSuffix(exec[0], "/llm-simulator") {
		t.Fatalf("ExecStart %q does not start llm-simulator", unit["ExecStart"])
	}
	opts, err := parseFlags(exec[1:], io.Discard)
	if err != nil {
		t.Fatalf("ExecStart's flags %q: %v", exec[1:], err)
	}
	if opts.config == "" {
		t.Error("ExecStart names no --config: the service would run the embedded default")
	}
	if opts.pidFile == "" || opts.pidFile != unit["PIDFile"] {
		t.Errorf("--pid-file %q and PIDFile %q differ: $MAINPID would not follow upgrades", opts.pidFile, unit["PIDFile"])
	}
	if reload := strings.Fields(unit["ExecReload"]); len(reload) < 3 || reload[0] != exec[0] ||
		reload[1] != "ctl" || reload[len(reload)-1] != "upgrade" {
		t.Errorf("ExecReload %q does not run %s ctl upgrade", unit["ExecReload"], exec[0])
	}
	if def := config.DefaultAdminListen; opts.adminListen != "" && opts.adminListen != def {
		t.Errorf("ExecStart moves the admin API to %s; ctl upgrade calls %s", opts.adminListen, def)
	}
	if unit["KillMode"] != "process" {
		t.Errorf("KillMode %q: an upgrade's new process would be killed with its parent", unit["KillMode"])
	}
	stop, err := strconv.Atoi(strings.TrimSuffix(unit["TimeoutStopSec"], "s"))
	if err != nil || time.Duration(stop)*time.Second <= config.DefaultDrainTimeout {
		t.Errorf("TimeoutStopSec %q is not longer than the default drain_timeout %v", unit["TimeoutStopSec"], config.DefaultDrainTimeout)
	}
	if n, err := strconv.Atoi(unit["LimitNOFILE"]); err != nil || n < 100_000 {
		t.Errorf("LimitNOFILE %q: the 100,000-stream plan needs one file a stream", unit["LimitNOFILE"])
	}
}

// readUnit reads a unit file's key=value lines, later keys winning.
func readUnit(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kv := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "[") {
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok {
			kv[k] = v
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return kv
}
