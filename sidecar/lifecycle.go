package sidecar

import (
	"errors"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/tableflip"
)

// Lifecycle is where the servers' listeners come from and how the process
// hands them to its successor: tableflip's upgrader (NewLifecycle), or
// plain listeners that never hand over. Its methods are the few Run
// needs, so that a test can stand in for the OS.
type Lifecycle interface {
	// Listen opens the listener for role ("proxy", "admin"), or takes the
	// one a predecessor passed on for it.
	Listen(role, network, addr string) (net.Listener, error)
	// Ready says the process serves: a predecessor may now drain.
	Ready() error
	// Upgrade starts a successor and waits until it is ready.
	Upgrade() error
	// Exit is closed when a successor has taken over.
	Exit() <-chan struct{}
	// Stop refuses upgrades from now on: the process is shutting down.
	Stop()
}

// upgradeTimeout bounds how long a successor may take to become ready
// before it is killed and the upgrade fails; a start takes milliseconds.
const upgradeTimeout = 30 * time.Second

// NewLifecycle is tableflip's upgrader, so every listener is inherited
// across upgrades, writing pidFile ("" for none) once the process is
// ready; where the platform cannot upgrade, plain listeners. A process
// may hold one: call it once, in main.
func NewLifecycle(pidFile string) (Lifecycle, error) {
	upg, err := tableflip.New(tableflip.Options{PIDFile: pidFile, UpgradeTimeout: upgradeTimeout})
	if errors.Is(err, tableflip.ErrNotSupported) {
		return &plain{pidFile: pidFile}, nil
	}
	if err != nil {
		return nil, err
	}
	f := flip{Upgrader: upg}
	if upg.HasParent() {
		f.parent = os.Getppid()
	}
	return f, nil
}

// flip is tableflip's upgrader with listeners passed on by role.
type flip struct {
	*tableflip.Upgrader
	parent int // the predecessor's pid; 0 for a first process
}

// Listen implements Lifecycle. tableflip names a passed-on listener by
// its address as asked; two roles both asking for 127.0.0.1:0 would share
// a name, and the successor would get one of them twice. The role keeps
// them apart.
func (f flip) Listen(role, network, addr string) (net.Listener, error) {
	return f.ListenWithCallback(network, role+" "+addr, func(network, _ string) (net.Listener, error) {
		return net.Listen(network, addr)
	})
}

// parentBusy is tableflip's refusal while the predecessor still runs.
const parentBusy = "parent hasn't exited"

// Upgrade implements Lifecycle. tableflip learns that the predecessor has
// exited from a goroutine reading a pipe, so an upgrade asked for just
// after the exit can still be refused as if it drained on. The kernel
// gives this process a new parent as the predecessor exits, before anyone
// can see it gone: with the parent changed, the refusal is stale, and
// the upgrade is asked again until tableflip has caught up.
func (f flip) Upgrade() error {
	err := f.Upgrader.Upgrade()
	for deadline := time.Now().Add(time.Second); f.staleRefusal(err) && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
		err = f.Upgrader.Upgrade()
	}
	return err
}

// staleRefusal reports a refusal because the predecessor still runs when
// it has in fact exited.
func (f flip) staleRefusal(err error) bool {
	return err != nil && strings.Contains(err.Error(), parentBusy) && f.parent != 0 && os.Getppid() != f.parent
}

// plain listens for itself and cannot upgrade: for platforms tableflip
// does not support, and for serve run in-process by tests (a process may
// hold one upgrader).
type plain struct {
	pidFile string
	exit    chan struct{} // never closed: no successor takes over
}

// Listen implements Lifecycle: a new listener.
func (*plain) Listen(_, network, addr string) (net.Listener, error) { return net.Listen(network, addr) }

// Ready implements Lifecycle: the pid file, if asked for, is written.
func (p *plain) Ready() error {
	if p.pidFile == "" {
		return nil
	}
	return os.WriteFile(p.pidFile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644)
}

// Upgrade implements Lifecycle: always refused.
func (*plain) Upgrade() error { return errors.New("this process was started without upgrade support") }

// Exit implements Lifecycle: never closed.
func (p *plain) Exit() <-chan struct{} { return p.exit }

// Stop implements Lifecycle: there is nothing to refuse.
func (*plain) Stop() {}

// onSignal calls do on each sig until done is closed, one call at a time.
func onSignal(done <-chan struct{}, sig os.Signal, do func()) {
	c := make(chan os.Signal, 1)
	signal.Notify(c, sig)
	go func() {
		defer signal.Stop(c)
		for {
			select {
			case <-done:
				return
			case <-c:
				do()
			}
		}
	}()
}

// Compile-time checks that both lifecycles are one.
var (
	_ Lifecycle = flip{}
	_ Lifecycle = (*plain)(nil)
)
