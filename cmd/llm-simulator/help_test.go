package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/proxy/mitm"
)

// runBinary runs the built binary to its end and returns what it printed
// and its exit status.
func runBinary(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// Asking for help is not an error: the usage goes to stdout, whence a
// pager or grep reads it, and the exit status is 0 — for the program,
// ctl, and each of ctl's commands.
func TestHelpExitsZeroWithTheUsageOnStdout(t *testing.T) {
	cases := [][]string{{"--help"}, {"-h"}, {"help"}, {"check", "-h"}, {"check", "--help"}, {"ca", "-h"}, {"ca", "path", "--help"},
		{"ctl", "-h"}, {"ctl", "--help"}, {"ctl", "help"}, {"ctl", "help", "fault"}, {"ctl", "--json", "status", "-h"},
		{"ctl", "rules", "enable", "-h"}, {"ctl", "rules", "ls", "-h"}, {"ctl", "rules", "put", "--help"}, {"ctl", "fault", "add", "-h"},
		{"ctl", "fault", "rm", "-h"}, {"ctl", "fault", "ls", "-h"}, {"ctl", "cache", "purge", "-h"}, {"ctl", "cache", "stats", "-h"},
		{"ctl", "cache", "export", "-h"}, {"ctl", "cache", "import", "-h"}}
	var names []string
	for name := range ctlCommands {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		cases = append(cases, []string{"ctl", name, "-h"}, []string{"ctl", name, "--help"})
	}
	for _, args := range cases {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			out, errOut, code := runBinary(t, args...)
			if code != 0 || !strings.HasPrefix(out, "usage: llm-simulator") || errOut != "" {
				t.Fatalf("exit %d\nstdout: %q\nstderr: %q", code, out, errOut)
			}
		})
	}
	out, _, _ := runBinary(t, "--help")
	for _, want := range []string{"check FILE", "ctl", "-config file", "exit status: 0 done, 1 failed, 2 bad command line"} {
		if !strings.Contains(out, want) {
			t.Errorf("--help does not say %q:\n%s", want, out)
		}
	}
}

// A command line that cannot be run exits 2, as Go's flag package has
// it, and says why on stderr, with the usage; stdout stays empty.
func TestBadCommandLinesExitTwo(t *testing.T) {
	for _, c := range []struct {
		args []string
		say  string
	}{
		{[]string{"--nope"}, "flag provided but not defined: -nope"},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"--seed", "x"}, `invalid value "x" for flag -seed`},
		{[]string{"--listen", "127.0.0.1:99999"}, "port 99999 is out of range"},
		{[]string{"check"}, "usage: llm-simulator check FILE"},
		{[]string{"ca"}, "ca: which command"},
		{[]string{"ctl"}, "ctl: which command?"},
		{[]string{"ctl", "nope"}, `ctl: unknown command "nope"`},
		{[]string{"ctl", "rules", "enable"}, "usage: llm-simulator ctl rules enable NAME"},
		{[]string{"ctl", "requests", "--limit", "x"}, `invalid value "x" for flag -limit`},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			out, errOut, code := runBinary(t, c.args...)
			if code != 2 || out != "" || !strings.Contains(errOut, c.say) || !strings.Contains(errOut, "usage: llm-simulator") {
				t.Fatalf("exit %d\nstdout: %q\nstderr: %q", code, out, errOut)
			}
		})
	}
}

// check and the server refuse the same files with the same words: an
// address no socket can have, an admin API open to the network without a
// token, both at file:line:col. The server exits 1 before it binds
// anything.
func TestCheckAndServerRefuseTheSameConfig(t *testing.T) {
	for _, c := range []struct{ name, config, want string }{
		{"port out of range", "version: 1\nlisten: 127.0.0.1:99999\n",
			`:2:9: listen "127.0.0.1:99999": port 99999 is out of range: a port is 0 to 65535 (0: any free one)`},
		{"admin open without a token", "version: 1\nlisten: 127.0.0.1:0\nadmin:\n  listen: 0.0.0.0:0\n",
			`:4:11: the admin listener 0.0.0.0:0 is not on loopback, so it needs a token`},
		{"syntax", "version: 1\nlisten: {a: 1\n", `:2:13: did not find expected ',' or '}'`},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := writeConfig(t, c.config)
			_, checkErr, code := runBinary(t, "check", path)
			if code != 1 || !strings.Contains(checkErr, path+c.want) {
				t.Fatalf("check: exit %d\n%s", code, checkErr)
			}
			_, serveErr, code := runBinary(t, "--config", path)
			if code != 1 || !strings.Contains(serveErr, path+c.want) {
				t.Fatalf("server: exit %d\n%s", code, serveErr)
			}
			if first := strings.SplitN(checkErr, "\n", 2)[0]; first != strings.SplitN(serveErr, "\n", 2)[0] {
				t.Errorf("check and the server say it differently:\n%s\n%s", checkErr, serveErr)
			}
		})
	}
}

// An --admin-listen off loopback needs a token as admin.listen does, and
// is refused in the same words.
func TestAdminListenFlagNeedsATokenOffLoopback(t *testing.T) {
	_, errOut, code := runBinary(t, "--listen", "127.0.0.1:0", "--admin-listen", "0.0.0.0:0")
	if code != 1 || !strings.Contains(errOut, "the admin listener 0.0.0.0:0 is not on loopback, so it needs a token") {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
}

// fileExists reports a regular file at path.
func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// dirNames lists a directory's entries, "." files included.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// check refuses what the server would refuse at start though the file is
// well formed: an interception CA there already that does not cover the
// intercept hosts. It neither makes a CA nor changes the one there.
func TestCheckRefusesACAThatDoesNotCoverTheHosts(t *testing.T) {
	dir := t.TempDir()
	if _, err := mitm.LoadOrCreate(dir, mitm.Spec{Hosts: config.BuiltinCAHosts()}); err != nil {
		t.Fatal(err)
	}
	path := writeConfig(t, "version: 1\nintercept: {ca_dir: "+dir+", hosts: [api.openai.com, llm.example.test]}\n")
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"check", path}, stdio{&out, &errOut})
	if err == nil || !strings.Contains(errOut.String(), "llm.example.test") ||
		!strings.Contains(errOut.String(), "llm-simulator ca rotate --config "+path) {
		t.Fatalf("check: %v\n%s%s", err, out.String(), errOut.String())
	}
	fresh := t.TempDir()
	path = writeConfig(t, "version: 1\nintercept: {ca_dir: "+fresh+"/ca, hosts: [llm.example.test]}\n")
	if err := run(context.Background(), []string{"check", path}, stdio{&out, &errOut}); err != nil {
		t.Fatalf("check of a config whose CA is not made yet: %v\n%s", err, errOut.String())
	}
	if got := dirNames(t, fresh); len(got) != 0 {
		t.Errorf("check made %v", got)
	}
}
