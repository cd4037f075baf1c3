package sidecar

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/llm-simulator/llm-simulator/admin"
)

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
func (r *runtime) upgrade(reason string) error {
	log := r.log.With().Str("reason", reason).Logger()
	if _, err := r.opts.Load(); err != nil {
		list := configErrors(err, r.opts.File)
		logConfigErrors(log, list)
		log.Error().Msg("upgrade refused: the new process would refuse the config; this process keeps serving")
		return list
	}
	log.Info().Msg("upgrading: starting a new process")
	err := r.opts.Lifecycle.Upgrade()
	switch {
	case err == nil:
		ev := log.Info()
		if pid, ok := readPidFile(r.opts.PIDFile); ok {
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
