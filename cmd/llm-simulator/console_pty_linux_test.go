//go:build linux

package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// openPTY opens a pseudo-terminal: what the process writes to tty shows
// on ptmx, as on a terminal a person watches.
func openPTY(t *testing.T) (ptmx, tty *os.File) {
	t.Helper()
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { ptmx.Close() })
	var n uint32
	ioctl := func(req uintptr, arg unsafe.Pointer) {
		rc, err := ptmx.SyscallConn() // not Fd(), which would make reads block past Close
		if err != nil {
			t.Fatal(err)
		}
		var errno syscall.Errno
		_ = rc.Control(func(fd uintptr) { _, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, req, uintptr(arg)) })
		if errno != 0 {
			t.Skipf("pseudo-terminal ioctl: %v", errno)
		}
	}
	var unlock int32
	ioctl(syscall.TIOCSPTLCK, unsafe.Pointer(&unlock))
	ioctl(syscall.TIOCGPTN, unsafe.Pointer(&n))
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("pseudo-terminal: %v", err)
	}
	return ptmx, tty
}

// serveOnTerminal serves config with its log on a terminal, sends the
// proxy each of the requests' bodies, stops, and returns what the
// terminal showed, colours taken out.
func serveOnTerminal(t *testing.T, config string, bodies ...string) string {
	t.Helper()
	ptmx, tty := openPTY(t)
	shown := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(ptmx) // until the terminal's last writer closes it
		shown <- string(b)
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	o := &options{config: writeConfig(t, config), listen: "127.0.0.1:0", adminListen: "127.0.0.1:0"}
	go func() { done <- serve(ctx, o, stdio{out: io.Discard, err: tty}, func(p, _ string) { ready <- p }) }()
	var proxyAddr string
	select {
	case proxyAddr = <-ready:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	}
	for _, body := range bodies {
		resp, err := http.Post("http://"+proxyAddr+"/v1/chat/completions", "application/json", strings.NewReader(body))
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	tty.Close()
	select {
	case s := <-shown:
		return regexp.MustCompile(`\x1b\[[0-9;]*m`).ReplaceAllString(s, "")
	case <-time.After(10 * time.Second):
		t.Fatal("the terminal never closed")
	}
	return ""
}

const consoleConfig = `version: 1
rules:
  - name: flaky
    match: {model: flaky}
    faults: [{error: {status: 429}}]
  - name: everything
    action: simulate
`

// A first run on a terminal shows, after "ready", a line per request:
// what it was, its status and time, the rule and action that took it and
// the faults that fired — with log.access left at its default.
func TestConsoleShowsRequestsOnATerminal(t *testing.T) {
	shown := serveOnTerminal(t, consoleConfig,
		`{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`,
		`{"model":"flaky","messages":[{"role":"user","content":"hi"}]}`)
	for _, want := range []string{
		` INF ready `,
		` INF POST /v1/chat/completions 200 [0-9.]+ms action=simulate component=proxy rule=everything\r?\n`,
		` INF POST /v1/chat/completions 429 [0-9.]+ms action=simulate component=proxy faults=error rule=flaky\r?\n`,
	} {
		if !regexp.MustCompile(want).MatchString(shown) {
			t.Errorf("the terminal lacks %s:\n%s", want, shown)
		}
	}
}

// JSON on a terminal is for machines: no access line by default.
func TestJSONLogHasNoAccessLinesByDefault(t *testing.T) {
	shown := serveOnTerminal(t, "log: {format: json}\n"+consoleConfig,
		`{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`)
	if !strings.Contains(shown, `"message":"ready"`) || strings.Contains(shown, "/v1/chat/completions") {
		t.Errorf("terminal:\n%s", shown)
	}
}
