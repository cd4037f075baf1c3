package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cloudflare/tableflip"
	"github.com/llm-simulator/llm-simulator/admin"
)

// lifecycle is where the servers' listeners come from and how the process
// hands them to its successor.
type lifecycle interface {
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

// newLifecycle is tableflip's upgrader, so every listener is inherited
// across upgrades; where the platform cannot, plain listeners.
func newLifecycle(pidFile string) (lifecycle, error) {
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

// Listen implements lifecycle. tableflip names a passed-on listener by
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

// Upgrade implements lifecycle. tableflip learns that the predecessor has
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

func (*plain) Listen(_, network, addr string) (net.Listener, error) { return net.Listen(network, addr) }

func (p *plain) Ready() error {
	if p.pidFile == "" {
		return nil
	}
	return os.WriteFile(p.pidFile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644)
}

func (*plain) Upgrade() error { return errors.New("this process was started without upgrade support") }

func (p *plain) Exit() <-chan struct{} { return p.exit }

func (*plain) Stop() {}

// busyReasons are tableflip's refusals that mean "not now", in our words.
var busyReasons = map[string]string{
	"upgrade in progress": "another upgrade is under way",
	parentBusy:            "the process before this one is still draining; try again once it has exited",
	"not ready yet":       "this process is not ready yet",
	"already upgraded":    "this process has already handed over to a new one",
	"terminating":         "this process is shutting down",
}

// busyUpgrade says why an upgrade was refused for now, or "".
func busyUpgrade(err error) string {
	for s, reason := range busyReasons {
		if strings.Contains(err.Error(), s) {
			return reason
		}
	}
	return ""
}

// upgrade checks the config a successor would load, then starts it, and
// logs the outcome — the new process serves, or why there is none, each
// config error with its file:line:col — for the SIGUSR2 sender, who sees
// nothing else. The error says why: a config.ErrorList for the config,
// marked admin.ErrUpgradeBusy when the answer is "not now". The pid file
// changes only when the new process is ready (tableflip writes it then).
func (r *reloader) upgrade(reason string) error {
	log := r.log.With().Str("reason", reason).Logger()
	if _, _, err := loadConfig(r.opts); err != nil {
		list := configErrors(err, r.opts.config)
		logConfigErrors(log, list)
		log.Error().Msg("upgrade refused: the new process would refuse the config; this process keeps serving")
		return list
	}
	log.Info().Msg("upgrading: starting a new process")
	err := r.lc.Upgrade()
	switch {
	case err == nil:
		ev := log.Info()
		if pid, ok := readPidFile(r.opts.pidFile); ok {
			ev = ev.Int("new_pid", pid)
		}
		ev.Msg("upgraded: the new process serves; this one drains and exits")
		return nil
	case busyUpgrade(err) != "":
		err = fmt.Errorf("%w: %s", admin.ErrUpgradeBusy, busyUpgrade(err))
		log.Warn().Err(err).Msg("upgrade refused for now; this process keeps serving")
		return err
	}
	log.Error().Err(err).Msg("upgrade failed: the new process did not become ready (its own log lines say why); this process keeps serving")
	return err
}

// readPidFile reads the pid file, if there is one.
func readPidFile(path string) (int, bool) {
	if path == "" {
		return 0, false
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	return pid, err == nil
}

// onUSR2 starts an upgrade on each SIGUSR2 until stop is closed; upgrade
// logs the outcome, the only answer a signal can have.
func (r *reloader) onUSR2(stop <-chan struct{}) {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGUSR2)
	go func() {
		defer signal.Stop(c)
		for {
			select {
			case <-stop:
				return
			case <-c:
				_ = r.upgrade("SIGUSR2") // logged
			}
		}
	}()
}
