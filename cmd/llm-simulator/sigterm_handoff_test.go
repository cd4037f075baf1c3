package main

import (
	"bufio"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// drains is how many SIGTERM drains follow one another.
const drains = 5

// Five SIGTERM drains one after another, each with a successor already
// serving on the same sockets, under the load of TestUpgradesUnderLoad:
// no call fails, no stream is cut, and each process exits 0 within the
// drain timeout.
//
// A process that listens for itself has no successor on its port: the
// port is free only once it has closed its listener, and a connection
// that comes in between is refused. The sockets must outlive the
// process, held by whoever starts the next — tableflip's parent in an
// upgrade, a service manager with socket activation. Here the test holds
// them and starts each process as tableflip's parent starts its child
// (see handoff), then sends the old one SIGTERM: the drain is SIGTERM's,
// not an upgrade's.
//
// It takes about 15 s (with -race); run it alone with
//
//	go test -race -run TestSIGTERMDrainsHandToASuccessor -timeout 5m ./cmd/llm-simulator
func TestSIGTERMDrainsHandToASuccessor(t *testing.T) {
	ctx, cancel, dir, config := loadTestSetup(t)
	defer cancel()
	h := newHandoff(t, "--config", config, "--ca-dir", filepath.Join(dir, "ca"))
	cur := h.start(t, ctx)
	l := newLoad(t, cancel) // after the processes: stopped before they are killed
	idle := l.crowd(t, ctx, h.listen, filepath.Join(dir, "ca", "ca.pem"), idleGrace)

	for i := range drains {
		next := h.start(t, ctx)
		took, err := cur.stop(ctx)
		if err != nil {
			t.Fatalf("drain %d: %v\n%s", i+1, err, h.log)
		}
		t.Logf("drain %d: the old process exited %v after SIGTERM", i+1, took.Round(time.Millisecond))
		if took > drainTimeout+exitMargin {
			t.Errorf("drain %d took %v; drain_timeout is %v", i+1, took, drainTimeout)
		}
		idle.call(ctx)
		cur = next
	}
	l.finish()
	if _, err := cur.stop(ctx); err != nil {
		t.Fatalf("the last process: %v\n%s", err, h.log)
	}

	l.check(t, h.log.String())
}

// handoff holds the proxy and admin listening sockets and starts the
// binary on them as tableflip's parent starts its child (tableflip
// v1.2.3, child.go and parent.go): the environment variable that says
// there is a parent; fd 3, a pipe on which the child writes one byte
// (42) once ready; fd 4, a pipe carrying the gob-encoded names of the
// sockets that follow, then closed to say the parent has exited; fds 5
// on, the sockets. Each process takes the sockets by name (flip.Listen)
// instead of listening, so any number can serve on them at once.
type handoff struct {
	bin    string
	args   []string
	files  []*os.File // the sockets, in the order of names
	names  [][]string
	listen string     // the proxy's address
	log    *logBuffer // every process's log
}

// tableflipParentEnv says to tableflip that the process has a parent.
const tableflipParentEnv = "TABLEFLIP_HAS_PARENT_7DIU3=yes"

// newHandoff listens on kernel-chosen loopback ports for the proxy and
// the admin API; args are the binary's other arguments.
func newHandoff(t *testing.T, args ...string) *handoff {
	t.Helper()
	h := &handoff{bin: binary(t), log: &logBuffer{}}
	addrs := map[string]string{}
	for _, role := range []string{"proxy", "admin"} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		f, err := socketFile(ln.(*net.TCPListener), role)
		ln.Close() // the socket lives on in f
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		addrs[role] = ln.Addr().String()
		h.files = append(h.files, f)
		h.names = append(h.names, []string{"listener", "tcp", role + " " + addrs[role]})
	}
	h.listen = addrs["proxy"]
	h.args = append([]string{"--listen", addrs["proxy"], "--admin-listen", addrs["admin"]}, args...)
	return h
}

// process is one process the handoff started, reaped as it exits.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed once reaped
	err    error         // Wait's, once exited is closed
}

// socketFile is a file for ln's socket that can be passed to process
// after process without touching the mode the processes serving on it
// rely on. The socket's mode is shared by every descriptor of it, in
// every process; os.StartProcess puts a file it passes into blocking
// mode when the file was opened non-blocking (File.Fd), and the accept
// of a process already serving on it would then block in the kernel,
// beyond the reach of its listener's Close — as tableflip, which passes
// raw descriptors, takes care to avoid. So the socket is made blocking
// before the file is made, and each process makes it non-blocking again
// as it takes it (net.FileListener).
func socketFile(ln *net.TCPListener, name string) (*os.File, error) {
	rc, err := ln.SyscallConn()
	if err != nil {
		return nil, err
	}
	fd, errno := -1, syscall.Errno(0)
	if err := rc.Control(func(s uintptr) {
		r, _, e := syscall.Syscall(syscall.SYS_FCNTL, s, syscall.F_DUPFD_CLOEXEC, 0)
		fd, errno = int(r), e
	}); err != nil {
		return nil, err
	}
	if errno != 0 {
		return nil, errno
	}
	if err := syscall.SetNonblock(fd, false); err != nil {
		syscall.Close(fd)
		return nil, err
	}
	return os.NewFile(uintptr(fd), name), nil
}

// start starts a process on the sockets and returns once it is ready.
func (h *handoff) start(t *testing.T, ctx context.Context) *process {
	t.Helper()
	readyR, readyW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	namesR, namesW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	logR, logW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(h.bin, h.args...)
	cmd.Env = append(os.Environ(), tableflipParentEnv)
	cmd.ExtraFiles = append([]*os.File{readyW, namesR}, h.files...)
	cmd.Stderr = logW
	err = cmd.Start()
	readyW.Close()
	namesR.Close()
	logW.Close()
	if err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, exited: make(chan struct{})}
	go func() { p.err = cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-p.exited })
	go func() {
		defer logR.Close()
		sc := bufio.NewScanner(logR)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			fmt.Fprintf(h.log, "%s\n", sc.Bytes())
		}
	}()
	if err := gob.NewEncoder(namesW).Encode(h.names); err != nil {
		t.Fatal(err)
	}
	ready := make(chan error, 1)
	go func() {
		defer readyR.Close()
		var b [1]byte
		if _, err := io.ReadFull(readyR, b[:]); err != nil || b[0] != 42 {
			ready <- fmt.Errorf("no ready byte: %v", err)
			return
		}
		ready <- nil
	}()
	select {
	case err = <-ready:
	case <-p.exited:
		err = fmt.Errorf("exited before it was ready: %v", p.err)
	case <-ctx.Done():
		err = context.Cause(ctx)
	}
	namesW.Close() // the parent has "exited": nothing more to say
	if err != nil {
		t.Fatalf("starting a process: %v\n%s", err, h.log)
	}
	return p
}

// stop sends p SIGTERM and waits for it to exit, which it must do with
// status 0 within the drain timeout and a margin; it returns how long
// that took. One that does not is sent SIGQUIT: its goroutines go to
// the log.
func (p *process) stop(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return 0, err
	}
	late := time.NewTimer(drainTimeout + 10*time.Second)
	defer late.Stop()
	select {
	case <-p.exited:
		return time.Since(start), p.err
	case <-ctx.Done():
		return time.Since(start), context.Cause(ctx)
	case <-late.C:
	}
	_ = p.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
	}
	return time.Since(start), errors.New("still running long after SIGTERM; its goroutines are in the log")
}
